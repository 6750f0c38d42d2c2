package emulator

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// The PIM audit log: directoryAudit records with the activity names of the
// Microsoft Entra audit reference
// (https://learn.microsoft.com/entra/identity/monitoring-health/reference-audit-activities),
// served like https://learn.microsoft.com/graph/api/directoryaudit-list and
// kept for 30 days.

type auditRecord struct {
	Seq           uint64            `json:"seq"`
	ID            string            `json:"id"`
	Time          time.Time         `json:"time"`
	Activity      string            `json:"activity"`
	OperationType string            `json:"operationType"`
	Result        string            `json:"result"`
	ResultReason  string            `json:"resultReason,omitempty"`
	InitiatorID   string            `json:"initiatorId,omitempty"` // empty: the PIM service itself
	CorrelationID string            `json:"correlationId"`
	Targets       []auditTarget     `json:"targets"`
	Details       map[string]string `json:"details,omitempty"`
}

type auditTarget struct {
	ID, DisplayName, Type, UPN string
}

// auditLog keeps records ordered by time (then creation), so listing newest
// first and purging the oldest never sort.
type auditLog struct {
	records []*auditRecord
	byID    map[string]*auditRecord
}

func (l *auditLog) less(a, b *auditRecord) bool {
	if !a.Time.Equal(b.Time) {
		return a.Time.Before(b.Time)
	}
	return a.Seq < b.Seq
}

func (l *auditLog) insert(r *auditRecord) {
	if l.byID == nil {
		l.byID = map[string]*auditRecord{}
	}
	l.byID[r.ID] = r
	i := sort.Search(len(l.records), func(i int) bool { return l.less(r, l.records[i]) })
	l.records = append(l.records, nil)
	copy(l.records[i+1:], l.records[i:])
	l.records[i] = r
}

func (l *auditLog) remove(r *auditRecord) {
	delete(l.byID, r.ID)
	i := sort.Search(len(l.records), func(i int) bool { return !l.less(l.records[i], r) })
	if i < len(l.records) && l.records[i] == r {
		l.records = append(l.records[:i], l.records[i+1:]...)
	}
}

func (l *auditLog) get(id string) (*auditRecord, bool) {
	r, ok := l.byID[id]
	return r, ok
}

func (l *auditLog) oldest() (time.Time, bool) {
	if len(l.records) == 0 {
		return time.Time{}, false
	}
	return l.records[0].Time, true
}

// purge drops records older than before and returns their ids.
func (l *auditLog) purge(before time.Time) []string {
	n := sort.Search(len(l.records), func(i int) bool { return !l.records[i].Time.Before(before) })
	ids := make([]string, 0, n)
	for _, r := range l.records[:n] {
		delete(l.byID, r.ID)
		ids = append(ids, r.ID)
	}
	l.records = l.records[n:]
	return ids
}

// auditEntry is what a change records.
type auditEntry struct {
	activity, op, initiator, reason string
	key                             key
	spec                            scheduleSpec
	requestID                       string
	at                              time.Time // zero: now
}

func (tx *tx) audit(e auditEntry) {
	at := e.at
	if at.IsZero() {
		at = tx.now
	}
	rec := &auditRecord{Seq: tx.st.nextSeq(), ID: newID(), Time: at, Activity: e.activity, OperationType: e.op, Result: "success",
		ResultReason: e.reason, InitiatorID: strings.ToLower(e.initiator), CorrelationID: newID(), Details: map[string]string{}}
	if !e.spec.Start.IsZero() {
		rec.Details["StartTime"] = graphTime(e.spec.Start)
	}
	if e.requestID != "" {
		rec.Details["RequestId"] = e.requestID
	}
	if end := e.spec.end(); end != nil {
		rec.Details["ExpirationTime"] = graphTime(*end)
	}
	if e.key.Surface == surfaceGroup {
		// PIM for Groups: the target is the group; the activities say so.
		g := tx.s.dir.groups[e.key.Scope]
		rec.Activity = strings.NewReplacer("to role", "to group", "from role", "from group", "member", e.key.Role).Replace(rec.Activity)
		rec.Targets = append(rec.Targets, auditTarget{ID: g.ID, DisplayName: g.DisplayName, Type: "Group"})
	} else {
		role, _ := tx.s.dir.role(e.key.Role)
		rec.Targets = append(rec.Targets, auditTarget{ID: e.key.Role, DisplayName: role.DisplayName, Type: "Role"})
	}
	if t, ok := tx.principalTarget(e.key.Principal); ok {
		rec.Targets = append(rec.Targets, t)
	}
	tx.st.audit.insert(rec)
	tx.touch(entAudit, rec.ID)
}

