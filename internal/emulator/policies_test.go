package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

func policyAssignmentsURL(role string) string {
	q := url.Values{}
	q.Set("$filter", "scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '"+role+"'")
	q.Set("$expand", "policy($expand=rules)")
	return "/policies/roleManagementPolicyAssignments?" + q.Encode()
}

func rulesByID(t *testing.T, h *harness, role string) (string, map[string]map[string]any) {
	t.Helper()
	s, m := h.do("GET", policyAssignmentsURL(role), token, nil)
	if s != 200 {
		t.Fatalf("policy assignment list: %d %v", s, m)
	}
	v := m["value"].([]any)
	if len(v) != 1 {
		t.Fatalf("want one policy assignment for the role, got %d", len(v))
	}
	pol := v[0].(map[string]any)["policy"].(map[string]any)
	out := map[string]map[string]any{}
	for _, r := range pol["rules"].([]any) {
		rm := r.(map[string]any)
		out[rm["id"].(string)] = rm
	}
	return pol["id"].(string), out
}

func TestPolicyDefaultsMatchTheDocumentedExample(t *testing.T) {
	h := newHarness(t, "")
	s, got := h.do("GET", policyAssignmentsURL(emulator.RoleGlobalAdministrator), token, nil)
	if s != 200 {
		t.Fatalf("%d %v", s, got)
	}
	want := example(t, "unifiedrolemanagementpolicyassignment-list-expand-policy-rules-response.json")
	if got["@odata.context"] != want["@odata.context"] {
		t.Errorf("@odata.context %v, want %v", got["@odata.context"], want["@odata.context"])
	}
	// Everything but ids and tenant-specific values must be equal, rule by rule.
	gp := got["value"].([]any)[0].(map[string]any)["policy"].(map[string]any)
	wp := want["value"].([]any)[0].(map[string]any)["policy"].(map[string]any)
	gr, wr := gp["rules"].([]any), wp["rules"].([]any)
	if len(gr) != 17 || len(wr) != 17 {
		t.Fatalf("rules: got %d, example %d", len(gr), len(wr))
	}
	for i := range wr {
		g, _ := json.Marshal(gr[i])
		w, _ := json.Marshal(wr[i])
		if string(g) != string(w) {
			t.Errorf("rule %d differs:\n got %s\nwant %s", i, g, w)
		}
	}
	sameShape(t, "policy assignment", got["value"].([]any)[0], want["value"].([]any)[0])
	if !strings.HasPrefix(gp["id"].(string), "DirectoryRole_") {
		t.Errorf("policy id %v", gp["id"])
	}
}

func TestPolicyFilterIsRequired(t *testing.T) {
	h := newHarness(t, "")
	for _, path := range []string{"/policies/roleManagementPolicies", "/policies/roleManagementPolicyAssignments",
		"/policies/roleManagementPolicies?$filter=" + url.QueryEscape("scopeId eq '/'")} {
		if s, m := h.do("GET", path, token, nil); s != 400 {
			t.Errorf("%s without the scope filter: %d %v", path, s, m)
		}
	}
	// scopeType 'Directory' is accepted as a synonym.
	s, m := h.do("GET", "/policies/roleManagementPolicies?$filter="+url.QueryEscape("scopeId eq '/' and scopeType eq 'Directory'"), token, nil)
	if s != 200 || len(m["value"].([]any)) == 0 {
		t.Errorf("scopeType Directory: %d %v", s, m)
	}
}

func TestPatchRuleRoundTripAndEnforcement(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state.json")
	h := newHarness(t, file)
	pid, _ := rulesByID(t, h, emulator.RoleHelpdeskAdministrator)
	rules := "/policies/roleManagementPolicies/" + pid + "/rules/"
	approval := example(t, "unifiedrolemanagementpolicyrule-update-approval-request.json")
	stage := approval["setting"].(map[string]any)["approvalStages"].([]any)[0].(map[string]any)
	stage["primaryApprovers"] = []any{
		map[string]any{"@odata.type": "#microsoft.graph.singleUser", "userId": emulator.CarolID},
		map[string]any{"@odata.type": "#microsoft.graph.groupMembers", "groupId": emulator.SecGroupID},
	}
	if s, m := h.do("PATCH", rules+"Approval_EndUser_Assignment", token, approval); s != 204 || m != nil {
		t.Fatalf("PATCH approval: %d %v", s, m)
	}
	if s, m := h.do("PATCH", rules+"Expiration_Admin_Eligibility", token, map[string]any{
		"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_Admin_Eligibility",
		"isExpirationRequired": true, "maximumDuration": "P30D",
	}); s != 204 {
		t.Fatalf("PATCH expiration: %d %v", s, m)
	}
	// A restarted emulator serves the same settings.
	h2 := newHarness(t, file)
	_, got := rulesByID(t, h2, emulator.RoleHelpdeskAdministrator)
	setting := got["Approval_EndUser_Assignment"]["setting"].(map[string]any)
	approvers := setting["approvalStages"].([]any)[0].(map[string]any)["primaryApprovers"].([]any)
	if setting["isApprovalRequired"] != true || len(approvers) != 2 {
		t.Errorf("approval after restart: %v", setting)
	}
	if got["Expiration_Admin_Eligibility"]["maximumDuration"] != "P30D" {
		t.Errorf("expiration after restart: %v", got["Expiration_Admin_Eligibility"])
	}
	s, m := h2.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleHelpdeskAdministrator, nil))
	if s != 400 || !strings.Contains(m["error"].(map[string]any)["message"].(string), `["ExpirationRule"]`) {
		t.Errorf("permanent eligibility against a policy that requires expiration: %d %v", s, m)
	}
	_, audit := h2.do("GET", "/auditLogs/directoryAudits?$filter="+url.QueryEscape("activityDisplayName eq 'Update role setting in PIM'"), token, nil)
	if n := len(audit["value"].([]any)) + pagesLeft(h2, audit); n != 2 {
		t.Errorf("%d 'Update role setting in PIM' audit records, want 2", n)
	}
}

