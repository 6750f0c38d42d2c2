package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// Terraform 1.12+ and 1.14+ features, tested at the protocol level (the CLI
// here is 1.11): the schema Terraform gets lists them.
func TestProviderServesListResourcesIdentitiesAndActions(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	p := newProtocol(t, env, acctest.Token)
	for _, name := range []string{"pim_eligible_assignment", "pim_active_assignment", "pim_role_setting"} {
		if _, ok := p.schemas.ListResourceSchemas[name]; !ok {
			t.Errorf("no list resource %s", name)
		}
	}
	for _, name := range []string{"pim_activate", "pim_approval", "pim_deactivate"} {
		if _, ok := p.schemas.ActionSchemas[name]; !ok {
			t.Errorf("no action %s", name)
		}
	}
	ids, err := p.srv.GetResourceIdentitySchemas(context.Background(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"pim_eligible_assignment": {"directory_scope_id", "principal_id", "role_definition_id"},
		"pim_active_assignment":   {"directory_scope_id", "principal_id", "role_definition_id"},
		"pim_role_setting":        {"role_definition_id", "scope"},
	}
	for name, attrs := range want {
		s := ids.IdentitySchemas[name]
		if s == nil {
			t.Errorf("no identity for %s", name)
			continue
		}
		var got []string
		for _, a := range s.IdentityAttributes {
			got = append(got, a.Name)
		}
		slices.Sort(got)
		if !slices.Equal(got, attrs) {
			t.Errorf("identity of %s = %v, want %v", name, got, attrs)
		}
	}
}

// terraform query finds an eligibility made outside Terraform, names it,
// and gives the resource object from which generated configuration plans
// empty after import; one paged list and one name lookup, however many.
func TestListFindsUnmanagedEligibility(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t, acctest.WithPageSize(100))
	env.MakeEligible(t, emulator.BobID, emulator.RoleGlobalReader)
	env.MakeEligible(t, emulator.OpsGroupID, emulator.RoleHelpdeskAdministrator)
	p := newProtocol(t, env, acctest.Token)
	env.Control(t, http.MethodDelete, "requests", "", http.StatusNoContent)

	results := p.list("pim_eligible_assignment", map[string]tftypes.Value{}, true, 0)
	if len(results) != 2 {
		t.Fatalf("%d results, want the 2 direct eligibilities (not the group members' inherited ones): %+v", len(results), results)
	}
	for route, want := range map[string]int{"GET /v1.0/roleManagement/directory/roleEligibilitySchedules": 1,
		"POST /v1.0/directoryObjects/getByIds": 1, "GET /v1.0/roleManagement/directory/roleEligibilityScheduleRequests": 1} {
		if n := env.RouteCount(t, route); n != want {
			t.Errorf("%s: %d calls, want %d", route, n, want)
		}
	}
	var bob listResult
	for _, r := range results {
		if strOf(r.identity["principal_id"]) == emulator.BobID {
			bob = r
		}
	}
	if bob.display != "Bob Builder (bob@contoso.example): Global Reader at /, permanent" || len(bob.diags) != 0 {
		t.Fatalf("display %q, diagnostics %v", bob.display, summaries(bob.diags))
	}
	if strOf(bob.identity["role_definition_id"]) != emulator.RoleGlobalReader || strOf(bob.identity["directory_scope_id"]) != "/" {
		t.Fatalf("identity %v", bob.identity)
	}
	if strOf(bob.resource["justification"]) != "set up by the test" || strOf(bob.resource["principal_display_name"]) != "Bob Builder" {
		t.Fatalf("resource %v", bob.resource)
	}

	// What -generate-config-out writes: the configurable attributes. After
	// import by identity, it plans no change.
	config := map[string]tftypes.Value{}
	for _, a := range []string{"principal_id", "role_definition_id", "directory_scope_id", "justification", "start_date_time", "end_date_time", "duration"} {
		if v := bob.resource[a]; !v.IsNull() {
			config[a] = v
		}
	}
	state := p.importByIdentity("pim_eligible_assignment", bob.identity)
	plan := p.planUpdate("pim_eligible_assignment", state, config)
	if hasErrors(plan.Diagnostics) {
		t.Fatalf("plan: %v", summaries(plan.Diagnostics))
	}
	planned := p.decode(plan.PlannedState, p.schemas.ResourceSchemas["pim_eligible_assignment"].ValueType())
	for k, v := range state {
		if !planned[k].Equal(v) {
			t.Errorf("generated configuration plans a change of %s: %v → %v", k, v, planned[k])
		}
	}
}

