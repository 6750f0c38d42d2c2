package emulator

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// auditRecord is one directoryAudit entry written by PIM.
type auditRecord struct {
	ID            string            `json:"id"`
	Time          time.Time         `json:"time"`
	Activity      string            `json:"activity"`
	OperationType string            `json:"operationType"`
	Result        string            `json:"result"`
	ResultReason  string            `json:"resultReason,omitempty"`
	InitiatorID   string            `json:"initiatorId,omitempty"` // a user; empty means the PIM service itself
	CorrelationID string            `json:"correlationId"`
	Targets       []auditTarget     `json:"targets"`
	Details       map[string]string `json:"details,omitempty"`
}

type auditTarget struct {
	ID, DisplayName, Type, UPN string
}

// auditAssignment records an admin assign/update/remove with the activity
// names of the Entra audit reference (pim-graph-api.md §8).
func (s *Server) auditAssignment(k kind, verb string, spec scheduleSpec, initiator string, key assignmentKey, justification *string, requestID string) {
	bound := "permanent"
	if spec.end() != nil {
		bound = "timebound"
	}
	var activity, op string
	switch {
	case k == kindEligibility && verb == "assign":
		activity, op = "Add eligible member to role in PIM completed ("+bound+")", "Add"
	case k == kindEligibility && verb == "update":
		activity, op = "Update eligible member in PIM requested (extend)", "Update"
	case k == kindEligibility && verb == "remove":
		activity, op = "Remove eligible member from role in PIM completed ("+bound+")", "Delete"
	case k == kindAssignment && verb == "assign":
		activity, op = "Add member to role in PIM completed ("+bound+")", "Add"
	case k == kindAssignment && verb == "update":
		activity, op = "Update member in PIM requested (extend)", "Update"
	default:
		activity, op = "Remove member from role in PIM completed ("+bound+")", "Delete"
	}
	reason := ""
	if justification != nil {
		reason = *justification
	}
	s.audit(activity, op, initiator, reason, key.PrincipalID, key.RoleDefinitionID, spec, requestID)
}

// auditCancel records a canceled (not yet effective) request.
func (s *Server) auditCancel(r *request, initiator string) {
	bound := "permanent"
	if r.Schedule != nil && r.Schedule.end() != nil {
		bound = "timebound"
	}
	activity := "Add eligible member to role in PIM canceled (" + bound + ")"
	switch {
	case r.Action == "selfActivate":
		activity = "Add member to role canceled (PIM activation)"
	case r.Kind == kindAssignment:
		// The reference lists only the timebound variant for active assignments.
		activity = "Add member to role in PIM canceled (timebound)"
	}
	spec := scheduleSpec{}
	if r.Schedule != nil {
		spec = *r.Schedule
	}
	s.audit(activity, "Delete", initiator, "Canceled", r.PrincipalID, r.RoleDefinitionID, spec, r.ID)
}

// auditExpiry records a schedule that reached its end. guess: the reference
// has no dedicated activity for an expired admin assignment; the service
// itself (no user) is recorded as initiator.
func (s *Server) auditExpiry(sc *schedule) {
	activity := "Remove eligible member from role in PIM completed (timebound)"
	switch {
	case sc.AssignmentType == "Activated":
		activity = "Remove member from role (PIM activation expired)"
	case sc.Kind == kindAssignment:
		activity = "Remove member from role in PIM completed (timebound)"
	}
	s.audit(activity, "Delete", "", "Expired", sc.PrincipalID, sc.RoleDefinitionID, sc.Spec, "")
	// The entry is dated when the schedule ended, not when the emulator noticed.
	if end := sc.Spec.end(); end != nil {
		s.st.Audit[len(s.st.Audit)-1].Time = *end
	}
}

