package emulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const token = "test-token"

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

var epoch = time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)

type harness struct {
	t     *testing.T
	srv   *emulator.Server
	clock *emulator.FakeClock
	url   string
}

func newHarness(t *testing.T, dataFile string) *harness {
	t.Helper()
	clock := emulator.NewFakeClock(epoch)
	srv, err := emulator.New(emulator.Options{
		Clock: clock, DataFile: dataFile, PageSize: 2, ControlToken: "ctl",
		Tokens: map[string]emulator.Identity{
			token:          {PrincipalID: emulator.AdminID, MFA: true},
			"alice-token":  {PrincipalID: emulator.AliceID},
			"alice-mfa":    {PrincipalID: emulator.AliceID, MFA: true},
			"alice-mfa-c1": {PrincipalID: emulator.AliceID, MFA: true, ACRS: []string{"c1"}},
			"bob-mfa":      {PrincipalID: emulator.BobID, MFA: true},
			"carol-mfa":    {PrincipalID: emulator.CarolID, MFA: true},
			"dave-mfa":     {PrincipalID: emulator.DaveID, MFA: true},
			"app-token":    {PrincipalID: emulator.AppServicePrincipalID, App: true},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &harness{t: t, srv: srv, clock: clock, url: hs.URL + "/v1.0"}
}

// do sends a request and decodes the JSON answer into a map.
func (h *harness) do(method, path, tok string, body any) (int, map[string]any) {
	h.t.Helper()
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = strings.NewReader(s)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = h.url + path
	}
	req, _ := http.NewRequestWithContext(h.t.Context(), method, target, rd)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &m); err != nil {
			h.t.Fatalf("%s %s: invalid JSON %q", method, path, data)
		}
	}
	return resp.StatusCode, m
}

func assign(principal, role string, extra map[string]any) map[string]any {
	b := map[string]any{"action": "AdminAssign", "principalId": principal, "roleDefinitionId": role, "directoryScopeId": "/", "justification": "because"}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

const (
	eligReqs   = "/roleManagement/directory/roleEligibilityScheduleRequests"
	eligScheds = "/roleManagement/directory/roleEligibilitySchedules"
	eligInsts  = "/roleManagement/directory/roleEligibilityScheduleInstances"
	actReqs    = "/roleManagement/directory/roleAssignmentScheduleRequests"
	actScheds  = "/roleManagement/directory/roleAssignmentSchedules"
	actInsts   = "/roleManagement/directory/roleAssignmentScheduleInstances"
)

// keys describes a JSON value's structure: object keys, recursively.
func keys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, vv := range x {
			out[k] = keys(vv)
		}
		return out
	case []any:
		if len(x) == 0 {
			return []any{}
		}
		return []any{keys(x[0])}
	}
	return "scalar"
}

