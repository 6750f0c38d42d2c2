package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/report"
)

const token = "report-admin"

var epoch = time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)

// tenant is an emulator with a known set of assignments: Alice eligible
// Global Administrator for 7 days, Bob eligible Global Reader for good,
// Carol active User Administrator for good, and the seed's admin (active
// Global Administrator and Privileged Role Administrator for good).
func tenant(t *testing.T, seed *emulator.Seed) (*httptest.Server, *pimclient.Client, *emulator.FakeClock) {
	t.Helper()
	clock := emulator.NewFakeClock(epoch)
	opts := emulator.Options{Clock: clock, ControlToken: "ctl", Tokens: map[string]emulator.Identity{token: {PrincipalID: emulator.AdminID, MFA: true}}}
	if seed != nil {
		opts.Seed, opts.Tokens, opts.AdminToken = seed, nil, token
	}
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	c, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken(token), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return hs, c, clock
}

func grant(t *testing.T, c *pimclient.Client, k pimclient.Kind, principal, role, duration string) {
	t.Helper()
	exp := &pimclient.Expiration{Type: "noExpiration"}
	if duration != "" {
		exp = &pimclient.Expiration{Type: "afterDuration", Duration: duration}
	}
	if _, err := c.Schedules(k).CreateRequest(context.Background(), &pimclient.ScheduleRequest{Action: pimclient.ActionAdminAssign,
		PrincipalID: principal, RoleDefinitionID: role, DirectoryScopeID: "/", Justification: "report test",
		ScheduleInfo: &pimclient.ScheduleInfo{Expiration: exp}}); err != nil {
		t.Fatal(err)
	}
}

func tiles(d *report.Data) map[string]string {
	out := map[string]string{}
	for _, t := range d.Tiles() {
		out[t.ID] = t.Value
	}
	return out
}

// The numbers at the top are the tenant's, as Graph gives them.
func TestTilesCountTheTenant(t *testing.T) {
	_, c, _ := tenant(t, nil)
	grant(t, c, pimclient.Eligibility, emulator.AliceID, emulator.RoleGlobalAdministrator, "P7D")
	grant(t, c, pimclient.Eligibility, emulator.BobID, emulator.RoleGlobalReader, "")
	grant(t, c, pimclient.Assignment, emulator.CarolID, emulator.RoleUserAdministrator, "")
	state := []byte(`{"version":4,"resources":[{"mode":"managed","type":"pim_eligible_assignment","instances":[{"attributes":{
		"principal_id":"` + emulator.AliceID + `","role_definition_id":"` + emulator.RoleGlobalAdministrator + `","directory_scope_id":"/"}}]}]}`)
	managed, err := report.ManagedFromState(state)
	if err != nil {
		t.Fatal(err)
	}
	d, err := report.Collect(context.Background(), c, "test", report.Options{Managed: managed})
	if err != nil {
		t.Fatal(err)
	}
	got := tiles(d)
	// The default seed adds the admin (GA + PRA, active) and the app (PRA, active).
	want := map[string]string{"privileged-roles": "3", "eligible-active": "2 / 4", "permanent-timebound": "5 / 1", "standing-global-admins": "1",
		"expiring-14d": "1", "unmanaged": "5", "pending-approvals": "0", "activations-30d": "0"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("tile %s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
	var html bytes.Buffer
	if err := d.WriteHTML(&html, 0); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Alice Analyst (alice@contoso.example)", `data-tile="standing-global-admins"`, "not managed", `id="by-principal"`} {
		if !strings.Contains(html.String(), s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	for _, s := range []string{"<script", "http://", "https://"} {
		if strings.Contains(strings.ToLower(html.String()), s) {
			t.Errorf("the page is not self-contained: it has %q", s)
		}
	}
}

// Names are escaped; a principal that cannot be named is shown by id.
func TestHostileNamesAreEscaped(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tenant.yaml")
	if err := os.WriteFile(path, []byte(`tenant: { domain: contoso.example }
users:
  - { user_principal_name: evil@contoso.example, display_name: "<script>alert(1)</script>" }
assignments:
  - { type: eligible, principal: evil@contoso.example, role: Global Reader }
`), 0o600); err != nil {
		t.Fatal(err)
	}
	seed, err := emulator.LoadSeed(path)
	if err != nil {
		t.Fatal(err)
	}
	_, c, _ := tenant(t, seed)
	d, err := report.Collect(context.Background(), c, "test", report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var html bytes.Buffer
	_ = d.WriteHTML(&html, 0)
	if strings.Contains(html.String(), "<script>alert(1)") || !strings.Contains(html.String(), "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("a display name with HTML was not escaped")
	}
}

// The audit history downloads as CSV for a period, a page at a time.
func TestAuditHistoryCSV(t *testing.T) {
	_, c, clock := tenant(t, nil)
	grant(t, c, pimclient.Eligibility, emulator.AliceID, emulator.RoleGlobalReader, "")
	clock.Advance(48 * time.Hour)
	grant(t, c, pimclient.Eligibility, emulator.BobID, emulator.RoleGlobalReader, "")
	var out bytes.Buffer
	if err := report.WriteAudit(context.Background(), c, &out, "csv", epoch.Add(24*time.Hour), clock.Now()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][0] != "time" || !strings.Contains(rows[1][7], "Bob") {
		t.Fatalf("rows %v, want the header and Bob's eligibility only", rows)
	}
}

// A state file that is not Terraform state is a clear error; both state
// formats name what Terraform manages.
func TestStateFiles(t *testing.T) {
	if _, err := report.ManagedFromState([]byte(`{"hello":"world"}`)); err == nil || !strings.Contains(err.Error(), "not a Terraform state file") {
		t.Errorf("garbage: %v", err)
	}
	show := []byte(`{"format_version":"1.0","values":{"root_module":{"child_modules":[{"resources":[{"mode":"managed","type":"pim_active_assignment",
		"values":{"id":"ABC","principal_id":"P","role_definition_id":"R","directory_scope_id":"/"}}]}]}}}`)
	m, err := report.ManagedFromState(show)
	if err != nil || !m["abc"] || !m[report.Key("p", "r", "/")] {
		t.Errorf("terraform show -json: %v %v", m, err)
	}
}

// With -out, a report that cannot be read writes nothing.
func TestFailedReportWritesNothing(t *testing.T) {
	hs, _, _ := tenant(t, nil)
	bad, _ := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken("wrong"), RetryMax: 1})
	out := filepath.Join(t.TempDir(), "report.html")
	err := report.Run(context.Background(), bad, "test", &report.Config{Format: "html", Out: out}, nil)
	if err == nil {
		t.Fatal("a report with a wrong token succeeded")
	}
	if _, statErr := os.Stat(out); !os.IsNotExist(statErr) {
		t.Errorf("a failed report left %s behind", out)
	}
}

// The emulator serves the same dashboard live at its root.
func TestEmulatorServesTheDashboard(t *testing.T) {
	hs, c, _ := tenant(t, nil)
	grant(t, c, pimclient.Eligibility, emulator.AliceID, emulator.RoleGlobalAdministrator, "")
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, hs.URL+"/", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(body.String(), `http-equiv="refresh"`) || !strings.Contains(body.String(), "Alice Analyst") ||
		!strings.Contains(body.String(), "RoleEligibilitySchedule.ReadWrite.Directory") {
		t.Fatalf("GET /: %d %s", resp.StatusCode, body.String()[:min(300, body.Len())])
	}
}

// Against the emulator, with its control token, the report lists the least
// privilege the calls so far needed; a wrong token is an error, not a
// report without it.
func TestReportOfTheEmulatorHasLeastPrivilege(t *testing.T) {
	hs, c, _ := tenant(t, nil)
	grant(t, c, pimclient.Eligibility, emulator.AliceID, emulator.RoleGlobalReader, "")
	var page bytes.Buffer
	cfg := &report.Config{Format: "html", ControlToken: "ctl"}
	if err := report.Run(context.Background(), c, hs.URL+"/v1.0", cfg, &page); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), `id="least-permissions"`) || !strings.Contains(page.String(), "RoleEligibilitySchedule.ReadWrite.Directory") {
		t.Errorf("the report lacks the least privilege section")
	}
	cfg.ControlToken = "wrong"
	if err := report.Run(context.Background(), c, hs.URL+"/v1.0", cfg, &page); err == nil || !strings.Contains(err.Error(), "control token") {
		t.Errorf("a wrong control token: %v", err)
	}
}

