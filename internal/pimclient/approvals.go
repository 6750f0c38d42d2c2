package pimclient

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Me is the signed-in user (GET /me); app-only callers have none and get
// Graph's 400.
func (c *Client) Me(ctx context.Context) (*DirectoryObject, error) {
	var out DirectoryObject
	q := url.Values{"$select": {"id,displayName,userPrincipalName"}}
	if err := c.do(ctx, http.MethodGet, "/me", q, nil, &out); err != nil {
		return nil, err
	}
	out.ODataType = odataTypes[CollectionUsers]
	return &out, nil
}

// GetRequest reads one schedule request.
func (s *ScheduleService) GetRequest(ctx context.Context, id string) (*ScheduleRequest, error) {
	return s.surface.wire.getRequest(ctx, s, id)
}

// Approval is a roleAssignmentApproval: the stages of an activation waiting
// for approvers (https://learn.microsoft.com/graph/api/resources/approval,
// beta only for directory roles).
type Approval struct {
	ID    string         `json:"id"`
	Steps []ApprovalStep `json:"steps"`
}

// ApprovalStep is one stage of an Approval.
type ApprovalStep struct {
	ID               string     `json:"id"`
	Status           string     `json:"status"` // InProgress, Completed, Expired
	ReviewResult     string     `json:"reviewResult"`
	AssignedToMe     bool       `json:"assignedToMe"`
	Justification    string     `json:"justification"`
	ReviewedDateTime *time.Time `json:"reviewedDateTime"`
}

// betaURL is path on the beta endpoint of the client's Graph (the emulator's
// included): approvals of directory roles exist only there.
func (c *Client) betaURL(path string) string { return c.BetaURL(path) }

// BetaURL is path on the beta endpoint of the client's Graph (the
// emulator's included).
func (c *Client) BetaURL(path string) string {
	u := *c.graph.base
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/v1.0") + "/beta" + path
	return u.String()
}

// approvalURL is where an approval (and its stages) of the surface is.
func (s *ScheduleService) approvalURL(path string) string {
	if s.surface.approvalsBeta {
		return s.c.betaURL(s.surface.approvals + path)
	}
	return s.surface.approvals + path
}

// GetApproval reads the approval of an activation request (its id is the
// request's): directory roles' from beta roleAssignmentApprovals, PIM for
// Groups' from v1.0 assignmentApprovals, whose stages are read as steps;
// Azure roles' from ARM's roleAssignmentApprovals.
func (s *ScheduleService) GetApproval(ctx context.Context, id string) (*Approval, error) {
	return s.surface.wire.getApproval(ctx, s, id)
}

func (graphWire) getApproval(ctx context.Context, s *ScheduleService, id string) (*Approval, error) {
	var out struct {
		Approval
		Stages []ApprovalStep `json:"stages"`
	}
	if err := s.c.do(ctx, http.MethodGet, s.approvalURL(url.PathEscape(id)), nil, nil, &out); err != nil {
		return nil, err
	}
	if len(out.Stages) > 0 {
		out.Steps = out.Stages
	}
	return &out.Approval, nil
}

const (
	ReviewApprove = "Approve"
	ReviewDeny    = "Deny"
)

// ReviewApprovalStep records the caller's decision on a stage.
func (s *ScheduleService) ReviewApprovalStep(ctx context.Context, approvalID, stepID, result, justification string) error {
	return s.surface.wire.reviewStep(ctx, s, approvalID, stepID, result, justification)
}

func (graphWire) reviewStep(ctx context.Context, s *ScheduleService, approvalID, stepID, result, justification string) error {
	body := map[string]string{"reviewResult": result, "justification": justification}
	return s.c.do(ctx, http.MethodPatch, s.approvalURL(url.PathEscape(approvalID)+"/"+s.surface.stages+"/"+url.PathEscape(stepID)), nil, body, nil)
}

// ListRequestsToApprove lists the requests the signed-in user is an approver
// of (filterByCurrentUser(on='approver')): an approver need not be able to
// read the whole tenant's requests.
// https://learn.microsoft.com/graph/api/unifiedroleassignmentschedulerequest-filterbycurrentuser
func (s *ScheduleService) ListRequestsToApprove(ctx context.Context, scope string) ([]ScheduleRequest, error) {
	return s.surface.wire.requestsToApprove(ctx, s, scope)
}

func (graphWire) requestsToApprove(ctx context.Context, s *ScheduleService, _ string) ([]ScheduleRequest, error) {
	return list[ScheduleRequest](ctx, s.c, s.prefix()+"ScheduleRequests/filterByCurrentUser(on='approver')", nil)
}
