package emulator

import (
	"net/http"
	"strings"
)

// route is one Graph operation: a method, a path pattern relative to the
// version ({x} matches one segment, given to the handler in order) and the
// handler. Path segments match case-insensitively, as Graph's do.
type route struct {
	method  string
	pattern string
	beta    bool // served under /beta only
	handle  func(*call)
	segs    []string
}

const (
	roleMgmt = "roleManagement/directory/"
	policies = "policies/"
)

// routes is every Graph operation the emulator serves: one hop from a path
// to the code behind it.
var routes = compile(append([]route{
	// Directory-role PIM: eligibilities (roleEligibility*) and active
	// assignments (roleAssignment*), requests, schedules and instances.
	{method: "POST", pattern: roleMgmt + "roleEligibilityScheduleRequests", handle: postRequest(Eligible)},
	{method: "GET", pattern: roleMgmt + "roleEligibilityScheduleRequests", handle: listRequests(Eligible)},
	{method: "GET", pattern: roleMgmt + "roleEligibilityScheduleRequests/{id}", handle: getRequest(Eligible)},
	{method: "POST", pattern: roleMgmt + "roleEligibilityScheduleRequests/{id}/cancel", handle: cancelRequest(Eligible)},
	{method: "GET", pattern: roleMgmt + "roleEligibilitySchedules", handle: listSchedules(Eligible)},
	{method: "GET", pattern: roleMgmt + "roleEligibilitySchedules/{id}", handle: getSchedule(Eligible)},
	{method: "GET", pattern: roleMgmt + "roleEligibilityScheduleInstances", handle: listInstances(Eligible)},
	{method: "GET", pattern: roleMgmt + "roleEligibilityScheduleInstances/{id}", handle: getInstance(Eligible)},
	{method: "POST", pattern: roleMgmt + "roleAssignmentScheduleRequests", handle: postRequest(Active)},
	{method: "GET", pattern: roleMgmt + "roleAssignmentScheduleRequests", handle: listRequests(Active)},
	{method: "GET", pattern: roleMgmt + "roleAssignmentScheduleRequests/{id}", handle: getRequest(Active)},
	{method: "POST", pattern: roleMgmt + "roleAssignmentScheduleRequests/{id}/cancel", handle: cancelRequest(Active)},
	{method: "GET", pattern: roleMgmt + "roleAssignmentSchedules", handle: listSchedules(Active)},
	{method: "GET", pattern: roleMgmt + "roleAssignmentSchedules/{id}", handle: getSchedule(Active)},
	{method: "GET", pattern: roleMgmt + "roleAssignmentScheduleInstances", handle: listInstances(Active)},
	{method: "GET", pattern: roleMgmt + "roleAssignmentScheduleInstances/{id}", handle: getInstance(Active)},
	{method: "GET", pattern: roleMgmt + "roleDefinitions", handle: listRoleDefinitions},
	{method: "GET", pattern: roleMgmt + "roleDefinitions/{id}", handle: getRoleDefinition},
	// Approvals of activations (beta for directory roles).
	{method: "GET", pattern: roleMgmt + "roleAssignmentApprovals/{id}", beta: true, handle: getApproval},
	{method: "GET", pattern: roleMgmt + "roleAssignmentApprovals/{id}/steps", beta: true, handle: listApprovalSteps},
	{method: "GET", pattern: roleMgmt + "roleAssignmentApprovals/{id}/steps/{step}", beta: true, handle: getApprovalStep},
	{method: "PATCH", pattern: roleMgmt + "roleAssignmentApprovals/{id}/steps/{step}", beta: true, handle: patchApprovalStep},
	// Role settings: policies and their rules, policy assignments.
	{method: "GET", pattern: policies + "roleManagementPolicies", handle: listPolicies},
	{method: "GET", pattern: policies + "roleManagementPolicies/{id}", handle: getPolicy},
	{method: "PATCH", pattern: policies + "roleManagementPolicies/{id}", handle: patchPolicy},
	{method: "GET", pattern: policies + "roleManagementPolicies/{id}/rules", handle: listRules},
	{method: "GET", pattern: policies + "roleManagementPolicies/{id}/rules/{rule}", handle: getRule},
	{method: "PATCH", pattern: policies + "roleManagementPolicies/{id}/rules/{rule}", handle: patchRule},
	{method: "GET", pattern: policies + "roleManagementPolicyAssignments", handle: listPolicyAssignments},
	{method: "GET", pattern: policies + "roleManagementPolicyAssignments/{id}", handle: getPolicyAssignment},
	// The directory.
	{method: "GET", pattern: "me", handle: getMe},
	{method: "GET", pattern: "users", handle: listUsers},
	{method: "GET", pattern: "users/{id}", handle: getUser},
	{method: "GET", pattern: "groups", handle: listGroups},
	{method: "GET", pattern: "groups/{id}", handle: getGroup},
	{method: "GET", pattern: "groups/{id}/members", handle: listMembers},
	{method: "GET", pattern: "servicePrincipals", handle: listServicePrincipals},
	{method: "GET", pattern: "servicePrincipals/{id}", handle: getServicePrincipal},
	{method: "GET", pattern: "directory/administrativeUnits", handle: listUnits},
	{method: "GET", pattern: "directory/administrativeUnits/{id}", handle: getUnit},
	{method: "POST", pattern: "directoryObjects/getByIds", handle: getByIds},
	// The PIM audit log.
	{method: "GET", pattern: "auditLogs/directoryAudits", handle: listAudit},
	{method: "GET", pattern: "auditLogs/directoryAudits/{id}", handle: getAudit},
}, groupRoutes()...))

func compile(rs []route) []route {
	for i := range rs {
		rs[i].segs = strings.Split(rs[i].pattern, "/")
	}
	return rs
}

// match finds the route of a request: 404 when no pattern matches the
// path, 405 when one does but not for this method.
func match(method string, segs []string) (*route, []string, int) {
	status := http.StatusNotFound
	for i := range routes {
		rt := &routes[i]
		params, ok := matchPath(rt.segs, segs)
		if !ok {
			continue
		}
		if rt.method != method {
			status = http.StatusMethodNotAllowed
			continue
		}
		return rt, params, http.StatusOK
	}
	return nil, nil, status
}

func matchPath(pattern, segs []string) ([]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var params []string
	for i, p := range pattern {
		switch {
		case p == "{id}" || p == "{step}" || p == "{rule}":
			if segs[i] == "" {
				return nil, false
			}
			params = append(params, segs[i])
		case !strings.EqualFold(p, segs[i]):
			return nil, false
		}
	}
	return params, true
}
