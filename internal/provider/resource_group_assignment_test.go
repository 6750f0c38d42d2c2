package provider_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const (
	groupEligible = "pim_group_eligible_assignment.test"
	groupActive   = "pim_group_active_assignment.test"
	groupPIMPath  = "/v1.0/identityGovernance/privilegedAccess/group/"
)

func groupConfig(env *acctest.Env, typ, principal, group, access, extra string) string {
	return env.ProviderBlock() + fmt.Sprintf(`
resource "pim_group_%s_assignment" "test" {
  principal_id = %q
  group_id     = %q
  access_id    = %q
%s
}
`, typ, principal, group, access, extra)
}

// groupSchedules lists the emulator's group schedules of a kind for a group.
func groupSchedules(t *testing.T, env *acctest.Env, kind, group string) []any {
	t.Helper()
	body := env.Call(t, http.MethodGet, groupPIMPath+kind+"Schedules?$top=50&$filter="+url.QueryEscape("groupId eq '"+group+"'"), acctest.Token, nil, http.StatusOK)
	vals, _ := body["value"].([]any)
	return vals
}

// An eligible group membership: created with names in the plan, updated in
// place, imported both ways, replaced only when its key changes, and it
// survives Graph's 45-day purge of requests.
func TestAccGroupEligibleAssignment_lifecycle(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := func(access, justification string) string {
		return groupConfig(env, "eligible", emulator.AliceID, emulator.OpsGroupID, access, `  justification = "`+justification+`"`)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config:      groupConfig(env, "eligible", emulator.AliceID, emulator.OpsGroupID, "admin", ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)access_id.*value must be one of`),
			},
			{
				Config: cfg("member", "on call"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(groupEligible, tfjsonpath.New("group_display_name"), knownvalue.StringExact("Cloud Ops")),
						plancheck.ExpectKnownValue(groupEligible, tfjsonpath.New("principal_display_name"), knownvalue.StringExact("Alice Analyst")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupEligible, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile("^"+emulator.OpsGroupID+"_member_"))),
					statecheck.ExpectKnownValue(groupEligible, tfjsonpath.New("status"), knownvalue.StringExact("Provisioned")),
				},
				Check: func(*terraform.State) error {
					if n := len(groupSchedules(t, env, "eligibility", emulator.OpsGroupID)); n != 1 {
						return fmt.Errorf("%d eligibility schedules for the group, want 1", n)
					}
					return nil
				},
			},
			{
				Config:           cfg("member", "on call, renewed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(groupEligible, plancheck.ResourceActionUpdate)}},
			},
			{ResourceName: groupEligible, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
				ImportStateId: emulator.OpsGroupID + "|member|" + emulator.AliceID},
			{ResourceName: groupEligible, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts"},
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return s.RootModule().Resources[groupEligible].Primary.ID, nil
				}},
			{
				PreConfig:        func() { env.Clock.Advance(46 * 24 * time.Hour) },
				Config:           cfg("member", "on call, renewed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config:           cfg("owner", "on call, renewed"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(groupEligible, plancheck.ResourceActionDestroyBeforeCreate)}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(groupEligible, tfjsonpath.New("id"),
					knownvalue.StringRegexp(regexp.MustCompile("^"+emulator.OpsGroupID+"_owner_")))},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if n := len(groupSchedules(t, env, "eligibility", emulator.OpsGroupID)); n != 0 {
				return fmt.Errorf("%d eligibility schedules left after destroy", n)
			}
			return nil
		},
	})
}

// An active group membership: the group's default setting refuses a
// permanent one at plan time; a time-bound one makes the principal a member
// while it lasts, and stays in state as Expired when it ends.
func TestAccGroupActiveAssignment_membershipAndExpiry(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	members := func() string {
		body := env.Call(t, http.MethodGet, "/v1.0/groups/"+emulator.SecGroupID+"/members?$top=50", acctest.Token, nil, http.StatusOK)
		return fmt.Sprint(body["value"])
	}
	timeBound := groupConfig(env, "active", emulator.BobID, emulator.SecGroupID, "member", `  justification = "incident"
  duration      = "P1D"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config:      groupConfig(env, "active", emulator.BobID, emulator.SecGroupID, "member", `  justification = "forever"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Permanent Group Active Assignment Not Allowed.*membership\s+of\s+group\s+"Security\s+Responders"`),
			},
			{
				Config: timeBound,
				Check: func(*terraform.State) error {
					if !strings.Contains(members(), emulator.BobID) {
						return fmt.Errorf("Bob is not a member while his active membership lasts: %s", members())
					}
					return nil
				},
			},
			{
				PreConfig:         func() { env.Clock.Advance(25 * time.Hour) },
				Config:            timeBound,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(groupActive, tfjsonpath.New("status"), knownvalue.StringExact("Expired"))},
				Check: func(*terraform.State) error {
					if strings.Contains(members(), emulator.BobID) {
						return fmt.Errorf("Bob is still a member after his membership ended")
					}
					return nil
				},
			},
		},
	})
}

