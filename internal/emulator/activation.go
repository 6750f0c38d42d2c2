package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Just-in-time activation (pim-graph-api.md §4.1, §5.8, §7): an eligible
// principal activates, deactivates or extends its own role through
// roleAssignmentScheduleRequests; with approval required the request waits in
// PendingApproval until every stage is approved (beta approval endpoints).

type approval struct {
	ID          string          `json:"id"`
	RequestID   string          `json:"requestId"`
	RequesterID string          `json:"requesterId"`
	Steps       []*approvalStep `json:"steps"`
}

type approvalStep struct {
	ID                   string     `json:"id"`
	Status               string     `json:"status"` // NotStarted (internal only), InProgress, Completed, Expired
	ReviewResult         string     `json:"reviewResult"`
	ReviewedBy           string     `json:"reviewedBy,omitempty"`
	ReviewedAt           *time.Time `json:"reviewedAt,omitempty"`
	Justification        string     `json:"justification"`
	Started              *time.Time `json:"started,omitempty"`
	TimeoutDays          int        `json:"timeoutDays"`
	RequireJustification bool       `json:"requireJustification"`
	Approvers            []Approver `json:"approvers"`
	// Escalation: after EscalationMinutes in progress, EscalationApprovers
	// may decide too (when EscalationEnabled).
	EscalationEnabled   bool       `json:"escalationEnabled,omitempty"`
	EscalationMinutes   int        `json:"escalationMinutes,omitempty"`
	EscalationApprovers []Approver `json:"escalationApprovers,omitempty"`
}