func example(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "graph-examples", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func sameShape(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := keys(got), keys(want); !reflect.DeepEqual(g, w) {
		gj, _ := json.MarshalIndent(g, "", " ")
		wj, _ := json.MarshalIndent(w, "", " ")
		t.Errorf("%s: shape differs from the Graph example\n got: %s\nwant: %s", what, gj, wj)
	}
}

func TestDocumentedShapes(t *testing.T) {
	h := newHarness(t, "")
	status, req := h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, map[string]any{
		"scheduleInfo": map[string]any{"startDateTime": "2022-04-10T00:00:00Z", "expiration": map[string]any{"type": "afterDateTime", "endDateTime": "2031-04-10T00:00:00Z"}},
	}))
	if status != http.StatusCreated {
		t.Fatalf("adminAssign: HTTP %d %v", status, req)
	}
	sameShape(t, "eligibility adminAssign", req, example(t, "unifiedroleeligibilityschedulerequest-create-adminassign-response.json"))
	if req["status"] != "Provisioned" || req["action"] != "adminAssign" || req["targetScheduleId"] != req["id"] {
		t.Errorf("adminAssign: status %v action %v target %v id %v", req["status"], req["action"], req["targetScheduleId"], req["id"])
	}
	si := req["scheduleInfo"].(map[string]any)
	if si["startDateTime"] != "2030-01-01T09:00:00.0000000Z" {
		t.Errorf("a start in the past must become the processing time, got %v", si["startDateTime"])
	}

	_, sc := h.do("GET", eligScheds+"/"+req["id"].(string), token, nil)
	sameShape(t, "eligibility schedule", sc, example(t, "unifiedroleeligibilityschedule-get-response.json"))
	if sc["createdUsing"] != req["id"] || sc["memberType"] != "Direct" {
		t.Errorf("schedule createdUsing %v memberType %v", sc["createdUsing"], sc["memberType"])
	}
	_, insts := h.do("GET", eligInsts, token, nil)
	sameShape(t, "eligibility instances", insts, example(t, "unifiedroleeligibilityscheduleinstance-list-response.json"))
	inst := insts["value"].([]any)[0].(map[string]any)
	if id := inst["id"].(string); !strings.HasSuffix(id, "-1-e") || guidRE.MatchString(id) {
		t.Errorf("instance id %q should be opaque, not a GUID", id)
	}

	status, rm := h.do("POST", eligReqs, token, map[string]any{"action": "adminRemove", "principalId": emulator.AliceID, "roleDefinitionId": emulator.RoleGlobalReader, "directoryScopeId": "/"})
	if status != http.StatusCreated {
		t.Fatalf("adminRemove: HTTP %d %v", status, rm)
	}
	sameShape(t, "eligibility adminRemove", rm, example(t, "unifiedroleeligibilityschedulerequest-create-adminremove-response.json"))
	if rm["status"] != "Revoked" || rm["targetScheduleId"] != nil || rm["scheduleInfo"] != nil || rm["completedDateTime"] != nil {
		t.Errorf("adminRemove response %v", rm)
	}

	status, act := h.do("POST", actReqs, token, assign(emulator.BobID, emulator.RoleHelpdeskAdministrator, map[string]any{
		"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "NoExpiration"}},
	}))
	if status != http.StatusCreated {
		t.Fatalf("active adminAssign: HTTP %d %v", status, act)
	}
	sameShape(t, "active adminAssign", act, example(t, "unifiedroleassignmentschedulerequest-create-adminassign-response.json"))
	_, asc := h.do("GET", actScheds+"/"+act["id"].(string), token, nil)
	sameShape(t, "active schedule", asc, example(t, "unifiedroleassignmentschedule-get-response.json"))
	if asc["assignmentType"] != "Assigned" {
		t.Errorf("assignmentType = %v", asc["assignmentType"])
	}
	_, ainsts := h.do("GET", actInsts+"?$filter="+url.QueryEscape("principalId eq '"+emulator.BobID+"'"), token, nil)
	ai := ainsts["value"].([]any)[0].(map[string]any)
	sameShape(t, "active instance", ai, without(example(t, "unifiedroleassignmentscheduleinstance-get-response.json"), "@odata.context"))

	_, roles := h.do("GET", "/roleManagement/directory/roleDefinitions", token, nil)
	// Permissions are not emulated (empty lists), so compare the top level only.
	sameShape(t, "role definition", topLevel(roles["value"].([]any)[0]), topLevel(example(t, "unifiedroledefinition-list-response.json")["value"].([]any)[0]))
}

func topLevel(v any) map[string]any {
	out := map[string]any{}
	for k := range v.(map[string]any) {
		out[k] = nil
	}
	return out
}

func without(m map[string]any, k string) map[string]any { delete(m, k); return m }

