package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// PIM for Azure resources over ARM, beside Graph on the same address.

const (
	sub      = "/subscriptions/" + emulator.DemoSubscriptionID
	rgApp    = sub + "/resourceGroups/rg-app"
	kvApp    = rgApp + "/providers/Microsoft.KeyVault/vaults/kv-app"
	authz    = "/providers/Microsoft.Authorization/"
	pimAPI   = "?api-version=2020-10-01"
	newGUID1 = "11111111-0000-4000-8000-000000000001"
	newGUID2 = "11111111-0000-4000-8000-000000000002"
	newGUID3 = "11111111-0000-4000-8000-000000000003"
)

// armDo calls ARM at the emulator's root.
func (h *harness) armDo(method, path, tok string, body any) (int, map[string]any) {
	h.t.Helper()
	return h.do(method, strings.TrimSuffix(h.url, "/v1.0")+path, tok, body)
}

func roleID(role string) string { return sub + authz + "roleDefinitions/" + role }

func armRequest(principal, role, requestType string, expiration map[string]any) map[string]any {
	return map[string]any{"properties": map[string]any{"principalId": principal, "roleDefinitionId": roleID(role), "requestType": requestType,
		"justification": "because", "scheduleInfo": map[string]any{"expiration": expiration}}}
}

func armCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func names(m map[string]any) []string {
	var out []string
	for _, v := range m["value"].([]any) {
		out = append(out, v.(map[string]any)["name"].(string))
	}
	return out
}

func TestARMServesTheEstateAndChecksAPIVersions(t *testing.T) {
	h := newHarness(t, "")
	status, subs := h.armDo("GET", "/subscriptions?api-version=2022-12-01", token, nil)
	if status != 200 || len(subs["value"].([]any)) != 1 || subs["value"].([]any)[0].(map[string]any)["displayName"] != "Contoso Production" {
		t.Fatalf("subscriptions: %d %v", status, subs)
	}
	_, rgs := h.armDo("GET", sub+"/resourcegroups?api-version=2021-04-01", token, nil)
	if got := names(rgs); strings.Join(got, ",") != "rg-app,rg-data" {
		t.Fatalf("resource groups: %v", got)
	}
	for _, c := range []struct{ path, code string }{
		{sub + "/resourcegroups", "MissingApiVersionParameter"},
		{sub + authz + "roleEligibilitySchedules?api-version=2019-01-01", "NoRegisteredProviderFound"},
		{sub + "/resourceGroups/rg-nope" + authz + "roleEligibilitySchedules" + pimAPI, "ResourceGroupNotFound"},
		{"/subscriptions/00000000-0000-4000-8000-00000000dead" + authz + "roleEligibilitySchedules" + pimAPI, "SubscriptionNotFound"},
	} {
		status, body := h.armDo("GET", c.path, token, nil)
		if status/100 != 4 || armCode(body) != c.code {
			t.Errorf("GET %s: %d %v, want %s", c.path, status, body, c.code)
		}
	}
	status, roles := h.armDo("GET", rgApp+authz+"roleDefinitions?api-version=2022-04-01&$filter="+url.QueryEscape("roleName eq 'Contributor'"), token, nil)
	role := roles["value"].([]any)[0].(map[string]any)
	if status != 200 || len(roles["value"].([]any)) != 1 || role["id"] != roleID(emulator.AzureContributor) {
		t.Fatalf("role by name: %d %v", status, roles)
	}
	// ARM's envelope and headers, not Graph's.
	if status, body := h.armDo("GET", sub+authz+"roleEligibilitySchedules"+pimAPI, "", nil); status != 401 || armCode(body) != "AuthenticationFailed" {
		t.Fatalf("no token: %d %v", status, body)
	}
	if _, body := h.armDo("GET", sub+"/resourcegroups", token, nil); body["error"].(map[string]any)["innerError"] != nil {
		t.Fatalf("Graph's innerError in an ARM error: %v", body)
	}
}

