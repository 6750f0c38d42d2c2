package emulator_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// seeded starts an emulator from the shipped example seed and returns a
// harness acting as its admin (the terraform-ci service principal).
func seeded(t *testing.T) *harness {
	t.Helper()
	seed, err := emulator.LoadSeed(filepath.Join("..", "..", "examples", "emulator", "tenant.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(epoch), Seed: seed, AdminToken: token, ControlToken: "ctl", PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &harness{t: t, srv: srv, url: hs.URL + "/v1.0"}
}

func TestExampleSeed(t *testing.T) {
	h := seeded(t)
	// The admin is the app: app-only, with the permissions the seed gives it.
	if s, m := h.do("GET", eligScheds+"?$filter="+url.QueryEscape("memberType eq 'Direct'"), token, nil); s != 200 || len(m["value"].([]any))+pagesLeft(h, m) != 2 {
		t.Fatalf("eligibilities of the seed: %d %v", s, m)
	}
	_, users := h.do("GET", "/users?$filter="+url.QueryEscape("userPrincipalName eq 'kim@fabrikam.example'"), token, nil)
	kim := users["value"].([]any)[0].(map[string]any)
	_, again := h.do("GET", "/users/kim@fabrikam.example", token, nil)
	if again["id"] != kim["id"] {
		t.Errorf("user by UPN: %v", again)
	}
	// Ids are derived from names: the same seed gives the same ids anywhere.
	if h2 := seeded(t); h2 != nil {
		_, other := h2.do("GET", "/users/kim@fabrikam.example", token, nil)
		if other["id"] != kim["id"] {
			t.Errorf("ids differ between two starts of one seed: %v and %v", other["id"], kim["id"])
		}
	}
	// The custom role is a role definition that is not built in.
	_, roles := h.do("GET", "/roleManagement/directory/roleDefinitions?$filter="+url.QueryEscape("displayName eq 'Helpdesk Lite'"), token, nil)
	role := roles["value"].([]any)[0].(map[string]any)
	if role["isBuiltIn"] != false || !strings.Contains(jsonString(role["rolePermissions"]), "password/update") {
		t.Errorf("custom role: %v", role)
	}
	// The group's eligibility is scoped to the administrative unit by name.
	_, scoped := h.do("GET", eligScheds+"?$filter="+url.QueryEscape("startswith(directoryScopeId,'/administrativeUnits/')"), token, nil)
	if len(scoped["value"].([]any))+pagesLeft(h, scoped) != 3 { // the group's and its two members' inherited copies
		t.Errorf("AU-scoped eligibility: %v", scoped)
	}
	// Assignments to what the seed names work; what it does not name fails as Graph fails.
	if s, m := h.do("POST", eligReqs, token, map[string]any{"action": "adminAssign", "principalId": kim["id"],
		"roleDefinitionId": role["id"], "directoryScopeId": "/", "justification": "x"}); s != 201 {
		t.Errorf("eligibility for a custom role: %d %s", s, errCode(m))
	}
	if s, m := h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil)); s != 400 || !strings.HasPrefix(errCode(m), "SubjectNotFound") {
		t.Errorf("a principal outside the seed: %d %s", s, errCode(m))
	}
	// The Azure estate: the management group above the subscription, the
	// custom role where it is assignable, Kim's eligibility on rg-web, and
	// the admin's User Access Administrator (the app's token works on ARM).
	web := "/subscriptions/7d1c0000-0000-4000-8000-000000000001/resourceGroups/rg-web"
	_, kimsElig := h.armDo("GET", web+"/providers/Microsoft.Authorization/roleEligibilitySchedules?api-version=2020-10-01", token, nil)
	if len(names(kimsElig)) != 1 {
		t.Errorf("Kim's eligibility on rg-web: %v", kimsElig)
	}
	_, custom := h.armDo("GET", web+"/providers/Microsoft.Authorization/roleDefinitions?api-version=2022-04-01&$filter="+url.QueryEscape("roleName eq 'VM Operator'"), token, nil)
	if v, _ := custom["value"].([]any); len(v) != 1 || v[0].(map[string]any)["properties"].(map[string]any)["type"] != "CustomRole" {
		t.Errorf("the custom Azure role at rg-web: %v", custom)
	}
	if s, mg := h.armDo("GET", "/providers/Microsoft.Management/managementGroups/fabrikam-platform?api-version=2023-04-01", token, nil); s != 200 {
		t.Errorf("the management group above the subscription: %d %v", s, mg)
	}
}