// Filters: principal type, and group-inherited entries on request.
func TestListFilters(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.MakeEligible(t, emulator.BobID, emulator.RoleGlobalReader)
	env.MakeEligible(t, emulator.OpsGroupID, emulator.RoleHelpdeskAdministrator)
	env.Activate(t, emulator.BobID, emulator.RoleGlobalReader, "PT1H", "look around") // an activation is not a resource
	p := newProtocol(t, env, acctest.Token)
	groups := p.list("pim_eligible_assignment", map[string]tftypes.Value{"principal_type": str("group")}, false, 0)
	if len(groups) != 1 || !strings.HasPrefix(groups[0].display, "Cloud Ops (group): Helpdesk Administrator") {
		t.Fatalf("groups: %+v", groups)
	}
	inherited := p.list("pim_eligible_assignment", map[string]tftypes.Value{"include_inherited": tftypes.NewValue(tftypes.Bool, true),
		"role_definition_id": str(emulator.RoleHelpdeskAdministrator)}, false, 0)
	if len(inherited) != 3 || !strings.Contains(inherited[1].display+inherited[2].display, "(inherited from a group)") {
		t.Fatalf("with inherited: %+v", inherited)
	}
	if active := p.list("pim_active_assignment", map[string]tftypes.Value{"principal_id": str(emulator.BobID)}, false, 0); len(active) != 0 {
		t.Fatalf("an activation was listed as an active assignment: %+v", active)
	}
	if limited := p.list("pim_eligible_assignment", map[string]tftypes.Value{}, false, 1); len(limited) != 1 {
		t.Fatalf("limit 1 gave %d results", len(limited))
	}
}

// The role settings worth managing: those that leave the defaults.
func TestListRoleSettingsThatDifferFromDefaults(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	pol := emulator.DefaultPolicy()
	pol.Rule("Expiration_EndUser_Assignment").MaximumDuration = "PT2H"
	env.Emulator.SetPolicy(emulator.RoleHelpdeskAdministrator, pol)
	p := newProtocol(t, env, acctest.Token)
	got := p.list("pim_role_setting", map[string]tftypes.Value{}, true, 0)
	if len(got) != 1 || got[0].display != "Helpdesk Administrator: 1 of 17 rules differ from the defaults (Expiration_EndUser_Assignment)" {
		t.Fatalf("results: %+v", got)
	}
	if strOf(got[0].identity["role_definition_id"]) != emulator.RoleHelpdeskAdministrator || strOf(got[0].identity["scope"]) != "/" {
		t.Fatalf("identity %v", got[0].identity)
	}
	var act map[string]tftypes.Value
	if err := got[0].resource["activation"].As(&act); err != nil || strOf(act["maximum_duration"]) != "PT2H" {
		t.Fatalf("resource activation %v %v", act, err)
	}
	all := p.list("pim_role_setting", map[string]tftypes.Value{"include_defaults": tftypes.NewValue(tftypes.Bool, true)}, false, 0)
	if len(all) < 10 {
		t.Fatalf("include_defaults listed %d roles", len(all))
	}
}

// Import by identity, for assignments and role settings.
func TestImportByIdentity(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.MakeEligible(t, emulator.CarolID, emulator.RoleGlobalReader)
	p := newProtocol(t, env, acctest.Token)
	state := p.importByIdentity("pim_eligible_assignment", map[string]tftypes.Value{
		"principal_id": str(emulator.CarolID), "role_definition_id": str(emulator.RoleGlobalReader)})
	if strOf(state["directory_scope_id"]) != "/" || strOf(state["status"]) != "Provisioned" || strOf(state["principal_display_name"]) != "Carol Compliance" {
		t.Fatalf("imported state %v", state)
	}
	setting := p.importByIdentity("pim_role_setting", map[string]tftypes.Value{"role_definition_id": str(emulator.RoleGlobalReader)})
	if !strings.HasPrefix(strOf(setting["id"]), "DirectoryRole_") {
		t.Fatalf("imported role setting %v", setting)
	}
	imp, err := p.srv.ImportResourceState(context.Background(), &tfprotov6.ImportResourceStateRequest{TypeName: "pim_eligible_assignment",
		Identity: p.identity("pim_eligible_assignment", map[string]tftypes.Value{"principal_id": str("alice"), "role_definition_id": str(emulator.RoleGlobalReader)})})
	if err != nil || len(imp.Diagnostics) != 1 || imp.Diagnostics[0].Summary != "Invalid Import Identity" {
		t.Fatalf("a bad identity: %v %v", err, imp.Diagnostics)
	}
}

