package emulator_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// Wire fidelity: each test pins a documented Graph behaviour that a client
// (Microsoft's SDKs included) relies on.

// Microsoft's Graph SDKs gzip request bodies by default.
func TestGzipRequestBodies(t *testing.T) {
	h := newHarness(t, "")
	send := func(encoding string, body []byte) (int, map[string]any) {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", h.url+eligReqs, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Content-Encoding", encoding)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	plain, _ := json.Marshal(assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	_, _ = zw.Write(plain)
	_ = zw.Close()
	if s, m := send("gzip", zipped.Bytes()); s != 201 || m["status"] != "Provisioned" {
		t.Fatalf("gzip body: %d %v", s, m)
	}
	if s, m := send("br", plain); s != 415 {
		t.Errorf("unsupported Content-Encoding: %d %v, want 415", s, m)
	}
	if s, m := send("gzip", []byte("not gzip at all")); s != 400 {
		t.Errorf("corrupt gzip: %d %v, want 400", s, m)
	}
	// A small compressed body that inflates past the limit (a "zip bomb").
	var bomb bytes.Buffer
	zw = gzip.NewWriter(&bomb)
	_, _ = zw.Write(bytes.Repeat([]byte(" "), 5<<20))
	_ = zw.Close()
	if s, m := send("gzip", bomb.Bytes()); s != 413 {
		t.Errorf("body inflating past 4 MiB: %d %v, want 413", s, m)
	}
}

// The documented example: $select keeps the selected keys (in order), $expand
// adds the navigations, and @odata.context says both.
func TestSelectAndExpand(t *testing.T) {
	h := newHarness(t, "")
	_, created := h.do("POST", actReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
	id := created["id"].(string)
	s, m := h.do("GET", actReqs+"/"+id+"?$select=principalId,action,roleDefinitionId&$expand=roleDefinition,activatedUsing,principal,targetSchedule", token, nil)
	if s != 200 {
		t.Fatalf("GET with $select/$expand: %d %v", s, m)
	}
	want := "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignmentScheduleRequests(principalId,action,roleDefinitionId,roleDefinition(),activatedUsing(),principal(),targetSchedule())/$entity"
	if m["@odata.context"] != want {
		t.Errorf("@odata.context\n got %v\nwant %s", m["@odata.context"], want)
	}
	if _, ok := m["id"]; ok || m["action"] != "adminAssign" {
		t.Errorf("$select must project: %v", m)
	}
	principal, _ := m["principal"].(map[string]any)
	role, _ := m["roleDefinition"].(map[string]any)
	target, _ := m["targetSchedule"].(map[string]any)
	if principal["@odata.type"] != "#microsoft.graph.user" || principal["userPrincipalName"] != "alice@contoso.example" ||
		role["displayName"] != "Global Reader" || target["id"] != id || m["activatedUsing"] != nil {
		t.Errorf("expanded navigations: principal %v role %v target %v activatedUsing %v", principal, role, target, m["activatedUsing"])
	}
	// Lists: the context of an expanded collection, and nested $select.
	_, l := h.do("GET", actScheds+"?$filter="+url.QueryEscape("principalId eq '"+emulator.AliceID+"'")+"&$expand=principal($select=displayName)", token, nil)
	if l["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignmentSchedules(principal(displayName))" {
		t.Errorf("collection context %v", l["@odata.context"])
	}
	if p := l["value"].([]any)[0].(map[string]any)["principal"].(map[string]any); p["displayName"] != "Alice Analyst" || p["mail"] != nil {
		t.Errorf("nested $select: %v", p)
	}
	for _, bad := range []string{"?$select=nope", "?$expand=nope", "?$expand=" + url.QueryEscape("principal($filter=id eq 'x')"), "?$orderby=id"} {
		if s, m := h.do("GET", actScheds+bad, token, nil); s != 400 {
			t.Errorf("%s: %d %v, want 400", bad, s, m)
		}
	}
}

// Empty collections are [], never null; filterByCurrentUser answers with a
// Collection(...) context and an @odata.type on each item.
func TestCollectionsAndFilterByCurrentUser(t *testing.T) {
	h := newHarness(t, "")
	for _, p := range []string{eligReqs, eligScheds, eligInsts, actReqs + "/filterByCurrentUser(on='principal')",
		eligInsts + "/filterByCurrentUser(on='principal')", actScheds + "?$filter=" + url.QueryEscape("principalId eq 'none'")} {
		tok := token
		if strings.Contains(p, "filterByCurrentUser") {
			tok = "alice-mfa"
		}
		raw := h.raw("GET", p, tok)
		if !strings.Contains(raw, `"value":[]`) {
			t.Errorf("GET %s: %s, want \"value\":[]", p, raw)
		}
	}
	h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
	_, m := h.do("GET", eligInsts+"/filterByCurrentUser(on='principal')", "alice-mfa", nil)
	if m["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#Collection(unifiedRoleEligibilityScheduleInstance)" {
		t.Errorf("context %v", m["@odata.context"])
	}
	items := m["value"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["@odata.type"] != "#microsoft.graph.unifiedRoleEligibilityScheduleInstance" {
		t.Errorf("items %v", items)
	}
	sameShape(t, "filterByCurrentUser instance", items[0], example(t, "unifiedroleeligibilityscheduleinstance-filterbycurrentuser-response.json")["value"].([]any)[0])
}

// raw returns the body of a GET as text.
func (h *harness) raw(method, path, tok string) string {
	h.t.Helper()
	req, _ := http.NewRequestWithContext(h.t.Context(), method, h.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// @odata.nextLink is built from the request's scheme and host: paging over
// TLS follows https links.
func TestNextLinkKeepsSchemeAndHost(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(epoch), PageSize: 1,
		Tokens: map[string]emulator.Identity{token: {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewTLSServer(srv)
	defer hs.Close()
	client := hs.Client()
	next, pages := hs.URL+"/v1.0"+actScheds+"?$select=id", 0
	for next != "" {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", next, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("page %d (%s): %v", pages, next, err)
		}
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		_ = resp.Body.Close()
		pages++
		next, _ = m["@odata.nextLink"].(string)
		if next != "" && !strings.HasPrefix(next, hs.URL+"/v1.0/") || strings.Contains(next, "$select=id") == false && next != "" {
			t.Fatalf("nextLink %q: want %s/v1.0/… keeping $select", next, hs.URL)
		}
	}
	if pages != 3 { // the three seeded standing assignments, one per page
		t.Errorf("%d pages, want 3", pages)
	}
}

// $filter with "in" (documented for role definitions) and "or".
func TestInAndOrFilters(t *testing.T) {
	h := newHarness(t, "")
	q := url.QueryEscape("displayName in ('Global Reader', 'Helpdesk Administrator')")
	_, m := h.do("GET", "/roleManagement/directory/roleDefinitions?$filter="+q, token, nil)
	if n := len(m["value"].([]any)) + pagesLeft(h, m); n != 2 {
		t.Errorf("displayName in (…): %d roles, want 2", n)
	}
	h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
	h.do("POST", eligReqs, token, assign(emulator.BobID, emulator.RoleHelpdeskAdministrator, nil))
	q = url.QueryEscape("principalId eq '" + emulator.AliceID + "' or roleDefinitionId eq '" + emulator.RoleHelpdeskAdministrator + "'")
	_, m = h.do("GET", eligScheds+"?$filter="+q, token, nil)
	if n := len(m["value"].([]any)) + pagesLeft(h, m); n != 2 {
		t.Errorf("or: %d schedules, want 2", n)
	}
}

// Durations Graph refuses: weeks in policy rules, and values that overflow.
func TestDurationsGraphRefuses(t *testing.T) {
	h := newHarness(t, "")
	pid, _ := rulesByID(t, h, helpdesk)
	s, m := h.do("PATCH", "/policies/roleManagementPolicies/"+pid+"/rules/Expiration_Admin_Eligibility", token,
		map[string]any{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "isExpirationRequired": true, "maximumDuration": "P12W6D"})
	if s != 400 || !strings.Contains(errCode(m), "Expiration_Admin_Eligibility.maximumDuration") || !strings.Contains(errCode(m), "P90D") {
		t.Errorf("P12W6D: %d %s", s, errCode(m))
	}
	for _, d := range []string{"PT9999999999H", "P9223372036854775807D", "P9000Y"} {
		s, m := h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, map[string]any{
			"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": d}}}))
		if s != 400 || !strings.Contains(errCode(m), "scheduleInfo.expiration.duration") {
			t.Errorf("duration %s: %d %s", d, s, errCode(m))
		}
	}
	if got := h.srv.Schedules(emulator.Eligible); len(got) != 0 {
		t.Errorf("refused durations created schedules: %+v", got)
	}
}

// Enablement_Admin_Eligibility accepts MultiFactorAuthentication; then an
// app-only caller, which cannot perform MFA, is refused like Graph refuses
// an unmet MFA requirement.
func TestMFARequiredToMakeEligible(t *testing.T) {
	h := newHarness(t, "")
	pid, _ := rulesByID(t, h, helpdesk)
	if s, m := h.do("PATCH", "/policies/roleManagementPolicies/"+pid+"/rules/Enablement_Admin_Eligibility", token,
		map[string]any{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "enabledRules": []string{"MultiFactorAuthentication"}}); s != 204 {
		t.Fatalf("MFA on Enablement_Admin_Eligibility: %d %s", s, errCode(m))
	}
	s, m := h.do("POST", eligReqs, "app-token", assign(emulator.AliceID, helpdesk, nil))
	if s != 400 || errCode(m) != `RoleAssignmentRequestPolicyValidationFailed: The following policy rules failed: ["MfaRule"]` {
		t.Errorf("app-only eligibility under an MFA rule: %d %s", s, errCode(m))
	}
	if s, m := h.do("POST", eligReqs, token, assign(emulator.AliceID, helpdesk, nil)); s != 201 {
		t.Errorf("a signed-in admin with MFA: %d %s", s, errCode(m))
	}
}

// Audit records carry every documented key, null when unknown.
func TestAuditRecordKeys(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
	_, m := h.do("GET", "/auditLogs/directoryAudits", token, nil)
	rec := m["value"].([]any)[0].(map[string]any)
	sameShape(t, "audit record", topLevel(rec), topLevel(example(t, "directoryaudit-list-filter-initiatedby-response.json")["value"].([]any)[0]))
	for _, tr := range rec["targetResources"].([]any) {
		for _, k := range []string{"id", "displayName", "type", "userPrincipalName", "groupType", "modifiedProperties"} {
			if _, ok := tr.(map[string]any)[k]; !ok {
				t.Errorf("target %v lacks %q", tr, k)
			}
		}
	}
	user := rec["initiatedBy"].(map[string]any)["user"].(map[string]any)
	for _, k := range []string{"userType", "homeTenantId", "homeTenantName", "ipAddress"} {
		if _, ok := user[k]; !ok {
			t.Errorf("initiatedBy.user lacks %q", k)
		}
	}
}

// Approval steps name their reviewer as one identity object (the beta
// schema, which Microsoft's beta SDK reads), and an approval's id is its
// request's id, as the docs show.
func TestApprovalStepShape(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, helpdesk, nil))
	setApproval(h, []emulator.Approver{{UserID: emulator.CarolID}})
	_, req := activate(h, "alice-mfa", emulator.AliceID, nil)
	if req["approvalId"] != req["id"] {
		t.Errorf("approvalId %v, want the request id %v", req["approvalId"], req["id"])
	}
	si := req["scheduleInfo"].(map[string]any)
	if si["startDateTime"] != nil {
		t.Errorf("a pending request without a requested start shows startDateTime %v, want null", si["startDateTime"])
	}
	id := req["approvalId"].(string)
	step := approvalOf(t, h, "carol-mfa", id)[0]
	sameShape(t, "approval step", step, example(t, "approval-get-beta-response.json")["steps"].([]any)[0])
	review(h, "carol-mfa", id, step["id"].(string), "Approve")
	_, got := h.do("GET", strings.Replace(h.url, "/v1.0", "/beta", 1)+approvals+id, "carol-mfa", nil)
	by, ok := got["steps"].([]any)[0].(map[string]any)["reviewedBy"].(map[string]any)
	if !ok || by["id"] != emulator.CarolID || by["displayName"] != "Carol Compliance" {
		t.Errorf("reviewedBy %v, want one identity {id, displayName}", got["steps"].([]any)[0].(map[string]any)["reviewedBy"])
	}
}

// An activation ended early is recorded with its real end; an activation
// approved after its requested start runs for its duration from approval.
func TestDeactivationAndLateApprovalTimes(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, helpdesk, nil))
	activate(h, "alice-mfa", emulator.AliceID, nil) // PT4H
	h.clock.Advance(30 * time.Minute)
	h.do("POST", actReqs, "alice-mfa", map[string]any{"action": "selfDeactivate", "principalId": emulator.AliceID, "roleDefinitionId": helpdesk, "directoryScopeId": "/"})
	q := url.Values{"$filter": {"activityDisplayName eq 'Remove member from role completed (PIM deactivate)'"}}
	_, m := h.do("GET", "/auditLogs/directoryAudits?"+q.Encode(), token, nil)
	details := m["value"].([]any)[0].(map[string]any)["additionalDetails"]
	if !strings.Contains(jsonString(details), `"ExpirationTime","value":"2030-01-01T09:30:00.0000000Z"`) {
		t.Errorf("deactivation record: %s, want ExpirationTime at the deactivation (09:30), not the planned 13:00", jsonString(details))
	}

	setApproval(h, []emulator.Approver{{UserID: emulator.CarolID}})
	_, req := activate(h, "alice-mfa", emulator.AliceID, nil)
	h.clock.Advance(3 * time.Hour) // approved three hours later
	step := approvalOf(t, h, "carol-mfa", req["id"].(string))[0]
	review(h, "carol-mfa", req["id"].(string), step["id"].(string), "Approve")
	a, ok := h.srv.FindActivation(emulator.AliceID, helpdesk, "/")
	if approvedAt := epoch.Add(3*time.Hour + 30*time.Minute); !ok || !a.Start.Equal(approvedAt) || !a.End.Equal(approvedAt.Add(4*time.Hour)) {
		t.Errorf("late approval: %+v, want the 4 hours to run from approval", a)
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The Date header is the emulator's clock, so clients judge expiry by the
// server's time even after the clock was moved; errors carry it too.
func TestDateHeaderFollowsTheEmulatorsClock(t *testing.T) {
	h := newHarness(t, "")
	h.clock.Advance(25 * time.Hour)
	for _, path := range []string{"/roleManagement/directory/roleDefinitions", "/no/such/path"} {
		req, err := http.NewRequestWithContext(t.Context(), "GET", h.url+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		got, err := http.ParseTime(resp.Header.Get("Date"))
		if want := h.clock.Now().Truncate(time.Second); err != nil || !got.Equal(want) {
			t.Errorf("%s: Date %q, want %s", path, resp.Header.Get("Date"), want.Format(http.TimeFormat))
		}
	}
}