// The inventory names every assignment and says whether Terraform manages
// it; the audit history in JSON is one object per line with the CSV's
// columns.
func TestInventoryAndJSONAudit(t *testing.T) {
	_, c, clock := tenant(t, nil)
	grant(t, c, pimclient.Eligibility, emulator.AliceID, emulator.RoleGlobalReader, "P30D")
	managed := map[string]bool{report.Key(emulator.AliceID, emulator.RoleGlobalReader, "/"): true}
	d, err := report.Collect(context.Background(), c, "test", report.Options{Managed: managed})
	if err != nil {
		t.Fatal(err)
	}
	var inv bytes.Buffer
	if err := d.WriteInventory(&inv, "csv"); err != nil {
		t.Fatal(err)
	}
	rows, _ := csv.NewReader(&inv).ReadAll()
	if strings.Join(rows[0], ",") != strings.Join(report.InventoryColumns, ",") {
		t.Fatalf("header %v", rows[0])
	}
	found := false
	for _, r := range rows[1:] {
		if r[0] == "Alice Analyst (alice@contoso.example)" {
			found = r[3] == "Global Reader" && r[6] == "eligible" && r[8] != "" && r[9] == "false" && r[11] == "true"
		} else if r[11] != "false" {
			t.Errorf("an assignment not in the state counted as managed: %v", r)
		}
	}
	if !found {
		t.Errorf("Alice's managed, time-bound eligibility is not in the inventory: %v", rows)
	}
	var audit bytes.Buffer
	if err := report.WriteAudit(context.Background(), c, &audit, "json", epoch.Add(-time.Hour), clock.Now()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(audit.String()), "\n")
	var first map[string]string
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || len(first) != len(report.AuditColumns) || first["reason"] != "report test" {
		t.Errorf("JSON audit line %q: %v", lines[0], err)
	}
}