func TestSeedErrorsNameEntryAndField(t *testing.T) {
	cases := map[string]string{
		"users:\n  - user_principal_name: nobody\n":                                                                               "users[0].user_principal_name",
		"users:\n  - {user_principal_name: a@x.example, id: not-a-guid}\n":                                                        "users[0].id",
		"groups:\n  - {display_name: G, members: [ghost@x.example]}\n":                                                            "groups[0].members[0]",
		"groups:\n  - {display_name: G, role_assignable: true, membership_rule: x}\n":                                             "groups[0]",
		"assignments:\n  - {type: sometimes, principal: admin@x.example, role: Global Reader}\n":                                  "assignments[0].type",
		"assignments:\n  - {type: eligible, principal: admin@x.example, role: No Such Role}\n":                                    "assignments[0].role",
		"assignments:\n  - {type: eligible, principal: admin@x.example, role: Global Reader, scope: /administrativeUnits/Mars}\n": "assignments[0].scope",
		"assignments:\n  - {type: eligible, principal: admin@x.example, role: Global Reader, end: tomorrow}\n":                    "assignments[0].end",
		"service_principals:\n  - {display_name: ci}\nassignments:\n  - {type: eligible, principal: ci, role: Global Reader}\n":   "service principals can only hold active",
		"admin: ghost@x.example\n": "admin:",
		"userz: []\n":              "field userz not found",
		"role_definitions:\n  - {display_name: Global Reader}\n":                                                                                                      "role_definitions[0].display_name",
		"azure:\n  subscriptions:\n    - {id: prod}\n":                                                                                                                "azure.subscriptions[0].id",
		"azure:\n  subscriptions:\n    - {id: 7d1c0000-0000-4000-8000-000000000001, management_group: nope}\n":                                                        "azure.subscriptions[0].management_group",
		"azure:\n  assignments:\n    - {type: eligible, principal: admin@x.example, role: Contributor, scope: /subscriptions/7d1c0000-0000-4000-8000-000000000001}\n": "azure.assignments[0].scope",
		"azure:\n  subscriptions:\n    - {id: 7d1c0000-0000-4000-8000-000000000001}\n  assignments:\n    - {type: eligible, principal: admin@x.example, role: Janitor, scope: /subscriptions/7d1c0000-0000-4000-8000-000000000001}\n": "azure.assignments[0].role",
		"azure:\n  role_definitions:\n    - {name: Ops}\n": "azure.role_definitions[0].assignable_scopes",
	}
	for body, want := range cases {
		path := filepath.Join(t.TempDir(), "tenant.yaml")
		if err := os.WriteFile(path, []byte("tenant: {domain: x.example}\n"+body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := emulator.LoadSeed(path); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("seed %q: error %v, want one naming %q", body, err, want)
		}
	}
	// JSON works too.
	path := filepath.Join(t.TempDir(), "tenant.json")
	if err := os.WriteFile(path, []byte(`{"tenant":{"domain":"j.example"},"users":[{"user_principal_name":"a@j.example"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.LoadSeed(path); err != nil {
		t.Errorf("JSON seed: %v", err)
	}
}

// Directory roles go only to role-assignable groups, and service principals
// can hold active assignments but not eligibility.
func TestPrincipalsThatCannotHoldRoles(t *testing.T) {
	h := seeded(t)
	id := func(collection, filter string) string {
		_, m := h.do("GET", collection+"?$filter="+url.QueryEscape(filter), token, nil)
		return m["value"].([]any)[0].(map[string]any)["id"].(string)
	}
	dynamic := id("/groups", "displayName eq 'All Staff (dynamic)'")
	app := id("/servicePrincipals", "displayName eq 'terraform-ci'")
	for _, c := range []struct {
		name, path, principal string
		want                  int
	}{
		{"group not role-assignable, eligible", eligReqs, dynamic, 400},
		{"group not role-assignable, active", actReqs, dynamic, 400},
		{"service principal, eligible", eligReqs, app, 400},
		{"service principal, active", actReqs, app, 201},
	} {
		s, m := h.do("POST", c.path, token, map[string]any{"action": "adminAssign", "principalId": c.principal,
			"roleDefinitionId": emulator.RoleGlobalReader, "directoryScopeId": "/", "justification": "x"})
		if s != c.want || (c.want == 400 && !strings.HasPrefix(errCode(m), "InvalidPrincipal")) {
			t.Errorf("%s: %d %s, want %d", c.name, s, errCode(m), c.want)
		}
	}
}

// A seed gives an app its own certificate (certificate_file, relative to the
// seed file): assertions signed with its key sign in as that app, and as no
// other.
func TestSeedCertificatePerApp(t *testing.T) {
	key, certPEM := testCertificate(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ci.pem"), certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	seed := "tenant: {domain: contoso.example}\nservice_principals:\n" +
		"  - {display_name: deployer, app_id: 11111111-2222-4333-8444-555555555555, certificate_file: ci.pem, permissions: [RoleManagement.Read.Directory]}\n" +
		"  - {display_name: other, app_id: 11111111-2222-4333-8444-666666666666}\n"
	path := filepath.Join(dir, "tenant.yaml")
	if err := os.WriteFile(path, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := emulator.LoadSeed(path)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := emulator.New(emulator.Options{Seed: s})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	host := strings.TrimPrefix(hs.URL, "http://")
	tenantID := "contoso.example"
	endpoint := "/" + tenantID + "/oauth2/v2.0/token"
	for app, want := range map[string]int{"11111111-2222-4333-8444-555555555555": 200, "11111111-2222-4333-8444-666666666666": 401} {
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {"https://graph.microsoft.com/.default"}, "client_id": {app},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {signAssertion(t, key, certPEM, app, "https://"+host+endpoint)}}
		resp, err := http.PostForm(hs.URL+endpoint, form) //nolint:noctx // a test
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("app %s: %d %s, want %d", app, resp.StatusCode, b, want)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "ci.pem"), []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.LoadSeed(path); err == nil || !strings.Contains(err.Error(), "service_principals[0].certificate_file") {
		t.Errorf("a certificate file that is not PEM: %v", err)
	}
}
