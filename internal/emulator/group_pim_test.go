package emulator_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const groupPIM = "/identityGovernance/privilegedAccess/group/"

func groupBody(action, access, principal, group string, exp map[string]any) map[string]any {
	b := map[string]any{"action": action, "accessId": access, "principalId": principal, "groupId": group, "justification": "test"}
	if exp != nil {
		b["scheduleInfo"] = map[string]any{"expiration": exp}
	}
	return b
}

// PIM for Groups: eligibility and active membership with the documented
// ids and shapes, the required filter, the group's own policy defaults,
// activation, and active members showing in the group.
func TestPIMForGroups(t *testing.T) {
	h := newHarness(t, "")
	group := emulator.OpsGroupID
	s, m := h.do("POST", groupPIM+"eligibilityScheduleRequests", token, groupBody("adminAssign", "member", emulator.AliceID, group, nil))
	if s != 201 || m["accessId"] != "member" || m["groupId"] != group || !strings.HasPrefix(m["targetScheduleId"].(string), group+"_member_") {
		t.Fatalf("eligibility: %d %v", s, m)
	}
	if _, has := m["roleDefinitionId"]; has {
		t.Errorf("a group request has directory fields: %v", m)
	}
	if s, m := h.do("GET", groupPIM+"eligibilitySchedules", token, nil); s != 400 || !strings.Contains(errMessage(m), "groupId or principalId") {
		t.Errorf("list without the required filter: %d %v", s, m)
	}
	s, m = h.do("GET", groupPIM+"eligibilitySchedules?$filter="+url.QueryEscape("groupId eq '"+group+"'"), token, nil)
	vals, _ := m["value"].([]any)
	if s != 200 || len(vals) != 1 {
		t.Fatalf("eligibility schedules of the group: %d %v", s, m)
	}
	if sc := vals[0].(map[string]any); sc["memberType"] != "direct" || sc["principalId"] != emulator.AliceID || sc["accessId"] != "member" {
		t.Errorf("schedule shape: %v", sc)
	}
	// The directory surface does not see group schedules.
	if _, m := h.do("GET", eligScheds+"?$filter="+url.QueryEscape("principalId eq '"+emulator.AliceID+"'"), token, nil); len(m["value"].([]any)) != 0 {
		t.Errorf("a group eligibility shows as a role eligibility: %v", m)
	}

	// Groups' default policy refuses permanent active membership.
	if s, m := h.do("POST", groupPIM+"assignmentScheduleRequests", token, groupBody("adminAssign", "member", emulator.BobID, group, nil)); s != 400 ||
		!strings.Contains(errMessage(m), "ExpirationRule") {
		t.Errorf("permanent active membership: %d %v", s, m)
	}
	if s, m := h.do("POST", groupPIM+"assignmentScheduleRequests", token, groupBody("adminAssign", "member", emulator.CarolID, group,
		map[string]any{"type": "afterDuration", "duration": "P30D"})); s != 201 {
		t.Fatalf("active membership: %d %v", s, m)
	}
	// Alice activates her eligible membership.
	if s, m := h.do("POST", groupPIM+"assignmentScheduleRequests", "alice-mfa", groupBody("selfActivate", "member", emulator.AliceID, group,
		map[string]any{"type": "afterDuration", "duration": "PT2H"})); s != 201 {
		t.Fatalf("activation: %d %v", s, m)
	}
	members := func() string {
		_, m := h.do("GET", "/groups/"+group+"/members?$top=50", token, nil)
		return jsonString(m["value"])
	}
	if got := members(); !strings.Contains(got, emulator.CarolID) || !strings.Contains(got, emulator.AliceID) {
		t.Errorf("active members missing from the group: %s", got)
	}
	h.clock.Advance(3 * time.Hour)
	if got := members(); strings.Contains(got, emulator.AliceID) || !strings.Contains(got, emulator.CarolID) {
		t.Errorf("after the activation ended: %s", got)
	}

	// Two policies per group, member and owner.
	s, m = h.do("GET", "/policies/roleManagementPolicyAssignments?$filter="+url.QueryEscape("scopeId eq '"+group+"' and scopeType eq 'Group'")+"&$top=10", token, nil)
	if vals, _ := m["value"].([]any); s != 200 || len(vals) != 2 || !strings.Contains(jsonString(vals), `"roleDefinitionId":"owner"`) {
		t.Errorf("group policy assignments: %d %v", s, m)
	}
}

// Dynamic and on-premises-synchronised groups are refused, as Graph refuses them.
func TestPIMForGroupsRefusesDynamicGroups(t *testing.T) {
	h := seeded(t)
	_, groups := h.do("GET", "/groups?$filter="+url.QueryEscape("displayName eq 'All Staff (dynamic)'"), token, nil)
	dynamic := groups["value"].([]any)[0].(map[string]any)["id"].(string)
	_, users := h.do("GET", "/users/kim@fabrikam.example", token, nil)
	if s, m := h.do("POST", groupPIM+"eligibilityScheduleRequests", token, groupBody("adminAssign", "member", users["id"].(string), dynamic, nil)); s != 400 ||
		!strings.HasPrefix(errCode(m), "InvalidGroup:") {
		t.Errorf("dynamic group: %d %v", s, m)
	}
}

