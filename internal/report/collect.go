// Package report reads a tenant's privileged access through Graph and
// renders it for people: a self-contained HTML dashboard (tiles, tables by
// role and principal, an activation timeline, the recent audit log), and
// CSV or JSON downloads of the audit history and the inventory. It is
// read-only; terraform-provider-pim report and the emulator's live
// dashboard both use it.
package report

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient/rolealerts"
)

// Assignment is one eligibility or standing active assignment, named.
type Assignment struct {
	Kind          string     `json:"kind"` // eligible or active
	PrincipalID   string     `json:"principal_id"`
	PrincipalName string     `json:"principal_name"`
	PrincipalType string     `json:"principal_type"`
	RoleID        string     `json:"role_definition_id"`
	RoleName      string     `json:"role_name"`
	Scope         string     `json:"directory_scope_id"`
	Start         *time.Time `json:"start"`
	End           *time.Time `json:"end"`
	Managed       *bool      `json:"managed_by_terraform"` // nil: no state given
	Privileged    bool       `json:"privileged_role"`
	ScheduleID    string     `json:"schedule_id"`
}

// Permanent reports an assignment without an end.
func (a *Assignment) Permanent() bool { return a.End == nil }

// Activation is a just-in-time activation.
type Activation struct {
	PrincipalName, RoleName, Justification, Status string
	At                                             time.Time
}

// LeastPrivilege is the least set of application permissions, and per
// operation the least permission and the roles that grant it.
type LeastPrivilege struct {
	Permissions []string
	Operations  []PermissionUse
}

// PermissionUse is what one operation needed.
type PermissionUse struct {
	Operation, Permission string
	Roles                 []string
}

// Alert is an active PIM alert.
type Alert struct {
	Name, Severity string
	Incidents      int
}

// Data is what a report shows.
type Data struct {
	Generated   time.Time
	Endpoint    string
	Assignments []Assignment
	Activations []Activation // the last 30 days
	Pending     int          // activations waiting for approval
	Audit       []pimclient.DirectoryAudit
	// WeakRoles are privileged roles whose activation needs no MFA (nor an
	// authentication context) or no approval.
	WeakRoles []string
	Alerts    []Alert
	// AlertsRead is false where the alerts API could not be read.
	AlertsRead bool
	// StateGiven is true when a state file marks what Terraform manages.
	StateGiven bool
	// Notes say what could not be read, and why.
	Notes []string
	// LeastPrivilege is what the calls to the emulator so far needed (the
	// live dashboard only: Graph does not say it).
	LeastPrivilege *LeastPrivilege
	// roles names every role definition by id (lower case).
	roles map[string]string
}

// Options are what Collect reads.
type Options struct {
	// Managed holds the schedule ids and keys (principal|role|scope, lower
	// case) that Terraform manages; nil when no state was given.
	Managed map[string]bool
	// AuditLimit bounds the audit entries the HTML shows (default 200).
	AuditLimit int
}

// Collect reads the tenant. Names that cannot be read are shown by id with
// a note; only failing to read the assignments themselves is an error.
func Collect(ctx context.Context, c *pimclient.Client, endpoint string, o Options) (*Data, error) {
	d := &Data{Generated: c.Now(), Endpoint: endpoint, StateGiven: o.Managed != nil}
	for _, k := range []pimclient.Kind{pimclient.Eligibility, pimclient.Assignment} {
		list, err := c.Schedules(k).ListDirectSchedules(ctx)
		if err != nil {
			return nil, err
		}
		for i := range list {
			d.Assignments = append(d.Assignments, assignmentOf(&list[i], k, o.Managed))
		}
	}
	d.name(ctx, c)
	d.readActivations(ctx, c)
	d.readPolicies(ctx, c)
	d.readAlerts(ctx, c)
	limit := o.AuditLimit
	if limit <= 0 {
		limit = 200
	}
	audit, err := c.ListDirectoryAudits(ctx, pimclient.Filter{}.Ge("activityDateTime", d.Generated.AddDate(0, 0, -30)), limit)
	if err != nil {
		d.note("the audit log", err)
	}
	d.Audit = audit
	sort.Slice(d.Assignments, func(i, j int) bool {
		a, b := &d.Assignments[i], &d.Assignments[j]
		return a.RoleName+"\x00"+a.PrincipalName+"\x00"+a.Kind < b.RoleName+"\x00"+b.PrincipalName+"\x00"+b.Kind
	})
	return d, nil
}

func (d *Data) note(what string, err error) {
	d.Notes = append(d.Notes, "Could not read "+what+": "+err.Error())
}

func assignmentOf(sc *pimclient.Schedule, k pimclient.Kind, managed map[string]bool) Assignment {
	a := Assignment{Kind: "eligible", PrincipalID: sc.PrincipalID, PrincipalName: sc.PrincipalID, RoleID: sc.RoleDefinitionID,
		RoleName: sc.RoleDefinitionID, Scope: sc.DirectoryScopeID, ScheduleID: sc.ID, Privileged: pimclient.PrivilegedRoles[strings.ToLower(sc.RoleDefinitionID)]}
	if k == pimclient.Assignment {
		a.Kind = "active"
	}
	if si := sc.ScheduleInfo; si != nil {
		a.Start = si.StartDateTime
		if e := si.Expiration; e != nil {
			switch {
			case e.EndDateTime != nil:
				a.End = e.EndDateTime
			case e.Duration != "" && si.StartDateTime != nil:
				if dur, err := isoduration.Parse(e.Duration); err == nil {
					end := dur.AddTo(*si.StartDateTime)
					a.End = &end
				}
			}
		}
	}
	if managed != nil {
		m := managed[strings.ToLower(sc.ID)] || managed[Key(sc.PrincipalID, sc.RoleDefinitionID, sc.DirectoryScopeID)]
		a.Managed = &m
	}
	return a
}

