// Package reviews serves access reviews of privileged access
// (https://learn.microsoft.com/graph/api/resources/accessreviewsv2-overview):
// schedule definitions, instances created on the emulator's clock from
// their recurrence, decisions for every principal in the reviewed role or
// PIM group, recorded by the reviewers' own tokens, and at an instance's
// end the default decision and, when auto-applied, Deny removing access
// through PIM's own removal path.
package reviews

import (
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Remover removes a standing eligibility or assignment through PIM's
// removal path (the PIM engine).
type Remover interface {
	Remove(t *core.Tx, sc *core.Schedule, reason string) *core.APIError
}

// Area is the access reviews surface.
type Area struct {
	st     *core.State
	remove Remover
}

// New returns the area on the state and registers its timer: instances
// start and end on the emulator's clock whether or not anyone calls.
func New(st *core.State, remove Remover) *Area {
	a := &Area{st: st, remove: remove}
	st.AddAreaTimer(timerArea, core.AreaTimer{
		Fire:    func(t *core.Tx, id string) { (&tx{t, a}).fire(id) },
		Rebuild: func(t *core.Tx) { (&tx{t, a}).rebuild() },
	})
	return a
}

const (
	base      = "identityGovernance/accessReviews/definitions"
	timerArea = "reviews"
)

// Routes are the access reviews' Graph operations.
func (a *Area) Routes() []wire.Route {
	var rs []wire.Route
	r := func(method, pattern string, h func(*call)) {
		rs = append(rs, wire.Route{Method: method, Pattern: base + pattern, Handle: a.handle(h)})
	}
	r("POST", "", createDefinition)
	r("GET", "", listDefinitions)
	r("GET", "/{id}", getDefinition)
	r("PUT", "/{id}", putDefinition)
	r("DELETE", "/{id}", deleteDefinition)
	r("POST", "/{id}/stop", stopDefinition)
	r("GET", "/{id}/instances", listInstances)
	r("GET", "/{id}/instances/{iid}", getInstance)
	r("POST", "/{id}/instances/{iid}/stop", stopInstance)
	r("POST", "/{id}/instances/{iid}/applyDecisions", applyDecisions)
	r("POST", "/{id}/instances/{iid}/sendReminder", sendReminder)
	r("POST", "/{id}/instances/{iid}/batchRecordDecisions", batchRecordDecisions)
	r("GET", "/{id}/instances/{iid}/contactedReviewers", listContactedReviewers)
	r("GET", "/{id}/instances/{iid}/decisions", listDecisions)
	r("GET", "/{id}/instances/{iid}/decisions/{did}", getDecision)
	r("PATCH", "/{id}/instances/{iid}/decisions/{did}", patchDecision)
	return rs
}

type call struct {
	*wire.Call
	a *Area
}

type tx struct {
	*core.Tx
	a *Area
}

func (a *Area) handle(h func(*call)) func(*wire.Call) {
	return func(c *wire.Call) { h(&call{c, a}) }
}

func (a *Area) view(caller core.Identity, fn func(*tx)) {
	a.st.View(caller, func(t *core.Tx) { fn(&tx{t, a}) })
}

func (a *Area) update(caller core.Identity, fn func(*tx) *core.APIError) *core.APIError {
	return a.st.Update(caller, func(t *core.Tx) *core.APIError { return fn(&tx{t, a}) })
}

// Who may manage and read reviews (Learn: access reviews permissions and
// the roles that can create reviews of directory roles). Reviewers read
// and decide what is theirs with no role.
var (
	permRead    = []string{"AccessReview.Read.All", "AccessReview.ReadWrite.All"}
	permWrite   = []string{"AccessReview.ReadWrite.All"}
	writerRoles = []string{tenant.RoleGlobalAdministrator, tenant.RolePrivilegedRoleAdministrator, roleIdentityGovernanceAdministrator}
	readerRoles = append([]string{tenant.RoleGlobalReader, tenant.RoleSecurityReader}, writerRoles...)
	errWrite    = core.Forbidden("Managing access reviews needs AccessReview.ReadWrite.All (app-only) or the Global Administrator, " +
		"Privileged Role Administrator or Identity Governance Administrator role.")
	errRead = core.Forbidden("Reading access reviews needs AccessReview.Read.All (app-only) or a role such as Global Reader; " +
		"reviewers read theirs with filterByCurrentUser(on='reviewer').")
)

const roleIdentityGovernanceAdministrator = "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e"