func TestErrors(t *testing.T) {
	h := newHarness(t, "")
	body := assign(emulator.AliceID, emulator.RoleGlobalReader, nil)
	if s, _ := h.do("POST", eligReqs, token, body); s != http.StatusCreated {
		t.Fatalf("first assign: %d", s)
	}
	cases := []struct {
		name, method, path, tok string
		body                    any
		status                  int
		code                    string
	}{
		{"duplicate assign", "POST", eligReqs, token, body, 400, "RoleAssignmentExists"},
		{"remove missing", "POST", eligReqs, token, map[string]any{"action": "adminRemove", "principalId": emulator.BobID, "roleDefinitionId": emulator.RoleGlobalReader, "directoryScopeId": "/"}, 400, "RoleAssignmentDoesNotExist"},
		{"update missing", "POST", actReqs, token, map[string]any{"action": "adminUpdate", "principalId": emulator.BobID, "roleDefinitionId": emulator.RoleGlobalReader, "directoryScopeId": "/", "justification": "x"}, 400, "RoleAssignmentDoesNotExist"},
		{"malformed JSON", "POST", eligReqs, token, `{"action": `, 400, "BadRequest"},
		{"unknown action", "POST", eligReqs, token, map[string]any{"action": "adminDance", "principalId": emulator.BobID, "roleDefinitionId": emulator.RoleGlobalReader, "directoryScopeId": "/"}, 400, "BadRequest"},
		{"no token", "GET", eligScheds, "", nil, 401, "InvalidAuthenticationToken"},
		{"unknown token", "GET", eligScheds, "nope", nil, 401, "InvalidAuthenticationToken"},
		{"not an admin", "POST", eligReqs, "alice-token", assign(emulator.BobID, emulator.RoleGlobalReader, nil), 403, "accessDenied"},
		{"unknown schedule", "GET", eligScheds + "/nope", token, nil, 404, "ResourceNotFound"},
		{"bad filter", "GET", eligScheds + "?$filter=" + url.QueryEscape("principalId eq "), token, nil, 400, "BadRequest"},
		{"unsupported function", "GET", eligScheds + "?$filter=" + url.QueryEscape("contains(principalId,'a')"), token, nil, 400, "BadRequest"},
		{"end before start", "POST", eligReqs, token, assign(emulator.BobID, emulator.RoleGlobalReader, map[string]any{"scheduleInfo": map[string]any{"startDateTime": "2030-06-01T00:00:00Z", "expiration": map[string]any{"type": "afterDateTime", "endDateTime": "2030-05-01T00:00:00Z"}}}), 400, "BadRequest"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, m := h.do(c.method, c.path, c.tok, c.body)
			if status != c.status {
				t.Fatalf("HTTP %d, want %d: %v", status, c.status, m)
			}
			e, _ := m["error"].(map[string]any)
			if e["code"] != c.code {
				t.Errorf("code %v, want %s", e["code"], c.code)
			}
			inner, _ := e["innerError"].(map[string]any)
			if e["message"] == "" || inner["request-id"] == nil || inner["date"] == nil {
				t.Errorf("error envelope incomplete: %v", m)
			}
		})
	}
}

func TestDuplicateErrorMatchesExample(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
	_, m := h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
	want := example(t, "unifiedroleeligibilityschedulerequest-create-error-roleassignmentexists-response.json")
	want["error"].(map[string]any)["innerError"].(map[string]any)["client-request-id"] = nil
	delete(want["error"].(map[string]any)["innerError"].(map[string]any), "client-request-id") // sent only when the client sends one
	sameShape(t, "RoleAssignmentExists", m, want)
	if got := m["error"].(map[string]any)["message"]; got != "The Role assignment already exists." {
		t.Errorf("message %q", got)
	}
}

func TestFiltersAndPaging(t *testing.T) {
	h := newHarness(t, "")
	for _, p := range []string{emulator.AliceID, emulator.BobID, emulator.CarolID, emulator.DaveID} {
		for _, r := range []string{emulator.RoleGlobalReader, emulator.RoleHelpdeskAdministrator} {
			if s, m := h.do("POST", eligReqs, token, assign(p, r, nil)); s != 201 {
				t.Fatalf("assign: %d %v", s, m)
			}
		}
	}
	count := func(filter string) int {
		next := eligScheds + "?$filter=" + url.QueryEscape(filter)
		n, pages := 0, 0
		for next != "" {
			s, m := h.do("GET", next, token, nil)
			if s != 200 {
				t.Fatalf("GET %s: %d %v", next, s, m)
			}
			n += len(m["value"].([]any))
			pages++
			next, _ = m["@odata.nextLink"].(string)
		}
		if want := (n + 1) / 2; n > 0 && pages != want {
			t.Errorf("%q: %d items over %d pages, want %d pages of 2", filter, n, pages, want)
		}
		return n
	}
	checks := map[string]int{
		"principalId eq '" + emulator.AliceID + "'":                                                                                         2,
		"roleDefinitionId eq '" + emulator.RoleGlobalReader + "'":                                                                           4,
		"principalId eq '" + strings.ToUpper(emulator.AliceID) + "' and roleDefinitionId eq '" + emulator.RoleGlobalReader + "'":            1,
		"principalId eq '" + emulator.AliceID + "' and roleDefinitionId eq '" + emulator.RoleGlobalReader + "' and directoryScopeId eq '/'": 1,
		"directoryScopeId eq '/administrativeUnits/x'":                                                                                      0,
		"memberType eq 'Direct'": 8,
	}
	for f, want := range checks {
		if got := count(f); got != want {
			t.Errorf("%q matched %d schedules, want %d", f, got, want)
		}
	}
}

func TestGroupMembersSeeGroupEligibility(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.OpsGroupID, emulator.RoleGlobalReader, nil))
	_, m := h.do("GET", eligInsts+"?$filter="+url.QueryEscape("principalId eq '"+emulator.BobID+"'"), token, nil)
	v := m["value"].([]any)
	if len(v) != 1 || v[0].(map[string]any)["memberType"] != "Group" {
		t.Fatalf("Bob (Cloud Ops member) should see one Group eligibility instance, got %v", v)
	}
}