func TestActivateApproveDeactivate(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.MakeEligible(t, emulator.AliceID, emulator.RoleHelpdeskAdministrator)
	env.MakeEligible(t, emulator.BobID, emulator.RoleGlobalReader)
	pol := emulator.DefaultPolicy()
	pol.Rule("Approval_EndUser_Assignment").Approval.IsApprovalRequired = true
	pol.Rule("Approval_EndUser_Assignment").Approval.Stages[0].PrimaryApprovers = []emulator.Approver{{UserID: emulator.CarolID}}
	env.Emulator.SetPolicy(emulator.RoleGlobalReader, pol)
	alice, bob, carol := newProtocol(t, env, acctest.UserToken(emulator.AliceID)), newProtocol(t, env, acctest.UserToken(emulator.BobID)),
		newProtocol(t, env, acctest.UserToken(emulator.CarolID))
	activate := map[string]tftypes.Value{"role_definition_id": str(emulator.RoleHelpdeskAdministrator), "duration": str("PT1H"), "justification": str("INC-1")}

	msgs, diags := alice.invoke("pim_activate", activate)
	if hasErrors(diags) || len(msgs) != 2 || !strings.Contains(msgs[0], `role "Helpdesk Administrator"`) || !strings.Contains(msgs[0], `user "Alice Analyst"`) ||
		!strings.Contains(msgs[1], "until 2030-01-01T10:00:00Z") {
		t.Fatalf("activate: %v %v", msgs, summaries(diags))
	}
	if _, ok := env.Emulator.FindActivation(emulator.AliceID, emulator.RoleHelpdeskAdministrator, "/"); !ok {
		t.Fatal("no activation in the emulator")
	}
	// Again: already active, with Graph's code and a next step.
	if _, diags := alice.invoke("pim_activate", activate); !hasErrors(diags) || !strings.Contains(diags[0].Detail, "RoleAssignmentExists") ||
		!strings.Contains(diags[0].Detail, "already active") {
		t.Fatalf("second activation: %v", diags)
	}

	// Approval: Bob's activation waits for Carol.
	_, diags = bob.invoke("pim_activate", map[string]tftypes.Value{"role_definition_id": str(emulator.RoleGlobalReader), "duration": str("PT1H"), "justification": str("audit")})
	if len(diags) != 1 || diags[0].Summary != "Activation Requires Approval" || !strings.Contains(diags[0].Detail, "pim_approval action (request_id = ") {
		t.Fatalf("pending activation: %v %s", summaries(diags), diags[0].Detail)
	}
	decide := map[string]tftypes.Value{"principal_id": str(emulator.BobID), "role_definition_id": str(emulator.RoleGlobalReader),
		"decision": str("approve"), "justification": str("ok")}
	requestID := regexp.MustCompile(`request_id = "([^"]+)"`).FindStringSubmatch(diags[0].Detail)[1]
	if _, diags := bob.invoke("pim_approval", decide); len(diags) != 1 || diags[0].Summary != "No Pending Activation" {
		t.Fatalf("Bob approves nothing: %v", summaries(diags))
	}
	byID := map[string]tftypes.Value{"request_id": str(requestID), "decision": str("approve"), "justification": str("mine")}
	if _, diags := bob.invoke("pim_approval", byID); len(diags) != 1 || diags[0].Summary != "Not An Approver Of This Stage" {
		t.Fatalf("self-approval: %v", summaries(diags))
	}
	msgs, diags = carol.invoke("pim_approval", decide)
	if hasErrors(diags) || len(msgs) != 2 || !strings.HasSuffix(msgs[1], "approved: the activation takes effect") {
		t.Fatalf("approval: %v %v", msgs, summaries(diags))
	}
	if _, ok := env.Emulator.FindActivation(emulator.BobID, emulator.RoleGlobalReader, "/"); !ok {
		t.Fatal("approved, but Bob's activation is not in effect")
	}

	// Deactivation: refused in the first five minutes, then done.
	deactivate := map[string]tftypes.Value{"role_definition_id": str(emulator.RoleHelpdeskAdministrator)}
	if _, diags := alice.invoke("pim_deactivate", deactivate); !hasErrors(diags) || !strings.Contains(diags[0].Detail, "ActiveDurationTooShort") {
		t.Fatalf("early deactivation: %v", diags)
	}
	env.Clock.Advance(6 * 60e9)
	if msgs, diags := alice.invoke("pim_deactivate", deactivate); hasErrors(diags) || len(msgs) != 2 {
		t.Fatalf("deactivation: %v %v", msgs, summaries(diags))
	}
	if _, diags := alice.invoke("pim_deactivate", deactivate); !hasErrors(diags) || !strings.Contains(diags[0].Detail, "nothing to deactivate") {
		t.Fatalf("deactivating twice: %v", diags)
	}
}

