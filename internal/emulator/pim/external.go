package pim

import (
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// The engine's operations for a surface served by a package of its own
// (PIM for Azure resources, over ARM): that package speaks its wire and
// authorizes its callers, and hands the engine requests in its terms, in
// the same transaction, so that policies, approvals, expiry, audit and
// notifications are the directory roles' own.

// SurfaceRules are what such a surface tells the engine.
type SurfaceRules struct {
	// MayWrite authorizes an administrator's write (assign, update,
	// remove, or cancelling someone else's request) of a key.
	MayWrite func(tx *core.Tx, k core.Key) *core.APIError
}

// AddSurface registers a surface served outside this package.
func (en *Engine) AddSurface(id core.SurfaceID, rules SurfaceRules) { en.surfaces[id] = rules }

// Request is a schedule request in the engine's terms.
type Request struct {
	Action string // adminAssign, AdminAssign, selfActivate, … in any case
	Key    core.Key
	// Name is the request's id when the client chooses it (ARM's PUT).
	Name                       string
	Justification              *string
	Schedule                   *ScheduleInfo
	TicketNumber, TicketSystem *string
	// Condition and ConditionVersion are an Azure ABAC condition.
	Condition, ConditionVersion string
	ValidationOnly              bool
}

// Submit authorizes, validates and applies a request within tx.
func (en *Engine) Submit(t *core.Tx, r Request) (*core.Request, *core.APIError) {
	action, ok := actions[strings.ToLower(r.Action)]
	if !ok {
		return nil, core.BadRequest("InvalidRequestType", "The request type '%s' is not valid. Valid values: AdminAssign, AdminUpdate, AdminRemove, "+
			"AdminExtend, AdminRenew, SelfActivate, SelfDeactivate, SelfExtend, SelfRenew.", r.Action)
	}
	if strings.HasPrefix(action, "self") && r.Key.Kind == core.Eligible {
		return nil, core.BadRequest("NotSupported", "The emulator does not implement %s on eligibility schedule requests.", action)
	}
	body := &requestBody{Action: action, requestCommon: requestCommon{Justification: r.Justification, ScheduleInfo: r.Schedule}}
	if r.TicketNumber != nil || r.TicketSystem != nil {
		body.TicketInfo = &struct {
			TicketNumber *string `json:"ticketNumber"`
			TicketSystem *string `json:"ticketSystem"`
		}{r.TicketNumber, r.TicketSystem}
	}
	cmd := &command{action: action, Key: r.Key, body: body, validationOnly: r.ValidationOnly, name: strings.ToLower(r.Name),
		condition: r.Condition, conditionVersion: r.ConditionVersion}
	return (&tx{t, en}).submit(cmd)
}

// Cancel cancels a Granted or PendingApproval request (the caller has
// checked who may).
func (en *Engine) Cancel(t *core.Tx, r *core.Request) *core.APIError {
	if r.Status != core.StatusGranted && r.Status != core.StatusPendingApproval {
		return core.BadRequest("InvalidRequestStatus", "The request is in status %s and cannot be canceled; only Granted or PendingApproval requests can.", r.Status)
	}
	(&tx{t, en}).cancel(r)
	return nil
}

// Decide records the caller's decision on a stage of an approval.
func (en *Engine) Decide(t *core.Tx, a *core.Approval, stage *core.ApprovalStep, result, justification string) *core.APIError {
	x := &tx{t, en}
	d := decision{ReviewResult: result, Justification: justification}
	if e := x.checkDecision(a, stage, d); e != nil {
		return e
	}
	x.decide(a, stage, d)
	return nil
}

// CanApprove reports whether the principal may decide the stage now.
func (en *Engine) CanApprove(t *core.Tx, principalID string, stage *core.ApprovalStep) bool {
	return (&tx{t, en}).canApprove(strings.ToLower(principalID), stage)
}
