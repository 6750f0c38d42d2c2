package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// Authorization as Graph enforces it: each probe is one a tenant relies on.

func TestPlainUsersCannotReadTheWholeTenant(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, helpdesk, nil))
	setApproval(h, []emulator.Approver{{UserID: emulator.CarolID}})
	_, req := activate(h, "alice-mfa", emulator.AliceID, nil)
	beta := strings.Replace(h.url, "/v1.0", "/beta", 1)
	for _, p := range []string{eligScheds, eligReqs, eligInsts, actScheds, actReqs, actInsts, "/auditLogs/directoryAudits",
		"/policies/roleManagementPolicyAssignments?$filter=" + url.QueryEscape("scopeId eq '/' and scopeType eq 'DirectoryRole'"),
		beta + approvals + req["id"].(string)} {
		if s, m := h.do("GET", p, "bob-mfa", nil); s != 403 || !strings.HasPrefix(errCode(m), "accessDenied") {
			t.Errorf("Bob (no directory role) GET %s: %d %s, want 403", p, s, errCode(m))
		}
	}
	// Their own, through filterByCurrentUser, and the approver's view.
	if s, m := h.do("GET", actReqs+"/filterByCurrentUser(on='principal')", "alice-mfa", nil); s != 200 || len(m["value"].([]any)) != 1 {
		t.Errorf("Alice's own requests: %d %v", s, m)
	}
	if s, m := h.do("GET", actReqs+"/filterByCurrentUser(on='approver')", "carol-mfa", nil); s != 200 || len(m["value"].([]any)) != 1 {
		t.Errorf("Carol's requests to approve: %d %v", s, m)
	}
	if s, _ := h.do("GET", beta+approvals+req["id"].(string), "carol-mfa", nil); s != 200 {
		t.Errorf("the approver reads the approval: %d", s)
	}
	if s, _ := h.do("GET", actReqs+"/"+req["id"].(string), "alice-mfa", nil); s != 200 {
		t.Errorf("the requester reads her request by id: %d", s)
	}
}

func TestOnlyTheCreatorOrAnAdminCancels(t *testing.T) {
	h := newHarness(t, "")
	_, future := h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, map[string]any{
		"scheduleInfo": map[string]any{"startDateTime": "2030-02-01T00:00:00Z", "expiration": map[string]any{"type": "noExpiration"}}}))
	if future["status"] != "Granted" {
		t.Fatalf("future-dated eligibility: %v", future)
	}
	cancel := eligReqs + "/" + future["id"].(string) + "/cancel"
	for _, tok := range []string{"alice-mfa", "bob-mfa"} {
		if s, m := h.do("POST", cancel, tok, nil); s != 403 {
			t.Errorf("%s cancels the admin's request: %d %s, want 403", tok, s, errCode(m))
		}
	}
	if _, ok := h.srv.FindSchedule(emulator.Eligible, emulator.AliceID, emulator.RoleGlobalReader, "/"); !ok {
		t.Fatal("a refused cancel removed the schedule")
	}
	if s, m := h.do("POST", cancel, token, nil); s != 204 {
		t.Errorf("the creator cancels: %d %s", s, errCode(m))
	}
}

func TestLastPermanentGlobalAdministratorStaysPermanent(t *testing.T) {
	h := newHarness(t, "")
	update := func(principal, end string) (int, map[string]any) {
		return h.do("POST", actReqs, token, map[string]any{"action": "adminUpdate", "principalId": principal,
			"roleDefinitionId": emulator.RoleGlobalAdministrator, "directoryScopeId": "/", "justification": "rotate",
			"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDateTime", "endDateTime": end}}})
	}
	if s, m := update(emulator.AdminID, "2030-03-01T00:00:00Z"); s != 400 || !strings.HasPrefix(errCode(m), "LastGlobalAdministratorCannotBeRemoved") {
		t.Fatalf("time-bounding the only permanent Global Administrator: %d %s", s, errCode(m))
	}
	if sc, _ := h.srv.FindSchedule(emulator.Active, emulator.AdminID, emulator.RoleGlobalAdministrator, "/"); sc.End != nil {
		t.Fatalf("the refused update made the last Global Administrator end at %s", sc.End)
	}
	h.do("POST", actReqs, token, assign(emulator.CarolID, emulator.RoleGlobalAdministrator, nil))
	if s, m := update(emulator.AdminID, "2030-03-01T00:00:00Z"); s != 201 {
		t.Errorf("with a second permanent Global Administrator: %d %s", s, errCode(m))
	}
}

// The control API takes only the control token, and the clock only moves
// forward, in bounded steps.
func TestControlAPIIsSeparateAndBounded(t *testing.T) {
	clock := &emulator.OffsetClock{}
	srv, err := emulator.New(emulator.Options{Clock: clock, ControlToken: "ctl", Tokens: map[string]emulator.Identity{token: {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	post := func(tok, body string) (int, map[string]any) {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", hs.URL+"/_emulator/clock", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	if s, _ := post(token, `{"advance":"6m"}`); s != 401 {
		t.Errorf("a Graph token moves the clock: %d, want 401", s)
	}
	for _, bad := range []string{`{"advance":"-5m"}`, `{"advance":"87601h"}`, `{"advance":"soon"}`, `{"by":"6m"}`} {
		if s, _ := post("ctl", bad); s != 400 {
			t.Errorf("%s: %d, want 400", bad, s)
		}
	}
	before := clock.Now()
	for range 30 {
		post("ctl", `{"advance":"87600h"}`)
	}
	if now := clock.Now(); !now.After(before.AddDate(90, 0, 0)) || now.After(before.AddDate(101, 0, 0)) {
		t.Errorf("after thirty ten-year jumps the clock reads %s (started %s): want about a hundred years on, never wrapped", now, before)
	}
}

// Concurrent sign-ins, Graph calls and control calls share no unguarded
// state (run with -race, as CI does).
func TestConcurrentSignInsAndControlCalls(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Clock: &emulator.OffsetClock{}, AppSecret: "s3cret", ControlToken: "ctl",
		Tokens: map[string]emulator.Identity{token: {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewTLSServer(srv)
	defer hs.Close()
	client := hs.Client()
	call := func(method, path, tok, form string) *http.Response {
		req, _ := http.NewRequestWithContext(t.Context(), method, hs.URL+path, strings.NewReader(form))
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		if form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Error(err)
			return nil
		}
		return resp
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {emulator.AppClientID}, "client_secret": {"s3cret"},
		"scope": {"https://graph.microsoft.com/.default"}}.Encode()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 10 {
				var resp *http.Response
				switch i % 3 {
				case 0:
					resp = call("POST", "/"+emulator.DefaultTenantID+"/oauth2/v2.0/token", "", form)
				case 1:
					resp = call("GET", "/v1.0"+actScheds, token, "")
				default:
					resp = call("GET", "/_emulator/clock", "ctl", "")
				}
				if resp != nil {
					_ = resp.Body.Close()
					if resp.StatusCode != 200 {
						t.Errorf("worker %d: HTTP %d", i, resp.StatusCode)
					}
				}
			}
		})
	}
	wg.Wait()
}
