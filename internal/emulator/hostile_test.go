package emulator_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// hostile is one request a careless or malicious client might send.
type hostile struct {
	method, path, body string
	header             map[string]string
}

func policyRule(rule string, fields string) string {
	typ := map[string]string{"Expiration": "ExpirationRule", "Enablement": "EnablementRule", "Approval": "ApprovalRule",
		"AuthenticationContext": "AuthenticationContextRule", "Notification": "NotificationRule"}[strings.SplitN(rule, "_", 2)[0]]
	return `{"@odata.type":"#microsoft.graph.unifiedRoleManagementPolicy` + typ + `","id":"` + rule + `"` + fields + `}`
}

// hostileCorpus returns requests that must each get a 4xx: malformed and
// deep JSON, wrong types, unknown actions and properties, huge values,
// hostile filters, bad paging tokens, unknown paths and methods.
func hostileCorpus(policyID string) []hostile {
	var c []hostile
	post := func(path, body string) { c = append(c, hostile{method: "POST", path: path, body: body}) }
	get := func(path string) { c = append(c, hostile{method: "GET", path: path}) }
	req := func(fields string) string {
		return `{"action":"adminAssign","principalId":"` + emulator.AliceID + `","roleDefinitionId":"` + emulator.RoleGlobalReader + `","directoryScopeId":"/"` + fields + `}`
	}
	for _, b := range []string{"", "{", "[", `"x"`, "null", "123", "[]", `{"action": }`, `{"action":"adminAssign"}{}`, "\x00\x01",
		strings.Repeat("[", 20000) + strings.Repeat("]", 20000), strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000)} {
		post(eligReqs, b)
	}
	for _, f := range []string{`,"action":5`, `,"principalId":{}`, `,"scheduleInfo":"soon"`, `,"scheduleInfo":{"expiration":[]}`,
		`,"ticketInfo":7`, `,"isValidationOnly":"yes"`, `,"justification":["x"]`, `,"unknownProperty":1`, `,"scheduleInfo":{"recurrence":{}}`,
		`,"scheduleInfo":{"startDateTime":"10000-01-01T00:00:00Z"}`, `,"scheduleInfo":{"startDateTime":"0001-01-01T00:00:00Z"}`,
		`,"scheduleInfo":{"startDateTime":"yesterday"}`, `,"scheduleInfo":{"expiration":{"type":"afterDuration","duration":"PT-1H"}}`,
		`,"scheduleInfo":{"expiration":{"type":"afterDuration","duration":"P"}}`, `,"scheduleInfo":{"expiration":{"type":"afterDuration"}}`,
		`,"scheduleInfo":{"expiration":{"type":"afterDateTime","endDateTime":"2000-01-01T00:00:00Z"}}`,
		`,"scheduleInfo":{"expiration":{"type":"sometimes"}}`, `,"scheduleInfo":{"expiration":{"type":"afterDuration","duration":"PT99999999999999H"}}`,
		`,"appScopeId":"/apps"`} {
		post(eligReqs, req(f))
	}
	for _, b := range []string{
		`{"action":"adminDance","principalId":"` + emulator.AliceID + `","roleDefinitionId":"` + emulator.RoleGlobalReader + `","directoryScopeId":"/"}`,
		`{"action":"selfActivate","principalId":"` + emulator.AliceID + `","roleDefinitionId":"` + emulator.RoleGlobalReader + `","directoryScopeId":"/"}`,
		`{"action":"adminAssign","principalId":"not-a-guid","roleDefinitionId":"` + emulator.RoleGlobalReader + `","directoryScopeId":"/"}`,
		`{"action":"adminAssign","principalId":"` + emulator.AliceID + `","roleDefinitionId":"nope","directoryScopeId":"/"}`,
		`{"action":"adminAssign","principalId":"` + emulator.AliceID + `","roleDefinitionId":"` + emulator.RoleGlobalReader + `","directoryScopeId":"tenant"}`,
		`{"action":"adminAssign","principalId":"` + emulator.AliceID + `","roleDefinitionId":"` + emulator.RoleGlobalReader + `","directoryScopeId":"/administrativeUnits/00000000-0000-0000-0000-000000000000"}`,
		`{"action":"adminAssign","principalId":"00000000-0000-0000-0000-000000000000","roleDefinitionId":"` + emulator.RoleGlobalReader + `","directoryScopeId":"/"}`,
		req(`,"justification":"` + strings.Repeat("x", 5<<20) + `"`),
	} {
		post(eligReqs, b)
	}
	post(actReqs, `{"action":"selfActivate","principalId":"`+emulator.BobID+`","roleDefinitionId":"`+emulator.RoleGlobalReader+`","directoryScopeId":"/"}`)
	for _, f := range []string{"(((((((((((((((((((((((((((((((((((((((((id eq 'a')))))))))))))))))))))))))))))))))))))))", "'", "id eq 'a' and",
		"id eq 'a' xor id eq 'b'", strings.Repeat("id eq 'a' and ", 1000) + "id eq 'a'", "principalId eq \x00", "startswith(,)", "id in (" + strings.Repeat("'a',", 50) + "'a')",
		"x/any(", "x/any(y: z eq 1)", "id eq 00000000-0000-0000-0000-000000000000", "contains(id,'a')", "length(id) eq 1"} {
		get(eligScheds + "?$filter=" + url.QueryEscape(f))
	}
	for _, q := range []string{"$top=-1", "$top=0", "$top=99999999999999999999", "$top=1e3", "$top=1000", "$skiptoken=!!!", "$skiptoken=Yzo",
		"$skiptoken=" + strings.Repeat("A", 5000), "$select=nope", "$expand=principal($expand=x($expand=y($expand=z)))", "$search=x", "$orderby=id",
		"$count=maybe", "$top=1&$top=2", "%zz=1", "$select=" + strings.Repeat("a,", 100) + "a"} {
		get(eligScheds + "?" + q)
	}
	for _, p := range []string{"/v1.0/nope", "/v1.0/roleManagement/directory/nope", "/v2.0/roleManagement", "/v1.0/../../etc/passwd",
		"/v1.0/roleManagement/directory/roleEligibilitySchedules/" + strings.Repeat("a", 10000), "/v1.0/roleManagement/directory/roleEligibilityScheduleRequests/x/y/z",
		"/v1.0/roleManagement/directory/roleEligibilitySchedules/filterByCurrentUser(on='everyone')", "/v1.0/roleManagement/directory/roleAssignmentApprovals/x",
		"/v1.0/policies/roleManagementPolicies", "/v1.0/policies/roleManagementPolicies?$filter=" + url.QueryEscape("id eq 'x'"),
		"/v1.0/policies/roleManagementPolicies/nope/rules", "/v1.0/auditLogs/directoryAudits?$orderby=" + url.QueryEscape("id desc"),
		"/v1.0/auditLogs/directoryAudits/nope", "/v1.0/roleManagement/directory/roleDefinitions/nope"} {
		c = append(c, hostile{method: "GET", path: strings.TrimPrefix(p, "/v1.0")})
	}
	for _, m := range []string{"DELETE", "PUT", "TRACE"} {
		c = append(c, hostile{method: m, path: eligScheds})
	}
	rules := "/policies/roleManagementPolicies/" + policyID + "/rules/"
	for _, b := range []string{
		policyRule("Expiration_Admin_Eligibility", `,"maximumDuration":5`), policyRule("Expiration_Admin_Eligibility", `,"isExpirationRequired":"yes"`),
		policyRule("Expiration_EndUser_Assignment", `,"maximumDuration":"P30D"`), policyRule("Enablement_Admin_Assignment", `,"enabledRules":"MFA"`),
		policyRule("Enablement_Admin_Assignment", `,"enabledRules":[7]`), policyRule("Approval_EndUser_Assignment", `,"setting":null`),
		policyRule("Approval_EndUser_Assignment", `,"setting":{"approvalStages":[`+strings.Repeat(`{},`, 999)+`{}]}`),
		policyRule("Approval_EndUser_Assignment", `,"setting":{"approvalStages":[{"primaryApprovers":[5]}]}`),
		policyRule("Approval_EndUser_Assignment", `,"setting":{"approvalStages":[{"approvalStageTimeOutInDays":1e300}]}`),
		policyRule("AuthenticationContext_EndUser_Assignment", `,"isEnabled":true,"claimValue":"c0"`),
		policyRule("Notification_Admin_Admin_Eligibility", `,"notificationRecipients":["nobody"]`),
		policyRule("Notification_Admin_Admin_Eligibility", `,"recipientType":"Approver"`),
		policyRule("Expiration_Admin_Eligibility", `,"bogus":1`), `{"id":"Expiration_Admin_Eligibility"}`, "[]",
	} {
		c = append(c, hostile{method: "PATCH", path: rules + "Expiration_Admin_Eligibility", body: b})
	}
	c = append(c, hostile{method: "PATCH", path: rules + "NoSuchRule", body: policyRule("Expiration_Admin_Eligibility", "")},
		hostile{method: "PATCH", path: "/policies/roleManagementPolicies/" + policyID, body: `{"displayName":"mine"}`},
		hostile{method: "POST", path: eligReqs + "/nope/cancel"},
		hostile{method: "POST", path: eligReqs, body: req(""), header: map[string]string{"Content-Encoding": "compress"}},
		hostile{method: "POST", path: eligReqs, body: req(""), header: map[string]string{"Content-Encoding": "gzip"}},
		hostile{method: "GET", path: eligScheds, header: map[string]string{"Authorization": "Bearer "}},
		hostile{method: "GET", path: eligScheds, header: map[string]string{"Authorization": "Basic " + token}},
	)
	return c
}