func (tx *tx) principalTarget(id string) (auditTarget, bool) {
	d := tx.s.dir
	if u, ok := d.users[id]; ok {
		return auditTarget{ID: u.ID, DisplayName: u.DisplayName, Type: "User", UPN: u.UPN}, true
	}
	if g, ok := d.groups[id]; ok {
		return auditTarget{ID: g.ID, DisplayName: g.DisplayName, Type: "Group"}, true
	}
	if sp, ok := d.sps[id]; ok {
		return auditTarget{ID: sp.ID, DisplayName: sp.DisplayName, Type: "ServicePrincipal"}, true
	}
	return auditTarget{}, false
}

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
func (tx *tx) auditAdmin(verb string, spec scheduleSpec, k key, justification *string, requestID string) {
	bound := "permanent"
	if spec.end() != nil {
		bound = "timebound"
	}
	activity := strings.ReplaceAll(adminActivities[string(k.Kind)+"/"+verb], "{bound}", bound)
	tx.audit(auditEntry{activity: activity, op: adminOperations[verb], initiator: tx.caller.PrincipalID, reason: strVal(justification),
		key: k, spec: spec, requestID: requestID})
}

// auditCancel records a cancelled request.
func (tx *tx) auditCancel(r *request) {
	bound := "permanent"
	if r.Schedule != nil && r.Schedule.end() != nil {
		bound = "timebound"
	}
	activity := "Add eligible member to role in PIM canceled (" + bound + ")"
	switch {
	case r.Action == "selfActivate":
		activity = "Add member to role canceled (PIM activation)"
	case r.Key.Kind == Active:
		// The reference lists only the timebound variant for active assignments.
		activity = "Add member to role in PIM canceled (timebound)"
	}
	var spec scheduleSpec
	if r.Schedule != nil {
		spec = *r.Schedule
	}
	tx.audit(auditEntry{activity: activity, op: "Delete", initiator: tx.caller.PrincipalID, reason: "Canceled", key: r.Key, spec: spec, requestID: r.ID})
}

// auditExpiry records a schedule that reached its end, dated at the end.
// guess: the reference has no activity for an expired admin assignment;
// the service itself is the initiator.
func (tx *tx) auditExpiry(sc *schedule, end time.Time) {
	activity := "Remove eligible member from role in PIM completed (timebound)"
	switch {
	case sc.activated():
		activity = "Remove member from role (PIM activation expired)"
	case sc.Key.Kind == Active:
		activity = "Remove member from role in PIM completed (timebound)"
	}
	tx.audit(auditEntry{activity: activity, op: "Delete", reason: "Expired", key: sc.Key, spec: sc.Spec, at: end})
}

// auditSetting records a changed rule.
func (tx *tx) auditSetting(roleID, ruleID string) {
	tx.audit(auditEntry{activity: "Update role setting in PIM", op: "Update", initiator: tx.caller.PrincipalID, reason: ruleID,
		key: key{Role: strings.ToLower(roleID)}, spec: scheduleSpec{Start: tx.now}})
}

