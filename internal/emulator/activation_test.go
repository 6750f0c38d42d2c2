package emulator_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const (
	approvals = "/roleManagement/directory/roleAssignmentApprovals/"
	helpdesk  = emulator.RoleHelpdeskAdministrator
)

func activate(h *harness, tok, principal string, extra map[string]any) (int, map[string]any) {
	body := map[string]any{"action": "selfActivate", "principalId": principal, "roleDefinitionId": helpdesk, "directoryScopeId": "/",
		"justification": "fix a ticket", "scheduleInfo": map[string]any{"expiration": map[string]any{"type": "AfterDuration", "duration": "PT4H"}}}
	for k, v := range extra {
		body[k] = v
	}
	return h.do("POST", actReqs, tok, body)
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	return fmt.Sprint(e["code"]) + ": " + fmt.Sprint(e["message"])
}

func auditActivities(t *testing.T, h *harness) []string {
	t.Helper()
	q := url.Values{"$filter": {"loggedByService eq 'PIM'"}, "$orderby": {"activityDateTime asc"}, "$top": {"999"}}
	_, m := h.do("GET", "/auditLogs/directoryAudits?"+q.Encode(), token, nil)
	var out []string
	for _, v := range m["value"].([]any) {
		out = append(out, v.(map[string]any)["activityDisplayName"].(string))
	}
	return out
}

func setApproval(h *harness, stages ...[]emulator.Approver) {
	p := emulator.DefaultPolicy()
	a := &p.Rule("Approval_EndUser_Assignment").Approval
	a.IsApprovalRequired, a.ApprovalMode, a.Stages = true, "Serial", nil
	for _, approvers := range stages {
		a.Stages = append(a.Stages, emulator.ApprovalStage{TimeoutInDays: 1, IsApproverJustificationRequired: true, PrimaryApprovers: approvers})
	}
	h.srv.SetPolicy(helpdesk, p)
}

func TestActivationWithoutApproval(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, helpdesk, nil))
	s, req := activate(h, "alice-mfa", emulator.AliceID, nil)
	if s != 201 || req["status"] != "Granted" || req["action"] != "selfActivate" || req["approvalId"] != nil {
		t.Fatalf("selfActivate: %d %v", s, req)
	}
	sameShape(t, "selfActivate", req, example(t, "unifiedroleassignmentschedulerequest-create-selfactivate-response.json"))
	_, m := h.do("GET", actInsts+"/filterByCurrentUser(on='principal')", "alice-mfa", nil)
	v := m["value"].([]any)
	if len(v) != 1 || v[0].(map[string]any)["assignmentType"] != "Activated" || v[0].(map[string]any)["endDateTime"] != "2030-01-01T13:00:00.0000000Z" {
		t.Fatalf("Alice's instances: %v", v)
	}
	if _, m := h.do("GET", actReqs+"/"+req["id"].(string), token, nil); m["status"] != "Provisioned" {
		t.Errorf("activation in effect: request status %v, want Provisioned", m["status"])
	}
	if s, m := activate(h, "alice-mfa", emulator.AliceID, nil); s != 400 || !strings.HasPrefix(errCode(m), "RoleAssignmentExists") {
		t.Errorf("second activation: %d %v", s, m)
	}
	// The activation ends by itself.
	h.clock.Advance(4*time.Hour + time.Second)
	if _, ok := h.srv.FindActivation(emulator.AliceID, helpdesk, "/"); ok {
		t.Error("activation still present after its end")
	}
	want := []string{
		"Add eligible member to role in PIM completed (permanent)",
		"Add member to role requested (PIM activation)",
		"Add member to role completed (PIM activation)",
		"Remove member from role (PIM activation expired)",
	}
	if got := auditActivities(t, h); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("audit trail:\n got %q\nwant %q", got, want)
	}
}