// TestHostileRequests sends the corpus: every answer is a 4xx in Graph's
// envelope, nothing panics, and the emulator still works afterwards.
func TestHostileRequests(t *testing.T) {
	var logs bytes.Buffer
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(epoch), Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Tokens: map[string]emulator.Identity{token: {PrincipalID: emulator.AdminID, MFA: true}, "bob-mfa": {PrincipalID: emulator.BobID, MFA: true}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	h := &harness{t: t, srv: srv, url: hs.URL + "/v1.0"}
	pid, _ := rulesByID(t, h, helpdesk)
	corpus := hostileCorpus(pid)
	for i, c := range corpus {
		status, body := send(t, hs.URL+"/v1.0"+c.path, c)
		var env struct {
			Error struct {
				Code, Message string
				InnerError    map[string]any
			}
		}
		if status < 400 || status >= 500 || json.Unmarshal(body, &env) != nil || env.Error.Code == "" || env.Error.InnerError["request-id"] == nil {
			t.Errorf("#%d %s %s (body %.60q): HTTP %d %.200s — want a 4xx in Graph's error envelope", i, c.method, c.path, c.body, status, body)
		}
	}
	t.Logf("%d hostile requests, all answered 4xx", len(corpus))
	if strings.Contains(logs.String(), "panicked") {
		t.Errorf("handlers panicked:\n%s", logs.String())
	}
	if s, m := h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil)); s != 201 {
		t.Errorf("after the corpus the emulator refuses a valid request: %d %v", s, m)
	}
}