func (s *Server) audit(activity, op, initiator, reason, principalID, roleID string, spec scheduleSpec, requestID string) {
	rec := &auditRecord{
		ID: uuid.NewString(), Time: s.clock.Now(), Activity: activity, OperationType: op, Result: "success",
		ResultReason: reason, InitiatorID: initiator, CorrelationID: uuid.NewString(),
		Details: map[string]string{"StartTime": graphTime(spec.Start)},
	}
	if requestID != "" {
		rec.Details["RequestId"] = requestID
	}
	if end := spec.end(); end != nil {
		rec.Details["ExpirationTime"] = graphTime(*end)
	}
	role, _ := s.role(roleID)
	rec.Targets = append(rec.Targets, auditTarget{ID: roleID, DisplayName: role.DisplayName, Type: "Role"})
	if u, ok := s.users[principalID]; ok {
		rec.Targets = append(rec.Targets, auditTarget{ID: u.ID, DisplayName: u.DisplayName, Type: "User", UPN: u.UPN})
	} else if g, ok := s.groups[principalID]; ok {
		rec.Targets = append(rec.Targets, auditTarget{ID: g.ID, DisplayName: g.DisplayName, Type: "Group"})
	}
	s.st.Audit = append(s.st.Audit, rec)
}

func (s *Server) wireAudit(r *auditRecord) map[string]any {
	initiatedBy := map[string]any{"user": nil, "app": nil}
	if u, ok := s.users[r.InitiatorID]; ok {
		initiatedBy["user"] = map[string]any{"id": u.ID, "displayName": u.DisplayName, "userPrincipalName": u.UPN, "ipAddress": "127.0.0.1"}
	} else if r.InitiatorID == AppServicePrincipalID {
		initiatedBy["app"] = map[string]any{"appId": AppClientID, "displayName": "terraform-ci", "servicePrincipalId": AppServicePrincipalID, "servicePrincipalName": nil}
	} else {
		initiatedBy["app"] = map[string]any{"appId": nil, "displayName": "MS-PIM", "servicePrincipalId": nil, "servicePrincipalName": nil}
	}
	targets := make([]any, 0, len(r.Targets))
	for _, t := range r.Targets {
		tm := map[string]any{"id": t.ID, "displayName": t.DisplayName, "type": t.Type, "modifiedProperties": []any{}}
		if t.UPN != "" {
			tm["userPrincipalName"] = t.UPN
		}
		targets = append(targets, tm)
	}
	details := make([]any, 0, len(r.Details))
	for _, k := range []string{"RequestId", "StartTime", "ExpirationTime"} {
		if v, ok := r.Details[k]; ok {
			details = append(details, map[string]any{"key": k, "value": v})
		}
	}
	return map[string]any{
		"id": r.ID, "category": "RoleManagement", "correlationId": r.CorrelationID, "result": r.Result,
		"resultReason": r.ResultReason, "activityDisplayName": r.Activity, "activityDateTime": graphTime(r.Time),
		"loggedByService": "PIM", "operationType": r.OperationType, "initiatedBy": initiatedBy,
		"targetResources": targets, "additionalDetails": details,
	}
}

// listAudit serves directoryAudits, newest first unless $orderby says
// otherwise; $top is capped at 999 as Graph documents.
func (c *call) listAudit() {
	items := make([]any, 0, len(c.s.st.Audit))
	// Records with the same timestamp keep the order they were written in,
	// newest first unless $orderby asks for ascending order (the collection's
	// sort is stable).
	asc := strings.Contains(strings.ToLower(c.r.URL.Query().Get("$orderby")), " asc")
	recs := slices.Clone(c.s.st.Audit)
	if !asc {
		slices.Reverse(recs)
	}
	slices.SortStableFunc(recs, func(a, b *auditRecord) int {
		if asc {
			return a.Time.Compare(b.Time)
		}
		return b.Time.Compare(a.Time)
	})
	for _, r := range recs {
		items = append(items, c.s.wireAudit(r))
	}
	c.writeCollection("auditLogs/directoryAudits", items, 999)
}

func (c *call) getAudit(id string) {
	for _, r := range c.s.st.Audit {
		if strings.EqualFold(r.ID, id) {
			m := c.s.wireAudit(r)
			m["@odata.context"] = c.context("auditLogs/directoryAudits", true)
			c.w.json(http.StatusOK, m)
			return
		}
	}
	c.notFound("directoryAudits", id)
}
