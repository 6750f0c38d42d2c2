package core

import "time"

// Approvals of activations: an approval's id is its request's id, as the
// documented examples show (https://learn.microsoft.com/graph/api/approvalstep-update?view=graph-rest-beta).

type Approval struct {
	ID          string          `json:"id"` // = the request id
	RequesterID string          `json:"requesterId"`
	Steps       []*ApprovalStep `json:"steps"`
}

type ApprovalStep struct {
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

func (a *Approval) Current() *ApprovalStep {
	for _, st := range a.Steps {
		if st.Status == "InProgress" {
			return st
		}
	}
	return nil
}

func (t *Timeline) ApprovalChanged(a *Approval) {
	if st := a.Current(); st != nil && st.Started != nil {
		t.at(st.Started.AddDate(0, 0, st.TimeoutDays), EvApprovalTimeout, a.ID)
	}
}
