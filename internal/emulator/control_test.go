package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// ctl calls the control API as a user would, with the control token.
func (h *harness) ctl(method, path, body string) (int, map[string]any) {
	h.t.Helper()
	req, _ := http.NewRequestWithContext(h.t.Context(), method, strings.TrimSuffix(h.url, "/v1.0")+"/_emulator/"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer ctl")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return resp.StatusCode, m
}

func TestDirectoryEndpoints(t *testing.T) {
	h := seeded(t)
	_, m := h.do("GET", "/users?$filter="+url.QueryEscape("startswith(displayName,'K') or userPrincipalName in ('lee@fabrikam.example')")+"&$select=displayName,mail", token, nil)
	if n := len(m["value"].([]any)) + pagesLeft(h, m); n != 2 {
		t.Errorf("users by startswith/in: %d, want 2", n)
	}
	if m["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#users(displayName,mail)" {
		t.Errorf("context %v", m["@odata.context"])
	}
	if s, m := h.do("GET", "/users/nobody@fabrikam.example", token, nil); s != 404 || !strings.HasPrefix(errCode(m), "Request_ResourceNotFound") {
		t.Errorf("unknown user: %d %s", s, errCode(m))
	}
	_, groups := h.do("GET", "/groups?$filter="+url.QueryEscape("displayName eq 'Tier 1 Support'"), token, nil)
	g := groups["value"].([]any)[0].(map[string]any)
	_, members := h.do("GET", "/groups/"+g["id"].(string)+"/members", token, nil)
	first := members["value"].([]any)[0].(map[string]any)
	if first["@odata.type"] != "#microsoft.graph.user" || g["isAssignableToRole"] != true {
		t.Errorf("group %v, members %v", g, members)
	}
	_, dyn := h.do("GET", "/groups?$filter="+url.QueryEscape("displayName eq 'All Staff (dynamic)'"), token, nil)
	if d := dyn["value"].([]any)[0].(map[string]any); d["membershipRule"] == nil || !strings.Contains(jsonString(d["groupTypes"]), "DynamicMembership") {
		t.Errorf("dynamic group: %v", d)
	}
	_, sps := h.do("GET", "/servicePrincipals?$filter="+url.QueryEscape("appId eq '11111111-2222-4333-8444-555555555555'"), token, nil)
	if len(sps["value"].([]any)) != 1 {
		t.Errorf("service principal by appId: %v", sps)
	}
	_, aus := h.do("GET", "/directory/administrativeUnits", token, nil)
	if aus["value"].([]any)[0].(map[string]any)["displayName"] != "Europe" {
		t.Errorf("administrative units: %v", aus)
	}
	s, got := h.do("POST", "/directoryObjects/getByIds", token, map[string]any{"ids": []string{g["id"].(string), first["id"].(string), "00000000-0000-0000-0000-000000000000"}})
	if s != 200 || len(got["value"].([]any)) != 2 {
		t.Errorf("getByIds: %d %v", s, got)
	}
	// An application without a directory permission is refused, as Graph refuses it.
	_, tok := h.ctl("POST", "tokens", `{"principal":"terraform-ci","permissions":["RoleManagement.ReadWrite.Directory"]}`)
	if s, m := h.do("GET", "/users", tok["access_token"].(string), nil); s != 403 || !strings.HasPrefix(errCode(m), "Authorization_RequestDenied") {
		t.Errorf("app without Directory.Read.All lists users: %d %s", s, errCode(m))
	}
}

func TestTokensOnDemand(t *testing.T) {
	h := seeded(t)
	s, kim := h.ctl("POST", "tokens", `{"principal":"kim@fabrikam.example","mfa":true,"acrs":["c1"]}`)
	if s != 200 || kim["app"] != false || kim["mfa"] != true {
		t.Fatalf("user token: %d %v", s, kim)
	}
	// Kim holds no directory role: her own view works, the tenant's does not.
	if s, _ := h.do("GET", eligScheds+"/filterByCurrentUser(on='principal')", kim["access_token"].(string), nil); s != 200 {
		t.Errorf("Kim's own schedules: %d", s)
	}
	if s, _ := h.do("GET", eligScheds, kim["access_token"].(string), nil); s != 403 {
		t.Errorf("Kim lists the tenant: %d, want 403", s)
	}
	for body, want := range map[string]string{
		`{"principal":"contractor@fabrikam.example","mfa":true}`: "no MFA method",
		`{"principal":"Tier 1 Support"}`:                         "is a group",
		`{"principal":"kim@fabrikam.example","app":true}`:        "app-only tokens are for service principals",
		`{"principal":"terraform-ci","mfa":true}`:                "app-only",
		`{"principal":"ghost"}`:                                  "no user, group or service principal",
	} {
		if s, m := h.ctl("POST", "tokens", body); s != 400 || !strings.Contains(errCode(m), want) {
			t.Errorf("%s: %d %s, want %q", body, s, errCode(m), want)
		}
	}
	if s, _ := h.do("GET", "/_emulator/clock", token, nil); s == 200 {
		t.Error("a Graph token reads the control API")
	}
}

func TestFaultRules(t *testing.T) {
	h := newHarness(t, "")
	list := "/v1.0" + eligScheds
	if s, m := h.ctl("PUT", "faults", `{"rules":[{"match":{"method":"GET","path":"`+list+`"},"status":503,"retry_after":"2s","count":2}]}`); s != 200 {
		t.Fatalf("PUT faults: %d %v", s, m)
	}
	for i, want := range []int{503, 503, 200} {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", h.url+eligScheds, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != want || want == 503 && resp.Header.Get("Retry-After") != "2" {
			t.Errorf("call %d: HTTP %d Retry-After %q, want %d", i, resp.StatusCode, resp.Header.Get("Retry-After"), want)
		}
	}
	_, cfg := h.ctl("GET", "faults", "")
	if hits := cfg["rules"].([]any)[0].(map[string]any)["hits"]; hits != 2.0 {
		t.Errorf("rule hits %v, want 2", hits)
	}
	// A lost response: the write happens, the client sees a 500.
	h.ctl("PUT", "faults", `{"rules":[{"match":{"method":"POST"},"status":500,"after_commit":true,"count":1}]}`)
	if s, _ := h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil)); s != 500 {
		t.Errorf("after_commit: HTTP %d, want 500", s)
	}
	if _, ok := h.srv.FindSchedule(emulator.Eligible, emulator.AliceID, emulator.RoleGlobalReader, "/"); !ok {
		t.Error("after_commit: the write did not take effect")
	}
	// A reset connection: no answer at all.
	h.ctl("PUT", "faults", `[{"match":{"method":"POST"},"reset_connection":true,"count":1}]`)
	body, _ := json.Marshal(assign(emulator.BobID, emulator.RoleGlobalReader, nil))
	req, _ := http.NewRequestWithContext(t.Context(), "POST", h.url+eligReqs, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Errorf("reset_connection: got HTTP %d, want a broken connection", resp.StatusCode)
	}
	if s, m := h.ctl("DELETE", "faults", ""); s != 204 {
		t.Errorf("DELETE faults: %d %v", s, m)
	}
	for _, bad := range []string{`{"rules":[{"status":200}]}`, `{"rules":[{"status":503,"rate":2}]}`, `{"rules":[{"status":503,"latency":"soon"}]}`,
		`{"rules":[{"status":503,"match":{"path":"v1.0"}}]}`, `{"throttle":{"rate":0,"burst":1}}`, `{"nope":1}`} {
		if s, _ := h.ctl("PUT", "faults", bad); s != 400 {
			t.Errorf("PUT faults %s: %d, want 400", bad, s)
		}
	}
}