func errMessage(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// The group approval routes take the stage id as a parameter: deciding a
// stage of an approval that does not exist is Graph's 404, not a path
// the emulator does not know.
func TestGroupApprovalStageRoutes(t *testing.T) {
	h := newHarness(t, "")
	for _, seg := range []string{"stages", "steps"} {
		s, m := h.do("PATCH", groupPIM+"assignmentApprovals/00000000-0000-4000-8000-000000000009/"+seg+"/1",
			token, map[string]any{"reviewResult": "Approve", "justification": "ok"})
		if s != 404 || strings.Contains(errMessage(m), "Resource not found for the segment") {
			t.Errorf("PATCH .../%s/{stage}: %d %v", seg, s, m)
		}
	}
}

// An activation of a group membership that needs approval waits, the
// approver decides its stage as Graph documents (v1.0 assignmentApprovals,
// stages), and the membership starts.
func TestGroupActivationApproval(t *testing.T) {
	h := newHarness(t, "")
	group := emulator.OpsGroupID
	p := emulator.DefaultGroupPolicy()
	p.Rule("Approval_EndUser_Assignment").Approval = emulator.ApprovalSettings{IsApprovalRequired: true, ApprovalMode: "SingleStage",
		Stages: []emulator.ApprovalStage{{TimeoutInDays: 1, PrimaryApprovers: []emulator.Approver{{UserID: emulator.BobID}}}}}
	h.srv.SetGroupPolicy(group, "member", p)
	if s, m := h.do("POST", groupPIM+"eligibilityScheduleRequests", token, groupBody("adminAssign", "member", emulator.AliceID, group, nil)); s != 201 {
		t.Fatalf("eligibility: %d %v", s, m)
	}
	s, req := h.do("POST", groupPIM+"assignmentScheduleRequests", "alice-mfa", groupBody("selfActivate", "member", emulator.AliceID, group,
		map[string]any{"type": "afterDuration", "duration": "PT2H"}))
	if s != 201 || req["status"] != "PendingApproval" || req["approvalId"] == nil {
		t.Fatalf("activation: %d %v", s, req)
	}
	approval := groupPIM + "assignmentApprovals/" + req["approvalId"].(string)
	s, a := h.do("GET", approval, "bob-mfa", nil)
	stages, _ := a["stages"].([]any)
	if s != 200 || len(stages) != 1 {
		t.Fatalf("approval: %d %v", s, a)
	}
	stage := stages[0].(map[string]any)
	if s, m := h.do("PATCH", approval+"/stages/"+stage["id"].(string), "carol-mfa", map[string]any{"reviewResult": "Approve", "justification": "no"}); s != 403 {
		t.Errorf("someone who is not an approver decides: %d %v", s, m)
	}
	if s, m := h.do("PATCH", approval+"/stages/"+stage["id"].(string), "bob-mfa", map[string]any{"reviewResult": "Approve", "justification": "ok"}); s != 204 {
		t.Fatalf("approver decides: %d %v", s, m)
	}
	s, done := h.do("GET", groupPIM+"assignmentScheduleRequests/"+req["id"].(string), token, nil)
	if s != 200 || done["status"] != "Provisioned" {
		t.Errorf("after approval: %d %v", s, done)
	}
}

// filterByCurrentUser(on='principal') on the six PIM for Groups
// collections, as Graph documents and Microsoft's SDKs call it: the caller's
// own entries, without the group filter the collections otherwise need.
func TestGroupFilterByCurrentUser(t *testing.T) {
	h := newHarness(t, "")
	if s, m := h.do("POST", groupPIM+"eligibilityScheduleRequests", token, groupBody("adminAssign", "member", emulator.AliceID, emulator.OpsGroupID, nil)); s != 201 {
		t.Fatalf("eligibility: %d %v", s, m)
	}
	if s, m := h.do("POST", groupPIM+"assignmentScheduleRequests", token, groupBody("adminAssign", "member", emulator.BobID, emulator.OpsGroupID,
		map[string]any{"type": "afterDuration", "duration": "P30D"})); s != 201 {
		t.Fatalf("assignment: %d %v", s, m)
	}
	fn := "/filterByCurrentUser(on='principal')"
	for _, c := range []struct {
		path, tok string
		want      int
	}{
		{"eligibilityScheduleRequests", "alice-mfa", 1}, {"eligibilitySchedules", "alice-mfa", 1}, {"eligibilityScheduleInstances", "alice-mfa", 1},
		{"assignmentScheduleRequests", "alice-mfa", 0}, {"assignmentSchedules", "bob-mfa", 1}, {"assignmentScheduleInstances", "bob-mfa", 1},
	} {
		s, m := h.do("GET", groupPIM+c.path+fn, c.tok, nil)
		vals, _ := m["value"].([]any)
		if s != 200 || len(vals) != c.want || !strings.Contains(m["@odata.context"].(string), "Collection(") {
			t.Errorf("%s as %s: %d, %d entries, want %d: %v", c.path, c.tok, s, len(vals), c.want, m)
		}
	}
	if s, _ := h.do("GET", groupPIM+"eligibilitySchedules/filterByCurrentUser(on='approver')", "alice-mfa", nil); s != 400 {
		t.Errorf("on='approver': %d, want 400", s)
	}
}