func TestARMEligibilityIsInheritedDownTheScopeTree(t *testing.T) {
	h := newHarness(t, "")
	put := rgApp + authz + "roleEligibilityScheduleRequests/" + newGUID1 + pimAPI
	status, req := h.armDo("PUT", put, token, armRequest(emulator.AliceID, emulator.AzureContributor, "AdminAssign",
		map[string]any{"type": "AfterDuration", "duration": "P30D"}))
	props, _ := req["properties"].(map[string]any)
	if status != 201 || props["status"] != "Provisioned" || req["name"] != newGUID1 ||
		props["expandedProperties"].(map[string]any)["roleDefinition"].(map[string]any)["displayName"] != "Contributor" {
		t.Fatalf("create: %d %v", status, req)
	}
	// The same name twice is the same request, not a second one.
	if status, body := h.armDo("PUT", put, token, armRequest(emulator.AliceID, emulator.AzureContributor, "AdminAssign", nil)); status != 400 || armCode(body) != "RoleAssignmentRequestExists" {
		t.Fatalf("second PUT of the name: %d %v", status, body)
	}
	if status, body := h.armDo("GET", rgApp+authz+"roleEligibilityScheduleRequests/"+newGUID1+pimAPI, token, nil); status != 200 || body["name"] != newGUID1 {
		t.Fatalf("read by name: %d %v", status, body)
	}
	list := func(scope, filter string) []string {
		t.Helper()
		q := pimAPI
		if filter != "" {
			q += "&$filter=" + url.QueryEscape(filter)
		}
		status, body := h.armDo("GET", scope+authz+"roleEligibilitySchedules"+q, token, nil)
		if status != 200 {
			t.Fatalf("list at %s: %d %v", scope, status, body)
		}
		return names(body)
	}
	if got := list(sub, ""); len(got) != 1 {
		t.Errorf("the subscription's listing (at, above and below): %v", got)
	}
	if got := list(sub, "atScope()"); len(got) != 0 {
		t.Errorf("atScope() at the subscription must leave out the resource group's: %v", got)
	}
	if got := list(kvApp, "atScope()"); len(got) != 1 {
		t.Errorf("atScope() at the key vault must include the resource group's (above it): %v", got)
	}
	if got := list(sub, "principalId eq '"+emulator.BobID+"'"); len(got) != 0 {
		t.Errorf("principalId eq Bob: %v", got)
	}
	// No DELETE: removal is a request.
	if status, body := h.armDo("DELETE", put, token, nil); status != 403 || armCode(body) != "AuthorizationFailed" {
		t.Fatalf("DELETE: %d %v", status, body)
	}
	h.clock.Advance(31 * 24 * time.Hour)
	if got := list(rgApp, ""); len(got) != 0 {
		t.Errorf("after its end the eligibility must be gone: %v", got)
	}
}

func TestARMRefusesWhatARMRefuses(t *testing.T) {
	h := newHarness(t, "")
	body := func(principal, role string) map[string]any {
		return armRequest(principal, role, "AdminAssign", map[string]any{"type": "AfterDuration", "duration": "P30D"})
	}
	otherSub := body(emulator.AliceID, emulator.AzureContributor)
	otherSub["properties"].(map[string]any)["roleDefinitionId"] = "/subscriptions/00000000-0000-4000-8000-00000000dead" + authz + "roleDefinitions/" + emulator.AzureContributor
	for _, c := range []struct {
		name, tok, path string
		body            map[string]any
		status          int
		code            string
	}{
		{"role of another subscription", token, rgApp, otherSub, 400, "RoleDefinitionDoesNotExist"},
		{"unknown principal", token, rgApp, body("00000000-0000-4000-8000-00000000beef", emulator.AzureContributor), 400, "PrincipalNotFound"},
		{"unknown resource group", token, sub + "/resourceGroups/rg-nope", body(emulator.AliceID, emulator.AzureContributor), 404, "ResourceGroupNotFound"},
		{"a caller without Owner or User Access Administrator", "alice-mfa", rgApp, body(emulator.BobID, emulator.AzureReader), 403, "AuthorizationFailed"},
		{"permanent where the policy requires an end", token, rgApp, armRequest(emulator.AliceID, emulator.AzureReader, "AdminAssign", map[string]any{"type": "NoExpiration"}), 400, "RoleAssignmentRequestPolicyValidationFailed"},
	} {
		status, got := h.armDo("PUT", c.path+authz+"roleEligibilityScheduleRequests/"+newGUID2+pimAPI, c.tok, c.body)
		if status != c.status || armCode(got) != c.code {
			t.Errorf("%s: %d %v, want %d %s", c.name, status, got, c.status, c.code)
		}
	}
	// The CI app holds User Access Administrator on the subscription: Azure RBAC, not Graph permissions.
	if status, got := h.armDo("PUT", rgApp+authz+"roleEligibilityScheduleRequests/"+newGUID3+pimAPI, "app-token", body(emulator.BobID, emulator.AzureReader)); status != 201 {
		t.Fatalf("the app with User Access Administrator: %d %v", status, got)
	}
}

