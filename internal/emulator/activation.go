package emulator

import (
	"slices"
	"strings"
)

// Just-in-time activation: an eligible principal activates, deactivates or
// extends its own role through roleAssignmentScheduleRequests; with approval
// required the request waits in PendingApproval until every stage approves.
// https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-activate-role

func (tx *tx) submitSelf(cmd *command) (*request, *apiError) {
	switch {
	case tx.caller.App:
		return nil, forbidden("%s needs a signed-in user: application permissions cannot act for themselves.", cmd.action)
	case cmd.key.Principal != strings.ToLower(tx.caller.PrincipalID):
		return nil, forbidden("%s acts on the signed-in principal: principalId must be the caller (%s).", cmd.action, tx.caller.PrincipalID)
	}
	req := tx.newRequest(cmd)
	active := tx.st.activations[cmd.key]
	if cmd.action == "selfDeactivate" {
		return tx.deactivate(cmd, req, active)
	}
	elig := tx.effectiveEligibility(cmd.key)
	switch {
	case elig == nil:
		return nil, policyFailed([]string{"EligibilityRule"})
	case cmd.action == "selfActivate" && active != nil:
		return nil, badRequest("RoleAssignmentExists", "The Role assignment already exists.")
	case cmd.action != "selfActivate" && active == nil:
		return nil, badRequest("RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
	}
	spec, e := tx.planActivation(cmd, req, active)
	if e != nil {
		return nil, e
	}
	req.Schedule, req.ActivatedUsing = &spec, elig.ID
	if cmd.validationOnly {
		req.Status = statusGranted
		return req, nil
	}
	a := tx.policyFor(cmd.key).Rules["Approval_EndUser_Assignment"].Approval
	if (cmd.action == "selfActivate" && a.IsApprovalRequired) || (cmd.action != "selfActivate" && a.IsApprovalRequiredForExtension) {
		tx.requestApproval(req, a, cmd.body.ScheduleInfo)
		return req, nil
	}
	tx.auditActivation("Add member to role requested (PIM activation)", tx.caller.PrincipalID, req)
	tx.grantActivation(req)
	tx.st.addRequest(req)
	tx.touch(entRequest, req.ID)
	return req, nil
}

func (tx *tx) deactivate(cmd *command, req *request, active *schedule) (*request, *apiError) {
	switch {
	case active == nil:
		return nil, badRequest("RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
	case tx.now.Sub(active.activeSince()) < minActiveDuration:
		return nil, badRequest("ActiveDurationTooShort", "The Active duration is too short. Miniumum Required is 5 minutes.")
	}
	req.Status = statusRevoked
	if cmd.validationOnly {
		req.Justification = nil
		return req, nil
	}
	tx.st.removeSchedule(active)
	tx.touch(entSchedule, active.ID)
	tx.st.addRequest(req)
	tx.touch(entRequest, req.ID)
	// The records say when the activation really ended: now, not its planned end.
	ended := active.Spec
	now := tx.now
	ended.ExpType, ended.End, ended.Duration = "afterDateTime", &now, ""
	req.Schedule = &ended
	tx.auditActivation("Remove member from role requested (PIM deactivate)", tx.caller.PrincipalID, req)
	tx.auditActivation("Remove member from role completed (PIM deactivate)", tx.caller.PrincipalID, req)
	// As the adminRemove response: no schedule, no justification.
	req.Schedule, req.Justification = nil, nil
	return req, nil
}

// planActivation validates the schedule of an activation or extension
// against Expiration_EndUser_Assignment, Enablement_EndUser_Assignment and
// AuthenticationContext_EndUser_Assignment.
func (tx *tx) planActivation(cmd *command, req *request, active *schedule) (scheduleSpec, *apiError) {
	spec, e := parseSpec(cmd.body.ScheduleInfo, tx.now, nil)
	if e != nil {
		return spec, e
	}
	if active != nil && cmd.action != "selfActivate" {
		spec.Start = active.Spec.Start
	}
	p := tx.policyFor(cmd.key)
	if failed := p.activationFailures(spec, req, tx.caller); len(failed) > 0 {
		return spec, policyFailed(failed)
	}
	if ctx := p.Rules["AuthenticationContext_EndUser_Assignment"]; ctx.IsEnabled && !slices.Contains(tx.caller.ACRS, ctx.ClaimValue) {
		// guess: reported in the wild as a separate code; the claims challenge itself is not emulated.
		return spec, badRequest("RoleAssignmentRequestAcrsValidationFailed",
			"The request requires the Conditional Access authentication context %q; sign in again to satisfy it.", ctx.ClaimValue)
	}
	return spec, nil
}

// grantActivation puts an approved (or approval-free) request into effect.
// guess: when approval arrives after the requested start, or no start was
// requested, the activation window starts at approval, for the requested
// duration; the docs say only that the role "would be activated after the
// selected time".
func (tx *tx) grantActivation(req *request) {
	if req.Schedule.Start.IsZero() || req.Schedule.Start.Before(tx.now) {
		req.Schedule.Start = tx.now
	}
	req.Status = statusGranted // as documented; Provisioned once in effect
	completed := req.Schedule.Start
	req.Completed = &completed
	if active := tx.st.activations[req.Key]; active != nil && req.Action != "selfActivate" {
		now := tx.now
		active.Spec, active.Modified = *req.Schedule, &now
		tx.st.timeline.scheduleChanged(active)
		req.TargetScheduleID = &active.ID
	} else {
		sc := &schedule{ID: scheduleIDFor(req), Key: req.Key, CreatedUsing: req.ID, Created: tx.now, Status: statusGranted,
			AssignmentType: assignmentActivated, Spec: *req.Schedule, ActivatedUsing: req.ActivatedUsing}
		if !sc.Spec.Start.After(tx.now) {
			sc.Status = statusProvisioned
		}
		tx.st.addSchedule(sc)
		req.TargetScheduleID = &sc.ID
	}
	tx.touch(entSchedule, *req.TargetScheduleID)
	tx.st.timeline.requestChanged(req)
	tx.auditActivation("Add member to role completed (PIM activation)", req.CreatedBy, req)
	if req.Action == "selfActivate" {
		tx.notify(eventActivationComplete, req.Key, nil)
	}
}

// effectiveEligibility returns the eligibility in effect now that lets the
// key's principal activate: its own, or one of a group it belongs to.
func (tx *tx) effectiveEligibility(k key) *schedule {
	k.Kind = Eligible
	candidates := append([]string{k.Principal}, tx.s.dir.memberOf[k.Principal]...)
	for _, p := range candidates {
		k.Principal = p
		if sc := tx.st.standing[k]; sc != nil && !sc.Spec.Start.After(tx.now) {
			return sc
		}
	}
	return nil
}

func (tx *tx) auditActivation(activity, initiator string, req *request) {
	op := "Add"
	if strings.HasPrefix(activity, "Remove") {
		op = "Delete"
	}
	reason := ""
	if req.Justification != nil {
		reason = *req.Justification
	}
	var spec scheduleSpec
	if req.Schedule != nil {
		spec = *req.Schedule
	}
	tx.audit(auditEntry{activity: activity, op: op, initiator: initiator, reason: reason, key: req.Key, spec: spec, requestID: req.ID})
}
