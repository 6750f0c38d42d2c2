package pim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Approvals of activations, served under /beta for directory roles:
// https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-approval-workflow
// and https://learn.microsoft.com/graph/api/approvalstep-update?view=graph-rest-beta.
// As the docs' examples show, an approval's id is its request's id.

// requestApproval records a request that waits for approval. Without a
// requested start, its scheduleInfo.startDateTime stays null until approval,
// as in the documented pending request.
func (tx *tx) requestApproval(req *core.Request, a core.ApprovalSettings, si *ScheduleInfo) {
	if si == nil || si.StartDateTime == nil || *si.StartDateTime == "" {
		req.Schedule.Start = time.Time{}
	}
	ap := &core.Approval{ID: req.ID, RequesterID: req.CreatedBy}
	for _, st := range a.Stages {
		ap.Steps = append(ap.Steps, &core.ApprovalStep{ID: uuid.NewString(), Status: "NotStarted", ReviewResult: "NotReviewed",
			TimeoutDays: st.TimeoutInDays, RequireJustification: st.IsApproverJustificationRequired, Approvers: st.PrimaryApprovers,
			EscalationEnabled: st.IsEscalationEnabled, EscalationMinutes: st.EscalationTimeInMinutes, EscalationApprovers: st.EscalationApprovers})
	}
	now := tx.Now
	ap.Steps[0].Status, ap.Steps[0].Started = "InProgress", &now
	tx.St.Approvals[ap.ID] = ap
	tx.St.Timeline.ApprovalChanged(ap)
	tx.Touch(core.EntApproval, ap.ID)
	req.Status, req.ApprovalID = core.StatusPendingApproval, &ap.ID
	tx.St.AddRequest(req)
	tx.Touch(core.EntRequest, req.ID)
	tx.auditActivation("Add member to role requested (PIM activation)", req.CreatedBy, req)
	tx.auditActivation("Add member to role approval requested (PIM activation)", req.CreatedBy, req)
	tx.notify(eventApprovalRequested, req.Key, ap.Steps[0].Approvers)
}

// canApprove reports whether the principal is an approver of the step:
// listed directly or through a group; an empty list means the default
// approvers, Privileged Role Administrators and Global Administrators. Once
// the step has escalated, its escalation approvers may decide as well.
func (tx *tx) canApprove(principalID string, st *core.ApprovalStep) bool {
	if st.EscalationEnabled && st.Started != nil && !tx.Now.Before(st.Started.Add(time.Duration(st.EscalationMinutes)*time.Minute)) &&
		tx.inApprovers(principalID, st.EscalationApprovers) {
		return true
	}
	if len(st.Approvers) == 0 {
		return tx.HoldsRole(principalID, core.PIMWriterRoles)
	}
	return tx.inApprovers(principalID, st.Approvers)
}

func (tx *tx) inApprovers(principalID string, approvers []core.Approver) bool {
	for _, a := range approvers {
		if a.UserID == principalID || a.GroupID != "" && tx.Dir.IsMember(a.GroupID, principalID) {
			return true
		}
	}
	return false
}

// canDecide reports whether the principal can approve or deny a request now.
func (tx *tx) canDecide(principalID, requestID string) bool {
	a, ok := tx.St.Approvals[requestID]
	if !ok || a.RequesterID == principalID {
		return false
	}
	st := a.Current()
	return st != nil && tx.canApprove(principalID, st)
}

// canView: the requester, anyone who can approve a stage, and PIM
// readers; approvals need a signed-in user.
func (tx *tx) canView(a *core.Approval) bool {
	if tx.Caller.App {
		return false
	}
	me := strings.ToLower(tx.Caller.PrincipalID)
	if a.RequesterID == me || tx.canReadPIM() {
		return true
	}
	return slices.ContainsFunc(a.Steps, func(st *core.ApprovalStep) bool {
		return tx.canApprove(me, st) || tx.inApprovers(me, st.EscalationApprovers)
	})
}

