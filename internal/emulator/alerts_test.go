package emulator_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const alertsPath = "/identityGovernance/roleManagementAlerts/"

// beta is a beta URL of the harness's emulator.
func (h *harness) beta(path string) string {
	return strings.TrimSuffix(h.url, "/v1.0") + "/beta" + alertsPath + path
}

const tenantScope = "?$filter=scopeId%20eq%20'/'%20and%20scopeType%20eq%20'DirectoryRole'"

func alertID(h *harness, name string) string {
	_, m := h.do("GET", h.beta("alerts"+tenantScope+"&$top=10"), token, nil)
	for _, a := range m["value"].([]any) {
		if id := a.(map[string]any)["id"].(string); strings.HasSuffix(id, "_"+name) {
			return id
		}
	}
	h.t.Fatalf("no alert %s in %v", name, m)
	return ""
}

// refresh rescans one alert and follows the operation to its end.
func (h *harness) refreshAlert(id string) map[string]any {
	h.t.Helper()
	req, _ := http.NewRequestWithContext(h.t.Context(), "POST", h.beta("alerts/"+id+"/refresh"), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	_ = resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 202 || !strings.HasSuffix(loc, alertsPath+"operations/refresh:"+id) {
		h.t.Fatalf("refresh: %d, Location %q", resp.StatusCode, loc)
	}
	if s, op := h.do("GET", loc, token, nil); s != 200 || op["status"] != "succeeded" {
		h.t.Fatalf("operation: %d %v", s, op)
	}
	_, a := h.do("GET", h.beta("alerts/"+id+"?$expand=*"), token, nil)
	return a
}

func incidents(a map[string]any) []map[string]any {
	var out []map[string]any
	for _, i := range a["alertIncidents"].([]any) {
		out = append(out, i.(map[string]any))
	}
	return out
}

// The seven alerts, their definitions and configurations, under the
// mandatory tenant-scope filter; ids shared by the three.
func TestAlertsCatalogue(t *testing.T) {
	h := newHarness(t, "")
	for _, set := range []string{"alerts", "alertDefinitions", "alertConfigurations"} {
		if s, _ := h.do("GET", h.beta(set), token, nil); s != 400 {
			t.Errorf("%s without the scope filter: %d, want 400", set, s)
		}
		s, m := h.do("GET", h.beta(set+tenantScope+"&$top=10"), token, nil)
		if s != 200 || len(m["value"].([]any)) != 7 {
			t.Fatalf("%s: %d %v", set, s, m)
		}
	}
	if s, _ := h.do("GET", h.url+alertsPath+"alerts"+tenantScope, token, nil); s != 400 {
		t.Errorf("alerts on v1.0: %d, want 400 (beta only)", s)
	}
	id := alertID(h, "TooManyGlobalAdminsAssignedToTenantAlert")
	_, cfg := h.do("GET", h.beta("alertConfigurations/"+id+"?$expand=alertDefinition"), token, nil)
	if cfg["@odata.type"] != "#microsoft.graph.tooManyGlobalAdminsAssignedToTenantAlertConfiguration" || cfg["globalAdminCountThreshold"] != 3.0 ||
		cfg["alertDefinition"].(map[string]any)["severityLevel"] != "low" {
		t.Errorf("configuration %v", cfg)
	}
	_, a := h.do("GET", h.beta("alerts/"+id), token, nil)
	if a["lastModifiedDateTime"] != "0001-01-01T08:00:00Z" || a["isActive"] != false {
		t.Errorf("a never-modified alert: %v", a)
	}
	if s, _ := h.do("GET", h.beta("alerts"+tenantScope), "alice-token", nil); s != 403 {
		t.Errorf("a user without a reader role: %d, want 403", s)
	}
	if s, _ := h.do("GET", h.beta("alerts"+tenantScope), "app-token", nil); s != 200 {
		t.Errorf("the seeded app (RoleManagementAlert.ReadWrite.Directory): %d, want 200", s)
	}
	clock := emulator.NewFakeClock(epoch)
	srv, err := emulator.New(emulator.Options{Clock: clock, Tokens: map[string]emulator.Identity{
		"reader-app": {PrincipalID: emulator.AppServicePrincipalID, App: true, Permissions: []string{"RoleManagementAlert.Read.Directory"}},
		"other-app":  {PrincipalID: emulator.AppServicePrincipalID, App: true, Permissions: []string{"RoleManagement.ReadWrite.Directory"}}}})
	if err != nil {
		t.Fatal(err)
	}
	apps := serve(t, srv, clock)
	if s, _ := apps.do("GET", apps.beta("alerts"+tenantScope), "other-app", nil); s != 403 {
		t.Errorf("an app without RoleManagementAlert permissions: %d, want 403", s)
	}
	if s, _ := apps.do("GET", apps.beta("alerts"+tenantScope), "reader-app", nil); s != 200 {
		t.Errorf("RoleManagementAlert.Read.Directory: %d, want 200", s)
	}
	if s, _ := apps.do("POST", apps.beta("alerts/refresh"), "reader-app", map[string]string{"scopeId": "/", "scopeType": "DirectoryRole"}); s != 403 {
		t.Errorf("a refresh with read permission only: %d, want 403", s)
	}
}

// The Global Administrator alert fires only past both thresholds (eligible
// administrators count), names each administrator, clears when the
// threshold rises, and its remediation removes the eligibility through
// PIM with an audit entry that names the alert.
func TestTooManyGlobalAdminsAlert(t *testing.T) {
	h := newHarness(t, "")
	id := alertID(h, "TooManyGlobalAdminsAssignedToTenantAlert")
	cfgPath := h.beta("alertConfigurations/" + id)
	if s, m := h.do("PATCH", cfgPath, token, map[string]any{"globalAdminCountThreshold": 2}); s != 400 || !strings.Contains(m["error"].(map[string]any)["message"].(string), "@odata.type") {
		t.Fatalf("PATCH without @odata.type: %d %v", s, m)
	}
	typ := "#microsoft.graph.tooManyGlobalAdminsAssignedToTenantAlertConfiguration"
	for _, bad := range []map[string]any{{"globalAdminCountThreshold": 1}, {"percentageOfGlobalAdminsOutOfRolesThreshold": 101}, {"duration": "P5D"}} {
		bad["@odata.type"] = typ
		if s, _ := h.do("PATCH", cfgPath, token, bad); s != 400 {
			t.Errorf("PATCH %v: %d, want 400", bad, s)
		}
	}
	if s, _ := h.do("PATCH", cfgPath, token, map[string]any{"@odata.type": typ, "isEnabled": true, "globalAdminCountThreshold": 2,
		"percentageOfGlobalAdminsOutOfRolesThreshold": 10}); s != 204 {
		t.Fatalf("PATCH: %d", s)
	}
	if a := h.refreshAlert(id); a["incidentCount"] != 0.0 {
		t.Fatalf("one Global Administrator raised the alert: %v", a)
	}
	for _, p := range []string{emulator.AliceID, emulator.BobID} {
		if s, m := h.do("POST", eligReqs, token, assign(p, emulator.RoleGlobalAdministrator, nil)); s != 201 {
			t.Fatalf("eligibility: %d %v", s, m)
		}
	}
	a := h.refreshAlert(id)
	inc := incidents(a)
	if a["isActive"] != true || len(inc) != 3 {
		t.Fatalf("three Global Administrators, threshold 2: %v", a)
	}
	names := map[string]bool{}
	for _, i := range inc {
		names[i["assigneeDisplayName"].(string)] = true
	}
	if !names["Alice Analyst"] || !names["Bob Builder"] {
		t.Errorf("incidents do not name Alice: %v", inc)
	}
	if s, _ := h.do("POST", h.beta("alerts/"+id+"/alertIncidents/"+emulator.BobID+"/remediate"), token, nil); s != 200 {
		t.Fatalf("remediate: %d", s)
	}
	if _, m := h.do("GET", eligScheds+"?$filter=principalId%20eq%20'"+emulator.BobID+"'", token, nil); len(m["value"].([]any)) != 0 {
		t.Errorf("Bob is still eligible after the remediation: %v", m)
	}
	_, log := h.do("GET", "/auditLogs/directoryAudits?$top=1", token, nil)
	if e := log["value"].([]any)[0].(map[string]any); !strings.Contains(e["resultReason"].(string), "There are too many global administrators") {
		t.Errorf("the audit entry of the remediation does not name the alert: %v", e)
	}
	h.do("PATCH", cfgPath, token, map[string]any{"@odata.type": typ, "globalAdminCountThreshold": 10})
	if a := h.refreshAlert(id); a["incidentCount"] != 0.0 || a["isActive"] != false {
		t.Errorf("raising the threshold did not clear the alert: %v", a)
	}
}

// Dismissing stops scans until a refresh, which reactivates the alert.
func TestDismissedAlertIsReactivatedByRefresh(t *testing.T) {
	h := newHarness(t, "")
	id := alertID(h, "RolesAssignedOutsidePimAlert")
	if s, m := h.do("POST", "/roleManagement/directory/roleAssignments", token, map[string]any{"principalId": emulator.CarolID,
		"roleDefinitionId": emulator.RoleUserAdministrator, "directoryScopeId": "/"}); s != 201 {
		t.Fatalf("direct assignment: %d %v", s, m)
	}
	a := h.refreshAlert(id)
	if inc := incidents(a); len(inc) != 1 || inc[0]["roleDisplayName"] != "User Administrator" || inc[0]["assignmentCreatedDateTime"] == nil {
		t.Fatalf("a direct assignment: %v", a)
	}
	if s, _ := h.do("PATCH", h.beta("alerts/"+id), token, map[string]any{"isActive": false}); s != 204 {
		t.Fatal("dismiss")
	}
	h.clock.Advance(5 * time.Hour) // past a periodic scan
	if _, a := h.do("GET", h.beta("alerts/"+id), token, nil); a["isActive"] != false {
		t.Errorf("a dismissed alert came back without a refresh: %v", a)
	}
	if a := h.refreshAlert(id); a["isActive"] != true {
		t.Errorf("refresh did not reactivate: %v", a)
	}
	h.clock.Advance(31 * 24 * time.Hour)
	if _, a := h.do("GET", h.beta("alerts/"+id), token, nil); a["incidentCount"] != 0.0 {
		t.Errorf("the periodic scan still counts an assignment made 31 days ago: %v", a)
	}
}

// Roles whose activation needs no MFA are found from their policy, and
// remediation requires MFA again.
func TestNoMfaAlertFollowsThePolicy(t *testing.T) {
	h := newHarness(t, "")
	p := emulator.DefaultPolicy()
	p.Rule("Enablement_EndUser_Assignment").EnabledRules = []string{"Justification"}
	h.srv.SetPolicy(emulator.RoleUserAdministrator, p)
	id := alertID(h, "NoMfaOnRoleActivationAlert")
	inc := incidents(h.refreshAlert(id))
	if len(inc) != 1 || inc[0]["roleDisplayName"] != "User Administrator" {
		t.Fatalf("incidents %v", inc)
	}
	if s, _ := h.do("POST", h.beta("alerts/"+id+"/alertIncidents/"+emulator.RoleUserAdministrator+"/remediate"), token, nil); s != 200 {
		t.Fatal("remediate")
	}
	if inc := incidents(h.refreshAlert(id)); len(inc) != 0 {
		t.Errorf("MFA still not required after remediation: %v", inc)
	}
}

// Stale sign-ins come from the seed's last sign-in times, an unused
// eligibility from the clock, the license from the seed.
func TestAlertsFromTheSeed(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "tenant.yaml")
	if err := os.WriteFile(seed, []byte(`tenant:
  domain: contoso.example
  license: P1
users:
  - user_principal_name: stale@contoso.example
    last_sign_in: "2029-10-01T00:00:00Z"
  - user_principal_name: fresh@contoso.example
    last_sign_in: "2029-12-31T00:00:00Z"
assignments:
  - {type: eligible, principal: stale@contoso.example, role: Security Administrator}
  - {type: eligible, principal: fresh@contoso.example, role: Security Administrator}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := emulator.LoadSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	clock := emulator.NewFakeClock(epoch)
	srv, err := emulator.New(emulator.Options{Clock: clock, Seed: s})
	if err != nil {
		t.Fatal(err)
	}
	h := serve(t, srv, clock)
	tok := srv.AdminToken()
	get := func(name string) map[string]any {
		_, m := h.do("GET", h.beta("alerts"+tenantScope+"&$top=10&$expand=alertIncidents"), tok, nil)
		for _, a := range m["value"].([]any) {
			if strings.HasSuffix(a.(map[string]any)["id"].(string), name) {
				return a.(map[string]any)
			}
		}
		return nil
	}
	if inc := incidents(get("_StaleSignInAlert")); len(inc) != 1 || inc[0]["assigneeUserPrincipalName"] != "stale@contoso.example" {
		t.Errorf("stale sign-ins: %v", inc)
	}
	if inc := incidents(get("_InvalidLicenseAlert")); len(inc) != 1 || inc[0]["tenantLicenseStatus"] != "P1" {
		t.Errorf("license: %v", inc)
	}
	if inc := incidents(get("_RedundantAssignmentAlert")); len(inc) != 0 {
		t.Errorf("new eligibilities counted as unused: %v", inc)
	}
	clock.Advance(31 * 24 * time.Hour)
	if inc := incidents(get("_RedundantAssignmentAlert")); len(inc) != 2 || inc[0]["lastActivationDateTime"] != nil {
		t.Errorf("eligibilities not activated in 30 days: %v", inc)
	}
}

// serve is a harness on a server built by the test.
func serve(t *testing.T, srv *emulator.Server, clock *emulator.FakeClock) *harness {
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &harness{t: t, srv: srv, clock: clock, url: hs.URL + "/v1.0"}
}

// Activating the same privileged role again and again within the window
// raises the sequential activations alert, naming the principal, the role
// and how many times.
func TestSequentialActivationsAlert(t *testing.T) {
	h := newHarness(t, "")
	id := alertID(h, "SequentialActivationRenewalsAlert")
	if s, _ := h.do("PATCH", h.beta("alertConfigurations/"+id), token, map[string]any{"@odata.type": "#microsoft.graph.sequentialActivationRenewalsAlertConfiguration",
		"sequentialActivationCounterThreshold": 3, "timeIntervalBetweenActivations": "PT2H"}); s != 204 {
		t.Fatal("PATCH configuration")
	}
	if s, m := h.do("POST", eligReqs, token, assign(emulator.AliceID, helpdesk, nil)); s != 201 {
		t.Fatalf("eligibility: %d %v", s, m)
	}
	short := map[string]any{"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "AfterDuration", "duration": "PT30M"}}}
	for i := range 3 {
		if s, m := activate(h, "alice-mfa", emulator.AliceID, short); s != 201 {
			t.Fatalf("activation %d: %d %v", i, s, m)
		}
		h.clock.Advance(31 * time.Minute)
	}
	inc := incidents(h.refreshAlert(id))
	if len(inc) != 1 || inc[0]["assigneeDisplayName"] != "Alice Analyst" || inc[0]["roleDisplayName"] != "Helpdesk Administrator" || inc[0]["activationCount"] != 3.0 {
		t.Fatalf("incidents %v", inc)
	}
	h.do("PATCH", h.beta("alertConfigurations/"+id), token, map[string]any{"@odata.type": "#microsoft.graph.sequentialActivationRenewalsAlertConfiguration",
		"timeIntervalBetweenActivations": "PT30M"})
	if inc := incidents(h.refreshAlert(id)); len(inc) != 0 {
		t.Errorf("activations 31 minutes apart counted within a 30-minute window: %v", inc)
	}
}

// An alert without a mitigation cannot be remediated; a direct role
// assignment is removed with DELETE.
func TestRemediationAndDirectAssignments(t *testing.T) {
	h := newHarness(t, "")
	id := alertID(h, "SequentialActivationRenewalsAlert")
	if s, _ := h.do("POST", h.beta("alerts/"+id+"/alertIncidents/x/remediate"), token, nil); s != 400 {
		t.Errorf("remediating an alert without a mitigation: %d, want 400", s)
	}
	s, made := h.do("POST", "/roleManagement/directory/roleAssignments", token, map[string]any{"principalId": emulator.DaveID,
		"roleDefinitionId": emulator.RoleUserAdministrator, "directoryScopeId": "/"})
	if s != 201 {
		t.Fatalf("direct assignment: %d %v", s, made)
	}
	if s, _ := h.do("POST", "/roleManagement/directory/roleAssignments", token, map[string]any{"principalId": emulator.DaveID,
		"roleDefinitionId": emulator.RoleUserAdministrator, "directoryScopeId": "/"}); s != 400 {
		t.Errorf("the same direct assignment twice: %d, want 400", s)
	}
	if s, _ := h.do("DELETE", "/roleManagement/directory/roleAssignments/"+made["id"].(string), token, nil); s != 204 {
		t.Errorf("DELETE: %d", s)
	}
	if s, _ := h.do("GET", "/roleManagement/directory/roleAssignments/"+made["id"].(string), token, nil); s != 404 {
		t.Errorf("after DELETE: %d", s)
	}
}
