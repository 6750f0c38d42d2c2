package arm

import (
	"net/http"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// authzHandler is the handler of a Microsoft.Authorization path and the
// api-versions its type accepts; nil after answering an unknown path.
func (a *Area) authzHandler(c *call, coll, name, action string) (func(*call), []string) {
	m := c.R.Method
	get := m == http.MethodGet
	switch coll {
	case "roledefinitions":
		if get && action == "" {
			return func(c *call) { a.roleDefinitions(c, name) }, roleDefVersions
		}
	case "roleeligibilityschedulerequests", "roleassignmentschedulerequests":
		return a.requestHandler(c, kindOf(coll), name, action)
	case "roleeligibilityschedules", "roleassignmentschedules", "roleeligibilityscheduleinstances", "roleassignmentscheduleinstances":
		instance := len(coll) > len("roleassignmentschedules") && coll[len(coll)-9:] == "instances"
		switch {
		case get && name == "":
			return a.listSchedules(kindOf(coll), instance), pimVersions
		case get && action == "":
			return a.getSchedule(kindOf(coll), name, instance), pimVersions
		}
	case "rolemanagementpolicies", "rolemanagementpolicyassignments":
		assignment := coll == "rolemanagementpolicyassignments"
		switch {
		case get && name == "":
			return a.listPolicies(assignment), pimVersions
		case get && action == "":
			return a.getPolicy(name, assignment), pimVersions
		case m == http.MethodPatch && !assignment && action == "":
			return a.patchPolicy(name), pimVersions
		case m == http.MethodPut && !assignment:
			// ARM does not implement PUT of a policy: changes are PATCHes.
			c.fail(http.StatusBadRequest, "BadRequest", "Not implemented exception: change a role management policy with PATCH of the rules to change.")
			return nil, nil
		}
	case "roleassignmentapprovals":
		return a.approvals, approvalVersions
	default:
		c.fail(http.StatusNotFound, "InvalidResourceType", "The resource type '%s' could not be found in the namespace 'Microsoft.Authorization' for api version '%s'.",
			coll, c.R.URL.Query().Get("api-version"))
		return nil, nil
	}
	c.fail(http.StatusMethodNotAllowed, "MethodNotAllowed", "The method %s is not supported on %s.", m, c.R.URL.Path)
	return nil, nil
}

func (a *Area) requestHandler(c *call, k core.Kind, name, action string) (func(*call), []string) {
	m := c.R.Method
	switch {
	case m == http.MethodGet && name == "":
		return a.listRequests(k), pimVersions
	case m == http.MethodGet && action == "":
		return a.getRequest(k, name), pimVersions
	case m == http.MethodPut && action == "":
		return a.putRequest(k, name, false), pimVersions
	case m == http.MethodPost && action == "cancel":
		return a.cancelRequest(k, name), pimVersions
	case m == http.MethodPost && action == "validate":
		return a.putRequest(k, name, true), validateVersions
	case m == http.MethodDelete:
		// There is no DELETE: ARM answers as for an action nobody holds.
		c.fail(http.StatusForbidden, "AuthorizationFailed", "The client does not have authorization to perform action '%s/delete' over scope '%s': "+
			"schedule requests cannot be deleted; remove an assignment with a request of type AdminRemove.", requestsOf(k), c.scope)
		return nil, nil
	}
	c.fail(http.StatusMethodNotAllowed, "MethodNotAllowed", "The method %s is not supported on %s.", m, c.R.URL.Path)
	return nil, nil
}

func kindOf(coll string) core.Kind {
	if len(coll) > len("roleeligibility") && coll[:len("roleeligibility")] == "roleeligibility" {
		return core.Eligible
	}
	return core.Active
}
