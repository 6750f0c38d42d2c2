// Package policy serves role settings: the PIM policies of directory roles
// and of PIM for Groups, their 17 rules, and their assignments
// (https://learn.microsoft.com/graph/identity-governance-pim-rules-overview).
// The policy model and its evaluation live in core: the PIM engine applies
// them to every request.
package policy

import (
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Area is the role settings' Graph API.
type Area struct{ st *core.State }

// New returns the policy area on the state.
func New(st *core.State) *Area { return &Area{st: st} }

// Routes are the role settings' Graph operations.
func (a *Area) Routes() []wire.Route {
	const policies = "policies/"
	return []wire.Route{
		{Method: "GET", Pattern: policies + "roleManagementPolicies", Handle: a.handle(listPolicies)},
		{Method: "GET", Pattern: policies + "roleManagementPolicies/{id}", Handle: a.handle(getPolicy)},
		{Method: "PATCH", Pattern: policies + "roleManagementPolicies/{id}", Handle: a.handle(patchPolicy)},
		{Method: "GET", Pattern: policies + "roleManagementPolicies/{id}/rules", Handle: a.handle(listRules)},
		{Method: "GET", Pattern: policies + "roleManagementPolicies/{id}/rules/{rule}", Handle: a.handle(getRule)},
		{Method: "PATCH", Pattern: policies + "roleManagementPolicies/{id}/rules/{rule}", Handle: a.handle(patchRule)},
		{Method: "GET", Pattern: policies + "roleManagementPolicyAssignments", Handle: a.handle(listPolicyAssignments)},
		{Method: "GET", Pattern: policies + "roleManagementPolicyAssignments/{id}", Handle: a.handle(getPolicyAssignment)},
	}
}

type call struct {
	*wire.Call
	a *Area
}

type tx struct{ *core.Tx }

func (a *Area) handle(h func(*call)) func(*wire.Call) {
	return func(c *wire.Call) { h(&call{c, a}) }
}

func (a *Area) view(caller core.Identity, fn func(*tx)) {
	a.st.View(caller, func(t *core.Tx) { fn(&tx{t}) })
}

func (a *Area) update(caller core.Identity, fn func(*tx) *core.APIError) *core.APIError {
	return a.st.Update(caller, func(t *core.Tx) *core.APIError { return fn(&tx{t}) })
}