// Removed outside Terraform before its end: drift, created again.
func TestAccGroupEligibleAssignment_drift(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := groupConfig(env, "eligible", emulator.DaveID, emulator.OpsGroupID, "owner", "")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					env.Call(t, http.MethodPost, groupPIMPath+"eligibilityScheduleRequests", acctest.Token, map[string]any{"action": "adminRemove",
						"principalId": emulator.DaveID, "groupId": emulator.OpsGroupID, "accessId": "owner"}, http.StatusCreated)
				},
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(groupEligible, plancheck.ResourceActionCreate)}},
			},
		},
	})
}

// A group PIM cannot manage fails the plan on group_id.
func TestPlanRefusesGroupsPIMCannotManage(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t, acctest.WithSeedFile(t, "../../examples/emulator/tenant.yaml"))
	p := newProtocol(t, env, acctest.Token)
	body := env.Call(t, http.MethodGet, "/v1.0/groups?$filter="+url.QueryEscape("displayName eq 'All Staff (dynamic)'"), acctest.Token, nil, http.StatusOK)
	dynamic := body["value"].([]any)[0].(map[string]any)["id"].(string)
	kim := env.Call(t, http.MethodGet, "/v1.0/users/kim@fabrikam.example", acctest.Token, nil, http.StatusOK)["id"].(string)
	resp := p.planCreate("pim_group_eligible_assignment", map[string]tftypes.Value{"group_id": str(dynamic), "access_id": str("member"), "principal_id": str(kim)})
	if w := warning(resp.Diagnostics, "Group Not Manageable By PIM"); !strings.Contains(w, `group "All Staff (dynamic)"`) {
		t.Fatalf("diagnostics: %v", summaries(resp.Diagnostics))
	}
}

// terraform query over a group: named results, identities in the group
// resources' shape, resource objects that plan empty after import.
func TestListGroupAssignments(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t, acctest.WithPageSize(100))
	env.Call(t, http.MethodPost, groupPIMPath+"eligibilityScheduleRequests", acctest.Token, map[string]any{"action": "adminAssign",
		"principalId": emulator.BobID, "groupId": emulator.OpsGroupID, "accessId": "owner", "justification": "out of band"}, http.StatusCreated)
	p := newProtocol(t, env, acctest.Token)
	if got := p.list("pim_group_eligible_assignment", map[string]tftypes.Value{}, false, 0); len(got) != 1 || len(got[0].diags) == 0 ||
		got[0].diags[0].Summary != "Group Or Principal Required" {
		t.Fatalf("a list without group or principal: %+v", got)
	}
	got := p.list("pim_group_eligible_assignment", map[string]tftypes.Value{"group_id": str(emulator.OpsGroupID)}, true, 0)
	if len(got) != 1 || got[0].display != "Bob Builder (bob@contoso.example): owner of Cloud Ops, permanent" {
		t.Fatalf("results: %+v", got)
	}
	r := got[0]
	if strOf(r.identity["group_id"]) != emulator.OpsGroupID || strOf(r.identity["access_id"]) != "owner" || strOf(r.resource["justification"]) != "out of band" {
		t.Fatalf("identity %v resource %v", r.identity, r.resource)
	}
	config := map[string]tftypes.Value{}
	for _, a := range []string{"principal_id", "group_id", "access_id", "justification", "start_date_time"} {
		config[a] = r.resource[a]
	}
	state := p.importByIdentity("pim_group_eligible_assignment", r.identity)
	plan := p.planUpdate("pim_group_eligible_assignment", state, config)
	planned := p.decode(plan.PlannedState, p.schemas.ResourceSchemas["pim_group_eligible_assignment"].ValueType())
	for k, v := range state {
		if !planned[k].Equal(v) {
			t.Errorf("generated configuration plans a change of %s: %v → %v", k, v, planned[k])
		}
	}
}