func TestActivationIsValidatedAgainstTheRoleSetting(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, helpdesk, nil))
	p := emulator.DefaultPolicy()
	p.Rule("Enablement_EndUser_Assignment").EnabledRules = []string{"MultiFactorAuthentication", "Justification", "Ticketing"}
	h.srv.SetPolicy(helpdesk, p)
	ticket := map[string]any{"ticketInfo": map[string]any{"ticketNumber": "INC-1", "ticketSystem": "SNOW"}}
	cases := []struct {
		name, tok, principal string
		extra                map[string]any
		want                 string
	}{
		{"not eligible", "bob-mfa", emulator.BobID, ticket, `RoleAssignmentRequestPolicyValidationFailed: The following policy rules failed: ["EligibilityRule"]`},
		{"longer than the maximum", "alice-mfa", emulator.AliceID, merge(ticket, map[string]any{"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "PT9H"}}}), `["ExpirationRule"]`},
		{"permanent", "alice-mfa", emulator.AliceID, merge(ticket, map[string]any{"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "noExpiration"}}}), `["ExpirationRule"]`},
		{"no justification, no ticket, no MFA", "alice-token", emulator.AliceID, map[string]any{"justification": ""}, `["MfaRule","JustificationRule","TicketingRule"]`},
		{"someone else", "alice-mfa", emulator.BobID, ticket, "accessDenied"},
	}
	for _, c := range cases {
		if s, m := activate(h, c.tok, c.principal, c.extra); s < 400 || !strings.Contains(errCode(m), c.want) {
			t.Errorf("%s: %d %s, want %s", c.name, s, errCode(m), c.want)
		}
	}
	p.Rule("AuthenticationContext_EndUser_Assignment").IsEnabled = true
	p.Rule("AuthenticationContext_EndUser_Assignment").ClaimValue = "c1"
	h.srv.SetPolicy(helpdesk, p)
	if s, m := activate(h, "alice-mfa", emulator.AliceID, ticket); s != 400 || !strings.HasPrefix(errCode(m), "RoleAssignmentRequestAcrsValidationFailed") {
		t.Errorf("without the authentication context: %d %s", s, errCode(m))
	}
	if s, m := activate(h, "alice-mfa-c1", emulator.AliceID, ticket); s != 201 {
		t.Errorf("with the authentication context: %d %s", s, errCode(m))
	}
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func approvalOf(t *testing.T, h *harness, tok, id string) []map[string]any {
	t.Helper()
	s, m := h.do("GET", strings.Replace(h.url, "/v1.0", "/beta", 1)+approvals+id, tok, nil)
	if s != 200 {
		t.Fatalf("GET approval: %d %v", s, m)
	}
	var steps []map[string]any
	for _, st := range m["steps"].([]any) {
		steps = append(steps, st.(map[string]any))
	}
	return steps
}

func review(h *harness, tok, approvalID, stepID, result string) (int, map[string]any) {
	return h.do("PATCH", strings.Replace(h.url, "/v1.0", "/beta", 1)+approvals+approvalID+"/steps/"+stepID, tok,
		map[string]any{"reviewResult": result, "justification": "looks right"})
}

func TestMultiStageApproval(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, helpdesk, nil))
	setApproval(h, []emulator.Approver{{UserID: emulator.CarolID}}, []emulator.Approver{{GroupID: emulator.OpsGroupID}})
	s, req := activate(h, "alice-mfa", emulator.AliceID, nil)
	if s != 201 || req["status"] != "PendingApproval" || req["approvalId"] == nil {
		t.Fatalf("activation needing approval: %d %v", s, req)
	}
	if _, ok := h.srv.FindActivation(emulator.AliceID, helpdesk, "/"); ok {
		t.Fatal("activation in effect before approval")
	}
	id := req["approvalId"].(string)
	steps := approvalOf(t, h, "carol-mfa", id)
	sameShape(t, "approval", map[string]any{"id": id, "steps": []any{steps[0]}}, without(example(t, "approval-get-beta-response.json"), "@odata.context"))
	if len(steps) != 1 || steps[0]["status"] != "InProgress" || steps[0]["assignedToMe"] != true {
		t.Fatalf("stage 1 for Carol: %v", steps)
	}
	if approvalOf(t, h, "bob-mfa", id)[0]["assignedToMe"] != false {
		t.Error("Bob is not a stage-1 approver")
	}
	if _, m := h.do("GET", actReqs+"/filterByCurrentUser(on='approver')", "carol-mfa", nil); len(m["value"].([]any)) != 1 {
		t.Errorf("Carol's pending approvals: %v", m["value"])
	}
	if s, m := review(h, "bob-mfa", id, steps[0]["id"].(string), "Approve"); s != 403 {
		t.Errorf("approval by a non-approver: %d %v", s, m)
	}
	if s, m := review(h, "carol-mfa", id, steps[0]["id"].(string), "Approve"); s != 204 {
		t.Fatalf("stage 1 approval: %d %v", s, m)
	}
	if s, _ := review(h, "carol-mfa", id, steps[0]["id"].(string), "Deny"); s != 409 {
		t.Errorf("second decision on a completed step: %d, want 409", s)
	}
	steps = approvalOf(t, h, "dave-mfa", id)
	if len(steps) != 2 || steps[1]["status"] != "InProgress" || steps[1]["assignedToMe"] != true {
		t.Fatalf("stage 2 for Dave (Cloud Ops member): %v", steps)
	}
	if _, ok := h.srv.FindActivation(emulator.AliceID, helpdesk, "/"); ok {
		t.Fatal("activation in effect after one of two stages")
	}
	if s, m := review(h, "dave-mfa", id, steps[1]["id"].(string), "Approve"); s != 204 {
		t.Fatalf("stage 2 approval: %d %v", s, m)
	}
	if _, ok := h.srv.FindActivation(emulator.AliceID, helpdesk, "/"); !ok {
		t.Fatal("no activation after both stages approved")
	}
	want := []string{
		"Add eligible member to role in PIM completed (permanent)",
		"Add member to role requested (PIM activation)",
		"Add member to role approval requested (PIM activation)",
		"Add member to role request approved (PIM activation)",
		"Add member to role request approved (PIM activation)",
		"Add member to role completed (PIM activation)",
	}
	if got := auditActivities(t, h); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("audit trail:\n got %q\nwant %q", got, want)
	}
}

func TestDenialSelfApprovalAndTimeout(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, helpdesk, nil))
	setApproval(h, []emulator.Approver{{UserID: emulator.AliceID}, {UserID: emulator.CarolID}})
	_, req := activate(h, "alice-mfa", emulator.AliceID, nil)
	id := req["approvalId"].(string)
	step := approvalOf(t, h, "alice-mfa", id)[0]
	if step["assignedToMe"] != false {
		t.Error("a requester is never assigned their own approval")
	}
	if s, m := review(h, "alice-mfa", id, step["id"].(string), "Approve"); s != 403 || !strings.Contains(errCode(m), "own request") {
		t.Errorf("self-approval: %d %s", s, errCode(m))
	}
	if s, _ := review(h, "carol-mfa", id, step["id"].(string), "Deny"); s != 204 {
		t.Fatalf("deny: %d", s)
	}
	if _, m := h.do("GET", actReqs+"/"+req["id"].(string), token, nil); m["status"] != "Denied" {
		t.Errorf("denied request status %v", m["status"])
	}
	if _, ok := h.srv.FindActivation(emulator.AliceID, helpdesk, "/"); ok {
		t.Error("a denied request activated the role")
	}
	// A request nobody decides expires after the stage timeout (1 day).
	_, req = activate(h, "alice-mfa", emulator.AliceID, nil)
	h.clock.Advance(25 * time.Hour)
	if _, m := h.do("GET", actReqs+"/"+req["id"].(string), token, nil); m["status"] != "Denied" {
		t.Errorf("timed-out request status %v", m["status"])
	}
	got := auditActivities(t, h)
	if got[len(got)-1] != "PIM activation request expired" || !strings.Contains(fmt.Sprint(got), "Add member to role request denied (PIM activation)") {
		t.Errorf("audit trail %q", got)
	}
}

func TestDeactivateCancelAndGroupEligibility(t *testing.T) {
	h := newHarness(t, "")
	// Bob is eligible through the Cloud Ops group.
	h.do("POST", eligReqs, token, assign(emulator.OpsGroupID, helpdesk, nil))
	if s, m := activate(h, "bob-mfa", emulator.BobID, nil); s != 201 {
		t.Fatalf("activation through group eligibility: %d %s", s, errCode(m))
	}
	deactivate := map[string]any{"action": "selfDeactivate", "principalId": emulator.BobID, "roleDefinitionId": helpdesk, "directoryScopeId": "/"}
	if s, m := h.do("POST", actReqs, "bob-mfa", deactivate); s != 400 || !strings.HasPrefix(errCode(m), "ActiveDurationTooShort") {
		t.Errorf("deactivate at once: %d %s", s, errCode(m))
	}
	h.clock.Advance(5 * time.Minute)
	if s, m := h.do("POST", actReqs, "bob-mfa", deactivate); s != 201 || m["status"] != "Revoked" {
		t.Errorf("deactivate after 5 minutes: %d %v", s, m)
	}
	if _, ok := h.srv.FindActivation(emulator.BobID, helpdesk, "/"); ok {
		t.Error("still active after selfDeactivate")
	}
	// A future activation is Granted and can be canceled; one in effect cannot.
	_, fut := activate(h, "dave-mfa", emulator.DaveID, map[string]any{"scheduleInfo": map[string]any{"startDateTime": "2030-01-02T00:00:00Z",
		"expiration": map[string]any{"type": "afterDuration", "duration": "PT1H"}}})
	if fut["status"] != "Granted" {
		t.Fatalf("future activation: %v", fut)
	}
	if s, _ := h.do("POST", actReqs+"/"+fut["id"].(string)+"/cancel", "dave-mfa", nil); s != 204 {
		t.Errorf("cancel Granted: %d", s)
	}
	if _, m := h.do("GET", actReqs+"/"+fut["id"].(string), token, nil); m["status"] != "Canceled" {
		t.Errorf("canceled request status %v", m["status"])
	}
	_, now := activate(h, "dave-mfa", emulator.DaveID, nil)
	h.clock.Advance(time.Minute)
	if s, _ := h.do("POST", actReqs+"/"+now["id"].(string)+"/cancel", "dave-mfa", nil); s != 400 {
		t.Errorf("cancel of a provisioned activation: %d, want 400", s)
	}
}

func TestSelfExtend(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, helpdesk, nil))
	activate(h, "alice-mfa", emulator.AliceID, map[string]any{"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "PT2H"}}})
	extend := func(duration string) (int, map[string]any) {
		return h.do("POST", actReqs, "alice-mfa", map[string]any{"action": "selfExtend", "principalId": emulator.AliceID, "roleDefinitionId": helpdesk,
			"directoryScopeId": "/", "justification": "still fixing", "scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": duration}}})
	}
	if s, m := extend("PT9H"); s != 400 || !strings.Contains(errCode(m), "ExpirationRule") {
		t.Errorf("extend beyond the 8-hour maximum: %d %s", s, errCode(m))
	}
	if s, m := extend("PT6H"); s != 201 {
		t.Fatalf("extend within the maximum: %d %s", s, errCode(m))
	}
	a, ok := h.srv.FindActivation(emulator.AliceID, helpdesk, "/")
	if !ok || !a.End.Equal(epoch.Add(6*time.Hour)) {
		t.Errorf("activation after extension: %+v (want end 6h after the original start)", a)
	}
	h.srv.RemoveOutOfBand(emulator.Eligible, emulator.AliceID, helpdesk, "/")
	deact := map[string]any{"action": "selfExtend", "principalId": emulator.BobID, "roleDefinitionId": helpdesk, "directoryScopeId": "/", "justification": "x"}
	if s, m := h.do("POST", actReqs, "bob-mfa", deact); s != 400 || !strings.Contains(errCode(m), "EligibilityRule") {
		t.Errorf("extend without eligibility: %d %s", s, errCode(m))
	}
}

