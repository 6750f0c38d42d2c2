package report

import (
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// Tile is one number at the top of the dashboard.
type Tile struct {
	ID, Label, Value, Hint string
	Warn                   bool
}

// Tiles are the dashboard's numbers, in order.
func (d *Data) Tiles() []Tile {
	var eligible, active, permanent, timed, standingGA, expiring, unmanaged int
	privileged := map[string]bool{}
	soon := d.Generated.AddDate(0, 0, 14)
	for i := range d.Assignments {
		a := &d.Assignments[i]
		if a.Kind == "eligible" {
			eligible++
		} else {
			active++
		}
		if a.Permanent() {
			permanent++
		} else {
			timed++
			if a.End.Before(soon) {
				expiring++
			}
		}
		if a.Privileged {
			privileged[strings.ToLower(a.RoleID)] = true
		}
		if a.Kind == "active" && a.Permanent() && strings.EqualFold(a.RoleID, pimclient.RoleGlobalAdministrator) {
			standingGA++
		}
		if a.Managed != nil && !*a.Managed {
			unmanaged++
		}
	}
	n := func(v int) string { return fmt.Sprint(v) }
	tiles := []Tile{
		{ID: "privileged-roles", Label: "Privileged roles in use", Value: n(len(privileged))},
		{ID: "eligible-active", Label: "Eligible / active", Value: n(eligible) + " / " + n(active), Hint: "standing assignments; activations are counted below"},
		{ID: "permanent-timebound", Label: "Permanent / time-bound", Value: n(permanent) + " / " + n(timed)},
		{ID: "standing-global-admins", Label: "Standing Global Administrators", Value: n(standingGA), Warn: standingGA > 2},
		{ID: "pending-approvals", Label: "Pending approvals", Value: n(d.Pending), Warn: d.Pending > 0},
		{ID: "activations-30d", Label: "Activations, last 30 days", Value: n(len(d.Activations))},
		{ID: "expiring-14d", Label: "Expiring in 14 days", Value: n(expiring), Warn: expiring > 0},
	}
	if d.StateGiven {
		tiles = append(tiles, Tile{ID: "unmanaged", Label: "Not managed by Terraform", Value: n(unmanaged), Warn: unmanaged > 0})
	}
	tiles = append(tiles, Tile{ID: "weak-roles", Label: "Privileged roles without MFA or approval", Value: n(len(d.WeakRoles)), Warn: len(d.WeakRoles) > 0})
	if d.AlertsRead {
		tiles = append(tiles, Tile{ID: "active-alerts", Label: "Active PIM alerts", Value: n(len(d.Alerts)), Warn: len(d.Alerts) > 0})
	}
	return tiles
}

// RoleRow is one role in the per-role table.
type RoleRow struct {
	Name             string
	Eligible, Active []string
	Privileged       bool
}

// ByRole groups the assignments by role, roles by name.
func (d *Data) ByRole() []RoleRow {
	groups := d.group(func(a Assignment) string { return a.RoleName }, func(a Assignment) string { return a.PrincipalName + until(a.End) })
	out := make([]RoleRow, len(groups))
	for i, g := range groups {
		out[i] = RoleRow{Name: g.first.RoleName, Privileged: g.first.Privileged, Eligible: g.eligible, Active: g.active}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func until(end *time.Time) string {
	if end == nil {
		return ""
	}
	return " — until " + end.UTC().Format("2006-01-02")
}

// PrincipalRow is one principal in the per-principal table.
type PrincipalRow struct {
	Name, Type       string
	Eligible, Active []string
}

// ByPrincipal groups the assignments by principal, principals by name.
func (d *Data) ByPrincipal() []PrincipalRow {
	groups := d.group(func(a Assignment) string { return a.PrincipalID }, func(a Assignment) string { return a.RoleName + until(a.End) })
	out := make([]PrincipalRow, len(groups))
	for i, g := range groups {
		out[i] = PrincipalRow{Name: g.first.PrincipalName, Type: g.first.PrincipalType, Eligible: g.eligible, Active: g.active}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// assignmentGroup is the assignments sharing a key: the first of them
// (which names the group), and an entry for each, eligible and active apart.
type assignmentGroup struct {
	first            Assignment
	eligible, active []string
}

// group gathers the assignments by key, in the order keys first appear.
func (d *Data) group(key, entry func(Assignment) string) []*assignmentGroup {
	byKey := map[string]*assignmentGroup{}
	var out []*assignmentGroup
	for _, a := range d.Assignments {
		g := byKey[key(a)]
		if g == nil {
			g = &assignmentGroup{first: a}
			byKey[key(a)] = g
			out = append(out, g)
		}
		if a.Kind == "eligible" {
			g.eligible = append(g.eligible, entry(a))
		} else {
			g.active = append(g.active, entry(a))
		}
	}
	return out
}

// TimelinePoint is one activation drawn on the timeline.
type TimelinePoint struct {
	X, Y  int
	Title string
}

// Timeline places the last 30 days' activations on a 600×120 SVG.
func (d *Data) Timeline() []TimelinePoint {
	start := d.Generated.AddDate(0, 0, -30)
	rows := map[string]int{}
	var out []TimelinePoint
	for _, a := range d.Activations {
		row, ok := rows[a.RoleName]
		if !ok {
			row = len(rows) % 5
			rows[a.RoleName] = row
		}
		x := 20 + int(a.At.Sub(start).Hours()/(30*24)*560)
		out = append(out, TimelinePoint{X: x, Y: 20 + row*20, Title: a.At.UTC().Format("2006-01-02 15:04") + " " + a.PrincipalName + ": " + a.RoleName})
	}
	return out
}

// WriteHTML renders the dashboard: one self-contained page (no scripts,
// fonts or images from elsewhere). refresh > 0 reloads it that often (the
// emulator's live dashboard).
func (d *Data) WriteHTML(w io.Writer, refresh int) error {
	return page.Execute(w, struct {
		*Data
		Refresh int
	}{d, refresh})
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"date": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"initiator": func(a pimclient.DirectoryAudit) string {
		if u := a.InitiatedBy.User; u != nil {
			return u.DisplayName
		}
		if app := a.InitiatedBy.App; app != nil {
			return app.DisplayName
		}
		return ""
	},
	"targets": func(a pimclient.DirectoryAudit) string {
		var names []string
		for _, t := range a.TargetResources {
			names = append(names, t.DisplayName)
		}
		return strings.Join(names, ", ")
	},
	"join":  func(s []string) string { return strings.Join(s, "; ") },
	"deref": func(b *bool) bool { return b != nil && *b },
}).Parse(pageTemplate))

const pageTemplate = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
{{if .Refresh}}<meta http-equiv="refresh" content="{{.Refresh}}">{{end}}
<title>Privileged access — {{.Endpoint}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1b1b1b;background:#fafafa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.sub{color:#555;font-size:13px}
.tiles{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}
.tile{background:#fff;border:1px solid #ddd;border-radius:8px;padding:12px 16px;min-width:170px}
.tile .value{font-size:26px;font-weight:600;display:block}
.tile .label{font-size:13px;color:#444}
.tile.warn{border-color:#d13438;background:#fdf3f4}
table{border-collapse:collapse;background:#fff;width:100%;font-size:13px}
th,td{border:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0}
.priv{font-weight:600;color:#a4262c}
.note{color:#8a6d00;font-size:13px}
svg{background:#fff;border:1px solid #ddd}
</style></head><body>
<h1>Privileged access</h1>
<div class="sub">{{.Endpoint}} — {{date .Generated}}</div>
{{range .Notes}}<p class="note">{{.}}</p>{{end}}
<div class="tiles">
{{range .Tiles}}<div class="tile{{if .Warn}} warn{{end}}" data-tile="{{.ID}}"><span class="value">{{.Value}}</span><span class="label">{{.Label}}</span></div>
{{end}}</div>
{{if .WeakRoles}}<h2>Privileged roles without MFA or approval on activation</h2><ul id="weak-roles">{{range .WeakRoles}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Alerts}}<h2>Active PIM alerts</h2><ul id="alerts">{{range .Alerts}}<li>{{.Name}} ({{.Severity}}, {{.Incidents}} incidents)</li>{{end}}</ul>{{end}}
<h2>By role</h2>
<table id="by-role"><tr><th>Role</th><th>Eligible</th><th>Active</th></tr>
{{range .ByRole}}<tr><td{{if .Privileged}} class="priv"{{end}}>{{.Name}}</td><td>{{join .Eligible}}</td><td>{{join .Active}}</td></tr>
{{end}}</table>
<h2>By principal</h2>
<table id="by-principal"><tr><th>Principal</th><th>Type</th><th>Eligible for</th><th>Active in</th></tr>
{{range .ByPrincipal}}<tr><td>{{.Name}}</td><td>{{.Type}}</td><td>{{join .Eligible}}</td><td>{{join .Active}}</td></tr>
{{end}}</table>
<h2>Assignments</h2>
<table id="assignments"><tr><th>Principal</th><th>Role</th><th>Kind</th><th>Scope</th><th>Start</th><th>End</th>{{if .StateGiven}}<th>Terraform</th>{{end}}</tr>
{{range .Assignments}}<tr><td>{{.PrincipalName}}</td><td>{{.RoleName}}</td><td>{{.Kind}}</td><td>{{.Scope}}</td><td>{{with .Start}}{{date .}}{{end}}</td><td>{{with .End}}{{date .}}{{else}}permanent{{end}}</td>{{if $.StateGiven}}<td>{{if .Managed}}{{if deref .Managed}}managed{{else}}not managed{{end}}{{end}}</td>{{end}}</tr>
{{end}}</table>
<h2>Activations, last 30 days</h2>
<svg id="timeline" width="600" height="120" viewBox="0 0 600 120" role="img" aria-label="Activations over the last 30 days">
<line x1="20" y1="110" x2="580" y2="110" stroke="#999"/>
<text x="20" y="118" font-size="9">30 days ago</text><text x="545" y="118" font-size="9">now</text>
{{range .Timeline}}<circle cx="{{.X}}" cy="{{.Y}}" r="5" fill="#0078d4"><title>{{.Title}}</title></circle>
{{end}}</svg>
{{with .LeastPrivilege}}<h2>Least privilege for what was called</h2>
<p>Grant the CI identity these application permissions: <strong id="least-permissions">{{join .Permissions}}</strong>. A signed-in user needs one of the roles listed per operation.</p>
<table id="permissions"><tr><th>Operation</th><th>Least application permission</th><th>Directory roles</th></tr>
{{range .Operations}}<tr><td>{{.Operation}}</td><td>{{.Permission}}</td><td>{{join .Roles}}</td></tr>
{{end}}</table>{{end}}
<h2>Recent audit log</h2>
<table id="audit"><tr><th>When</th><th>Activity</th><th>By</th><th>Target</th><th>Reason</th></tr>
{{range .Audit}}<tr><td>{{date .ActivityDateTime}}</td><td>{{.ActivityDisplayName}}</td><td>{{initiator .}}</td><td>{{targets .}}</td><td>{{.ResultReason}}</td></tr>
{{end}}</table>
</body></html>
`
