package report

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// AuditColumns are the audit history's CSV columns.
var AuditColumns = []string{"time", "activity", "result", "reason", "initiated_by", "initiated_by_upn", "initiated_by_app",
	"target_principal", "target_role", "request_id", "start", "end", "id", "correlation_id"}

// auditRow flattens an audit entry to AuditColumns.
func auditRow(a *pimclient.DirectoryAudit) []string {
	var by, upn, app string
	if u := a.InitiatedBy.User; u != nil {
		by, upn = u.DisplayName, u.UserPrincipalName
	}
	if ap := a.InitiatedBy.App; ap != nil {
		app = ap.DisplayName
	}
	var principal, role []string
	for _, t := range a.TargetResources {
		if strings.EqualFold(t.Type, "Role") || strings.EqualFold(t.Type, "Group") && len(a.TargetResources) > 1 && role == nil {
			role = append(role, t.DisplayName)
		} else {
			principal = append(principal, t.DisplayName)
		}
	}
	details := map[string]string{}
	for _, kv := range a.AdditionalDetails {
		details[kv.Key] = kv.Value
	}
	return []string{a.ActivityDateTime.UTC().Format(time.RFC3339), a.ActivityDisplayName, a.Result, a.ResultReason, by, upn, app,
		strings.Join(principal, "; "), strings.Join(role, "; "), details["RequestId"], details["StartTime"], details["ExpirationTime"],
		a.ID, a.CorrelationID}
}

// WriteAudit streams the audit history between since and until, newest
// first, as CSV or JSON lines (one object per line), a page at a time.
func WriteAudit(ctx context.Context, c *pimclient.Client, w io.Writer, format string, since, until time.Time) error {
	f := pimclient.Filter{}.Ge("activityDateTime", since).Le("activityDateTime", until)
	if format == "json" {
		enc := json.NewEncoder(w)
		return c.EachDirectoryAudit(ctx, f, func(a *pimclient.DirectoryAudit) error {
			row := auditRow(a)
			obj := make(map[string]string, len(AuditColumns))
			for i, col := range AuditColumns {
				obj[col] = row[i]
			}
			return enc.Encode(obj)
		})
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(AuditColumns); err != nil {
		return err
	}
	err := c.EachDirectoryAudit(ctx, f, func(a *pimclient.DirectoryAudit) error { return cw.Write(auditRow(a)) })
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return err
}

// InventoryColumns are the inventory's CSV columns.
var InventoryColumns = []string{"principal_name", "principal_type", "principal_id", "role_name", "role_definition_id", "directory_scope_id",
	"kind", "start", "end", "permanent", "privileged_role", "managed_by_terraform", "schedule_id"}

// WriteInventory writes every assignment, named, as CSV or JSON.
func (d *Data) WriteInventory(w io.Writer, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(d.Assignments)
	}
	cw := csv.NewWriter(w)
	_ = cw.Write(InventoryColumns)
	for i := range d.Assignments {
		a := &d.Assignments[i]
		managed := ""
		if a.Managed != nil {
			managed = strconv.FormatBool(*a.Managed)
		}
		_ = cw.Write([]string{a.PrincipalName, a.PrincipalType, a.PrincipalID, a.RoleName, a.RoleID, a.Scope, a.Kind, timeText(a.Start),
			timeText(a.End), strconv.FormatBool(a.Permanent()), strconv.FormatBool(a.Privileged), managed, a.ScheduleID})
	}
	cw.Flush()
	return cw.Error()
}

func timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
