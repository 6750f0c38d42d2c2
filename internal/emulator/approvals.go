package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// Approvals of activations, served under /beta for directory roles:
// https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-approval-workflow
// and https://learn.microsoft.com/graph/api/approvalstep-update?view=graph-rest-beta.
// As the docs' examples show, an approval's id is its request's id.

type approval struct {
	ID          string          `json:"id"` // = the request id
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

func (a *approval) current() *approvalStep {
	for _, st := range a.Steps {
		if st.Status == "InProgress" {
			return st
		}
	}
	return nil
}

func (t *timeline) approvalChanged(a *approval) {
	if st := a.current(); st != nil && st.Started != nil {
		t.at(st.Started.AddDate(0, 0, st.TimeoutDays), evApprovalTimeout, a.ID)
	}
}

// requestApproval records a request that waits for approval. Without a
// requested start, its scheduleInfo.startDateTime stays null until approval,
// as in the documented pending request.
func (tx *tx) requestApproval(req *request, a ApprovalSettings, si *bodySchedule) {
	if si == nil || si.StartDateTime == nil || *si.StartDateTime == "" {
		req.Schedule.Start = time.Time{}
	}
	ap := &approval{ID: req.ID, RequesterID: req.CreatedBy}
	for _, st := range a.Stages {
		ap.Steps = append(ap.Steps, &approvalStep{ID: uuid.NewString(), Status: "NotStarted", ReviewResult: "NotReviewed",
			TimeoutDays: st.TimeoutInDays, RequireJustification: st.IsApproverJustificationRequired, Approvers: st.PrimaryApprovers,
			EscalationEnabled: st.IsEscalationEnabled, EscalationMinutes: st.EscalationTimeInMinutes, EscalationApprovers: st.EscalationApprovers})
	}
	now := tx.now
	ap.Steps[0].Status, ap.Steps[0].Started = "InProgress", &now
	tx.st.approvals[ap.ID] = ap
	tx.st.timeline.approvalChanged(ap)
	tx.touch(entApproval, ap.ID)
	req.Status, req.ApprovalID = statusPendingApproval, &ap.ID
	tx.st.addRequest(req)
	tx.touch(entRequest, req.ID)
	tx.auditActivation("Add member to role requested (PIM activation)", req.CreatedBy, req)
	tx.auditActivation("Add member to role approval requested (PIM activation)", req.CreatedBy, req)
	tx.notify(eventApprovalRequested, req.Key, ap.Steps[0].Approvers)
}

// canApprove reports whether the principal is an approver of the step:
// listed directly or through a group; an empty list means the default
// approvers, Privileged Role Administrators and Global Administrators. Once
// the step has escalated, its escalation approvers may decide as well.
func (tx *tx) canApprove(principalID string, st *approvalStep) bool {
	if st.EscalationEnabled && st.Started != nil && !tx.now.Before(st.Started.Add(time.Duration(st.EscalationMinutes)*time.Minute)) &&
		tx.inApprovers(principalID, st.EscalationApprovers) {
		return true
	}
	if len(st.Approvers) == 0 {
		return tx.holdsRole(principalID, pimWriterRoles)
	}
	return tx.inApprovers(principalID, st.Approvers)
}

func (tx *tx) inApprovers(principalID string, approvers []Approver) bool {
	for _, a := range approvers {
		if a.UserID == principalID || a.GroupID != "" && tx.s.dir.isMember(a.GroupID, principalID) {
			return true
		}
	}
	return false
}

// canDecide reports whether the principal can approve or deny a request now.
func (tx *tx) canDecide(principalID, requestID string) bool {
	a, ok := tx.st.approvals[requestID]
	if !ok || a.RequesterID == principalID {
		return false
	}
	st := a.current()
	return st != nil && tx.canApprove(principalID, st)
}

// canView: the requester, anyone who can approve a stage, and PIM
// readers; approvals need a signed-in user.
func (tx *tx) canView(a *approval) bool {
	if tx.caller.App {
		return false
	}
	me := strings.ToLower(tx.caller.PrincipalID)
	if a.RequesterID == me || tx.canReadPIM() {
		return true
	}
	return slices.ContainsFunc(a.Steps, func(st *approvalStep) bool {
		return tx.canApprove(me, st) || tx.inApprovers(me, st.EscalationApprovers)
	})
}

func (tx *tx) stepObject(a *approval, st *approvalStep) odata.Object {
	var reviewedBy any
	if st.ReviewedBy != "" {
		// A single identity, as in the beta schema (the resource page says
		// "collection"; Microsoft's beta SDK reads one object).
		reviewedBy = odata.Object{{"id", st.ReviewedBy}, {"displayName", tx.displayName(st.ReviewedBy)}}
	}
	me := strings.ToLower(tx.caller.PrincipalID)
	return odata.Object{{"id", st.ID}, {"displayName", nil}, {"reviewedDateTime", graphTimePtr(st.ReviewedAt)},
		{"reviewResult", st.ReviewResult}, {"status", st.Status},
		{"assignedToMe", st.Status == "InProgress" && me != a.RequesterID && tx.canApprove(me, st)},
		{"justification", st.Justification}, {"reviewedBy", reviewedBy}}
}

// visibleSteps are the stages reached so far. guess: a stage appears once
// it is reached.
func (tx *tx) visibleSteps(a *approval) []any {
	steps := []any{}
	for _, st := range a.Steps {
		if st.Status != "NotStarted" {
			steps = append(steps, tx.stepObject(a, st))
		}
	}
	return steps
}

func withApproval(c *call, fn func(tx *tx, a *approval)) {
	c.s.view(c.caller, func(tx *tx) {
		a, ok := tx.st.approvals[strings.ToLower(c.params[0])]
		switch {
		case !ok:
			c.fail(notFound("roleAssignmentApprovals", c.params[0]))
		case !tx.canView(a):
			c.fail(forbidden("Only the requester, the approvers and PIM readers can read an approval; approvals need a signed-in user."))
		default:
			fn(tx, a)
		}
	})
}

func getApproval(c *call) {
	withApproval(c, func(tx *tx, a *approval) {
		set := "roleManagement/directory/roleAssignmentApprovals"
		c.w.json(http.StatusOK, odata.Object{{"@odata.context", c.metadata() + "#" + set + "/$entity"}, {"id", a.ID},
			{"steps@odata.context", c.metadata() + "#" + set + "('" + a.ID + "')/steps"}, {"steps", tx.visibleSteps(a)}})
	})
}

func listApprovalSteps(c *call) {
	withApproval(c, func(tx *tx, a *approval) {
		c.w.json(http.StatusOK, odata.Object{{"@odata.context", c.metadata() + "#roleManagement/directory/roleAssignmentApprovals('" + a.ID + "')/steps"},
			{"value", tx.visibleSteps(a)}})
	})
}

func getApprovalStep(c *call) {
	withApproval(c, func(tx *tx, a *approval) {
		for _, st := range a.Steps {
			if strings.EqualFold(st.ID, c.params[1]) && st.Status != "NotStarted" {
				c.w.json(http.StatusOK, tx.stepObject(a, st).Prepend("@odata.context",
					c.metadata()+"#roleManagement/directory/roleAssignmentApprovals('"+a.ID+"')/steps/$entity"))
				return
			}
		}
		c.fail(notFound("steps", c.params[1]))
	})
}

type decision struct {
	ReviewResult  string `json:"reviewResult"`
	Justification string `json:"justification"`
}

// patchApprovalStep records an approver's decision.
func patchApprovalStep(c *call) {
	var d decision
	if e := decodeBody(c.body, &d, "approvalStep"); e != nil {
		c.fail(e)
		return
	}
	e := c.s.update(c.caller, func(tx *tx) *apiError {
		a, ok := tx.st.approvals[strings.ToLower(c.params[0])]
		if !ok {
			return notFound("roleAssignmentApprovals", c.params[0])
		}
		var step *approvalStep
		for _, st := range a.Steps {
			if strings.EqualFold(st.ID, c.params[1]) {
				step = st
			}
		}
		if step == nil {
			return notFound("steps", c.params[1])
		}
		if e := tx.checkDecision(a, step, d); e != nil {
			return e
		}
		tx.decide(a, step, d)
		return nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.w.noContent()
}

func (tx *tx) checkDecision(a *approval, step *approvalStep, d decision) *apiError {
	me := strings.ToLower(tx.caller.PrincipalID)
	switch {
	case tx.caller.App:
		// An approver is a person: the endpoint has no application permission.
		return forbidden("Approving requests is not supported with application permissions; the approver must sign in.")
	case me == a.RequesterID:
		return forbidden("A requester cannot approve or deny their own request.")
	case step.Status == "Completed" || step.Status == "Expired":
		return &apiError{http.StatusConflict, "Conflict", fmt.Sprintf("This step is already %s (%s).", strings.ToLower(step.Status), step.ReviewResult)}
	case step.Status != "InProgress":
		return badRequest("BadRequest", "This step has not started: an earlier stage is still pending.")
	case !tx.canApprove(me, step):
		return forbidden("The caller is not an approver of this step.")
	case !strings.EqualFold(d.ReviewResult, "Approve") && !strings.EqualFold(d.ReviewResult, "Deny"):
		return badRequest("BadRequest", "reviewResult must be Approve or Deny, got %q.", d.ReviewResult)
	case step.RequireJustification && strings.TrimSpace(d.Justification) == "":
		return badRequest("BadRequest", "This stage requires the approver's justification.")
	}
	return nil
}

func (tx *tx) decide(a *approval, step *approvalStep, d decision) {
	me := strings.ToLower(tx.caller.PrincipalID)
	now := tx.now
	req, _ := tx.st.requests.get(a.ID)
	step.Status, step.ReviewedBy, step.ReviewedAt, step.Justification = "Completed", me, &now, d.Justification
	tx.touch(entApproval, a.ID)
	tx.touch(entRequest, a.ID)
	reason := d.Justification
	decided := *req
	decided.Justification = &reason
	if strings.EqualFold(d.ReviewResult, "Deny") {
		step.ReviewResult, req.Status = "Denied", statusDenied
		tx.auditActivation("Add member to role request denied (PIM activation)", me, &decided)
		return
	}
	step.ReviewResult = "Approved"
	tx.auditActivation("Add member to role request approved (PIM activation)", me, &decided)
	for _, st := range a.Steps {
		if st.Status == "NotStarted" {
			st.Status, st.Started = "InProgress", &now
			tx.st.timeline.approvalChanged(a)
			tx.notify(eventApprovalRequested, req.Key, st.Approvers)
			return
		}
	}
	tx.grantActivation(req)
}

// timeoutApproval denies a request whose current stage outlived its
// timeout. guess: the docs say only "auto-denied"; the request ends Denied.
func (tx *tx) timeoutApproval(id string) {
	a, ok := tx.st.approvals[id]
	if !ok {
		return
	}
	st := a.current()
	if st == nil || st.Started == nil || tx.now.Before(st.Started.AddDate(0, 0, st.TimeoutDays)) {
		return
	}
	st.Status = "Expired"
	tx.touch(entApproval, a.ID)
	if req, ok := tx.st.requests.get(a.ID); ok && req.Status == statusPendingApproval {
		req.Status = statusDenied
		tx.touch(entRequest, req.ID)
		tx.auditActivation("PIM activation request expired", "", req)
	}
}