// Key is an assignment's natural key as the managed set holds it.
func Key(principal, role, scope string) string {
	return strings.ToLower(principal + "|" + role + "|" + scope)
}

// name replaces ids by names where the directory says them.
func (d *Data) name(ctx context.Context, c *pimclient.Client) {
	roles, err := c.ListRoleNames(ctx)
	if err != nil {
		d.note("role names (they are shown by id)", err)
	}
	roleNames := map[string]string{}
	for _, r := range roles {
		roleNames[strings.ToLower(r.ID)] = r.DisplayName
	}
	d.roles = roleNames
	ids := map[string]bool{}
	for _, a := range d.Assignments {
		ids[a.PrincipalID] = true
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	objs, err := c.GetByIDs(ctx, list)
	if err != nil {
		d.note("principal names (they are shown by id)", err)
	}
	names := map[string]*pimclient.DirectoryObject{}
	for i := range objs {
		names[strings.ToLower(objs[i].ID)] = &objs[i]
	}
	for i := range d.Assignments {
		a := &d.Assignments[i]
		if n := roleNames[strings.ToLower(a.RoleID)]; n != "" {
			a.RoleName = n
		}
		if o := names[strings.ToLower(a.PrincipalID)]; o != nil {
			a.PrincipalName, a.PrincipalType = o.DisplayName, o.Type()
			if o.UserPrincipalName != "" {
				a.PrincipalName += " (" + o.UserPrincipalName + ")"
			}
		}
	}
}

// readActivations reads the last 30 days' activations and the pending ones.
func (d *Data) readActivations(ctx context.Context, c *pimclient.Client) {
	reqs, err := c.Schedules(pimclient.Assignment).ListRequests(ctx, pimclient.Filter{}.Eq("action", pimclient.ActionSelfActivate))
	if err != nil {
		d.note("activations", err)
		return
	}
	names := d.principalNames()
	roles := d.roleNames()
	since := d.Generated.AddDate(0, 0, -30)
	for _, r := range reqs {
		if r.Status == pimclient.StatusPendingApproval {
			d.Pending++
		}
		if r.CreatedDateTime == nil || r.CreatedDateTime.Before(since) {
			continue
		}
		d.Activations = append(d.Activations, Activation{PrincipalName: orID(names, r.PrincipalID), RoleName: orID(roles, r.RoleDefinitionID),
			Justification: r.Justification, Status: r.Status, At: *r.CreatedDateTime})
	}
	sort.Slice(d.Activations, func(i, j int) bool { return d.Activations[i].At.After(d.Activations[j].At) })
}

func (d *Data) principalNames() map[string]string {
	m := map[string]string{}
	for _, a := range d.Assignments {
		m[strings.ToLower(a.PrincipalID)] = a.PrincipalName
	}
	return m
}

func (d *Data) roleNames() map[string]string {
	if d.roles == nil {
		return map[string]string{}
	}
	return d.roles
}

func orID(names map[string]string, id string) string {
	if n := names[strings.ToLower(id)]; n != "" {
		return n
	}
	return id
}

// readPolicies finds privileged roles in use whose activation needs no MFA
// (nor an authentication context) or no approval.
func (d *Data) readPolicies(ctx context.Context, c *pimclient.Client) {
	policies, err := c.ListRolePolicies(ctx)
	if err != nil {
		d.note("role settings", err)
		return
	}
	roles := d.roleNames()
	for _, p := range policies {
		if !pimclient.PrivilegedRoles[strings.ToLower(p.RoleDefinitionID)] {
			continue
		}
		en, ac, ap := p.Rules["Enablement_EndUser_Assignment"], p.Rules["AuthenticationContext_EndUser_Assignment"], p.Rules["Approval_EndUser_Assignment"]
		var weak []string
		if !contains(en.EnabledRules, "MultiFactorAuthentication") && !ac.IsEnabled {
			weak = append(weak, "no MFA")
		}
		if ap.Setting == nil || !ap.Setting.IsApprovalRequired {
			weak = append(weak, "no approval")
		}
		if len(weak) > 0 {
			d.WeakRoles = append(d.WeakRoles, orID(roles, p.RoleDefinitionID)+" ("+strings.Join(weak, ", ")+")")
		}
	}
	sort.Strings(d.WeakRoles)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// readAlerts reads PIM's active alerts, where the (beta) API is there.
func (d *Data) readAlerts(ctx context.Context, c *pimclient.Client) {
	alerts, err := rolealerts.Of(c).ListAlerts(ctx)
	if err != nil {
		d.note("PIM alerts (beta)", err)
		return
	}
	d.AlertsRead = true
	for _, a := range alerts {
		if !a.IsActive {
			continue
		}
		al := Alert{Name: a.Type(), Incidents: a.IncidentCount}
		if a.Definition != nil {
			al.Name, al.Severity = a.Definition.DisplayName, a.Definition.SeverityLevel
		}
		d.Alerts = append(d.Alerts, al)
	}
}