func TestARMPolicyPatchAndApprovalOfAnActivation(t *testing.T) {
	h := newHarness(t, "")
	q := pimAPI + "&$filter=" + url.QueryEscape("roleDefinitionId eq '"+roleID(emulator.AzureContributor)+"'")
	status, assignments := h.armDo("GET", rgApp+authz+"roleManagementPolicyAssignments"+q, token, nil)
	if status != 200 || len(assignments["value"].([]any)) != 1 {
		t.Fatalf("policy assignment of Contributor: %d %v", status, assignments)
	}
	policyID := assignments["value"].([]any)[0].(map[string]any)["properties"].(map[string]any)["policyId"].(string)
	approval := func(userType string) map[string]any {
		return map[string]any{"properties": map[string]any{"rules": []any{map[string]any{"id": "Approval_EndUser_Assignment",
			"ruleType": "RoleManagementPolicyApprovalRule", "target": map[string]any{"caller": "EndUser", "operations": []string{"All"}, "level": "Assignment"},
			"setting": map[string]any{"isApprovalRequired": true, "approvalMode": "SingleStage", "approvalStages": []any{map[string]any{
				"approvalStageTimeOutInDays": 1, "isApproverJustificationRequired": false, "escalationTimeInMinutes": 0, "isEscalationEnabled": false,
				"primaryApprovers": []any{map[string]any{"id": emulator.CarolID, "userType": userType, "isBackup": false}}}}}}}}}
	}
	if status, body := h.armDo("PATCH", policyID+pimAPI, token, approval("user")); status != 400 || armCode(body) != "InvalidPolicy" {
		t.Fatalf("lower-case userType: %d %v", status, body)
	}
	expiry := map[string]any{"properties": map[string]any{"rules": []any{map[string]any{"id": "Expiration_Admin_Eligibility",
		"ruleType": "RoleManagementPolicyExpirationRule", "isExpirationRequired": false, "maximumDuration": "P90D"}}}}
	if status, body := h.armDo("PATCH", policyID+pimAPI, token, expiry); status != 400 || !strings.Contains(body["error"].(map[string]any)["message"].(string), "maximumDuration") {
		t.Fatalf("maximumDuration without expiration required: %d %v", status, body)
	}
	if status, body := h.armDo("PUT", policyID+pimAPI, token, approval("User")); status != 400 || !strings.Contains(body["error"].(map[string]any)["message"].(string), "Not implemented") {
		t.Fatalf("PUT of a policy: %d %v", status, body)
	}
	status, policy := h.armDo("PATCH", policyID+pimAPI, token, approval("User"))
	if status != 200 || len(policy["properties"].(map[string]any)["effectiveRules"].([]any)) != 17 {
		t.Fatalf("PATCH: %d %v", status, policy)
	}
	// Alice eligible, then activating: the request waits for Carol.
	if status, body := h.armDo("PUT", rgApp+authz+"roleEligibilityScheduleRequests/"+newGUID1+pimAPI, token, armRequest(emulator.AliceID, emulator.AzureContributor,
		"AdminAssign", map[string]any{"type": "AfterDuration", "duration": "P30D"})); status != 201 {
		t.Fatalf("eligibility: %d %v", status, body)
	}
	status, act := h.armDo("PUT", rgApp+authz+"roleAssignmentScheduleRequests/"+newGUID2+pimAPI, "alice-mfa", armRequest(emulator.AliceID, emulator.AzureContributor,
		"SelfActivate", map[string]any{"type": "AfterDuration", "duration": "PT2H"}))
	if status != 201 || act["properties"].(map[string]any)["status"] != "PendingApproval" {
		t.Fatalf("activation: %d %v", status, act)
	}
	status, pending := h.armDo("GET", authz+"roleAssignmentApprovals?api-version=2021-01-01-preview&$filter=asApprover()", "carol-mfa", nil)
	if status != 200 || len(pending["value"].([]any)) != 1 {
		t.Fatalf("Carol's approvals: %d %v", status, pending)
	}
	stage := pending["value"].([]any)[0].(map[string]any)["properties"].(map[string]any)["stages"].([]any)[0].(map[string]any)
	decision := map[string]any{"properties": map[string]any{"reviewResult": "Approve", "justification": "ok"}}
	if status, body := h.armDo("PATCH", stage["id"].(string)+"?api-version=2021-01-01-preview", "alice-mfa", decision); status != 403 {
		t.Fatalf("the requester approving: %d %v", status, body)
	}
	if status, body := h.armDo("PATCH", stage["id"].(string)+"?api-version=2021-01-01-preview", "carol-mfa", decision); status != 200 {
		t.Fatalf("Carol approving: %d %v", status, body)
	}
	_, inst := h.armDo("GET", rgApp+authz+"roleAssignmentScheduleInstances"+pimAPI+"&$filter=asTarget()", "alice-mfa", nil)
	if len(inst["value"].([]any)) != 1 || inst["value"].([]any)[0].(map[string]any)["properties"].(map[string]any)["assignmentType"] != "Activated" {
		t.Fatalf("Alice's activation in effect: %v", inst)
	}
}

