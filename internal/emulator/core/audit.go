package core

import (
	"sort"
	"strings"
	"time"
)

// The audit log's model: directoryAudit records with the activity names of
// the Microsoft Entra audit reference
// (https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities),
// kept for 30 days. Every area writes through Tx.Audit; the audit area serves them.

type AuditRecord struct {
	Seq           uint64            `json:"seq"`
	ID            string            `json:"id"`
	Time          time.Time         `json:"time"`
	Activity      string            `json:"activity"`
	OperationType string            `json:"operationType"`
	Result        string            `json:"result"`
	ResultReason  string            `json:"resultReason,omitempty"`
	InitiatorID   string            `json:"initiatorId,omitempty"` // empty: the PIM service itself
	CorrelationID string            `json:"correlationId"`
	Targets       []AuditTarget     `json:"targets"`
	Details       map[string]string `json:"details,omitempty"`
}

type AuditTarget struct {
	ID, DisplayName, Type, UPN string
}

// auditLog keeps records ordered by time (then creation), so listing newest
// first and purging the oldest never sort.
type AuditLog struct {
	Records []*AuditRecord
	byID    map[string]*AuditRecord
}

func (l *AuditLog) less(a, b *AuditRecord) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	return a.Seq < b.Seq
}

func (l *AuditLog) Insert(r *AuditRecord) {
	if l.byID == nil {
		l.byID = map[string]*AuditRecord{}
	}
	l.byID[r.ID] = r
	i := sort.Search(len(l.Records), func(i int) bool { return l.less(r, l.Records[i]) })
	l.Records = append(l.Records, nil)
	copy(l.Records[i+1:], l.Records[i:])
	l.Records[i] = r
}

func (l *AuditLog) Remove(r *AuditRecord) {
	delete(l.byID, r.ID)
	i := sort.Search(len(l.Records), func(i int) bool { return !l.less(l.Records[i], r) })
	if i < len(l.Records) && l.Records[i] == r {
		l.Records = append(l.Records[:i], l.Records[i+1:]...)
	}
}

func (l *AuditLog) Get(id string) (*AuditRecord, bool) {
	r, ok := l.byID[id]
	return r, ok
}

func (l *AuditLog) Oldest() (time.Time, bool) {
	if len(l.Records) == 0 {
		return time.Time{}, false
	}
	return l.Records[0].Time, true
}

// purge drops records older than before and returns their ids.
func (l *AuditLog) Purge(before time.Time) []string {
	n := sort.Search(len(l.Records), func(i int) bool { return !l.Records[i].Time.Before(before) })
	ids := make([]string, 0, n)
	for _, r := range l.Records[:n] {
		delete(l.byID, r.ID)
		ids = append(ids, r.ID)
	}
	l.Records = l.Records[n:]
	return ids
}

// auditEntry is what a change records.
type AuditEntry struct {
	Activity, Op, Initiator, Reason string
	Key                             Key
	Spec                            ScheduleSpec
	RequestID                       string
	At                              time.Time // zero: now
}

// Audit records a change in the audit log, naming its target and
// principal from the directory.
func (tx *Tx) Audit(e AuditEntry) {
	at := e.At
	if at.IsZero() {
		at = tx.Now
	}
	rec := &AuditRecord{Seq: tx.St.NextSeq(), ID: NewID(), Time: at, Activity: e.Activity, OperationType: e.Op, Result: "success",
		ResultReason: e.Reason, InitiatorID: strings.ToLower(e.Initiator), CorrelationID: NewID(), Details: map[string]string{}}
	if !e.Spec.Start.IsZero() {
		rec.Details["StartTime"] = GraphTime(e.Spec.Start)
	}
	if e.RequestID != "" {
		rec.Details["RequestId"] = e.RequestID
	}
	if end := e.Spec.EffectiveEnd(); end != nil {
		rec.Details["ExpirationTime"] = GraphTime(*end)
	}
	switch e.Key.Surface {
	case SurfaceAzure:
		// PIM for Azure resources: the role and the resource it is held on.
		role := tx.Dir.Azure.Roles[e.Key.Role]
		scope, _ := tx.Dir.Azure.Scope(e.Key.Scope)
		rec.Targets = append(rec.Targets, AuditTarget{ID: e.Key.Role, DisplayName: role.Name, Type: "Role"},
			AuditTarget{ID: scope.ID, DisplayName: scope.DisplayName, Type: "AzureResource"})
	case SurfaceGroup:
		// PIM for Groups: the target is the group; the activities say so.
		g := tx.Dir.Groups[e.Key.Scope]
		rec.Activity = strings.NewReplacer("to role", "to group", "from role", "from group", "member", e.Key.Role).Replace(rec.Activity)
		rec.Targets = append(rec.Targets, AuditTarget{ID: g.ID, DisplayName: g.DisplayName, Type: "Group"})
	default:
		role, _ := tx.Dir.Role(e.Key.Role)
		rec.Targets = append(rec.Targets, AuditTarget{ID: e.Key.Role, DisplayName: role.DisplayName, Type: "Role"})
	}
	if t, ok := tx.principalTarget(e.Key.Principal); ok {
		rec.Targets = append(rec.Targets, t)
	}
	tx.St.AuditLog.Insert(rec)
	tx.Touch(EntAudit, rec.ID)
}

func (tx *Tx) principalTarget(id string) (AuditTarget, bool) {
	d := tx.Dir
	if u, ok := d.Users[id]; ok {
		return AuditTarget{ID: u.ID, DisplayName: u.DisplayName, Type: "User", UPN: u.UPN}, true
	}
	if g, ok := d.Groups[id]; ok {
		return AuditTarget{ID: g.ID, DisplayName: g.DisplayName, Type: "Group"}, true
	}
	if sp, ok := d.SPs[id]; ok {
		return AuditTarget{ID: sp.ID, DisplayName: sp.DisplayName, Type: "ServicePrincipal"}, true
	}
	return AuditTarget{}, false
}