func (tx *tx) stepObject(a *core.Approval, st *core.ApprovalStep) odata.Object {
	var reviewedBy any
	if st.ReviewedBy != "" {
		// A single identity, as in the beta schema (the resource page says
		// "collection"; Microsoft's beta SDK reads one object).
		reviewedBy = odata.Object{{"id", st.ReviewedBy}, {"displayName", tx.Dir.DisplayName(st.ReviewedBy)}}
	}
	me := strings.ToLower(tx.Caller.PrincipalID)
	return odata.Object{{"id", st.ID}, {"displayName", nil}, {"reviewedDateTime", core.GraphTimePtr(st.ReviewedAt)},
		{"reviewResult", st.ReviewResult}, {"status", st.Status},
		{"assignedToMe", st.Status == "InProgress" && me != a.RequesterID && tx.canApprove(me, st)},
		{"justification", st.Justification}, {"reviewedBy", reviewedBy}}
}

// visibleSteps are the stages reached so far. guess: a stage appears once
// it is reached.
func (tx *tx) visibleSteps(a *core.Approval) []any {
	steps := []any{}
	for _, st := range a.Steps {
		if st.Status != "NotStarted" {
			steps = append(steps, tx.stepObject(a, st))
		}
	}
	return steps
}

func withApproval(c *call, fn func(tx *tx, a *core.Approval)) {
	c.a.view(c.Caller, func(tx *tx) {
		a, ok := tx.St.Approvals[strings.ToLower(c.Params[0])]
		switch {
		case !ok:
			c.Fail(core.NotFound("roleAssignmentApprovals", c.Params[0]))
		case !tx.canView(a):
			c.Fail(core.Forbidden("Only the requester, the approvers and PIM readers can read an approval; approvals need a signed-in user."))
		default:
			fn(tx, a)
		}
	})
}

func getApproval(c *call) {
	withApproval(c, func(tx *tx, a *core.Approval) {
		set := "roleManagement/directory/roleAssignmentApprovals"
		c.W.JSON(http.StatusOK, odata.Object{{"@odata.context", c.Metadata() + "#" + set + "/$entity"}, {"id", a.ID},
			{"steps@odata.context", c.Metadata() + "#" + set + "('" + a.ID + "')/steps"}, {"steps", tx.visibleSteps(a)}})
	})
}

func listApprovalSteps(c *call) {
	withApproval(c, func(tx *tx, a *core.Approval) {
		c.W.JSON(http.StatusOK, odata.Object{{"@odata.context", c.Metadata() + "#roleManagement/directory/roleAssignmentApprovals('" + a.ID + "')/steps"},
			{"value", tx.visibleSteps(a)}})
	})
}

func getApprovalStep(c *call) {
	withApproval(c, func(tx *tx, a *core.Approval) {
		for _, st := range a.Steps {
			if strings.EqualFold(st.ID, c.Params[1]) && st.Status != "NotStarted" {
				c.W.JSON(http.StatusOK, tx.stepObject(a, st).Prepend("@odata.context",
					c.Metadata()+"#roleManagement/directory/roleAssignmentApprovals('"+a.ID+"')/steps/$entity"))
				return
			}
		}
		c.Fail(core.NotFound("steps", c.Params[1]))
	})
}

type decision struct {
	ReviewResult  string `json:"reviewResult"`
	Justification string `json:"justification"`
}