// object renders a record with every documented key, null when unknown.
func (tx *tx) auditObject(r *auditRecord) odata.Object {
	targets := make([]any, 0, len(r.Targets))
	for _, t := range r.Targets {
		var upn any
		if t.UPN != "" {
			upn = t.UPN
		}
		targets = append(targets, odata.Object{{"id", t.ID}, {"displayName", t.DisplayName}, {"type", t.Type},
			{"userPrincipalName", upn}, {"groupType", nil}, {"modifiedProperties", []any{}}})
	}
	details := make([]any, 0, len(r.Details))
	for _, k := range []string{"RequestId", "StartTime", "ExpirationTime"} {
		if v, ok := r.Details[k]; ok {
			details = append(details, odata.Object{{"key", k}, {"value", v}})
		}
	}
	return odata.Object{{"id", r.ID}, {"category", "RoleManagement"}, {"correlationId", r.CorrelationID}, {"result", r.Result},
		{"resultReason", r.ResultReason}, {"activityDisplayName", r.Activity}, {"activityDateTime", graphTime(r.Time)},
		{"loggedByService", "PIM"}, {"operationType", r.OperationType}, {"initiatedBy", tx.initiator(r.InitiatorID)},
		{"targetResources", targets}, {"additionalDetails", details}}
}

func (tx *tx) initiator(id string) odata.Object {
	if u, ok := tx.s.dir.users[id]; ok {
		return odata.Object{{"app", nil}, {"user", odata.Object{{"id", u.ID}, {"displayName", u.DisplayName}, {"userPrincipalName", u.UPN},
			{"ipAddress", "127.0.0.1"}, {"userType", "Member"}, {"homeTenantId", tx.st.TenantID}, {"homeTenantName", nil}}}}
	}
	app := odata.Object{{"appId", nil}, {"displayName", "MS-PIM"}, {"servicePrincipalId", nil}, {"servicePrincipalName", nil}}
	if sp, ok := tx.s.dir.sps[id]; ok {
		app = odata.Object{{"appId", sp.AppID}, {"displayName", sp.DisplayName}, {"servicePrincipalId", sp.ID}, {"servicePrincipalName", nil}}
	}
	return odata.Object{{"app", app}, {"user", nil}}
}

var auditType = &entityType{name: "directoryAudit", props: []string{"id", "category", "correlationId", "result", "resultReason",
	"activityDisplayName", "activityDateTime", "loggedByService", "operationType", "initiatedBy", "targetResources", "additionalDetails"}}

func auditCursor(r *auditRecord) string { return fmt.Sprintf("%020d.%020d", r.Time.UnixNano(), r.Seq) }

var errAuditRead = forbidden("Reading the audit log needs AuditLog.Read.All (app-only) or a role such as Reports Reader, Security Reader or Global Reader.")

// listAudit serves the log newest first unless $orderby asks for
// activityDateTime asc; $top is the page size (at most 999).
func listAudit(c *call) {
	q, ok := c.query("$filter", "$select", "$top", "$skiptoken", "$orderby", "$count")
	if !ok {
		return
	}
	asc := false
	for _, o := range q.OrderBy {
		if !strings.EqualFold(strings.Join(o.Path, "/"), "activityDateTime") {
			c.fail(badRequest("BadRequest", "$orderby supports activityDateTime only."))
			return
		}
		asc = !o.Desc
	}
	c.s.view(c.caller, func(tx *tx) {
		if !tx.allowed(permAuditRead, auditReaderRoles) {
			c.fail(errAuditRead)
			return
		}
		recs := tx.st.audit.records
		c.writeCollection(listing{set: "auditLogs/directoryAudits", typ: auditType, each: func(after string, yield func(item) bool) {
			for i := range recs {
				r := recs[len(recs)-1-i]
				if asc {
					r = recs[i]
				}
				cur := auditCursor(r)
				if after != "" && (asc && cur <= after || !asc && cur >= after) {
					continue
				}
				if !yield(item{cursor: cur, obj: tx.auditObject(r)}) {
					return
				}
			}
		}}, q)
	})
}

func getAudit(c *call) {
	q, ok := c.query("$select")
	if !ok {
		return
	}
	c.s.view(c.caller, func(tx *tx) {
		r, found := tx.st.audit.get(c.params[0])
		switch {
		case !tx.allowed(permAuditRead, auditReaderRoles):
			c.fail(errAuditRead)
		case !found:
			c.fail(notFound("directoryAudits", c.params[0]))
		default:
			c.writeEntity("auditLogs/directoryAudits", auditType, item{obj: tx.auditObject(r)}, q)
		}
	})
}
