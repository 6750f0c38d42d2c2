package provider_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider"
)

// Promises the documentation makes, each pinned by a test that fails when
// the behaviour goes.

// newestTicketSystem is the ticket system of the newest request for the
// principal's eligibility.
func newestTicketSystem(t *testing.T, env *acctest.Env, principal string) string {
	t.Helper()
	body := env.Call(t, http.MethodGet, "/v1.0/roleManagement/directory/roleEligibilityScheduleRequests?$filter="+
		url.QueryEscape("principalId eq '"+principal+"'"), acctest.Token, nil, http.StatusOK)
	newest, system := "", ""
	for {
		vals, _ := body["value"].([]any)
		for _, v := range vals {
			r, _ := v.(map[string]any)
			created, _ := r["createdDateTime"].(string)
			ticket, _ := r["ticketInfo"].(map[string]any)
			if created >= newest {
				newest, system = created, fmt.Sprint(ticket["ticketSystem"])
			}
		}
		next, _ := body["@odata.nextLink"].(string)
		if next == "" {
			return system
		}
		body = env.Call(t, http.MethodGet, strings.TrimPrefix(next, strings.TrimSuffix(env.URL, "/v1.0")), acctest.Token, nil, http.StatusOK)
	}
}

// A change of ticket_system alone is an update Graph receives.
func TestAccEligibleAssignment_ticketSystemAloneReachesGraph(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := func(system string) string {
		return eligibleConfig(env, emulator.DaveID, emulator.RoleGlobalReader, `  ticket_number = "CHG-1"
  ticket_system = "`+system+`"`)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{Config: cfg("ServiceNow")},
			{
				PreConfig: func() { env.Clock.Advance(time.Minute) },
				Config:    cfg("Jira"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(eligible, plancheck.ResourceActionUpdate)}},
				Check: func(*terraform.State) error {
					if got := newestTicketSystem(t, env, emulator.DaveID); got != "Jira" {
						return fmt.Errorf("newest request's ticket system = %q, want Jira", got)
					}
					return nil
				},
			},
		},
	})
}

// A future start moved into the past: Graph starts the schedule at the
// processing time, the configured value is kept, and no diff follows.
func TestAccEligibleAssignment_futureStartMovedIntoThePast(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := func(start string) string {
		return eligibleConfig(env, emulator.CarolID, emulator.RoleGlobalReader, `  start_date_time = "`+start+`"
  duration        = "P30D"`)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config:            cfg("2030-02-01T00:00:00Z"),
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(eligible, tfjsonpath.New("status"), knownvalue.StringExact("Granted"))},
			},
			{
				Config: cfg("2029-12-01T00:00:00Z"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(eligible, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("status"), knownvalue.StringExact("Provisioned")),
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("start_date_time"), knownvalue.StringExact("2029-12-01T00:00:00Z")),
				},
				Check: func(*terraform.State) error {
					sc, ok := env.Emulator.FindSchedule(emulator.Eligible, emulator.CarolID, emulator.RoleGlobalReader, "/")
					if !ok || !sc.Start.Equal(acctest.Epoch) {
						return fmt.Errorf("schedule %+v: want it started at the processing time %s", sc, acctest.Epoch)
					}
					return nil
				},
			},
		},
	})
}

// An end written with an offset or fractional seconds means the same
// instant Graph returns: no diff.
func TestAccActiveAssignment_endSpellingsGiveNoDiff(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	for i, end := range []string{"2030-06-01T11:00:00+02:00", "2030-06-01T09:00:00.500Z"} {
		principal := []string{emulator.AliceID, emulator.BobID}[i]
		t.Run(end, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(env),
				Steps: []resource.TestStep{{
					Config: activeConfig(env, principal, emulator.RoleGlobalReader, `  justification = "x"
  end_date_time = "`+end+`"`),
					ConfigPlanChecks:  resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
					ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(active, tfjsonpath.New("end_date_time"), knownvalue.StringExact(end))},
				}},
			})
		})
	}
}

// Graph can accept a rule change and not keep it (another admin changing
// it at the same moment); the read-back after apply says which rule.
func TestAccRoleSetting_readBackReportsARuleGraphDidNotKeep(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	// In front of the emulator: a PATCH of this one rule is answered 204 and dropped.
	const dropped = "Notification_Admin_EndUser_Assignment"
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch && strings.HasSuffix(r.URL.Path, "/rules/"+dropped) {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		env.Emulator.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"pim": server(provider.NewProtocol6Server("test", provider.WithEndpoint(front.URL+"/v1.0"),
				provider.WithAccessToken(acctest.Token), provider.WithClock(env.Clock))),
		},
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "pim_role_setting" "test" {
  role_definition_id = %q
  notifications      = { activation = { admin = { critical_only = true } } }
}`, emulator.RoleHelpdeskAdministrator),
			ExpectError: regexp.MustCompile(`(?s)Role Setting Not Fully Applied.*did not keep these rules.*` + dropped),
		}},
	})
}

// Importing a schedule id that does not exist says how to import instead.
func TestAccEligibleAssignment_importUnknownScheduleID(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			Config:        eligibleConfig(env, emulator.AliceID, emulator.RoleGlobalReader, ""),
			ResourceName:  eligible,
			ImportState:   true,
			ImportStateId: "0000dead-0000-4000-8000-00000000beef",
			ExpectError:   regexp.MustCompile(`(?s)Cannot Import Eligible Assignment.*No eligible assignment schedule with id\s+"0000dead-0000-4000-8000-00000000beef" exists.*directory_scope_id\|role_definition_id\|principal_id`),
		}},
	})
}

// A role setting is imported by its role definition id; anything else is
// refused with an example.
func TestAccRoleSetting_importIDIsValidated(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			Config:        settingConfig(env, emulator.RoleHelpdeskAdministrator, ""),
			ResourceName:  setting,
			ImportState:   true,
			ImportStateId: "Helpdesk Administrator",
			ExpectError:   regexp.MustCompile(`(?s)Invalid Import ID.*role definition id \(a GUID such as\s+62e90394-69f5-4237-9190-012177145e10\); got "Helpdesk Administrator"`),
		}},
	})
}

// An import that finds no request to recover the justification from says
// why: purged after 45 days, or never made through a request at all.
func TestImportSaysWhyTheJustificationIsMissing(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	const summary = "Justification Not Recoverable"
	// The seed's app holds Privileged Role Administrator without any request.
	p := newProtocol(t, env, acctest.Token)
	w := warning(p.importAndRead("pim_active_assignment", "/|"+emulator.RolePrivilegedRoleAdministrator+"|"+emulator.AppServicePrincipalID).Diagnostics, summary)
	if !strings.Contains(w, `Importing the active assignment of service principal "terraform-ci"`) ||
		!strings.Contains(w, "Graph holds no request that assigned it") || strings.Contains(w, "45 days") {
		t.Errorf("young assignment without a request: %q", w)
	}
	// An eligibility made 46 days ago: its request has been purged.
	env.MakeEligible(t, emulator.BobID, emulator.RoleGlobalReader)
	env.Clock.Advance(46 * 24 * time.Hour)
	q := newProtocol(t, env, acctest.Token)
	w = warning(q.importAndRead("pim_eligible_assignment", "/|"+emulator.RoleGlobalReader+"|"+emulator.BobID).Diagnostics, summary)
	if !strings.Contains(w, "purged after about 45 days") {
		t.Errorf("old assignment: %q", w)
	}
}