// patchApprovalStep records an approver's decision.
func patchApprovalStep(c *call) {
	var d decision
	if e := wire.DecodeBody(c.Body, &d, "approvalStep"); e != nil {
		c.Fail(e)
		return
	}
	e := c.a.update(c.Caller, func(tx *tx) *core.APIError {
		a, ok := tx.St.Approvals[strings.ToLower(c.Params[0])]
		if !ok {
			return core.NotFound("roleAssignmentApprovals", c.Params[0])
		}
		var step *core.ApprovalStep
		for _, st := range a.Steps {
			if strings.EqualFold(st.ID, c.Params[1]) {
				step = st
			}
		}
		if step == nil {
			return core.NotFound("steps", c.Params[1])
		}
		if e := tx.checkDecision(a, step, d); e != nil {
			return e
		}
		tx.decide(a, step, d)
		return nil
	})
	if e != nil {
		c.Fail(e)
		return
	}
	c.W.NoContent()
}

func (tx *tx) checkDecision(a *core.Approval, step *core.ApprovalStep, d decision) *core.APIError {
	me := strings.ToLower(tx.Caller.PrincipalID)
	switch {
	case tx.Caller.App:
		// An approver is a person: the endpoint has no application permission.
		return core.Forbidden("Approving requests is not supported with application permissions; the approver must sign in.")
	case me == a.RequesterID:
		return core.Forbidden("A requester cannot approve or deny their own request.")
	case step.Status == "Completed" || step.Status == "Expired":
		return &core.APIError{http.StatusConflict, "Conflict", fmt.Sprintf("This step is already %s (%s).", strings.ToLower(step.Status), step.ReviewResult)}
	case step.Status != "InProgress":
		return core.BadRequest("BadRequest", "This step has not started: an earlier stage is still pending.")
	case !tx.canApprove(me, step):
		return core.Forbidden("The caller is not an approver of this step.")
	case !strings.EqualFold(d.ReviewResult, "Approve") && !strings.EqualFold(d.ReviewResult, "Deny"):
		return core.BadRequest("BadRequest", "reviewResult must be Approve or Deny, got %q.", d.ReviewResult)
	case step.RequireJustification && strings.TrimSpace(d.Justification) == "":
		return core.BadRequest("BadRequest", "This stage requires the approver's justification.")
	}
	return nil
}

func (tx *tx) decide(a *core.Approval, step *core.ApprovalStep, d decision) {
	me := strings.ToLower(tx.Caller.PrincipalID)
	now := tx.Now
	req, _ := tx.St.Requests.Get(a.ID)
	step.Status, step.ReviewedBy, step.ReviewedAt, step.Justification = "Completed", me, &now, d.Justification
	tx.Touch(core.EntApproval, a.ID)
	tx.Touch(core.EntRequest, a.ID)
	reason := d.Justification
	decided := *req
	decided.Justification = &reason
	if strings.EqualFold(d.ReviewResult, "Deny") {
		step.ReviewResult, req.Status = "Denied", core.StatusDenied
		tx.auditActivation("Add member to role request denied (PIM activation)", me, &decided)
		return
	}
	step.ReviewResult = "Approved"
	tx.auditActivation("Add member to role request approved (PIM activation)", me, &decided)
	for _, st := range a.Steps {
		if st.Status == "NotStarted" {
			st.Status, st.Started = "InProgress", &now
			tx.St.Timeline.ApprovalChanged(a)
			tx.notify(eventApprovalRequested, req.Key, st.Approvers)
			return
		}
	}
	tx.grantActivation(req)
}

// timeoutApproval denies a request whose current stage outlived its
// timeout. guess: the docs say only "auto-denied"; the request ends Denied.
func (tx *tx) timeoutApproval(id string) {
	a, ok := tx.St.Approvals[id]
	if !ok {
		return
	}
	st := a.Current()
	if st == nil || st.Started == nil || tx.Now.Before(st.Started.AddDate(0, 0, st.TimeoutDays)) {
		return
	}
	st.Status = "Expired"
	tx.Touch(core.EntApproval, a.ID)
	if req, ok := tx.St.Requests.Get(a.ID); ok && req.Status == core.StatusPendingApproval {
		req.Status = core.StatusDenied
		tx.Touch(core.EntRequest, req.ID)
		tx.auditActivation("PIM activation request expired", "", req)
	}
}
