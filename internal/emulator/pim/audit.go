package pim

import (
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

var adminActivities = map[string]string{
	"eligibility/assign": "Add eligible member to role in PIM completed ({bound})",
	"eligibility/update": "Update eligible member in PIM requested (extend)",
	"eligibility/remove": "Remove eligible member from role in PIM completed ({bound})",
	"assignment/assign":  "Add member to role in PIM completed ({bound})",
	"assignment/update":  "Update member in PIM requested (extend)",
	"assignment/remove":  "Remove member from role in PIM completed ({bound})",
}

var adminOperations = map[string]string{"assign": "Add", "update": "Update", "remove": "Delete"}

// auditAdmin records an admin assign, update or remove.
func (tx *tx) auditAdmin(verb string, spec core.ScheduleSpec, k core.Key, justification *string, requestID string) {
	bound := "permanent"
	if spec.EffectiveEnd() != nil {
		bound = "timebound"
	}
	activity := strings.ReplaceAll(adminActivities[string(k.Kind)+"/"+verb], "{bound}", bound)
	tx.Audit(core.AuditEntry{Activity: activity, Op: adminOperations[verb], Initiator: tx.Caller.PrincipalID, Reason: strVal(justification),
		Key: k, Spec: spec, RequestID: requestID})
}

// auditCancel records a cancelled request.
func (tx *tx) auditCancel(r *core.Request) {
	bound := "permanent"
	if r.Schedule != nil && r.Schedule.EffectiveEnd() != nil {
		bound = "timebound"
	}
	activity := "Add eligible member to role in PIM canceled (" + bound + ")"
	switch {
	case r.Action == "selfActivate":
		activity = "Add member to role canceled (PIM activation)"
	case r.Key.Kind == core.Active:
		// The reference lists only the timebound variant for active assignments.
		activity = "Add member to role in PIM canceled (timebound)"
	}
	var spec core.ScheduleSpec
	if r.Schedule != nil {
		spec = *r.Schedule
	}
	tx.Audit(core.AuditEntry{Activity: activity, Op: "Delete", Initiator: tx.Caller.PrincipalID, Reason: "Canceled", Key: r.Key, Spec: spec, RequestID: r.ID})
}

// auditExpiry records a schedule that reached its end, dated at the end.
// guess: the reference has no activity for an expired admin assignment;
// the service itself is the initiator.
func (tx *tx) auditExpiry(sc *core.Schedule, end time.Time) {
	activity := "Remove eligible member from role in PIM completed (timebound)"
	switch {
	case sc.Activated():
		activity = "Remove member from role (PIM activation expired)"
	case sc.Key.Kind == core.Active:
		activity = "Remove member from role in PIM completed (timebound)"
	}
	tx.Audit(core.AuditEntry{Activity: activity, Op: "Delete", Reason: "Expired", Key: sc.Key, Spec: sc.Spec, At: end})
}
