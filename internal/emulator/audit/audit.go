package audit

import (
	"fmt"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// object renders a record with every documented key, null when unknown.
func (tx *tx) auditObject(r *core.AuditRecord) odata.Object {
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
		{"resultReason", r.ResultReason}, {"activityDisplayName", r.Activity}, {"activityDateTime", core.GraphTime(r.Time)},
		{"loggedByService", "PIM"}, {"operationType", r.OperationType}, {"initiatedBy", tx.initiator(r.InitiatorID)},
		{"targetResources", targets}, {"additionalDetails", details}}
}

func (tx *tx) initiator(id string) odata.Object {
	if u, ok := tx.Dir.Users[id]; ok {
		return odata.Object{{"app", nil}, {"user", odata.Object{{"id", u.ID}, {"displayName", u.DisplayName}, {"userPrincipalName", u.UPN},
			{"ipAddress", "127.0.0.1"}, {"userType", "Member"}, {"homeTenantId", tx.St.TenantID}, {"homeTenantName", nil}}}}
	}
	app := odata.Object{{"appId", nil}, {"displayName", "MS-PIM"}, {"servicePrincipalId", nil}, {"servicePrincipalName", nil}}
	if sp, ok := tx.Dir.SPs[id]; ok {
		app = odata.Object{{"appId", sp.AppID}, {"displayName", sp.DisplayName}, {"servicePrincipalId", sp.ID}, {"servicePrincipalName", nil}}
	}
	return odata.Object{{"app", app}, {"user", nil}}
}

var auditType = &wire.EntityType{Name: "directoryAudit", Props: []string{"id", "category", "correlationId", "result", "resultReason",
	"activityDisplayName", "activityDateTime", "loggedByService", "operationType", "initiatedBy", "targetResources", "additionalDetails"}}

func auditCursor(r *core.AuditRecord) string {
	return fmt.Sprintf("%020d.%020d", r.Time.UnixNano(), r.Seq)
}

var errAuditRead = core.Forbidden("Reading the audit log needs AuditLog.Read.All (app-only) or a role such as Reports Reader, Security Reader or Global Reader.")

// listAudit serves the log newest first unless $orderby asks for
// activityDateTime asc; $top is the page size (at most 999).
func listAudit(c *call) {
	q, ok := c.Query("$filter", "$select", "$top", "$skiptoken", "$orderby", "$count")
	if !ok {
		return
	}
	asc := false
	for _, o := range q.OrderBy {
		if !strings.EqualFold(strings.Join(o.Path, "/"), "activityDateTime") {
			c.Fail(core.BadRequest("BadRequest", "$orderby supports activityDateTime only."))
			return
		}
		asc = !o.Desc
	}
	c.a.view(c.Caller, func(tx *tx) {
		if !tx.Allowed(permAuditRead, auditReaderRoles) {
			c.Fail(errAuditRead)
			return
		}
		recs := tx.St.AuditLog.Records
		c.WriteCollection(wire.Listing{Set: "auditLogs/directoryAudits", Typ: auditType, Each: func(after string, yield func(wire.Item) bool) {
			for i := range recs {
				r := recs[len(recs)-1-i]
				if asc {
					r = recs[i]
				}
				cur := auditCursor(r)
				if after != "" && (asc && cur <= after || !asc && cur >= after) {
					continue
				}
				if !yield(wire.Item{Cursor: cur, Obj: tx.auditObject(r)}) {
					return
				}
			}
		}}, q)
	})
}

func getAudit(c *call) {
	q, ok := c.Query("$select")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		r, found := tx.St.AuditLog.Get(c.Params[0])
		switch {
		case !tx.Allowed(permAuditRead, auditReaderRoles):
			c.Fail(errAuditRead)
		case !found:
			c.Fail(core.NotFound("directoryAudits", c.Params[0]))
		default:
			c.WriteEntity("auditLogs/directoryAudits", auditType, wire.Item{Obj: tx.auditObject(r)}, q)
		}
	})
}