// Every kind of PIM event leaves an audit entry with the reference's name.
func TestEveryEventIsAudited(t *testing.T) {
	h := newHarness(t, "")
	future := map[string]any{"scheduleInfo": map[string]any{"startDateTime": "2030-02-01T00:00:00Z", "expiration": map[string]any{"type": "afterDuration", "duration": "P1D"}}}
	h.do("POST", eligReqs, token, assign(emulator.AliceID, helpdesk, nil)) // assign
	h.do("POST", eligReqs, token, map[string]any{"action": "adminUpdate", "principalId": emulator.AliceID, "roleDefinitionId": helpdesk, "directoryScopeId": "/",
		"justification": "x", "scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "P30D"}}}) // update
	_, fut := h.do("POST", eligReqs, token, assign(emulator.BobID, helpdesk, future))
	h.do("POST", eligReqs+"/"+fut["id"].(string)+"/cancel", token, nil) // cancel
	activate(h, "alice-mfa", emulator.AliceID, nil)                     // activate
	h.clock.Advance(5 * time.Hour)                                      // activation expires
	setApproval(h, []emulator.Approver{{UserID: emulator.CarolID}})     // (setting changed through the hook)
	_, req := activate(h, "alice-mfa", emulator.AliceID, nil)
	step := approvalOf(t, h, "carol-mfa", req["approvalId"].(string))[0]
	review(h, "carol-mfa", req["approvalId"].(string), step["id"].(string), "Approve") // approve
	h.clock.Advance(5 * time.Hour)
	_, req = activate(h, "alice-mfa", emulator.AliceID, nil)
	step = approvalOf(t, h, "carol-mfa", req["approvalId"].(string))[0]
	review(h, "carol-mfa", req["approvalId"].(string), step["id"].(string), "Deny") // deny
	pid, _ := rulesByID(t, h, helpdesk)
	h.do("PATCH", "/policies/roleManagementPolicies/"+pid+"/rules/Expiration_EndUser_Assignment", token, map[string]any{
		"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "maximumDuration": "PT4H"}) // setting change
	h.do("POST", eligReqs, token, map[string]any{"action": "adminRemove", "principalId": emulator.AliceID, "roleDefinitionId": helpdesk, "directoryScopeId": "/"}) // remove
	got := strings.Join(auditActivities(t, h), "\n")
	for _, want := range []string{
		"Add eligible member to role in PIM completed (permanent)",
		"Update eligible member in PIM requested (extend)",
		"Add eligible member to role in PIM canceled (timebound)",
		"Add member to role completed (PIM activation)",
		"Remove member from role (PIM activation expired)",
		"Add member to role request approved (PIM activation)",
		"Add member to role request denied (PIM activation)",
		"Update role setting in PIM",
		"Remove eligible member from role in PIM completed (timebound)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no audit entry %q in:\n%s", want, got)
		}
	}
}

// Graph documents no application permission for approving or for
// self-service actions: an app-only token gets 403 for each, while it may
// manage assignments and, with RoleManagementPolicy.ReadWrite.Directory,
// policy rules.
func TestAppOnlyTokensAreRefusedWhereGraphIsDelegatedOnly(t *testing.T) {
	h := newHarness(t, "")
	if s, m := h.do("POST", eligReqs, "app-token", assign(emulator.AliceID, helpdesk, nil)); s != 201 {
		t.Fatalf("app-only adminAssign: %d %s", s, errCode(m))
	}
	pid, _ := rulesByID(t, h, helpdesk)
	s, m := h.do("PATCH", "/policies/roleManagementPolicies/"+pid+"/rules/Expiration_EndUser_Assignment", "app-token",
		map[string]any{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "maximumDuration": "PT4H"})
	if s != 204 {
		t.Errorf("app-only rule PATCH (RoleManagementPolicy.ReadWrite.Directory is an application permission): %d %s", s, errCode(m))
	}
	setApproval(h, []emulator.Approver{})
	_, req := activate(h, "alice-mfa", emulator.AliceID, nil)
	step := approvalOf(t, h, token, req["approvalId"].(string))[0]
	if s, m := review(h, "app-token", req["approvalId"].(string), step["id"].(string), "Approve"); s != 403 {
		t.Errorf("app-only approval: %d %s", s, errCode(m))
	}
	if s, m := activate(h, "app-token", emulator.AppServicePrincipalID, nil); s != 403 {
		t.Errorf("app-only selfActivate: %d %s", s, errCode(m))
	}
	for _, p := range []string{actReqs + "/filterByCurrentUser(on='approver')", actInsts + "/filterByCurrentUser(on='principal')", eligScheds + "/filterByCurrentUser(on='principal')"} {
		if s, m := h.do("GET", p, "app-token", nil); s != 403 {
			t.Errorf("app-only %s: %d %s", p, s, errCode(m))
		}
	}
}

// An escalated stage can also be decided by its escalation approvers, and
// only after the escalation time.
func TestApprovalEscalation(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, helpdesk, nil))
	p := emulator.DefaultPolicy()
	a := &p.Rule("Approval_EndUser_Assignment").Approval
	a.IsApprovalRequired = true
	a.Stages = []emulator.ApprovalStage{{TimeoutInDays: 1, IsApproverJustificationRequired: true, IsEscalationEnabled: true,
		EscalationTimeInMinutes: 60, PrimaryApprovers: []emulator.Approver{{UserID: emulator.CarolID}},
		EscalationApprovers: []emulator.Approver{{GroupID: emulator.OpsGroupID}}}}
	h.srv.SetPolicy(helpdesk, p)
	_, req := activate(h, "alice-mfa", emulator.AliceID, nil)
	id := req["approvalId"].(string)
	step := approvalOf(t, h, "dave-mfa", id)[0]
	if step["assignedToMe"] != false {
		t.Error("an escalation approver is assigned before the escalation time")
	}
	if s, _ := review(h, "dave-mfa", id, step["id"].(string), "Approve"); s != 403 {
		t.Errorf("escalation approver before escalation: %d, want 403", s)
	}
	h.clock.Advance(61 * time.Minute)
	if approvalOf(t, h, "dave-mfa", id)[0]["assignedToMe"] != true {
		t.Error("after escalation Dave (Cloud Ops) should be assigned")
	}
	if s, m := review(h, "dave-mfa", id, step["id"].(string), "Approve"); s != 204 {
		t.Fatalf("escalated approval: %d %s", s, errCode(m))
	}
	if _, ok := h.srv.FindActivation(emulator.AliceID, helpdesk, "/"); !ok {
		t.Error("no activation after the escalated approval")
	}
}