// The group data sources name each entry; activations carry the requester's
// justification.
func TestAccGroupDataSources(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Call(t, http.MethodPost, groupPIMPath+"eligibilityScheduleRequests", acctest.Token, map[string]any{"action": "adminAssign",
		"principalId": emulator.AliceID, "groupId": emulator.OpsGroupID, "accessId": "member", "justification": "rota"}, http.StatusCreated)
	env.Call(t, http.MethodPost, groupPIMPath+"assignmentScheduleRequests", acctest.UserToken(emulator.AliceID), map[string]any{"action": "selfActivate",
		"principalId": emulator.AliceID, "groupId": emulator.OpsGroupID, "accessId": "member", "justification": "INC-9 deploy",
		"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "PT2H"}}}, http.StatusCreated)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config:      env.ProviderBlock() + `data "pim_group_eligible_assignments" "x" {}`,
				ExpectError: regexp.MustCompile(`(?s)At least one attribute out of \[group_id,principal_id\] must be specified`),
			},
			{
				Config: env.ProviderBlock() + fmt.Sprintf(`
data "pim_group_eligible_assignments" "ops" {
  group_id = %[1]q
}
data "pim_group_activations" "ops" {
  group_id = %[1]q
}
data "pim_group_active_assignments" "ops" {
  group_id = %[1]q
}`, emulator.OpsGroupID),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.pim_group_eligible_assignments.ops", "assignments.#", "1"),
					resource.TestCheckResourceAttr("data.pim_group_eligible_assignments.ops", "assignments.0.principal_display_name", "Alice Analyst"),
					resource.TestCheckResourceAttr("data.pim_group_eligible_assignments.ops", "assignments.0.group_display_name", "Cloud Ops"),
					resource.TestCheckResourceAttr("data.pim_group_eligible_assignments.ops", "assignments.0.access_id", "member"),
					resource.TestCheckResourceAttr("data.pim_group_activations.ops", "assignments.#", "1"),
					resource.TestCheckResourceAttr("data.pim_group_activations.ops", "assignments.0.justification", "INC-9 deploy"),
					resource.TestCheckResourceAttr("data.pim_group_activations.ops", "assignments.0.end_date_time", "2030-01-01T11:00:00Z"),
					resource.TestCheckResourceAttr("data.pim_group_active_assignments.ops", "assignments.#", "0"),
				),
			},
		},
	})
}

// PIM for Groups gives membership to users and groups only: a service
// principal fails the plan on principal_id.
func TestPlanRefusesAServicePrincipalAsGroupMember(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	p := newProtocol(t, env, acctest.Token)
	resp := p.planCreate("pim_group_eligible_assignment", map[string]tftypes.Value{"group_id": str(emulator.OpsGroupID), "access_id": str("member"),
		"principal_id": str(emulator.AppServicePrincipalID)})
	if !hasErrors(resp.Diagnostics) || !strings.Contains(strings.Join(summaries(resp.Diagnostics), ","), "Service Principals Cannot Be Group Members Through PIM") {
		t.Fatalf("diagnostics: %v", summaries(resp.Diagnostics))
	}
}

// Ids are case-insensitive in Graph: a group and principal written in upper
// case apply, refresh and plan empty, as lower case does.
func TestAccGroupEligibleAssignment_upperCaseIDsRoundTrip(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := groupConfig(env, "eligible", strings.ToUpper(emulator.DaveID), strings.ToUpper(emulator.OpsGroupID), "member", "")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			Config:           cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}},
	})
}