func TestARMAndGraphTokensAreBoundToTheirAPI(t *testing.T) {
	srv, err := emulator.New(emulator.Options{ControlToken: "ctl", AppSecret: "app-secret"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	h := &harness{t: t, srv: srv, url: hs.URL + "/v1.0"}
	tokenFor := func(scope string) string {
		t.Helper()
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {emulator.AppClientID}, "client_secret": {"app-secret"}, "scope": {scope}}
		resp, err := http.PostForm(hs.URL+"/"+emulator.DefaultTenantID+"/oauth2/v2.0/token", form) //nolint:noctx // a test
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
			t.Fatalf("token for %s: %d %v", scope, resp.StatusCode, body)
		}
		return body["access_token"].(string)
	}
	armTok, graphTok := tokenFor("https://management.azure.com/.default"), tokenFor("https://graph.microsoft.com/.default")
	if status, body := h.armDo("GET", sub+authz+"roleEligibilitySchedules"+pimAPI, armTok, nil); status != 200 {
		t.Fatalf("ARM token on ARM: %d %v", status, body)
	}
	if status, body := h.armDo("GET", sub+authz+"roleEligibilitySchedules"+pimAPI, graphTok, nil); status != 401 || armCode(body) != "InvalidAuthenticationTokenAudience" {
		t.Fatalf("Graph token on ARM: %d %v", status, body)
	}
	if status, _ := h.do("GET", "/roleManagement/directory/roleDefinitions", armTok, nil); status != 401 {
		t.Fatalf("ARM token on Graph: %d", status)
	}
	if status, _ := h.do("GET", "/roleManagement/directory/roleDefinitions", graphTok, nil); status != 200 {
		t.Fatalf("Graph token on Graph: %d", status)
	}
}

func TestARMStateSurvivesARestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	h := newHarness(t, file)
	if status, body := h.armDo("PUT", rgApp+authz+"roleEligibilityScheduleRequests/"+newGUID1+pimAPI, token, armRequest(emulator.AliceID, emulator.AzureContributor,
		"AdminAssign", map[string]any{"type": "AfterDuration", "duration": "P30D"})); status != 201 {
		t.Fatalf("create: %d %v", status, body)
	}
	policy := rgApp + authz + "roleManagementPolicies/"
	_, list := h.armDo("GET", policy+pimAPI, token, nil)
	var name string
	for _, p := range list["value"].([]any) {
		if strings.HasSuffix(p.(map[string]any)["properties"].(map[string]any)["policyProperties"].(map[string]any)["scope"].(map[string]any)["id"].(string), "rg-app") {
			name = p.(map[string]any)["name"].(string)
			break
		}
	}
	patch := map[string]any{"properties": map[string]any{"rules": []any{map[string]any{"id": "Expiration_Admin_Eligibility",
		"ruleType": "RoleManagementPolicyExpirationRule", "isExpirationRequired": true, "maximumDuration": "P90D"}}}}
	if status, body := h.armDo("PATCH", policy+name+pimAPI, token, patch); status != 200 {
		t.Fatalf("patch: %d %v", status, body)
	}
	if err := h.srv.Close(); err != nil {
		t.Fatal(err)
	}
	h2 := newHarness(t, file)
	if _, body := h2.armDo("GET", rgApp+authz+"roleEligibilitySchedules"+pimAPI, token, nil); len(names(body)) != 1 {
		t.Fatalf("after a restart the eligibility is gone: %v", body)
	}
	_, p := h2.armDo("GET", policy+name+pimAPI, token, nil)
	for _, r := range p["properties"].(map[string]any)["rules"].([]any) {
		if rule := r.(map[string]any); rule["id"] == "Expiration_Admin_Eligibility" && rule["maximumDuration"] != "P90D" {
			t.Fatalf("after a restart the policy lost its change: %v", rule)
		}
	}
}