// The same seed gives the same draws: a CI run can be replayed.
func TestFaultDrawsAreReproducible(t *testing.T) {
	draw := func() string {
		h := newHarness(t, "")
		h.ctl("PUT", "faults", `{"seed":42,"rules":[{"match":{"method":"GET"},"status":503,"rate":0.5}]}`)
		var b strings.Builder
		for range 40 {
			s, _ := h.do("GET", eligScheds, token, nil)
			b.WriteString(map[bool]string{true: "x", false: "."}[s == 503])
		}
		return b.String()
	}
	a, b := draw(), draw()
	if a != b || !strings.Contains(a, "x") || !strings.Contains(a, ".") {
		t.Errorf("two runs with seed 42: %s and %s, want the same mix", a, b)
	}
}

func TestThrottleAndEarlyRetries(t *testing.T) {
	h := newHarness(t, "")
	h.ctl("PUT", "faults", `{"throttle":{"rate":1,"burst":2}}`)
	h.ctl("DELETE", "requests", "")
	statuses := ""
	for range 3 {
		s, _ := h.do("GET", eligScheds, token, nil)
		statuses += http.StatusText(s)[:2]
	}
	if statuses != "OKOKTo" { // OK, OK, Too Many Requests
		t.Errorf("statuses %s, want two OK then 429", statuses)
	}
	h.do("GET", eligScheds, token, nil) // too early: the clock has not moved
	h.clock.Advance(2 * time.Second)
	if s, _ := h.do("GET", eligScheds, token, nil); s != 200 {
		t.Errorf("after Retry-After: %d", s)
	}
	_, stats := h.ctl("GET", "requests", "")
	if stats["early_retries"] != 1.0 || stats["throttled"] != 2.0 || stats["total"] != 5.0 {
		t.Errorf("requests stats %v, want 5 calls, 2 throttled, 1 early retry", stats)
	}
	routes := stats["by_route"].(map[string]any)
	if routes["GET /v1.0/roleManagement/directory/roleEligibilitySchedules"] != 5.0 {
		t.Errorf("by_route %v", routes)
	}
}