func TestTimeExpiryPurgeAndFutureStart(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, map[string]any{
		"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "P1D"}},
	}))
	_, fut := h.do("POST", eligReqs, token, assign(emulator.BobID, emulator.RoleGlobalReader, map[string]any{
		"scheduleInfo": map[string]any{"startDateTime": "2030-01-05T00:00:00Z", "expiration": map[string]any{"type": "noExpiration"}},
	}))
	if fut["status"] != "Granted" {
		t.Errorf("future start: status %v, want Granted", fut["status"])
	}
	instances := func() int {
		_, m := h.do("GET", eligInsts, token, nil)
		return len(m["value"].([]any)) + pagesLeft(h, m)
	}
	if n := instances(); n != 1 {
		t.Errorf("before the future start: %d instances, want 1", n)
	}
	h.clock.Advance(5 * 24 * time.Hour)
	if _, ok := h.srv.FindSchedule(emulator.Eligible, emulator.AliceID, emulator.RoleGlobalReader, "/"); ok {
		t.Error("P1D eligibility still present after 5 days")
	}
	if sc, ok := h.srv.FindSchedule(emulator.Eligible, emulator.BobID, emulator.RoleGlobalReader, "/"); !ok || sc.Status != "Provisioned" {
		t.Errorf("future eligibility after its start: %+v %v", sc, ok)
	}
	if n := len(h.srv.Requests(emulator.Eligible)); n != 2 {
		t.Errorf("requests before 45 days: %d, want 2", n)
	}
	// The requests were made at the start: kept until day 45, gone at it.
	h.clock.Advance(40*24*time.Hour - time.Minute)
	if n := len(h.srv.Requests(emulator.Eligible)); n != 2 {
		t.Errorf("requests a minute before 45 days: %d, want 2", n)
	}
	h.clock.Advance(2 * time.Minute)
	if n := len(h.srv.Requests(emulator.Eligible)); n != 0 {
		t.Errorf("requests a minute after 45 days: %d, want 0 (purged)", n)
	}
	if _, ok := h.srv.FindSchedule(emulator.Eligible, emulator.BobID, emulator.RoleGlobalReader, "/"); !ok {
		t.Error("the purge must not touch schedules")
	}
	if s, m := h.do("GET", eligReqs+"/"+fut["id"].(string), token, nil); s != 404 {
		t.Errorf("purged request: HTTP %d %v", s, m)
	}
}

func pagesLeft(h *harness, m map[string]any) int {
	n := 0
	for next, _ := m["@odata.nextLink"].(string); next != ""; next, _ = m["@odata.nextLink"].(string) {
		_, m = h.do("GET", next, token, nil)
		n += len(m["value"].([]any))
	}
	return n
}

func TestActiveDurationTooShort(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", actReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
	remove := map[string]any{"action": "adminRemove", "principalId": emulator.AliceID, "roleDefinitionId": emulator.RoleGlobalReader, "directoryScopeId": "/"}
	h.clock.Advance(4 * time.Minute)
	s, m := h.do("POST", actReqs, token, remove)
	if s != 400 || m["error"].(map[string]any)["code"] != "ActiveDurationTooShort" {
		t.Fatalf("remove after 4 minutes: %d %v", s, m)
	}
	h.clock.Advance(time.Minute)
	if s, m := h.do("POST", actReqs, token, remove); s != 201 || m["status"] != "Revoked" {
		t.Fatalf("remove after 5 minutes: %d %v", s, m)
	}
}