// Hostile ARM requests each get a 4xx in ARM's envelope (no Graph
// innerError), nothing panics, and the emulator still works afterwards.
func TestARMHostileRequests(t *testing.T) {
	var logs bytes.Buffer
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(epoch), Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Tokens: map[string]emulator.Identity{token: {PrincipalID: emulator.AdminID, MFA: true}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	reqs := rgApp + authz + "roleEligibilityScheduleRequests/"
	body := func(props string) string { return `{"properties":{` + props + `}}` }
	good := `"principalId":"` + emulator.AliceID + `","roleDefinitionId":"` + roleID(emulator.AzureReader) + `","requestType":"AdminAssign"`
	var corpus []hostile
	for _, b := range []string{"", "{", "[]", "null", `{"properties":5}`, `{"properties":{}}`, body(good + `,"unknown":1`), body(`"principalId":{}`),
		body(good + `,"scheduleInfo":{"expiration":{"type":"Sometimes"}}`), body(good + `,"scheduleInfo":{"startDateTime":"soon"}`),
		body(good + `,"scheduleInfo":{"expiration":{"type":"AfterDuration","duration":"PT-1H"}}`), body(good + `,"conditionVersion":"9.9","condition":"x"`),
		body(strings.Replace(good, "AdminAssign", "AdminDance", 1)), body(strings.Replace(good, roleID(emulator.AzureReader), "/providers/x", 1)),
		body(strings.Replace(good, emulator.AliceID, "not-a-guid", 1)), strings.Repeat("[", 20000) + strings.Repeat("]", 20000)} {
		corpus = append(corpus, hostile{method: "PUT", path: reqs + newGUID1 + pimAPI, body: b})
	}
	corpus = append(corpus, hostile{method: "PUT", path: reqs + "not-a-guid" + pimAPI, body: body(good)})
	for _, p := range []string{"/subscriptions/x" + authz + "roleEligibilitySchedules" + pimAPI, sub + "/resourceGroups/" + strings.Repeat("a", 5000) + pimAPI,
		sub + authz + "roleEligibilitySchedules" + pimAPI + "&$filter=" + url.QueryEscape("roleDefinitionId eq 'x'"),
		sub + authz + "roleEligibilitySchedules" + pimAPI + "&$filter=" + url.QueryEscape(strings.Repeat("(", 3000)),
		sub + authz + "nope" + pimAPI, sub + authz + "roleEligibilitySchedules/a/b/c/d" + pimAPI, sub + authz + "roleEligibilitySchedules/nope" + pimAPI,
		sub + authz + "roleManagementPolicies/nope" + pimAPI, authz + "roleAssignmentApprovals/nope?api-version=2021-01-01-preview",
		"/providers/Microsoft.Management/managementGroups/nope?api-version=2023-04-01", "/subscriptions/../../etc/passwd?api-version=2022-12-01"} {
		corpus = append(corpus, hostile{method: "GET", path: p})
	}
	corpus = append(corpus, hostile{method: "PATCH", path: sub + authz + "roleManagementPolicies/nope" + pimAPI, body: `{"properties":{"rules":[{}]}}`},
		hostile{method: "POST", path: reqs + newGUID1 + "/cancel" + pimAPI}, hostile{method: "DELETE", path: sub + pimAPI})
	for i, c := range corpus {
		status, raw := send(t, hs.URL+c.path, c)
		var env struct{ Error map[string]any }
		if status < 400 || status >= 500 || json.Unmarshal(raw, &env) != nil || env.Error["code"] == nil || env.Error["innerError"] != nil {
			t.Errorf("#%d %s %.80s (body %.60q): HTTP %d %.200s — want a 4xx in ARM's error envelope", i, c.method, c.path, c.body, status, raw)
		}
	}
	if strings.Contains(logs.String(), "panicked") {
		t.Errorf("handlers panicked:\n%s", logs.String())
	}
	h := &harness{t: t, srv: srv, url: hs.URL + "/v1.0"}
	if s, m := h.armDo("PUT", reqs+newGUID2+pimAPI, token, armRequest(emulator.AliceID, emulator.AzureReader, "AdminAssign",
		map[string]any{"type": "AfterDuration", "duration": "P30D"})); s != 201 {
		t.Errorf("after the corpus the emulator refuses a valid request: %d %v", s, m)
	}
}

// The engine's rules hold over ARM: the five-minute rule, one assignment per
// key whatever the request's name, validate and cancel, replication lag,
// throttling with Retry-After, and audit entries naming the Azure role.
func TestARMFollowsTheEngineRules(t *testing.T) {
	h := newHarness(t, "")
	act := rgApp + authz + "roleAssignmentScheduleRequests/"
	assign := armRequest(emulator.BobID, emulator.AzureReader, "AdminAssign", map[string]any{"type": "AfterDuration", "duration": "P1D"})
	if s, m := h.armDo("POST", act+newGUID1+"/validate?api-version=2022-04-01-preview", token, assign); s != 200 || m["properties"].(map[string]any)["status"] != "Provisioned" {
		t.Fatalf("validate: %d %v", s, m)
	}
	if s, _ := h.armDo("GET", act+newGUID1+pimAPI, token, nil); s != 404 {
		t.Fatalf("validate made a request: %d", s)
	}
	if s, m := h.armDo("PUT", act+newGUID1+pimAPI, token, assign); s != 201 {
		t.Fatalf("assign: %d %v", s, m)
	}
	if s, m := h.armDo("PUT", act+newGUID2+pimAPI, token, assign); s != 400 || armCode(m) != "RoleAssignmentExists" {
		t.Fatalf("a second assignment of the key under another name: %d %v", s, m)
	}
	remove := armRequest(emulator.BobID, emulator.AzureReader, "AdminRemove", nil)
	if s, m := h.armDo("PUT", act+newGUID3+pimAPI, token, remove); s != 400 || armCode(m) != "ActiveDurationTooShort" {
		t.Fatalf("removal in the first five minutes: %d %v", s, m)
	}
	h.clock.Advance(6 * time.Minute)
	if s, m := h.armDo("PUT", act+newGUID3+pimAPI, token, remove); s != 201 || m["properties"].(map[string]any)["status"] != "Revoked" {
		t.Fatalf("removal: %d %v", s, m)
	}
	// A future start is Granted and can be cancelled.
	start := epoch.Add(48 * time.Hour).Format(time.RFC3339)
	later := armRequest(emulator.CarolID, emulator.AzureReader, "AdminAssign", map[string]any{"type": "AfterDuration", "duration": "P1D"})
	later["properties"].(map[string]any)["scheduleInfo"].(map[string]any)["startDateTime"] = start
	const name = "11111111-0000-4000-8000-000000000004"
	if s, m := h.armDo("PUT", act+name+pimAPI, token, later); s != 201 || m["properties"].(map[string]any)["status"] != "Granted" {
		t.Fatalf("future start: %d %v", s, m)
	}
	if s, m := h.armDo("POST", act+name+"/cancel"+pimAPI, token, nil); s != 200 {
		t.Fatalf("cancel: %d %v", s, m)
	}
	if _, m := h.armDo("GET", act+name+pimAPI, token, nil); m["properties"].(map[string]any)["status"] != "Canceled" {
		t.Fatalf("after cancel: %v", m)
	}
	// Audit: the PIM log names the Azure role and the resource.
	_, audits := h.do("GET", "/auditLogs/directoryAudits?$filter="+url.QueryEscape("loggedByService eq 'PIM'"), token, nil)
	if !strings.Contains(jsonString(audits), `"Reader"`) || !strings.Contains(jsonString(audits), "rg-app") {
		t.Fatalf("audit entries do not name the Azure role and resource: %.600s", jsonString(audits))
	}
	// Throttling answers in ARM's envelope with Retry-After.
	h.ctl("PUT", "faults", `{"rules":[{"match":{"method":"GET"},"status":429,"retry_after":"7s","count":1}]}`)
	req, _ := http.NewRequestWithContext(t.Context(), "GET", strings.TrimSuffix(h.url, "/v1.0")+sub+authz+"roleEligibilitySchedules"+pimAPI, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "7" || resp.Header.Get("x-ms-request-id") == "" {
		t.Fatalf("throttled: %d %v", resp.StatusCode, resp.Header)
	}
	// Requests are purged after 45 days; schedules stay.
	h.clock.Advance(46 * 24 * time.Hour)
	if s, m := h.armDo("GET", act+newGUID1+pimAPI, token, nil); s != 404 {
		t.Fatalf("a request 46 days old: %d %v", s, m)
	}
}

// A new schedule is missed by as many reads as the replication lag says.
func TestARMReplicationLag(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(epoch), ReadLag: 2,
		Tokens: map[string]emulator.Identity{token: {PrincipalID: emulator.AdminID, MFA: true}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	h := &harness{t: t, srv: srv, url: hs.URL + "/v1.0"}
	if s, _ := h.armDo("PUT", rgApp+authz+"roleEligibilityScheduleRequests/"+newGUID1+pimAPI, token, armRequest(emulator.AliceID, emulator.AzureReader, "AdminAssign",
		map[string]any{"type": "AfterDuration", "duration": "P30D"})); s != 201 {
		t.Fatal(s)
	}
	var seen []int
	for range 3 {
		_, m := h.armDo("GET", rgApp+authz+"roleEligibilitySchedules"+pimAPI, token, nil)
		seen = append(seen, len(names(m)))
	}
	if fmt.Sprint(seen) != "[0 0 1]" {
		t.Fatalf("reads after the create saw %v, want [0 0 1]", seen)
	}
}