func TestLagFaults(t *testing.T) {
	h := newHarness(t, "")
	h.ctl("PUT", "faults", `{"replication_lag_reads":2,"principal_lag_requests":1}`)
	if s, m := h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil)); s != 400 || !strings.HasPrefix(errCode(m), "SubjectNotFound") {
		t.Fatalf("first request naming Alice: %d %s, want SubjectNotFound", s, errCode(m))
	}
	if s, m := h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil)); s != 201 {
		t.Fatalf("second request: %d %s", s, errCode(m))
	}
	f := eligScheds + "?$filter=" + url.QueryEscape("principalId eq '"+emulator.AliceID+"'")
	seen := ""
	for range 3 {
		_, m := h.do("GET", f, token, nil)
		seen += map[bool]string{true: "1", false: "0"}[len(m["value"].([]any)) == 1]
	}
	if seen != "001" {
		t.Errorf("reads after the write saw it %s, want 001 (two lagging reads)", seen)
	}
}

func TestSnapshotRestoreReset(t *testing.T) {
	h := newHarness(t, t.TempDir()+"/state.json")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
	req, _ := http.NewRequestWithContext(t.Context(), "POST", strings.TrimSuffix(h.url, "/v1.0")+"/_emulator/snapshot", nil)
	req.Header.Set("Authorization", "Bearer ctl")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if s, _ := h.ctl("POST", "reset", ""); s != 204 {
		t.Fatalf("reset: %d", s)
	}
	if _, ok := h.srv.FindSchedule(emulator.Eligible, emulator.AliceID, emulator.RoleGlobalReader, "/"); ok {
		t.Error("reset kept an assignment made after the seed")
	}
	if _, ok := h.srv.FindSchedule(emulator.Active, emulator.AdminID, emulator.RoleGlobalAdministrator, "/"); !ok {
		t.Error("reset lost the seed's assignments")
	}
	if s, m := h.ctl("POST", "restore", string(snap)); s != 204 {
		t.Fatalf("restore: %d %v", s, m)
	}
	if _, ok := h.srv.FindSchedule(emulator.Eligible, emulator.AliceID, emulator.RoleGlobalReader, "/"); !ok {
		t.Error("restore did not bring the assignment back")
	}
	if s, _ := h.ctl("POST", "restore", `{"version":1}`); s != 400 {
		t.Errorf("restore of garbage: %d", s)
	}
}

// The outbox shows the e-mails a role setting's notification rules send.
func TestOutbox(t *testing.T) {
	h := newHarness(t, "")
	pid, _ := rulesByID(t, h, helpdesk)
	h.do("PATCH", "/policies/roleManagementPolicies/"+pid+"/rules/Notification_Admin_EndUser_Assignment", token, map[string]any{
		"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule", "notificationLevel": "All",
		"isDefaultRecipientsEnabled": false, "notificationRecipients": []string{"helpdesk-leads@contoso.example"}})
	h.do("POST", eligReqs, token, assign(emulator.AliceID, helpdesk, nil))
	activate(h, "alice-mfa", emulator.AliceID, nil)
	_, box := h.ctl("GET", "outbox", "")
	var activation []map[string]any
	for _, v := range box["value"].([]any) {
		if m := v.(map[string]any); m["event"] == "roleActivated" {
			activation = append(activation, m)
		}
	}
	var admin, requestor map[string]any
	for _, m := range activation {
		switch m["recipient_type"] {
		case "Admin":
			admin = m
		case "Requestor":
			requestor = m
		}
	}
	if admin == nil || jsonString(admin["to"]) != `["helpdesk-leads@contoso.example"]` || admin["subject"] != "PIM: Alice Analyst activated the Helpdesk Administrator role" {
		t.Errorf("admin mail of the activation: %v", admin)
	}
	if requestor == nil || jsonString(requestor["to"]) != `["alice@contoso.example"]` {
		t.Errorf("requestor mail: %v", requestor)
	}
	if s, _ := h.ctl("DELETE", "outbox", ""); s != 204 {
		t.Errorf("DELETE outbox: %d", s)
	}
}