func send(t testing.TB, target string, c hostile) (int, []byte) {
	req, err := http.NewRequestWithContext(context.Background(), c.method, target, strings.NewReader(c.body))
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, target, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, target, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// A client that sends half a body holds up only itself: bodies are read
// before any lock is taken.
func TestHalfABodyDoesNotBlockOthers(t *testing.T) {
	h := newHarness(t, "")
	conn, err := (&net.Dialer{}).DialContext(t.Context(), "tcp", strings.TrimPrefix(strings.TrimSuffix(h.url, "/v1.0"), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	w := bufio.NewWriter(conn)
	_, _ = fmt.Fprintf(w, "POST /v1.0%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"action\":", eligReqs, token)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 2)
	go func() {
		s, _ := h.do("POST", actReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
		done <- s
	}()
	go func() {
		s, _ := h.do("GET", eligScheds, token, nil)
		done <- s
	}()
	for range 2 {
		select {
		case s := <-done:
			if s != 201 && s != 200 {
				t.Errorf("a call beside the stalled one: HTTP %d", s)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a call beside a client that sent half a body did not finish: the emulator is blocked")
		}
	}
}

// FuzzRequestBody: no body, however malformed, makes a schedule request
// answer 5xx.
func FuzzRequestBody(f *testing.F) {
	for _, s := range []string{
		`{"action":"adminAssign","principalId":"` + emulator.AliceID + `","roleDefinitionId":"` + emulator.RoleGlobalReader + `","directoryScopeId":"/"}`,
		`{"action":"adminUpdate","principalId":"` + emulator.AdminID + `","roleDefinitionId":"` + emulator.RoleGlobalAdministrator + `","directoryScopeId":"/","scheduleInfo":{"expiration":{"type":"afterDuration","duration":"P1D"}}}`,
		`{"action":"selfActivate","principalId":"` + emulator.AdminID + `","roleDefinitionId":"` + emulator.RoleHelpdeskAdministrator + `","directoryScopeId":"/","scheduleInfo":{"startDateTime":"2031-01-01T00:00:00Z"}}`,
		`{"action":"adminRemove","principalId":"` + emulator.AdminID + `","roleDefinitionId":"` + emulator.RoleGlobalAdministrator + `","directoryScopeId":"/"}`,
		`{"@odata.type":"x","ticketInfo":{"ticketNumber":null},"isValidationOnly":true}`, `[1,2]`, `{"a":{"b":{"c":[]}}}`,
	} {
		f.Add([]byte(s), true)
	}
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(epoch),
		Tokens: map[string]emulator.Identity{token: {PrincipalID: emulator.AdminID, MFA: true}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, active bool) {
		path := "/v1.0" + eligReqs
		if active {
			path = "/v1.0" + actReqs
		}
		req := httptest.NewRequestWithContext(t.Context(), "POST", path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("body %q: HTTP %d %s", body, rec.Code, rec.Body)
		}
	})
}
