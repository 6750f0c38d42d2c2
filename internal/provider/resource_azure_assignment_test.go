package provider_test

import (
	"fmt"
	"net/http"
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

// PIM for Azure resources, over the emulator's ARM.

const (
	azureEligible = "pim_azure_eligible_assignment.test"
	azureActive   = "pim_azure_active_assignment.test"
	azureSub      = "/subscriptions/" + emulator.DemoSubscriptionID
	azureRG       = azureSub + "/resourceGroups/rg-app"
	armAuthz      = "/providers/Microsoft.Authorization/"
	armPIM        = "?api-version=2020-10-01"
)

func azureRole(role string) string { return azureSub + armAuthz + "roleDefinitions/" + role }

func azureConfig(env *acctest.Env, typ, principal, scope, role, extra string) string {
	return env.ProviderBlock() + fmt.Sprintf(`
resource "pim_azure_%s_assignment" "test" {
  principal_id       = %q
  scope              = %q
  role_definition_id = %q
%s
}
`, typ, principal, scope, role, extra)
}

// azureSchedules lists the emulator's Azure schedules of a kind at a scope.
func azureSchedules(t *testing.T, env *acctest.Env, kind, scope string) []any {
	t.Helper()
	body := env.Call(t, http.MethodGet, scope+armAuthz+"role"+kind+"Schedules"+armPIM, acctest.Token, nil, http.StatusOK)
	vals, _ := body["value"].([]any)
	return vals
}

// An eligible Contributor on a resource group: names in the plan, updated
// in place (where azurerm replaces), imported both ways, replaced only when
// its key changes, destroyed.
func TestAccAzureEligibleAssignment_lifecycle(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := func(justification, duration, condition string) string {
		extra := fmt.Sprintf("  justification = %q\n  duration      = %q\n", justification, duration)
		if condition != "" {
			extra += fmt.Sprintf("  condition         = %q\n  condition_version = \"2.0\"\n", condition)
		}
		return azureConfig(env, "eligible", emulator.AliceID, azureRG, azureRole(emulator.AzureContributor), extra)
	}
	condition := "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})))"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config: cfg("on call", "P30D", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectKnownValue(azureEligible, tfjsonpath.New("role_name"), knownvalue.StringExact("Contributor")),
						plancheck.ExpectKnownValue(azureEligible, tfjsonpath.New("principal_display_name"), knownvalue.StringExact("Alice Analyst")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(azureEligible, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile("^(?i)"+regexp.QuoteMeta(azureRG+armAuthz+"roleEligibilitySchedules/")))),
					statecheck.ExpectKnownValue(azureEligible, tfjsonpath.New("status"), knownvalue.StringExact("Provisioned")),
				},
				Check: func(*terraform.State) error {
					if n := len(azureSchedules(t, env, "Eligibility", azureRG)); n != 1 {
						return fmt.Errorf("%d eligibility schedules at the resource group, want 1", n)
					}
					return nil
				},
			},
			{
				Config:           cfg("on call, renewed", "P60D", condition),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(azureEligible, plancheck.ResourceActionUpdate)}},
				Check: func(*terraform.State) error {
					scheds := azureSchedules(t, env, "Eligibility", azureRG)
					props := scheds[0].(map[string]any)["properties"].(map[string]any)
					if len(scheds) != 1 || props["condition"] != condition {
						return fmt.Errorf("after the update: %v", scheds)
					}
					return nil
				},
			},
			{ResourceName: azureEligible, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts", "duration", "end_date_time"},
				ImportStateId: azureRG + "|" + azureRole(emulator.AzureContributor) + "|" + emulator.AliceID},
			{ResourceName: azureEligible, ImportState: true, ImportStateVerify: true, ImportStateVerifyIgnore: []string{"timeouts", "duration", "end_date_time"},
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return s.RootModule().Resources[azureEligible].Primary.ID, nil
				}},
			{
				// ARM purges requests (45 days); the resource is its schedule and plans empty.
				PreConfig:        func() { env.Clock.Advance(46 * 24 * time.Hour) },
				Config:           cfg("on call, renewed", "P60D", condition),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config: azureConfig(env, "eligible", emulator.AliceID, azureSub+"/resourceGroups/rg-data", azureRole(emulator.AzureContributor),
					"  justification = \"moved\"\n  duration = \"P30D\"\n"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(azureEligible, plancheck.ResourceActionDestroyBeforeCreate)}},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if n := len(azureSchedules(t, env, "Eligibility", azureSub)); n != 0 {
				return fmt.Errorf("%d eligibility schedules left in the subscription after destroy", n)
			}
			return nil
		},
	})
}

