package arm

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// Approvals of Azure role activations
// (https://learn.microsoft.com/rest/api/authorization/privileged-approval-sample):
// tenant-wide under /providers/Microsoft.Authorization/roleAssignmentApprovals,
// an approval's name is its request's, and an approver decides a stage
// with {"properties": {"reviewResult": "Approve"|"Deny", "justification"}}.

const approvalsPath = authzProvider + "roleAssignmentApprovals/"

func (a *Area) approval(tx *core.Tx, id string) (*core.Approval, *core.APIError) {
	ap, ok := tx.St.Approvals[strings.ToLower(id)]
	r, found := tx.St.Requests.Get(strings.ToLower(id))
	if !ok || !found || r.Key.Surface != core.SurfaceAzure {
		return nil, &core.APIError{Status: http.StatusNotFound, Code: "RoleAssignmentApprovalNotFound", Message: "The approval '" + truncate(id, 80) + "' was not found."}
	}
	me := strings.ToLower(tx.Caller.PrincipalID)
	if me != ap.RequesterID && !a.approverOf(tx, ap, me) && !a.allowed(tx, r.Key.Scope, requestsOf(core.Active)+"/read") {
		return nil, &core.APIError{Status: http.StatusForbidden, Code: "AuthorizationFailed", Message: "Only the requester, the approvers and readers of the scope can read an approval."}
	}
	return ap, nil
}

func (a *Area) approverOf(tx *core.Tx, ap *core.Approval, me string) bool {
	for _, st := range ap.Steps {
		if a.en.CanApprove(tx, me, st) {
			return true
		}
	}
	return false
}

func (a *Area) stageObject(tx *core.Tx, ap *core.Approval, i int) map[string]any {
	st := ap.Steps[i]
	me := strings.ToLower(tx.Caller.PrincipalID)
	var reviewer any
	if st.ReviewedBy != "" {
		reviewer = map[string]any{"id": st.ReviewedBy, "displayName": a.dir.DisplayName(st.ReviewedBy), "type": a.principalType(st.ReviewedBy)}
	}
	return map[string]any{"id": approvalsPath + ap.ID + "/stages/" + st.ID, "name": st.ID, "type": "Microsoft.Authorization/roleAssignmentApprovals/stages",
		"properties": map[string]any{"displayName": "Stage " + strconv.Itoa(i+1), "status": st.Status, "reviewResult": st.ReviewResult,
			"assignedToMe": st.Status == "InProgress" && me != ap.RequesterID && a.en.CanApprove(tx, me, st), "justification": st.Justification,
			"reviewedDateTime": armTimePtr(st.ReviewedAt), "createdDateTime": armTimePtr(st.Started), "reviewedBy": reviewer}}
}

func (a *Area) approvalObject(tx *core.Tx, ap *core.Approval) map[string]any {
	stages := []any{}
	for i := range ap.Steps {
		stages = append(stages, a.stageObject(tx, ap, i))
	}
	return map[string]any{"id": approvalsPath + ap.ID, "name": ap.ID, "type": "Microsoft.Authorization/roleAssignmentApprovals",
		"properties": map[string]any{"stages": stages}}
}

// approvals serves the collection, one approval, its stages and a decision.
func (a *Area) approvals(c *call) {
	rest := c.rest[1:]
	switch {
	case len(rest) == 0 && c.R.Method == http.MethodGet:
		a.view(c, func(tx *core.Tx) {
			me := strings.ToLower(tx.Caller.PrincipalID)
			var out []any
			for _, r := range tx.St.Requests.Items {
				if ap, ok := tx.St.Approvals[r.ID]; ok && r.Key.Surface == core.SurfaceAzure && a.awaits(tx, r, me) {
					out = append(out, a.approvalObject(tx, ap))
				}
			}
			c.page(out)
		})
	case len(rest) == 1 && c.R.Method == http.MethodGet:
		a.view(c, func(tx *core.Tx) {
			if ap, e := a.approval(tx, rest[0]); e != nil {
				c.Fail(e)
			} else {
				c.W.JSON(http.StatusOK, a.approvalObject(tx, ap))
			}
		})
	case len(rest) == 3 && strings.EqualFold(rest[1], "stages") && (c.R.Method == http.MethodPatch || c.R.Method == http.MethodPut):
		a.decide(c, rest[0], rest[2])
	default:
		c.fail(http.StatusNotFound, "InvalidResourceType", "The resource type 'roleAssignmentApprovals/%s' could not be found.", strings.Join(rest, "/"))
	}
}

func (a *Area) decide(c *call, id, stageID string) {
	var body struct {
		Properties struct {
			ReviewResult  string `json:"reviewResult"`
			Justification string `json:"justification"`
		} `json:"properties"`
	}
	if e := decodeStrict(c.Body, &body); e != nil {
		c.Fail(e)
		return
	}
	var out map[string]any
	if !a.update(c, func(tx *core.Tx) *core.APIError {
		ap, e := a.approval(tx, id)
		if e != nil {
			return e
		}
		for i, st := range ap.Steps {
			if strings.EqualFold(st.ID, stageID) {
				if e := a.en.Decide(tx, ap, st, body.Properties.ReviewResult, body.Properties.Justification); e != nil {
					return e
				}
				out = a.stageObject(tx, ap, i)
				return nil
			}
		}
		return &core.APIError{Status: http.StatusNotFound, Code: "RoleAssignmentApprovalStageNotFound", Message: "The stage '" + truncate(stageID, 80) + "' was not found."}
	}) {
		return
	}
	c.W.JSON(http.StatusOK, out)
}