// An application cannot activate: the action says who can.
func TestActivateAsAnApplicationFails(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	tok, _ := env.Control(t, http.MethodPost, "tokens", fmt.Sprintf(`{"principal":%q}`, emulator.AppServicePrincipalID), http.StatusOK)["access_token"].(string)
	p := newProtocol(t, env, tok)
	_, diags := p.invoke("pim_activate", map[string]tftypes.Value{"role_definition_id": str(emulator.RoleGlobalReader), "duration": str("PT1H")})
	if len(diags) != 1 || diags[0].Summary != "No Signed-In User" || !strings.Contains(diags[0].Detail, "/me request is only valid with delegated authentication flow") ||
		!strings.Contains(diags[0].Detail, "applications cannot") {
		t.Fatalf("diagnostics: %v", diags)
	}
}

// pim_approval decides a PIM for Groups activation too (v1.0
// assignmentApprovals): by request id with group_id.
func TestApprovalOfAGroupActivation(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	p := emulator.DefaultGroupPolicy()
	p.Rule("Approval_EndUser_Assignment").Approval = emulator.ApprovalSettings{IsApprovalRequired: true, ApprovalMode: "SingleStage",
		Stages: []emulator.ApprovalStage{{TimeoutInDays: 1, PrimaryApprovers: []emulator.Approver{{UserID: emulator.CarolID}}}}}
	env.Emulator.SetGroupPolicy(emulator.OpsGroupID, "member", p)
	group := "/v1.0/identityGovernance/privilegedAccess/group/"
	env.Call(t, http.MethodPost, group+"eligibilityScheduleRequests", acctest.Token, map[string]any{"action": "adminAssign", "accessId": "member",
		"principalId": emulator.AliceID, "groupId": emulator.OpsGroupID, "justification": "on call",
		"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "noExpiration"}}}, http.StatusCreated)
	req := env.Call(t, http.MethodPost, group+"assignmentScheduleRequests", acctest.UserToken(emulator.AliceID), map[string]any{"action": "selfActivate",
		"accessId": "member", "principalId": emulator.AliceID, "groupId": emulator.OpsGroupID, "justification": "INC-7",
		"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "PT1H"}}}, http.StatusCreated)
	carol := newProtocol(t, env, acctest.UserToken(emulator.CarolID))
	msgs, diags := carol.invoke("pim_approval", map[string]tftypes.Value{"request_id": str(req["id"].(string)), "group_id": str(emulator.OpsGroupID),
		"decision": str("approve"), "justification": str("ok")})
	if hasErrors(diags) || len(msgs) != 2 || !strings.Contains(msgs[0], `group "Cloud Ops"`) || !strings.HasSuffix(msgs[1], "approved: the activation takes effect") {
		t.Fatalf("approval of a group activation: %v %v", msgs, summaries(diags))
	}
	if got := env.Call(t, http.MethodGet, group+"assignmentScheduleRequests/"+req["id"].(string), acctest.Token, nil, http.StatusOK); got["status"] != "Provisioned" {
		t.Errorf("after approval the request is %v", got["status"])
	}
}