// What the control API and Graph's bodies must refuse with a clear 400,
// never a panic or a saved broken state: negative and null fault rules,
// snapshots with null or duplicate entities or unknown kinds, bodies that
// are not UTF-8.
func TestBrokenInputIsRefused(t *testing.T) {
	h := newHarness(t, "")
	for _, body := range []string{`{"rules":[{"status":503,"count":-1}]}`, `{"rules":[null]}`, `[{"status":503,"latency":"-1s"}]`} {
		if s, m := h.ctl("PUT", "faults", body); s != 400 {
			t.Errorf("faults %s: %d %v", body, s, m)
		}
	}
	_, snap := h.ctl("POST", "snapshot", "")
	good, _ := json.Marshal(snap)
	if s, m := h.ctl("POST", "restore", string(good)); s != 204 {
		t.Fatalf("restoring a good snapshot: %d %v", s, m)
	}
	sched := `{"seq":1,"id":"s1","key":{"surface":"directory","kind":"eligibility","principalId":"` + emulator.AliceID + `","roleDefinitionId":"r","directoryScopeId":"/"},"status":"Provisioned","spec":{"start":"2030-01-01T00:00:00Z","expType":"noExpiration"}}`
	for name, schedules := range map[string]string{
		"null schedule":   `[null]`,
		"duplicate ids":   `[` + sched + `,` + strings.Replace(sched, `"seq":1`, `"seq":2`, 1) + `]`,
		"unknown kind":    `[` + strings.Replace(sched, `"eligibility"`, `"sometimes"`, 1) + `]`,
		"unknown surface": `[` + strings.Replace(sched, `"directory"`, `"arm"`, 1) + `]`,
	} {
		body := `{"version":2,"tenantId":"` + emulator.DefaultTenantID + `","schedules":` + schedules + `}`
		if s, m := h.ctl("POST", "restore", body); s != 400 || !strings.Contains(errMessage(m), "(format 2): ") {
			t.Errorf("restore with %s: %d %v", name, s, m)
		}
	}
	for _, body := range []string{`{"policies":[null]}`, `{"approvals":[null]}`, `{"audit":[null]}`} {
		full := `{"version":2,"tenantId":"` + emulator.DefaultTenantID + `",` + strings.TrimPrefix(body, "{")
		if s, _ := h.ctl("POST", "restore", full); s != 400 {
			t.Errorf("restore %s: %d", body, s)
		}
	}
	if s, m := h.do("GET", "/roleManagement/directory/roleDefinitions", token, nil); s != 200 {
		t.Fatalf("after refused restores the state still serves: %d %v", s, m)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "POST", h.url+"/roleManagement/directory/roleEligibilityScheduleRequests",
		bytes.NewReader([]byte("{\"action\":\"adminAssign\",\"justification\":\"\xff\xfe\"}")))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(data), "UTF-8") {
		t.Errorf("a body that is not UTF-8: %d %s", resp.StatusCode, data)
	}
}

// The emulator records what each operation needed: the least application
// permission among those it accepts, the directory roles that grant it, and
// the least set that covers every call so far.
func TestLeastPrivilegeIsRecorded(t *testing.T) {
	h := newHarness(t, "")
	h.do("GET", eligScheds, "app-token", nil)
	h.do("GET", actScheds, "app-token", nil)
	if s, m := h.do("POST", eligReqs, "app-token", assign(emulator.AliceID, emulator.RoleGlobalReader, nil)); s != 201 {
		t.Fatalf("eligibility: %d %v", s, m)
	}
	s, got := h.ctl("GET", "permissions", "")
	if s != 200 {
		t.Fatalf("GET permissions: %d", s)
	}
	least := map[string]string{}
	for _, o := range got["operations"].([]any) {
		o := o.(map[string]any)
		least[o["operation"].(string)] = strings.Join(toStrings(o["least_application_permissions"]), ",")
	}
	want := map[string]string{
		"GET /v1.0/roleManagement/directory/roleEligibilitySchedules":         "RoleEligibilitySchedule.Read.Directory",
		"GET /v1.0/roleManagement/directory/roleAssignmentSchedules":          "RoleAssignmentSchedule.Read.Directory",
		"POST /v1.0/roleManagement/directory/roleEligibilityScheduleRequests": "RoleEligibilitySchedule.ReadWrite.Directory",
	}
	for op, perm := range want {
		if least[op] != perm {
			t.Errorf("%s: least %q, want %q (all: %v)", op, least[op], perm, least)
		}
	}
	set := strings.Join(toStrings(got["application_permissions"]), ",")
	if !strings.Contains(set, "RoleEligibilitySchedule.ReadWrite.Directory") || strings.Contains(set, "RoleEligibilitySchedule.Read.Directory") ||
		!strings.Contains(set, "RoleAssignmentSchedule.Read.Directory") {
		t.Errorf("least set %s", set)
	}
	if s, _ := h.ctl("DELETE", "permissions", ""); s != 204 {
		t.Errorf("DELETE permissions: %d", s)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
