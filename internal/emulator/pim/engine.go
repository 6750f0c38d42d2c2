// Package pim is the engine of Privileged Identity Management: schedule
// requests (the write pipeline: parse, authorize, evaluate the policy,
// apply, audit, notify), schedules and their instances, activation and
// deactivation, and approvals, for every surface: directory roles and PIM
// for Groups. Schedules key on (surface, kind, principal, role or access,
// scope or group); only the wire shapes differ per surface.
package pim

import (
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Faults is what the engine asks of the fault rules: how many reads a new
// schedule must miss, and whether a principal is not yet replicated.
type Faults interface {
	ReadLag() int
	PrincipalLagging(id string) bool
}

// Engine serves the PIM surfaces on the state.
type Engine struct {
	st      *core.State
	dir     *tenant.Directory
	readLag int
	faults  Faults
	// surfaces are those served by packages of their own.
	surfaces map[core.SurfaceID]SurfaceRules
}

// New returns the engine. readLag is the replication lag of every new or
// changed schedule (in reads); faults may add more.
func New(st *core.State, dir *tenant.Directory, readLag int, faults Faults) *Engine {
	en := &Engine{st: st, dir: dir, readLag: readLag, faults: faults,
		surfaces: map[core.SurfaceID]SurfaceRules{}}
	st.SetTimers(core.Timers{
		Expired:     func(t *core.Tx, sc *core.Schedule, end time.Time) { (&tx{t, en}).auditExpiry(sc, end) },
		ApprovalDue: func(t *core.Tx, id string) { (&tx{t, en}).timeoutApproval(id) },
	})
	return en
}

const (
	roleMgmt = "roleManagement/directory/"
	groupPIM = "identityGovernance/privilegedAccess/group/"
)

// Routes are the PIM operations of every surface.
func (en *Engine) Routes() []wire.Route {
	var rs []wire.Route
	r := func(method, pattern string, beta bool, h func(*call)) {
		rs = append(rs, wire.Route{Method: method, Pattern: pattern, Beta: beta, Handle: en.handle(h)})
	}
	// Directory roles: eligibilities (roleEligibility*) and active
	// assignments (roleAssignment*): requests, schedules and instances.
	for _, k := range []core.Kind{core.Eligible, core.Active} {
		p := roleMgmt + rolePrefix(k)
		r("POST", p+"ScheduleRequests", false, postRequest(directoryRequests, k))
		r("GET", p+"ScheduleRequests", false, listRequests(k))
		r("GET", p+"ScheduleRequests/{id}", false, getRequest(k))
		r("POST", p+"ScheduleRequests/{id}/cancel", false, cancelRequest(directoryRequests, k))
		r("GET", p+"Schedules", false, listSchedules(k))
		r("GET", p+"Schedules/{id}", false, getSchedule(k))
		r("GET", p+"ScheduleInstances", false, listInstances(k))
		r("GET", p+"ScheduleInstances/{id}", false, getInstance(k))
	}
	// Approvals of activations (beta for directory roles).
	r("GET", roleMgmt+"roleAssignmentApprovals/{id}", true, getApproval)
	r("GET", roleMgmt+"roleAssignmentApprovals/{id}/steps", true, listApprovalSteps)
	r("GET", roleMgmt+"roleAssignmentApprovals/{id}/steps/{step}", true, getApprovalStep)
	r("PATCH", roleMgmt+"roleAssignmentApprovals/{id}/steps/{step}", true, patchApprovalStep)
	// PIM for Groups: membership and ownership, with v1.0 approvals.
	for _, k := range []core.Kind{core.Eligible, core.Active} {
		p := groupPIM + groupPrefix(k)
		r("POST", p+"ScheduleRequests", false, postRequest(groupRequests, k))
		r("GET", p+"ScheduleRequests", false, listGroupRequests(k))
		r("GET", p+"ScheduleRequests/{id}", false, getGroupRequest(k))
		r("POST", p+"ScheduleRequests/{id}/cancel", false, cancelRequest(groupRequests, k))
		r("GET", p+"Schedules", false, listGroupSchedules(k, false))
		r("GET", p+"Schedules/{id}", false, getGroupSchedule(k))
		r("GET", p+"ScheduleInstances", false, listGroupSchedules(k, true))
		r("GET", p+"ScheduleInstances/{id}", false, getGroupInstance(k))
	}
	r("GET", groupPIM+"assignmentApprovals/{id}", false, getGroupApproval)
	r("PATCH", groupPIM+"assignmentApprovals/{id}/stages/{stage}", false, patchGroupApprovalStage)
	// guess: the update page spells the path /steps/{id} while GET returns stages; both are accepted.
	r("PATCH", groupPIM+"assignmentApprovals/{id}/steps/{stage}", false, patchGroupApprovalStage)
	return rs
}

type call struct {
	*wire.Call
	a *Engine
}

// tx is a core transaction with the engine at hand.
type tx struct {
	*core.Tx
	a *Engine
}

func (en *Engine) handle(h func(*call)) func(*wire.Call) {
	return func(c *wire.Call) { h(&call{c, en}) }
}

func (en *Engine) view(caller core.Identity, fn func(*tx)) {
	en.st.View(caller, func(t *core.Tx) { fn(&tx{t, en}) })
}

func (en *Engine) update(caller core.Identity, fn func(*tx) *core.APIError) *core.APIError {
	return en.st.Update(caller, func(t *core.Tx) *core.APIError { return fn(&tx{t, en}) })
}

// OutOfBand runs fn as a write with the engine's operations at hand: what
// an administrator does in the portal, for the emulator's hooks.
func (en *Engine) OutOfBand(caller core.Identity, fn func(tx *core.Tx, auditAdmin func(verb string, spec core.ScheduleSpec, k core.Key, justification *string))) {
	_ = en.update(caller, func(t *tx) *core.APIError {
		fn(t.Tx, func(verb string, spec core.ScheduleSpec, k core.Key, justification *string) {
			t.auditAdmin(verb, spec, k, justification, "")
		})
		return nil
	})
}
