package emulator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const reviewDefs = "/identityGovernance/accessReviews/definitions"

func gaEligibleReview(reviewer string, extra map[string]any) map[string]any {
	settings := map[string]any{"mailNotificationsEnabled": true, "justificationRequiredOnApproval": true, "instanceDurationInDays": 14,
		"autoApplyDecisionsEnabled": true, "recommendationsEnabled": true, "defaultDecisionEnabled": false, "defaultDecision": "None",
		"recurrence": map[string]any{"pattern": map[string]any{"type": "absoluteMonthly", "interval": 3},
			"range": map[string]any{"type": "noEnd", "startDate": "2030-01-01"}}}
	body := map[string]any{"displayName": "Quarterly Global Administrator review", "descriptionForAdmins": "who still needs it",
		"scope": map[string]any{"@odata.type": "#microsoft.graph.accessReviewQueryScope", "queryType": "MicrosoftGraph",
			"query": "/roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal&$filter=(isof(principal,'microsoft.graph.user') and roleDefinitionId eq '" + emulator.RoleGlobalAdministrator + "')"},
		"reviewers": []any{map[string]any{"query": "/users/" + reviewer, "queryType": "MicrosoftGraph"}},
		"settings":  settings}
	for k, v := range extra {
		if strings.HasPrefix(k, "settings.") {
			settings[strings.TrimPrefix(k, "settings.")] = v
		} else {
			body[k] = v
		}
	}
	return body
}