// processSelf handles selfActivate, selfDeactivate and selfExtend. Callers
// hold mu; process has validated role, principal and scope.
func (s *Server) processSelf(body requestBody, action string, key assignmentKey, caller Identity) (*request, *apiError) {
	if caller.App {
		return nil, &apiError{http.StatusForbidden, "accessDenied",
			fmt.Sprintf("%s needs a signed-in user: application permissions cannot act for themselves.", action)}
	}
	if !strings.EqualFold(body.PrincipalID, caller.PrincipalID) {
		return nil, &apiError{http.StatusForbidden, "accessDenied",
			fmt.Sprintf("%s acts on the signed-in principal: principalId must be the caller (%s).", action, caller.PrincipalID)}
	}
	now := s.clock.Now()
	req := &request{
		ID: uuid.NewString(), Kind: kindAssignment, Action: action, PrincipalID: key.PrincipalID, RoleDefinitionID: key.RoleDefinitionID,
		DirectoryScopeID: key.DirectoryScopeID, Justification: body.Justification, Created: now, CreatedBy: caller.PrincipalID,
		IsValidationOnly: body.IsValidationOnly,
	}
	if body.TicketInfo != nil {
		req.TicketNumber, req.TicketSystem = body.TicketInfo.TicketNumber, body.TicketInfo.TicketSystem
	}
	active := s.findActivation(key)

	if action == "selfDeactivate" {
		if active == nil {
			return nil, badRequest("RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
		}
		if now.Sub(active.activeSince()) < minActiveDuration {
			return nil, badRequest("ActiveDurationTooShort", "The Active duration is too short. Miniumum Required is 5 minutes.")
		}
		req.Status, req.Justification = "Revoked", nil
		if req.IsValidationOnly {
			return req, nil
		}
		s.removeSchedule(active)
		s.st.Requests = append(s.st.Requests, req)
		s.auditActivation("Remove member from role requested (PIM deactivate)", caller.PrincipalID, key, active.Spec, body.Justification, req.ID)
		s.auditActivation("Remove member from role completed (PIM deactivate)", caller.PrincipalID, key, active.Spec, body.Justification, req.ID)
		s.mustPersist()
		return req, nil
	}

	elig := s.effectiveEligibility(key)
	if elig == nil {
		return nil, badRequest("RoleAssignmentRequestPolicyValidationFailed", `The following policy rules failed: ["EligibilityRule"]`)
	}
	switch {
	case action == "selfActivate" && active != nil:
		return nil, badRequest("RoleAssignmentExists", "The Role assignment already exists.")
	case action != "selfActivate" && active == nil:
		return nil, badRequest("RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
	}
	spec, aerr := parseSpec(body, action, now, nil)
	if aerr != nil {
		return nil, aerr
	}
	if action == "selfExtend" || action == "selfRenew" {
		spec.Start = active.Spec.Start
	}
	p := s.policy(key.RoleDefinitionID)
	if failed := activationFailures(p, spec, req, caller); len(failed) > 0 {
		return nil, badRequest("RoleAssignmentRequestPolicyValidationFailed", "The following policy rules failed: [%s]", quoteJoin(failed))
	}
	if ctxRule := p.Rule("AuthenticationContext_EndUser_Assignment"); ctxRule.IsEnabled && !slices.Contains(caller.ACRS, ctxRule.ClaimValue) {
		// guess: reported in the wild as a separate code; the claims challenge itself is not emulated.
		return nil, badRequest("RoleAssignmentRequestAcrsValidationFailed",
			"The request requires the Conditional Access authentication context %q; sign in again to satisfy it.", ctxRule.ClaimValue)
	}
	req.Schedule, req.ActivatedUsing = &spec, elig.ID
	if req.IsValidationOnly {
		req.Status = "Granted"
		return req, nil
	}
	a := p.Rule("Approval_EndUser_Assignment").Approval
	needsApproval := (action == "selfActivate" && a.IsApprovalRequired) || (action != "selfActivate" && a.IsApprovalRequiredForExtension)
	s.st.Requests = append(s.st.Requests, req)
	if needsApproval {
		ap := &approval{ID: uuid.NewString(), RequestID: req.ID, RequesterID: caller.PrincipalID}
		for _, st := range a.Stages {
			ap.Steps = append(ap.Steps, &approvalStep{ID: uuid.NewString(), Status: "NotStarted", ReviewResult: "NotReviewed",
				TimeoutDays: st.TimeoutInDays, RequireJustification: st.IsApproverJustificationRequired, Approvers: st.PrimaryApprovers,
				EscalationEnabled: st.IsEscalationEnabled, EscalationMinutes: st.EscalationTimeInMinutes, EscalationApprovers: st.EscalationApprovers})
		}
		ap.Steps[0].Status, ap.Steps[0].Started = "InProgress", &now
		s.st.Approvals = append(s.st.Approvals, ap)
		req.Status, req.ApprovalID = "PendingApproval", &ap.ID
		s.auditActivation("Add member to role requested (PIM activation)", caller.PrincipalID, key, spec, body.Justification, req.ID)
		s.auditActivation("Add member to role approval requested (PIM activation)", caller.PrincipalID, key, spec, body.Justification, req.ID)
		s.mustPersist()
		return req, nil
	}
	s.auditActivation("Add member to role requested (PIM activation)", caller.PrincipalID, key, spec, body.Justification, req.ID)
	s.grantActivation(req, caller.PrincipalID)
	s.mustPersist()
	return req, nil
}

// grantActivation puts an approved (or approval-free) request into effect.
func (s *Server) grantActivation(req *request, initiator string) {
	now := s.clock.Now()
	key := assignmentKey{kindAssignment, req.PrincipalID, req.RoleDefinitionID, req.DirectoryScopeID}
	// As documented, an activation answers Granted; it becomes Provisioned
	// once in effect (tick), at once for an immediate start.
	req.Status = "Granted"
	completed := req.Schedule.Start
	if completed.Before(now) {
		completed = now
	}
	req.Completed = &completed
	if active := s.findActivation(key); active != nil && req.Action != "selfActivate" {
		active.Spec, active.Modified = *req.Schedule, &now
		req.TargetScheduleID = &active.ID
	} else {
		sc := &schedule{ID: req.ID, Kind: kindAssignment, PrincipalID: req.PrincipalID, RoleDefinitionID: req.RoleDefinitionID,
			DirectoryScopeID: req.DirectoryScopeID, CreatedUsing: req.ID, Created: now, Status: "Granted", AssignmentType: "Activated",
			Spec: *req.Schedule, ActivatedUsing: req.ActivatedUsing}
		if !sc.Spec.Start.After(now) {
			sc.Status = "Provisioned"
		}
		s.st.Schedules = append(s.st.Schedules, sc)
		req.TargetScheduleID = &sc.ID
	}
	s.auditActivation("Add member to role completed (PIM activation)", initiator, key, *req.Schedule, req.Justification, req.ID)
}

// activationFailures evaluates Expiration_EndUser_Assignment and
// Enablement_EndUser_Assignment (pim-graph-api.md §5.8).
func activationFailures(p *Policy, spec scheduleSpec, req *request, caller Identity) []string {
	var failed []string
	// Activations are never permanent, whatever isExpirationRequired says.
	if !withinExpiration(p.Rule("Expiration_EndUser_Assignment"), spec) {
		failed = append(failed, "ExpirationRule")
	}
	return append(failed, enablementFailures(p.Rule("Enablement_EndUser_Assignment").EnabledRules, req, caller)...)
}

// effectiveEligibility returns the eligibility in effect now that lets the
// key's principal activate: its own, or one of a group it belongs to.
func (s *Server) effectiveEligibility(key assignmentKey) *schedule {
	now := s.clock.Now()
	for _, sc := range s.st.Schedules {
		if sc.Kind != kindEligibility || sc.RoleDefinitionID != key.RoleDefinitionID || sc.DirectoryScopeID != key.DirectoryScopeID || sc.Spec.Start.After(now) {
			continue
		}
		if sc.PrincipalID == key.PrincipalID {
			return sc
		}
		if g, ok := s.groups[sc.PrincipalID]; ok && slices.Contains(g.Members, key.PrincipalID) {
			return sc
		}
	}
	return nil
}

func (s *Server) findActivation(k assignmentKey) *schedule {
	for _, sc := range s.st.Schedules {
		if sc.AssignmentType == "Activated" && sc.Kind == k.Kind && sc.PrincipalID == k.PrincipalID &&
			sc.RoleDefinitionID == k.RoleDefinitionID && sc.DirectoryScopeID == k.DirectoryScopeID {
			return sc
		}
	}
	return nil
}

func (s *Server) auditActivation(activity, initiator string, key assignmentKey, spec scheduleSpec, justification *string, requestID string) {
	reason := ""
	if justification != nil {
		reason = *justification
	}
	op := "Add"
	if strings.HasPrefix(activity, "Remove") {
		op = "Delete"
	}
	s.audit(activity, op, initiator, reason, key.PrincipalID, key.RoleDefinitionID, spec, requestID)
}

// canApprove reports whether the principal is an approver of the step:
// listed directly or through a group; an empty list means the default
// approvers, Privileged Role Administrators and Global Administrators. Once
// the step has escalated, its escalation approvers may decide as well.
func (s *Server) canApprove(principalID string, st *approvalStep) bool {
	if st.EscalationEnabled && st.Started != nil && !s.clock.Now().Before(st.Started.Add(time.Duration(st.EscalationMinutes)*time.Minute)) &&
		s.inApprovers(principalID, st.EscalationApprovers) {
		return true
	}
	if len(st.Approvers) == 0 {
		return s.isPrivilegedRoleAdmin(principalID)
	}
	return s.inApprovers(principalID, st.Approvers)
}

func (s *Server) inApprovers(principalID string, approvers []Approver) bool {
	for _, a := range approvers {
		if a.UserID == principalID {
			return true
		}
		if g, ok := s.groups[a.GroupID]; ok && slices.Contains(g.Members, principalID) {
			return true
		}
	}
	return false
}

func (s *Server) approvalByID(id string) *approval {
	for _, a := range s.st.Approvals {
		if strings.EqualFold(a.ID, id) {
			return a
		}
	}
	return nil
}

func (s *Server) requestByID(id string) *request {
	for _, r := range s.st.Requests {
		if r.ID == id {
			return r
		}
	}
	return nil
}

func (c *call) wireApproval(a *approval) map[string]any {
	steps := []any{}
	for _, st := range a.Steps {
		if st.Status == "NotStarted" {
			continue // guess: a stage appears once it is reached
		}
		var reviewedBy any
		if st.ReviewedBy != "" {
			u := c.s.users[st.ReviewedBy]
			reviewedBy = []any{map[string]any{"id": u.ID, "displayName": u.DisplayName, "userPrincipalName": u.UPN}}
		}
		steps = append(steps, map[string]any{
			"id": st.ID, "displayName": nil, "reviewedDateTime": graphTimePtr(st.ReviewedAt), "reviewResult": st.ReviewResult,
			"status": st.Status, "assignedToMe": st.Status == "InProgress" && c.caller.PrincipalID != a.RequesterID && c.s.canApprove(c.caller.PrincipalID, st),
			"justification": st.Justification, "reviewedBy": reviewedBy,
		})
	}
	return map[string]any{"@odata.context": c.context("roleManagement/directory/roleAssignmentApprovals", true), "id": a.ID, "steps": steps}
}

func (c *call) getApproval(id string) {
	a := c.s.approvalByID(id)
	if a == nil {
		c.notFound("roleAssignmentApprovals", id)
		return
	}
	c.w.json(http.StatusOK, c.wireApproval(a))
}

// patchApprovalStep records an approver's decision (beta, pim-graph-api.md §7).
func (c *call) patchApprovalStep(approvalID, stepID string) {
	a := c.s.approvalByID(approvalID)
	if a == nil {
		c.notFound("roleAssignmentApprovals", approvalID)
		return
	}
	var step *approvalStep
	for _, st := range a.Steps {
		if strings.EqualFold(st.ID, stepID) {
			step = st
		}
	}
	if step == nil {
		c.notFound("steps", stepID)
		return
	}
	var body struct {
		ReviewResult  string `json:"reviewResult"`
		Justification string `json:"justification"`
	}
	if !c.decode(&body) {
		return
	}
	switch {
	case c.caller.App:
		// An approver is a person: the beta endpoint has no application permission (§7).
		c.w.error(http.StatusForbidden, "accessDenied", "Approving requests is not supported with application permissions; the approver must sign in.")
		return
	case c.caller.PrincipalID == a.RequesterID:
		c.w.error(http.StatusForbidden, "accessDenied", "A requester cannot approve or deny their own request.")
		return
	case step.Status == "Completed" || step.Status == "Expired":
		c.w.error(http.StatusConflict, "Conflict", fmt.Sprintf("This step is already %s (%s).", strings.ToLower(step.Status), step.ReviewResult))
		return
	case step.Status != "InProgress":
		c.w.error(http.StatusBadRequest, "BadRequest", "This step has not started: an earlier stage is still pending.")
		return
	case !c.s.canApprove(c.caller.PrincipalID, step):
		c.w.error(http.StatusForbidden, "accessDenied", "The caller is not an approver of this step.")
		return
	case !strings.EqualFold(body.ReviewResult, "Approve") && !strings.EqualFold(body.ReviewResult, "Deny"):
		c.w.error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("reviewResult must be Approve or Deny, got %q.", body.ReviewResult))
		return
	case step.RequireJustification && strings.TrimSpace(body.Justification) == "":
		c.w.error(http.StatusBadRequest, "BadRequest", "This stage requires the approver's justification.")
		return
	}
	now := c.s.clock.Now()
	req := c.s.requestByID(a.RequestID)
	step.Status, step.ReviewedBy, step.ReviewedAt, step.Justification = "Completed", c.caller.PrincipalID, &now, body.Justification
	key := assignmentKey{kindAssignment, req.PrincipalID, req.RoleDefinitionID, req.DirectoryScopeID}
	reason := body.Justification
	if strings.EqualFold(body.ReviewResult, "Deny") {
		step.ReviewResult, req.Status = "Denied", "Denied"
		c.s.auditActivation("Add member to role request denied (PIM activation)", c.caller.PrincipalID, key, *req.Schedule, &reason, req.ID)
	} else {
		step.ReviewResult = "Approved"
		c.s.auditActivation("Add member to role request approved (PIM activation)", c.caller.PrincipalID, key, *req.Schedule, &reason, req.ID)
		if next := nextStep(a); next != nil {
			next.Status, next.Started = "InProgress", &now
		} else {
			c.s.grantActivation(req, a.RequesterID)
		}
	}
	c.s.mustPersist()
	c.w.WriteHeader(http.StatusNoContent)
}

func nextStep(a *approval) *approvalStep {
	for _, st := range a.Steps {
		if st.Status == "NotStarted" {
			return st
		}
	}
	return nil
}

// expireApprovals denies requests whose current stage outlived its timeout.
// Callers hold mu (tick).
func (s *Server) expireApprovals(now time.Time) bool {
	changed := false
	for _, a := range s.st.Approvals {
		for _, st := range a.Steps {
			if st.Status != "InProgress" || st.Started == nil || now.Before(st.Started.AddDate(0, 0, st.TimeoutDays)) {
				continue
			}
			st.Status = "Expired"
			if req := s.requestByID(a.RequestID); req != nil && req.Status == "PendingApproval" {
				// guess: the docs say only "auto-denied"; the request ends Denied.
				req.Status = "Denied"
				key := assignmentKey{kindAssignment, req.PrincipalID, req.RoleDefinitionID, req.DirectoryScopeID}
				s.auditActivation("PIM activation request expired", "", key, *req.Schedule, nil, req.ID)
			}
			changed = true
		}
	}
	return changed
}

// requestsForApprover lists the pending requests the principal can decide.
func (s *Server) requestsForApprover(principalID string) []*request {
	var out []*request
	for _, a := range s.st.Approvals {
		for _, st := range a.Steps {
			if st.Status == "InProgress" && a.RequesterID != principalID && s.canApprove(principalID, st) {
				if r := s.requestByID(a.RequestID); r != nil {
					out = append(out, r)
				}
			}
		}
	}
	return out
}