func TestPatchRuleRejectsInvalidBodies(t *testing.T) {
	h := newHarness(t, "")
	pid, _ := rulesByID(t, h, emulator.RoleGlobalReader)
	rules := "/policies/roleManagementPolicies/" + pid + "/rules/"
	exp := "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule"
	stage := func(extra map[string]any) map[string]any {
		st := map[string]any{"approvalStageTimeOutInDays": 1, "primaryApprovers": []any{}, "escalationApprovers": []any{}}
		for k, v := range extra {
			st[k] = v
		}
		return st
	}
	approval := func(setting map[string]any) map[string]any {
		return map[string]any{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule", "setting": setting}
	}
	cases := []struct {
		rule string
		body map[string]any
		want string
	}{
		{"Expiration_Admin_Eligibility", map[string]any{"maximumDuration": "P30D"}, `must carry "@odata.type"`},
		{"Expiration_Admin_Eligibility", map[string]any{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule"}, "does not match"},
		{"Expiration_Admin_Eligibility", map[string]any{"@odata.type": exp, "maximumDuration": "30 days"}, "not a positive ISO 8601 duration"},
		{"Expiration_EndUser_Assignment", map[string]any{"@odata.type": exp, "maximumDuration": "PT25H"}, "PT30M to PT24H"},
		{"Expiration_EndUser_Assignment", map[string]any{"@odata.type": exp, "isExpirationRequired": false}, "always time-bound"},
		{"Enablement_EndUser_Assignment", map[string]any{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule", "enabledRules": []any{"Fingerprint"}}, `"Fingerprint" is not one of`},
		{"Approval_EndUser_Assignment", approval(map[string]any{"isApprovalRequired": true, "approvalMode": "SingleStage", "approvalStages": []any{stage(nil), stage(nil)}}), "use Serial"},
		{"Approval_EndUser_Assignment", approval(map[string]any{"isApprovalRequired": true, "approvalStages": []any{}}), "approvalStages is empty"},
		{"Approval_EndUser_Assignment", approval(map[string]any{"approvalStages": []any{stage(map[string]any{"primaryApprovers": []any{map[string]any{"@odata.type": "#microsoft.graph.singleUser", "userId": "00000000-0000-0000-0000-000000000000"}}})}}), "does not exist in this tenant"},
		{"Approval_EndUser_Assignment", approval(map[string]any{"approvalStages": []any{stage(map[string]any{"isEscalationEnabled": true})}}), "needs escalationApprovers"},
		{"AuthenticationContext_EndUser_Assignment", map[string]any{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule", "isEnabled": true}, "claimValue is empty"},
		{"Notification_Admin_Admin_Eligibility", map[string]any{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule", "notificationRecipients": []any{"not-an-email"}}, "not an email address"},
		{"Notification_Admin_Admin_Eligibility", map[string]any{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule", "recipientType": "Approver"}, "cannot be Approver"},
	}
	for _, c := range cases {
		s, m := h.do("PATCH", rules+c.rule, token, c.body)
		msg, _ := m["error"].(map[string]any)["message"].(string)
		if s != 400 || !strings.Contains(msg, c.want) {
			t.Errorf("PATCH %s %v: %d %q, want 400 containing %q", c.rule, c.body, s, msg, c.want)
		}
	}
	if s, _ := h.do("PATCH", rules+"No_Such_Rule", token, map[string]any{"@odata.type": exp}); s != 404 {
		t.Errorf("unknown rule id: %d, want 404", s)
	}
	if s, _ := h.do("PATCH", "/policies/roleManagementPolicies/"+pid+"/rules/Expiration_Admin_Eligibility", "alice-token", map[string]any{"@odata.type": exp}); s != 403 {
		t.Errorf("non-admin PATCH: %d, want 403", s)
	}
	// Nothing above changed the policy.
	_, got := rulesByID(t, h, emulator.RoleGlobalReader)
	if got["Expiration_EndUser_Assignment"]["maximumDuration"] != "PT8H" || got["Approval_EndUser_Assignment"]["setting"].(map[string]any)["isApprovalRequired"] != false {
		t.Errorf("a rejected PATCH changed the policy: %v", got)
	}
}

// A notification rule takes at most 100 additional recipients: 10,000 are a
// 400 in moments, and the rule is unchanged.
func TestTooManyRecipientsAreRefused(t *testing.T) {
	h := newHarness(t, "")
	pid, _ := rulesByID(t, h, emulator.RoleHelpdeskAdministrator)
	addrs := make([]string, 10000)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("person%d@contoso.example", i)
	}
	rule := map[string]any{"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule", "id": "Notification_Admin_Admin_Eligibility",
		"notificationType": "Email", "recipientType": "Admin", "notificationLevel": "All", "isDefaultRecipientsEnabled": true,
		"notificationRecipients": addrs}
	if s, m := h.do("PATCH", "/policies/roleManagementPolicies/"+pid+"/rules/Notification_Admin_Admin_Eligibility", token, rule); s != 400 ||
		!strings.Contains(errMessage(m), "at most 100") {
		t.Errorf("10,000 recipients: %d %v", s, m)
	}
	if got := h.srv.PolicyOf(emulator.RoleHelpdeskAdministrator).Rule("Notification_Admin_Admin_Eligibility").NotificationRecipients; len(got) != 0 {
		t.Errorf("the rule changed: %d recipients", len(got))
	}
}