func values(m map[string]any) []map[string]any {
	var out []map[string]any
	for _, v := range m["value"].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

// The walk-through: a quarterly review of Global Administrator
// eligibility runs on the emulator's clock; the reviewer denies one
// principal with their own token, the instance ends, auto-apply removes
// that eligibility through PIM with an audit entry naming the review, and
// the next quarter's instance reviews who is left.
func TestAccessReviewRunsOnTheClock(t *testing.T) {
	h := newHarness(t, "")
	for _, p := range []string{emulator.AliceID, emulator.BobID} {
		if s, m := h.do("POST", eligReqs, token, assign(p, emulator.RoleGlobalAdministrator, nil)); s != 201 {
			t.Fatalf("eligibility: %d %v", s, m)
		}
	}
	s, def := h.do("POST", reviewDefs, token, gaEligibleReview(emulator.CarolID, nil))
	if s != 201 || def["status"] != "InProgress" {
		t.Fatalf("create: %d %v", s, def)
	}
	id := def["id"].(string)
	rec := def["settings"].(map[string]any)["recurrence"].(map[string]any)["pattern"].(map[string]any)
	if rec["firstDayOfWeek"] != "sunday" || rec["index"] != "first" {
		t.Errorf("recurrence not normalised as Graph echoes it: %v", rec)
	}
	_, ins := h.do("GET", reviewDefs+"/"+id+"/instances", token, nil)
	instances := values(ins)
	if len(instances) != 1 || instances[0]["status"] != "InProgress" {
		t.Fatalf("instances: %v", ins)
	}
	inst := reviewDefs + "/" + id + "/instances/" + instances[0]["id"].(string)
	_, mine := h.do("GET", inst+"/decisions/filterByCurrentUser(on='reviewer')?$top=10", "carol-mfa", nil)
	decisions := values(mine)
	if len(decisions) != 2 || decisions[0]["recommendation"] != "Deny" {
		t.Fatalf("Carol's decisions: %v", mine)
	}
	byName := map[string]string{}
	for _, d := range decisions {
		byName[d["principal"].(map[string]any)["displayName"].(string)] = d["id"].(string)
	}
	if s, _ := h.do("PATCH", inst+"/decisions/"+byName["Alice Analyst"], "alice-mfa", map[string]any{"decision": "Approve", "justification": "me"}); s != 403 {
		t.Errorf("a principal approving their own access: %d, want 403", s)
	}
	if s, _ := h.do("PATCH", inst+"/decisions/"+byName["Alice Analyst"], "app-token", map[string]any{"decision": "Approve", "justification": "app"}); s != 403 {
		t.Errorf("an application recording a decision: %d, want 403", s)
	}
	if s, _ := h.do("PATCH", inst+"/decisions/"+byName["Bob Builder"], "carol-mfa", map[string]any{"decision": "Approve"}); s != 400 {
		t.Errorf("approval without the required justification: %d, want 400", s)
	}
	if s, _ := h.do("PATCH", inst+"/decisions/"+byName["Alice Analyst"], "carol-mfa", map[string]any{"decision": "Deny", "justification": "left the team"}); s != 204 {
		t.Fatalf("deny: %d", s)
	}
	if s, _ := h.do("POST", inst+"/batchRecordDecisions", "carol-mfa", map[string]any{"decision": "Approve", "justification": "on call",
		"principalId": emulator.BobID}); s != 204 {
		t.Fatalf("batch: %d", s)
	}
	h.clock.Advance(15 * 24 * time.Hour)
	_, log := h.do("GET", "/auditLogs/directoryAudits?$top=5", token, nil)
	found := false
	for _, e := range values(log) {
		if strings.Contains(e["resultReason"].(string), `Access review "Quarterly Global Administrator review"`) &&
			strings.Contains(e["resultReason"].(string), "denied by Carol") {
			app, _ := e["initiatedBy"].(map[string]any)["app"].(map[string]any)
			found = app != nil && app["displayName"] == "MS-PIM" // auto-apply is the service's doing, not a caller's
		}
	}
	if !found {
		t.Errorf("no audit entry, initiated by the PIM service, names the review and the reviewer: %v", log)
	}
	_, el := h.do("GET", eligScheds+"?$filter=roleDefinitionId%20eq%20'"+emulator.RoleGlobalAdministrator+"'&$top=10", token, nil)
	left := map[string]bool{}
	for _, sc := range values(el) {
		left[sc["principalId"].(string)] = true
	}
	if left[emulator.AliceID] || !left[emulator.BobID] {
		t.Errorf("after the review: Alice eligible %v (want false), Bob %v (want true)", left[emulator.AliceID], left[emulator.BobID])
	}
	if s, _ := h.do("PATCH", inst+"/decisions/"+byName["Bob Builder"], "carol-mfa", map[string]any{"decision": "Deny", "justification": "late"}); s != 400 {
		t.Errorf("a decision after the instance ended: %d, want 400", s)
	}
	_, one := h.do("GET", inst, token, nil)
	if one["status"] != "Applied" {
		t.Errorf("instance after its end: %v", one)
	}
	h.clock.Advance(80 * 24 * time.Hour) // past the next quarter's start
	_, ins = h.do("GET", reviewDefs+"/"+id+"/instances?$top=10", token, nil)
	if instances = values(ins); len(instances) != 2 {
		t.Fatalf("next quarter: %v", ins)
	}
	_, next := h.do("GET", reviewDefs+"/"+id+"/instances/"+instances[1]["id"].(string)+"/decisions?$top=10", token, nil)
	if d := values(next); len(d) != 1 || d[0]["principal"].(map[string]any)["id"] != emulator.BobID {
		t.Errorf("the next instance reviews who is left: %v", next)
	}
}

// Bad definitions are refused with Graph's errors; a PUT replaces the whole
// object (omitted writable properties are reset) and answers 204.
func TestAccessReviewDefinitionRules(t *testing.T) {
	h := newHarness(t, "")
	bad := map[string]map[string]any{
		"a daily recurrence":           {"settings.recurrence": map[string]any{"pattern": map[string]any{"type": "daily", "interval": 1}, "range": map[string]any{"type": "noEnd", "startDate": "2030-01-01"}}},
		"a duration beyond the period": {"settings.instanceDurationInDays": 100},
		"an unknown reviewer":          {"reviewers": []any{map[string]any{"query": "/users/0000dead-0000-4000-8000-000000000001"}}},
		"an unknown role": {"scope": map[string]any{"query": "/roleManagement/directory/roleDefinitions/0000dead-0000-4000-8000-000000000001",
			"queryType": "MicrosoftGraph"}},
	}
	for name, extra := range bad {
		if s, _ := h.do("POST", reviewDefs, token, gaEligibleReview(emulator.CarolID, extra)); s != 400 {
			t.Errorf("%s: %d, want 400", name, s)
		}
	}
	if s, _ := h.do("POST", reviewDefs, "alice-mfa", gaEligibleReview(emulator.CarolID, nil)); s != 403 {
		t.Errorf("a user without a role creating a review: %d, want 403", s)
	}
	_, def := h.do("POST", reviewDefs, token, gaEligibleReview(emulator.CarolID, nil))
	id := def["id"].(string)
	body := gaEligibleReview(emulator.DaveID, nil)
	delete(body, "descriptionForAdmins")
	if s, _ := h.do("PUT", reviewDefs+"/"+id, token, body); s != 204 {
		t.Fatalf("PUT: %d", s)
	}
	_, got := h.do("GET", reviewDefs+"/"+id, token, nil)
	if got["descriptionForAdmins"] != "" || !strings.Contains(got["reviewers"].([]any)[0].(map[string]any)["query"].(string), emulator.DaveID) {
		t.Errorf("after PUT: %v", got)
	}
	if s, _ := h.do("DELETE", reviewDefs+"/"+id, token, nil); s != 204 {
		t.Errorf("DELETE: %d", s)
	}
	if s, _ := h.do("GET", reviewDefs+"/"+id, token, nil); s != 404 {
		t.Errorf("after DELETE: %d", s)
	}
}

// Reviews by managers: each principal's manager (from the seed) reviews
// them, the fallback reviewer those without one; both are invited when
// the instance starts and reminded half way through.
func TestAccessReviewByManagers(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "tenant.yaml")
	if err := os.WriteFile(seed, []byte(`tenant: { domain: contoso.example }
users:
  - { user_principal_name: lead@contoso.example, display_name: Lead }
  - { user_principal_name: sec@contoso.example, display_name: Security Lead }
  - { user_principal_name: ann@contoso.example, display_name: Ann, manager: lead@contoso.example }
  - { user_principal_name: ben@contoso.example, display_name: Ben }
assignments:
  - { type: eligible, principal: ann@contoso.example, role: Global Administrator }
  - { type: eligible, principal: ben@contoso.example, role: Global Administrator }
`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := emulator.LoadSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	clock := emulator.NewFakeClock(epoch)
	srv, err := emulator.New(emulator.Options{Clock: clock, Seed: s, ControlToken: "ctl"})
	if err != nil {
		t.Fatal(err)
	}
	h := serve(t, srv, clock)
	tok := srv.AdminToken()
	id := func(upn string) string {
		_, m := h.do("GET", "/users/"+upn, tok, nil)
		return m["id"].(string)
	}
	body := gaEligibleReview(id("sec@contoso.example"), map[string]any{
		"reviewers":                             []any{map[string]any{"query": "./manager", "queryType": "MicrosoftGraph", "queryRoot": "decisions"}},
		"fallbackReviewers":                     []any{map[string]any{"query": "/users/" + id("sec@contoso.example"), "queryType": "MicrosoftGraph"}},
		"settings.reminderNotificationsEnabled": true})
	_, def := h.do("POST", reviewDefs, tok, body)
	_, ins := h.do("GET", reviewDefs+"/"+def["id"].(string)+"/instances", tok, nil)
	inst := reviewDefs + "/" + def["id"].(string) + "/instances/" + values(ins)[0]["id"].(string)
	_, revs := h.do("GET", inst+"/contactedReviewers", tok, nil)
	names := map[string]bool{}
	for _, r := range values(revs) {
		names[r["displayName"].(string)] = true
	}
	if len(names) != 2 || !names["Lead"] || !names["Security Lead"] {
		t.Fatalf("reviewers: %v", revs)
	}
	mails := func(event string) int {
		_, out := h.do("GET", strings.TrimSuffix(h.url, "/v1.0")+"/_emulator/outbox", "ctl", nil)
		n := 0
		for _, m := range out["value"].([]any) {
			if m.(map[string]any)["event"] == event {
				n++
			}
		}
		return n
	}
	if mails("accessReviewStarted") != 1 || mails("accessReviewReminder") != 0 {
		t.Fatalf("invitations %d, reminders %d", mails("accessReviewStarted"), mails("accessReviewReminder"))
	}
	clock.Advance(8 * 24 * time.Hour)
	if mails("accessReviewReminder") != 1 {
		t.Errorf("no reminder half way through")
	}
}

// A review of a PIM group's members, each reviewing their own membership.
func TestGroupSelfReview(t *testing.T) {
	h := newHarness(t, "")
	groupReq := "/identityGovernance/privilegedAccess/group/eligibilityScheduleRequests"
	body := map[string]any{"action": "adminAssign", "principalId": emulator.BobID, "groupId": emulator.OpsGroupID, "accessId": "member",
		"justification": "on call", "scheduleInfo": map[string]any{"expiration": map[string]any{"type": "noExpiration"}}}
	if s, m := h.do("POST", groupReq, token, body); s != 201 {
		t.Fatalf("group eligibility: %d %v", s, m)
	}
	review := gaEligibleReview(emulator.CarolID, map[string]any{"reviewers": []any{},
		"scope": map[string]any{"query": "/groups/" + emulator.OpsGroupID + "/transitiveMembers", "queryType": "MicrosoftGraph"}})
	s, def := h.do("POST", reviewDefs, token, review)
	if s != 201 {
		t.Fatalf("create: %d %v", s, def)
	}
	_, ins := h.do("GET", reviewDefs+"/"+def["id"].(string)+"/instances", token, nil)
	inst := reviewDefs + "/" + def["id"].(string) + "/instances/" + values(ins)[0]["id"].(string)
	_, mine := h.do("GET", inst+"/decisions/filterByCurrentUser(on='reviewer')", "bob-mfa", nil)
	if d := values(mine); len(d) != 1 || d[0]["principal"].(map[string]any)["id"] != emulator.BobID || d[0]["resource"].(map[string]any)["type"] != "group" {
		t.Fatalf("Bob's own review: %v", mine)
	}
}

// The recommendation follows the principal's activations: Approve after an
// activation in the last 30 days, Deny without one.
func TestReviewRecommendations(t *testing.T) {
	h := newHarness(t, "")
	for _, p := range []string{emulator.AliceID, emulator.BobID} {
		if s, m := h.do("POST", eligReqs, token, assign(p, helpdesk, nil)); s != 201 {
			t.Fatalf("eligibility: %d %v", s, m)
		}
	}
	if s, m := activate(h, "alice-mfa", emulator.AliceID, nil); s != 201 {
		t.Fatalf("activation: %d %v", s, m)
	}
	body := gaEligibleReview(emulator.CarolID, map[string]any{"scope": map[string]any{"queryType": "MicrosoftGraph",
		"query": "/roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal&$filter=(isof(principal,'microsoft.graph.user') and roleDefinitionId eq '" + helpdesk + "')"}})
	_, def := h.do("POST", reviewDefs, token, body)
	_, ins := h.do("GET", reviewDefs+"/"+def["id"].(string)+"/instances", token, nil)
	_, decisions := h.do("GET", reviewDefs+"/"+def["id"].(string)+"/instances/"+values(ins)[0]["id"].(string)+"/decisions?$top=10", token, nil)
	got := map[string]string{}
	for _, d := range values(decisions) {
		got[d["principal"].(map[string]any)["id"].(string)] = d["recommendation"].(string)
	}
	if got[emulator.AliceID] != "Approve" || got[emulator.BobID] != "Deny" {
		t.Errorf("recommendations %v: want Approve for Alice (activated), Deny for Bob", got)
	}
}
