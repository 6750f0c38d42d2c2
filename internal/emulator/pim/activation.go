package pim

import (
	"slices"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// Just-in-time activation: an eligible principal activates, deactivates or
// extends its own role through roleAssignmentScheduleRequests; with approval
// required the request waits in PendingApproval until every stage approves.
// https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-activate-role

func (tx *tx) submitSelf(cmd *command) (*core.Request, *core.APIError) {
	switch {
	case tx.Caller.App:
		return nil, core.Forbidden("%s needs a signed-in user: application permissions cannot act for themselves.", cmd.action)
	case cmd.Key.Principal != strings.ToLower(tx.Caller.PrincipalID):
		return nil, core.Forbidden("%s acts on the signed-in principal: principalId must be the caller (%s).", cmd.action, tx.Caller.PrincipalID)
	}
	req := tx.newRequest(cmd)
	active := tx.St.Activations[cmd.Key]
	if cmd.action == "selfDeactivate" {
		return tx.deactivate(cmd, req, active)
	}
	elig := tx.effectiveEligibility(cmd.Key)
	switch {
	case elig == nil:
		return nil, policyFailed([]string{"EligibilityRule"})
	case cmd.action == "selfActivate" && active != nil:
		return nil, core.BadRequest("RoleAssignmentExists", "The Role assignment already exists.")
	case cmd.action != "selfActivate" && active == nil:
		return nil, core.BadRequest("RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
	}
	spec, e := tx.planActivation(cmd, req, active)
	if e != nil {
		return nil, e
	}
	req.Schedule, req.ActivatedUsing = &spec, elig.ID
	if cmd.validationOnly {
		req.Status = core.StatusGranted
		return req, nil
	}
	a := tx.PolicyFor(cmd.Key).Rules["Approval_EndUser_Assignment"].Approval
	if (cmd.action == "selfActivate" && a.IsApprovalRequired) || (cmd.action != "selfActivate" && a.IsApprovalRequiredForExtension) {
		tx.requestApproval(req, a, cmd.body.ScheduleInfo)
		return req, nil
	}
	tx.auditActivation("Add member to role requested (PIM activation)", tx.Caller.PrincipalID, req)
	tx.grantActivation(req)
	tx.St.AddRequest(req)
	tx.Touch(core.EntRequest, req.ID)
	return req, nil
}

func (tx *tx) deactivate(cmd *command, req *core.Request, active *core.Schedule) (*core.Request, *core.APIError) {
	switch {
	case active == nil:
		return nil, core.BadRequest("RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
	case tx.Now.Sub(active.ActiveSince()) < core.MinActiveDuration:
		return nil, core.BadRequest("ActiveDurationTooShort", "The Active duration is too short. Miniumum Required is 5 minutes.")
	}
	req.Status = core.StatusRevoked
	if cmd.validationOnly {
		req.Justification = nil
		return req, nil
	}
	tx.St.RemoveSchedule(active)
	tx.Touch(core.EntSchedule, active.ID)
	tx.St.AddRequest(req)
	tx.Touch(core.EntRequest, req.ID)
	// The records say when the activation really ended: now, not its planned end.
	ended := active.Spec
	now := tx.Now
	ended.ExpType, ended.End, ended.Duration = "afterDateTime", &now, ""
	req.Schedule = &ended
	tx.auditActivation("Remove member from role requested (PIM deactivate)", tx.Caller.PrincipalID, req)
	tx.auditActivation("Remove member from role completed (PIM deactivate)", tx.Caller.PrincipalID, req)
	// As the adminRemove response: no schedule, no justification.
	req.Schedule, req.Justification = nil, nil
	return req, nil
}

// planActivation validates the schedule of an activation or extension
// against Expiration_EndUser_Assignment, Enablement_EndUser_Assignment and
// AuthenticationContext_EndUser_Assignment.
func (tx *tx) planActivation(cmd *command, req *core.Request, active *core.Schedule) (core.ScheduleSpec, *core.APIError) {
	spec, e := parseSpec(cmd.body.ScheduleInfo, tx.Now, nil)
	if e != nil {
		return spec, e
	}
	if active != nil && cmd.action != "selfActivate" {
		spec.Start = active.Spec.Start
	}
	p := tx.PolicyFor(cmd.Key)
	if failed := activationFailures(p, spec, req, tx.Caller); len(failed) > 0 {
		return spec, policyFailed(failed)
	}
	if ctx := p.Rules["AuthenticationContext_EndUser_Assignment"]; ctx.IsEnabled && !slices.Contains(tx.Caller.ACRS, ctx.ClaimValue) {
		// guess: reported in the wild as a separate code; the claims challenge itself is not emulated.
		return spec, core.BadRequest("RoleAssignmentRequestAcrsValidationFailed",
			"The request requires the Conditional Access authentication context %q; sign in again to satisfy it.", ctx.ClaimValue)
	}
	return spec, nil
}

// grantActivation puts an approved (or approval-free) request into effect.
// guess: when approval arrives after the requested start, or no start was
// requested, the activation window starts at approval, for the requested
// duration; the docs say only that the role "would be activated after the
// selected time".
func (tx *tx) grantActivation(req *core.Request) {
	if req.Schedule.Start.IsZero() || req.Schedule.Start.Before(tx.Now) {
		req.Schedule.Start = tx.Now
	}
	req.Status = core.StatusGranted // as documented; Provisioned once in effect
	completed := req.Schedule.Start
	req.Completed = &completed
	if active := tx.St.Activations[req.Key]; active != nil && req.Action != "selfActivate" {
		now := tx.Now
		active.Spec, active.Modified = *req.Schedule, &now
		tx.St.Timeline.ScheduleChanged(active)
		req.TargetScheduleID = &active.ID
	} else {
		sc := &core.Schedule{ID: scheduleIDFor(req), Key: req.Key, CreatedUsing: req.ID, Created: tx.Now, Status: core.StatusGranted,
			AssignmentType: core.AssignmentActivated, Spec: *req.Schedule, ActivatedUsing: req.ActivatedUsing}
		if !sc.Spec.Start.After(tx.Now) {
			sc.Status = core.StatusProvisioned
		}
		tx.St.AddSchedule(sc)
		req.TargetScheduleID = &sc.ID
	}
	tx.Touch(core.EntSchedule, *req.TargetScheduleID)
	tx.St.Timeline.RequestChanged(req)
	tx.auditActivation("Add member to role completed (PIM activation)", req.CreatedBy, req)
	if req.Action == "selfActivate" {
		tx.notify(eventActivationComplete, req.Key, nil)
	}
}

// effectiveEligibility returns the eligibility in effect now that lets the
// key's principal activate: its own, or one of a group it belongs to.
func (tx *tx) effectiveEligibility(k core.Key) *core.Schedule {
	k.Kind = core.Eligible
	candidates := append([]string{k.Principal}, tx.Dir.MemberOf[k.Principal]...)
	for _, p := range candidates {
		k.Principal = p
		if sc := tx.St.Standing[k]; sc != nil && !sc.Spec.Start.After(tx.Now) {
			return sc
		}
	}
	return nil
}

func (tx *tx) auditActivation(activity, initiator string, req *core.Request) {
	op := "Add"
	if strings.HasPrefix(activity, "Remove") {
		op = "Delete"
	}
	reason := ""
	if req.Justification != nil {
		reason = *req.Justification
	}
	var spec core.ScheduleSpec
	if req.Schedule != nil {
		spec = *req.Schedule
	}
	tx.Audit(core.AuditEntry{Activity: activity, Op: op, Initiator: initiator, Reason: reason, Key: req.Key, Spec: spec, RequestID: req.ID})
}
