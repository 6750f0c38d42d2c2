package arm

import (
	"net/http"
	"slices"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// Azure RBAC (https://learn.microsoft.com/azure/role-based-access-control/overview):
// a caller may perform an operation at a scope when a role it holds, at that
// scope or above, grants the operation. Users and applications alike: ARM
// has no application permissions. A role is held through an active
// assignment in effect now (standing or activated), the caller's own or a
// group's it belongs to.

// Operations the area checks.
const (
	opPolicyRead  = "Microsoft.Authorization/roleManagementPolicies/read"
	opPolicyWrite = "Microsoft.Authorization/roleManagementPolicies/write"
)

// requestsOf is the operation prefix of a kind's schedule requests.
func requestsOf(k core.Kind) string {
	if k == core.Eligible {
		return "Microsoft.Authorization/roleEligibilityScheduleRequests"
	}
	return "Microsoft.Authorization/roleAssignmentScheduleRequests"
}

// schedulesOf is the read operation of a kind's schedules and instances.
func schedulesOf(k core.Kind) string {
	if k == core.Eligible {
		return "Microsoft.Authorization/roleEligibilitySchedules/read"
	}
	return "Microsoft.Authorization/roleAssignmentSchedules/read"
}

// allowed reports whether the caller holds a role at or above scope that
// grants the operation.
func (a *Area) allowed(tx *core.Tx, scope, operation string) bool {
	lineage := a.az.Lineage(scope)
	return a.holds(tx, func(k core.Key) bool {
		role, ok := a.az.Roles[k.Role]
		return slices.Contains(lineage, k.Scope) && ok && role.Allows(operation)
	})
}

// holds reports whether the caller, directly or through a group, holds an
// Azure role in effect now (standing or activated) whose key keep accepts.
func (a *Area) holds(tx *core.Tx, keep func(core.Key) bool) bool {
	me := strings.ToLower(tx.Caller.PrincipalID)
	for _, p := range append([]string{me}, a.dir.MemberOf[me]...) {
		for sc := range tx.St.SchedByPrin[p] {
			if sc.Key.Surface == core.SurfaceAzure && sc.Key.Kind == core.Active && !sc.Spec.Start.After(tx.Now) && keep(sc.Key) {
				return true
			}
		}
	}
	return false
}

// authorize answers ARM's AuthorizationFailed when the caller may not.
func (a *Area) authorize(tx *core.Tx, scope, operation string) *core.APIError {
	if a.allowed(tx, scope, operation) {
		return nil
	}
	canonical := scope
	if s, ok := a.az.Scope(scope); ok {
		canonical = s.ID
	}
	id := tx.Caller.PrincipalID
	return &core.APIError{Status: http.StatusForbidden, Code: "AuthorizationFailed", Message: "The client '" + id + "' with object id '" + id +
		"' does not have authorization to perform action '" + operation + "' over scope '" + canonical +
		"' or the scope is invalid. If access was recently granted, please refresh your credentials."}
}