func TestPolicyEnforcement(t *testing.T) {
	h := newHarness(t, "")
	p := emulator.DefaultPolicy()
	p.Rule("Expiration_Admin_Eligibility").IsExpirationRequired = true
	p.Rule("Expiration_Admin_Eligibility").MaximumDuration = "P90D"
	p.Rule("Enablement_Admin_Eligibility").EnabledRules = []string{"Justification", "Ticketing"}
	h.srv.SetPolicy(emulator.RoleHelpdeskAdministrator, p)
	cases := []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"justification": ""}, `["ExpirationRule","JustificationRule","TicketingRule"]`},
		{map[string]any{"ticketInfo": map[string]any{"ticketNumber": "T-1"}, "scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "P91D"}}}, `["ExpirationRule"]`},
	}
	for _, c := range cases {
		s, m := h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleHelpdeskAdministrator, c.body))
		e, _ := m["error"].(map[string]any)
		if s != 400 || e["code"] != "RoleAssignmentRequestPolicyValidationFailed" || e["message"] != "The following policy rules failed: "+c.want {
			t.Errorf("%v: %d %v, want rules %s", c.body, s, m, c.want)
		}
	}
	ok := assign(emulator.AliceID, emulator.RoleHelpdeskAdministrator, map[string]any{"ticketInfo": map[string]any{"ticketNumber": "T-1"},
		"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "P90D"}}})
	if s, m := h.do("POST", eligReqs, token, ok); s != 201 {
		t.Errorf("compliant request refused: %d %v", s, m)
	}
	// The default policy requires a justification for active assignments.
	s, m := h.do("POST", actReqs, token, map[string]any{"action": "adminAssign", "principalId": emulator.BobID, "roleDefinitionId": emulator.RoleGlobalReader, "directoryScopeId": "/"})
	if s != 400 || !strings.Contains(fmt.Sprint(m), "JustificationRule") {
		t.Errorf("active assignment without justification: %d %v", s, m)
	}
}

func TestStateSurvivesRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	h := newHarness(t, file)
	_, req := h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
	h2 := newHarness(t, file)
	if s, m := h2.do("GET", eligScheds+"/"+req["id"].(string), token, nil); s != 200 || m["principalId"] != emulator.AliceID {
		t.Fatalf("after restart: %d %v", s, m)
	}
	entries, _ := os.ReadDir(filepath.Dir(file))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("data directory holds %s: temporary files must not be left behind", e.Name())
		}
	}
}

func TestAuditLog(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
	h.clock.Advance(time.Hour)
	h.do("POST", eligReqs, token, map[string]any{"action": "adminRemove", "principalId": emulator.AliceID, "roleDefinitionId": emulator.RoleGlobalReader, "directoryScopeId": "/"})
	q := url.Values{}
	q.Set("$filter", "loggedByService eq 'PIM' and activityDateTime ge 2030-01-01T09:30:00Z and targetResources/any(t: t/id eq '"+emulator.AliceID+"')")
	s, m := h.do("GET", "/auditLogs/directoryAudits?"+q.Encode(), token, nil)
	if s != 200 {
		t.Fatalf("audit query: HTTP %d %v", s, m)
	}
	v := m["value"].([]any)
	if len(v) != 1 || v[0].(map[string]any)["activityDisplayName"] != "Remove eligible member from role in PIM completed (permanent)" {
		t.Fatalf("audit query returned %v", v)
	}
	for _, k := range []string{"id", "category", "correlationId", "result", "resultReason", "activityDisplayName", "activityDateTime", "loggedByService", "initiatedBy", "targetResources", "additionalDetails"} {
		if _, ok := v[0].(map[string]any)[k]; !ok {
			t.Errorf("audit record lacks %q", k)
		}
	}
	q.Set("$filter", "startswith(activityDisplayName,'Add eligible member') and initiatedBy/user/id eq '"+emulator.AdminID+"'")
	if s, m := h.do("GET", "/auditLogs/directoryAudits?"+q.Encode(), token, nil); s != 200 || len(m["value"].([]any)) != 1 {
		t.Errorf("startswith + initiatedBy query: %v", m["value"])
	}
}

func TestLastGlobalAdministratorIsProtected(t *testing.T) {
	h := newHarness(t, "")
	removeGA := func(principal string) (int, map[string]any) {
		return h.do("POST", actReqs, token, map[string]any{"action": "adminRemove", "principalId": principal, "roleDefinitionId": emulator.RoleGlobalAdministrator, "directoryScopeId": "/"})
	}
	h.do("POST", actReqs, token, assign(emulator.AliceID, emulator.RoleGlobalAdministrator, nil))
	h.clock.Advance(10 * time.Minute)
	if s, m := removeGA(emulator.AdminID); s != 201 {
		t.Fatalf("removing one of two Global Administrators: %d %v", s, m)
	}
	s, m := removeGA(emulator.AliceID)
	if s != 400 || m["error"].(map[string]any)["code"] != "LastGlobalAdministratorCannotBeRemoved" {
		t.Fatalf("removing the last Global Administrator: %d %v", s, m)
	}
	if _, ok := h.srv.FindSchedule(emulator.Active, emulator.AliceID, emulator.RoleGlobalAdministrator, "/"); !ok {
		t.Error("the last Global Administrator assignment is gone")
	}
}