// An active Reader on a subscription: the default Azure setting refuses a
// permanent one at plan time; a time-bound one expires as Expired and no
// apply grants it again.
func TestAccAzureActiveAssignment_readerExpires(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	timeBound := azureConfig(env, "active", emulator.BobID, azureSub, azureRole(emulator.AzureReader), "  justification = \"audit\"\n  duration = \"P1D\"\n")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config:      azureConfig(env, "active", emulator.BobID, azureSub, azureRole(emulator.AzureReader), "  justification = \"forever\"\n"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Permanent Azure Role Active Assignment Not Allowed.*"Reader"`),
			},
			{
				Config: timeBound,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(azureActive, tfjsonpath.New("role_name"), knownvalue.StringExact("Reader")),
					statecheck.ExpectKnownValue(azureActive, tfjsonpath.New("duration"), knownvalue.StringExact("P1D")),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				PreConfig:         func() { env.Clock.Advance(25 * time.Hour) },
				Config:            timeBound,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(azureActive, tfjsonpath.New("status"), knownvalue.StringExact("Expired"))},
				Check: func(*terraform.State) error {
					for _, s := range azureSchedules(t, env, "Assignment", azureSub) {
						if strings.EqualFold(s.(map[string]any)["properties"].(map[string]any)["principalId"].(string), emulator.BobID) {
							return fmt.Errorf("Bob still holds Reader after its end: %v", s)
						}
					}
					return nil
				},
			},
		},
	})
}

// Bad input fails the plan on the attribute that is wrong, naming what
// ARM would have refused.
func TestPlanRefusesBadAzureInput(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	p := newProtocol(t, env, acctest.Token)
	for _, c := range []struct {
		name, scope, role, principal, summary string
	}{
		{"a role id of another subscription", azureRG, "/subscriptions/00000000-0000-4000-8000-00000000dead" + armAuthz + "roleDefinitions/" + emulator.AzureContributor,
			emulator.AliceID, "Role Definition Of Another Subscription"},
		{"a resource group that does not exist", azureSub + "/resourceGroups/rg-nope", azureRole(emulator.AzureContributor), emulator.AliceID, "Scope Not Found"},
		{"a role that does not exist", azureRG, azureRole("00000000-0000-4000-8000-0000000000aa"), emulator.AliceID, "Role Not Found"},
		{"a principal that does not exist", azureRG, azureRole(emulator.AzureContributor), "00000000-0000-4000-8000-00000000beef", "Principal Not Found"},
	} {
		resp := p.planCreate("pim_azure_eligible_assignment", map[string]tftypes.Value{"scope": str(c.scope), "role_definition_id": str(c.role),
			"principal_id": str(c.principal), "justification": str("x"), "duration": str("P30D")})
		if warning(resp.Diagnostics, c.summary) == "" || !hasErrors(resp.Diagnostics) {
			t.Errorf("%s: diagnostics %v, want %q", c.name, summaries(resp.Diagnostics), c.summary)
		}
	}
}

// azurerm's three resources move over with import blocks and an empty
// plan: the id azurerm imports by (scope|role|principal) is this
// provider's natural key, and the justification comes back from ARM.
func TestAccAzureMigrationFromAzurerm(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	// What azurerm_pim_eligible_role_assignment made.
	env.Call(t, http.MethodPut, azureRG+armAuthz+"roleEligibilityScheduleRequests/"+"22222222-0000-4000-8000-000000000001"+armPIM, acctest.Token,
		map[string]any{"properties": map[string]any{"principalId": emulator.DaveID, "roleDefinitionId": azureRole(emulator.AzureContributor),
			"requestType": "AdminAssign", "justification": "made by azurerm",
			"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "AfterDuration", "duration": "P90D"}}}}, http.StatusCreated)
	id := azureRG + "|" + azureRole(emulator.AzureContributor) + "|" + emulator.DaveID
	migrated := env.ProviderBlock() + fmt.Sprintf(`
import {
  to = pim_azure_eligible_assignment.dave
  id = %q
}

resource "pim_azure_eligible_assignment" "dave" {
  scope              = %q
  role_definition_id = %q
  principal_id       = %q
  justification      = "made by azurerm"
  duration           = "P90D"
}
`, id, azureRG, azureRole(emulator.AzureContributor), emulator.DaveID)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			Config: migrated,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("pim_azure_eligible_assignment.dave", plancheck.ResourceActionNoop)},
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
		}},
	})
}

// Every write of an Azure assignment under every fault (before or after
// ARM commits it × throttled, unavailable, cut connection) ends as planned:
// a PUT whose answer is lost is read back by its name, never doubled.
func TestAccAzureAssignment_everyWriteUnderEveryFault(t *testing.T) {
	t.Parallel()
	hows := map[string]string{"429": `"status":429,"retry_after":"1s"`, "503": `"status":503`, "cut": `"reset_connection":true`}
	for _, commit := range []bool{false, true} {
		for name, how := range hows {
			t.Run(fmt.Sprintf("%s_after_commit_%v", name, commit), func(t *testing.T) {
				t.Parallel()
				env := acctest.NewEnv(t)
				fault := func() {
					env.Control(t, "PUT", "faults", fmt.Sprintf(`{"rules":[{"match":{"method":"PUT","path":%q},%s,"after_commit":%v,"count":1}]}`,
						azureRG+armAuthz+"roleEligibilityScheduleRequests/*", how, commit), http.StatusOK)
				}
				hit := func(*terraform.State) error {
					if rules := env.Control(t, "GET", "faults", "", http.StatusOK)["rules"].([]any); rules[0].(map[string]any)["hits"] != 1.0 {
						return fmt.Errorf("the fault did not fire: %v", rules)
					}
					return nil
				}
				count := func(want int) resource.TestCheckFunc {
					return func(*terraform.State) error {
						if n := len(azureSchedules(t, env, "Eligibility", azureRG)); n != want {
							return fmt.Errorf("%d eligibilities at rg-app, want %d", n, want)
						}
						return nil
					}
				}
				config := func(j, d string) string {
					return azureConfig(env, "eligible", emulator.DaveID, azureRG, azureRole(emulator.AzureReader), fmt.Sprintf("  justification = %q\n  duration = %q\n", j, d))
				}
				empty := resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}
				resource.UnitTest(t, resource.TestCase{
					ProtoV6ProviderFactories: factories(env),
					CheckDestroy:             resource.ComposeTestCheckFunc(count(0), hit),
					Steps: []resource.TestStep{
						{PreConfig: fault, Config: config("first", "P30D"), Check: resource.ComposeTestCheckFunc(hit, count(1)), ConfigPlanChecks: empty},
						{PreConfig: fault, Config: config("second", "P60D"), Check: resource.ComposeTestCheckFunc(hit, count(1)), ConfigPlanChecks: empty},
						{PreConfig: fault, Config: config("second", "P60D"), Destroy: true},
					},
				})
			})
		}
	}
}

// outsideEligibility makes an eligibility at rg-app through ARM, as the
// portal or another tool would.
func outsideEligibility(t *testing.T, env *acctest.Env, name, principal, role, justification string) {
	t.Helper()
	env.Call(t, http.MethodPut, azureRG+armAuthz+"roleEligibilityScheduleRequests/"+name+armPIM, acctest.Token,
		map[string]any{"properties": map[string]any{"principalId": principal, "roleDefinitionId": azureRole(role), "requestType": "AdminAssign",
			"justification": justification, "scheduleInfo": map[string]any{"expiration": map[string]any{"type": "AfterDuration", "duration": "P30D"}}}},
		http.StatusCreated)
}

// data "pim_azure_activations" names who holds an Azure role now through
// activation, until when and why.
func TestAccAzureActivationsDataSource(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	outsideEligibility(t, env, "55555555-0000-4000-8000-000000000001", emulator.AliceID, emulator.AzureContributor, "rota")
	env.Call(t, http.MethodPut, azureRG+armAuthz+"roleAssignmentScheduleRequests/55555555-0000-4000-8000-000000000002"+armPIM, acctest.UserToken(emulator.AliceID),
		map[string]any{"properties": map[string]any{"principalId": emulator.AliceID, "roleDefinitionId": azureRole(emulator.AzureContributor),
			"requestType": "SelfActivate", "justification": "INC-42 hotfix", "scheduleInfo": map[string]any{"expiration": map[string]any{"type": "AfterDuration", "duration": "PT2H"}}}},
		http.StatusCreated)
	const ds = "data.pim_azure_activations.rg"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			Config: env.ProviderBlock() + fmt.Sprintf("data \"pim_azure_activations\" \"rg\" {\n  scope = %q\n}\n", azureRG),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(ds, "activations.#", "1"),
				resource.TestCheckResourceAttr(ds, "activations.0.role_name", "Contributor"),
				resource.TestCheckResourceAttr(ds, "activations.0.principal_display_name", "Alice Analyst"),
				resource.TestCheckResourceAttr(ds, "activations.0.justification", "INC-42 hotfix"),
				resource.TestCheckResourceAttr(ds, "activations.0.end_date_time", "2030-01-01T11:00:00Z"),
			),
		}},
	})
}

// terraform query at a resource group: named results, identities in the
// Azure resources' shape, resource objects that plan empty after import.
func TestListAzureAssignments(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t, acctest.WithPageSize(100))
	outsideEligibility(t, env, "66666666-0000-4000-8000-000000000001", emulator.BobID, emulator.AzureReader, "out of band")
	p := newProtocol(t, env, acctest.Token)
	got := p.list("pim_azure_eligible_assignment", map[string]tftypes.Value{"scope": str(azureRG)}, true, 0)
	if len(got) != 1 || !strings.Contains(got[0].display, "Bob Builder") || !strings.Contains(got[0].display, "rg-app") {
		t.Fatalf("results: %+v", got)
	}
	r := got[0]
	if strOf(r.identity["scope"]) != azureRG || strOf(r.identity["role_definition_id"]) != azureRole(emulator.AzureReader) || strOf(r.resource["justification"]) != "out of band" {
		t.Fatalf("identity %v resource %v", r.identity, r.resource)
	}
	config := map[string]tftypes.Value{}
	for _, a := range []string{"principal_id", "scope", "role_definition_id", "justification", "duration", "end_date_time", "start_date_time"} {
		config[a] = r.resource[a]
	}
	state := p.importByIdentity("pim_azure_eligible_assignment", r.identity)
	plan := p.planUpdate("pim_azure_eligible_assignment", state, config)
	planned := p.decode(plan.PlannedState, p.schemas.ResourceSchemas["pim_azure_eligible_assignment"].ValueType())
	for k, v := range state {
		if !planned[k].Equal(v) {
			t.Errorf("generated configuration plans a change of %s: %v → %v", k, v, planned[k])
		}
	}
}

// ARM's validate runs at plan: an assignment someone already made fails
// the plan on principal_id with the import id, instead of the apply.
func TestPlanValidatesAzureAssignmentsAtARM(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	outsideEligibility(t, env, "77777777-0000-4000-8000-000000000001", emulator.CarolID, emulator.AzureReader, "made in the portal")
	p := newProtocol(t, env, acctest.Token)
	resp := p.planCreate("pim_azure_eligible_assignment", map[string]tftypes.Value{"scope": str(azureRG), "role_definition_id": str(azureRole(emulator.AzureReader)),
		"principal_id": str(emulator.CarolID), "justification": str("x"), "duration": str("P30D")})
	if d := warning(resp.Diagnostics, "Already Holds This Role"); !strings.Contains(d, "RoleAssignmentExists") || !strings.Contains(d, "import it (id \""+azureRG+"|") {
		t.Fatalf("diagnostics: %v %s", summaries(resp.Diagnostics), d)
	}
	// What the performance guide says a new Azure assignment's plan costs: the scope, the role, validate, and the
	// role's policy at the scope (its assignment, then the policy), one request each.
	for _, route := range []string{"GET /subscriptions/{name}/resourceGroups/{name}", "GET {scope}/providers/Microsoft.Authorization/roleDefinitions/{name}",
		"POST {scope}/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/{name}/validate",
		"GET {scope}/providers/Microsoft.Authorization/roleManagementPolicyAssignments", "GET {scope}/providers/Microsoft.Authorization/roleManagementPolicies/{name}"} {
		if n := env.RouteCount(t, route); n != 1 {
			t.Errorf("%s: %d calls, want 1", route, n)
		}
	}
	// A second new assignment at that scope and role reads neither again: only its own validate.
	p.planCreate("pim_azure_eligible_assignment", map[string]tftypes.Value{"scope": str(azureRG), "role_definition_id": str(azureRole(emulator.AzureReader)),
		"principal_id": str(emulator.DaveID), "justification": str("x"), "duration": str("P30D")})
	for route, want := range map[string]int{"GET /subscriptions/{name}/resourceGroups/{name}": 1, "GET {scope}/providers/Microsoft.Authorization/roleDefinitions/{name}": 1,
		"POST {scope}/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/{name}/validate": 2,
		"GET {scope}/providers/Microsoft.Authorization/roleManagementPolicies/{name}":                    1} {
		if n := env.RouteCount(t, route); n != want {
			t.Errorf("after a second plan, %s: %d calls, want %d", route, n, want)
		}
	}
}

// Refreshing many Azure assignments at one scope costs one paged list of
// ARM's schedules, not a read per resource.
func TestAzureRefreshIsOneListPerScope(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t) // pages of 2
	principals := []string{emulator.AliceID, emulator.BobID, emulator.CarolID, emulator.DaveID}
	for i, p := range principals {
		outsideEligibility(t, env, fmt.Sprintf("88888888-0000-4000-8000-00000000000%d", i), p, emulator.AzureReader, "rota")
	}
	prov := newProtocol(t, env, acctest.Token)
	route := "GET {scope}/providers/Microsoft.Authorization/roleEligibilitySchedules"
	before := env.RouteCount(t, route)
	for _, p := range principals {
		resp := prov.read("pim_azure_eligible_assignment", map[string]tftypes.Value{"scope": str(azureRG), "role_definition_id": str(azureRole(emulator.AzureReader)),
			"principal_id": str(p), "justification": str("rota"), "duration": str("P30D")})
		if hasErrors(resp.Diagnostics) || resp.NewState == nil {
			t.Fatalf("refresh of %s: %v", p, summaries(resp.Diagnostics))
		}
	}
	if n := env.RouteCount(t, route) - before; n != 2 {
		t.Fatalf("refreshing 4 assignments listed ARM's schedules %d times, want 2 (one list of 2 pages)", n)
	}
}
