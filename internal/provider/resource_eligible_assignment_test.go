package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/compare"
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

const eligible = "pim_eligible_assignment.test"

func eligibleConfig(env *acctest.Env, principal, role, extra string) string {
	return env.ProviderBlock() + fmt.Sprintf(`
resource "pim_eligible_assignment" "test" {
  principal_id       = %q
  role_definition_id = %q
%s
}
`, principal, role, extra)
}

func TestAccEligibleAssignment_basic(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := eligibleConfig(env, emulator.AliceID, emulator.RoleUserAdministrator, `  justification = "On-call user admin"
  ticket_number = "CHG-1"
  ticket_system = "ServiceNow"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		CheckDestroy:             env.CheckGone(emulator.Eligible, emulator.AliceID, emulator.RoleUserAdministrator),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("status"), knownvalue.StringExact("Provisioned")),
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("directory_scope_id"), knownvalue.StringExact("/")),
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("start_date_time"), knownvalue.StringRegexp(regexp.MustCompile(`^2030-01-01T09:00:00`))),
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("end_date_time"), knownvalue.Null()),
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("duration"), knownvalue.Null()),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					sc, ok := env.Emulator.FindSchedule(emulator.Eligible, emulator.AliceID, emulator.RoleUserAdministrator, "/")
					if !ok {
						return fmt.Errorf("emulator has no eligibility schedule after apply")
					}
					if sc.End != nil {
						return fmt.Errorf("eligibility should be permanent, ends %s", sc.End)
					}
					return nil
				},
			},
			{
				ResourceName:      eligible,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateIdFunc: func(*terraform.State) (string, error) {
					return "/|" + emulator.RoleUserAdministrator + "|" + emulator.AliceID, nil
				},
			},
			{
				ResourceName:      eligible,
				ImportState:       true,
				ImportStateVerify: true, // by schedule id
			},
		},
	})
}

func TestAccEligibleAssignment_updateInPlace(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config: eligibleConfig(env, emulator.BobID, emulator.RoleHelpdeskAdministrator, `  end_date_time = "2030-06-01T00:00:00Z"
  justification = "first"`),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(eligible, tfjsonpath.New("id"))},
			},
			{
				Config: eligibleConfig(env, emulator.BobID, emulator.RoleHelpdeskAdministrator, `  end_date_time = "2030-09-01T00:00:00Z"
  justification = "extended"
  ticket_number = "CHG-2"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(eligible, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(eligible, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("end_date_time"), knownvalue.StringExact("2030-09-01T00:00:00Z")),
				},
			},
			{
				Config: eligibleConfig(env, emulator.BobID, emulator.RoleHelpdeskAdministrator, `  duration      = "P180D"
  justification = "extended"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(eligible, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(eligible, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("end_date_time"), knownvalue.Null()),
				},
				Check: func(*terraform.State) error {
					// The principal was never without the eligibility: the history is
					// one assign and two in-place updates, no remove.
					var actions []string
					for _, r := range env.Emulator.Requests(emulator.Eligible) {
						actions = append(actions, r.Action)
					}
					if want := "[adminAssign adminUpdate adminUpdate]"; fmt.Sprint(actions) != want {
						return fmt.Errorf("request history = %v, want %s", actions, want)
					}
					sc, _ := env.Emulator.FindSchedule(emulator.Eligible, emulator.BobID, emulator.RoleHelpdeskAdministrator, "/")
					if sc.Duration != "P180D" || !sc.End.Equal(acctest.Epoch.AddDate(0, 0, 180)) {
						return fmt.Errorf("schedule duration %q ends %v, want P180D from the original start", sc.Duration, sc.End)
					}
					return nil
				},
			},
		},
	})
}

func TestAccEligibleAssignment_replaceOnKeyChange(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{Config: eligibleConfig(env, emulator.AliceID, emulator.RoleGlobalReader, "")},
			{
				Config: eligibleConfig(env, emulator.CarolID, emulator.RoleGlobalReader, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(eligible, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: func(*terraform.State) error {
					if _, ok := env.Emulator.FindSchedule(emulator.Eligible, emulator.AliceID, emulator.RoleGlobalReader, "/"); ok {
						return fmt.Errorf("old principal still eligible after replacement")
					}
					if _, ok := env.Emulator.FindSchedule(emulator.Eligible, emulator.CarolID, emulator.RoleGlobalReader, "/"); !ok {
						return fmt.Errorf("new principal not eligible after replacement")
					}
					return nil
				},
			},
		},
	})
}

func TestAccEligibleAssignment_driftRemovedOutOfBand(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := eligibleConfig(env, emulator.DaveID, emulator.RoleSecurityAdministrator, "")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					if !env.Emulator.RemoveOutOfBand(emulator.Eligible, emulator.DaveID, emulator.RoleSecurityAdministrator, "/") {
						t.Fatal("nothing to remove out of band")
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(eligible, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}

// Time is the server's: a provider whose own clock is years behind the
// emulator's (a CI runner's skew, or an emulator clock moved as the guide
// shows) judges an eligibility's end by the emulator's Date header, so a
// day-long eligibility a day later is Expired, not "removed before its end".
func TestAccEligibleAssignment_expiryJudgedByServerTime(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := eligibleConfig(env, emulator.AliceID, emulator.RoleHelpdeskAdministrator, `  duration = "P1D"`)
	realClock := map[string]func() (tfprotov6.ProviderServer, error){ // no WithClock: the provider's clock is real time
		"pim": server(provider.NewProtocol6Server("test", provider.WithEndpoint(env.URL), provider.WithAccessToken(acctest.Token),
			provider.WithPollInterval(time.Second))),
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: realClock,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig:        func() { env.Clock.Advance(24*time.Hour + time.Minute) },
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("status"), knownvalue.StringExact("Expired")),
				},
			},
		},
	})
}

// Time-bound means time-bound: an eligibility that reached its end stays in
// state as Expired with an empty plan, and is granted again only when the
// configuration gives it a new lifetime. Destroying it calls nothing.
func TestAccEligibleAssignment_expiry(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	withDuration := func(d string) string {
		return eligibleConfig(env, emulator.AliceID, emulator.RoleHelpdeskAdministrator, `  duration = "`+d+`"`)
	}
	withEnd := eligibleConfig(env, emulator.CarolID, emulator.RoleHelpdeskAdministrator, `  end_date_time = "2030-01-03T09:00:00Z"`)
	status := func(want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(eligible, tfjsonpath.New("status"), knownvalue.StringExact(want))
	}
	posts := "POST /v1.0/roleManagement/directory/roleEligibilityScheduleRequests"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{Config: withDuration("P1D")},
			{
				// A day and a minute later PIM has removed it: it stays, expired, and nothing is planned.
				PreConfig:         func() { env.Clock.Advance(24*time.Hour + time.Minute) },
				Config:            withDuration("P1D"),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{status("Expired")},
				Check:             env.CheckGone(emulator.Eligible, emulator.AliceID, emulator.RoleHelpdeskAdministrator),
			},
			{
				// A new duration grants it again, in place.
				Config: withDuration("P2D"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(eligible, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(eligible, tfjsonpath.New("status")),
					plancheck.ExpectUnknownValue(eligible, tfjsonpath.New("start_date_time")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					status("Provisioned"),
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("start_date_time"), knownvalue.StringExact("2030-01-02T09:01:00Z")),
				},
			},
			{Config: withEnd},
			{
				// A fixed end that has passed is no error on a resource that ran its course.
				PreConfig:         func() { env.Clock.Advance(48 * time.Hour) },
				Config:            withEnd,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{status("Expired")},
			},
			{
				// Changing only the justification of an expired one touches only the state.
				PreConfig: func() { env.Control(t, "DELETE", "requests", "", 204) },
				Config: eligibleConfig(env, emulator.CarolID, emulator.RoleHelpdeskAdministrator,
					"  end_date_time = \"2030-01-03T09:00:00Z\"\n  justification = \"still expired\""),
				ConfigStateChecks: []statecheck.StateCheck{status("Expired"),
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("justification"), knownvalue.StringExact("still expired"))},
				Check: func(*terraform.State) error {
					if n := env.RouteCount(t, posts); n != 0 {
						return fmt.Errorf("%d schedule requests sent for an expired assignment, want 0", n)
					}
					return nil
				},
			},
			{
				// A new end in the past is refused at plan time, as for a create.
				Config:      strings.Replace(withEnd, "2030-01-03T09:00:00Z", "2030-01-04T09:00:00Z", 1),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)End Date Time In The Past.*end_date_time 2030-01-04T09:00:00Z is not in the\s+future`),
			},
			{
				// Destroying an expired assignment sends nothing that could fail.
				PreConfig: func() { env.Control(t, "DELETE", "requests", "", 204) },
				Config:    env.ProviderBlock(),
				Check: func(*terraform.State) error {
					if n := env.RouteCount(t, posts); n != 0 {
						return fmt.Errorf("destroying an expired assignment sent %d requests, want 0", n)
					}
					return nil
				},
			},
		},
	})
}

// Graph purges requests after 45 days. Reading, planning, importing and
// destroying must keep working because they rely on the schedule only.
func TestAccEligibleAssignment_requestPurge(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := eligibleConfig(env, emulator.BobID, emulator.RoleGlobalReader, `  justification = "audit reader"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		CheckDestroy:             env.CheckGone(emulator.Eligible, emulator.BobID, emulator.RoleGlobalReader),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					env.Clock.Advance(46 * 24 * time.Hour)
					if n := len(env.Emulator.Requests(emulator.Eligible)); n != 0 {
						t.Fatalf("emulator still holds %d requests after 46 days", n)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:      eligible,
				ImportState:       true,
				ImportStateVerify: true,
				// Graph keeps the justification only on the request, which is purged now.
				ImportStateVerifyIgnore: []string{"justification"},
			},
		},
	})
}

func TestAccEligibleAssignment_startInPastNoDiff(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			Config: eligibleConfig(env, emulator.AliceID, emulator.RoleGlobalReader, `  start_date_time = "2029-06-01T00:00:00Z"
  end_date_time   = "2031-01-01T00:00:00Z"`),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(eligible, tfjsonpath.New("start_date_time"), knownvalue.StringExact("2029-06-01T00:00:00Z")),
			},
		}},
	})
}

func TestAccEligibleAssignment_futureStartIsGranted(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := eligibleConfig(env, emulator.CarolID, emulator.RoleGlobalReader, `  start_date_time = "2030-02-01T00:00:00Z"
  duration        = "P30D"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("status"), knownvalue.StringExact("Granted")),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				PreConfig:        func() { env.Clock.Advance(40 * 24 * time.Hour) },
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("status"), knownvalue.StringExact("Provisioned")),
				},
			},
		},
	})
}

func TestAccEligibleAssignment_groupPrincipal(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	// Bob is a member of Cloud Ops: the group's eligibility shows up for him
	// as memberType Group, which must not be mistaken for his direct one.
	cfg := env.ProviderBlock() + fmt.Sprintf(`
resource "pim_eligible_assignment" "group" {
  principal_id       = %q
  role_definition_id = %q
}
resource "pim_eligible_assignment" "test" {
  principal_id       = %q
  role_definition_id = %q
  duration           = "P30D"
}
`, emulator.OpsGroupID, emulator.RoleGlobalReader, emulator.BobID, emulator.RoleGlobalReader)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("pim_eligible_assignment.group", tfjsonpath.New("principal_id"), knownvalue.StringExact(emulator.OpsGroupID)),
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("duration"), knownvalue.StringExact("P30D")),
				},
			},
			{
				// Removing Bob's direct eligibility is drift even though the
				// group still makes him eligible.
				PreConfig: func() {
					env.Emulator.RemoveOutOfBand(emulator.Eligible, emulator.BobID, emulator.RoleGlobalReader, "/")
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(eligible, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction("pim_eligible_assignment.group", plancheck.ResourceActionNoop),
					},
				},
			},
		},
	})
}

func TestAccEligibleAssignment_alreadyExists(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := eligibleConfig(env, emulator.AliceID, emulator.RoleGlobalReader, "")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				// A second resource for the same key: Graph says
				// RoleAssignmentExists and the provider shows the import block.
				Config: cfg + `
resource "pim_eligible_assignment" "dup" {
  principal_id       = pim_eligible_assignment.test.principal_id
  role_definition_id = pim_eligible_assignment.test.role_definition_id
}
`,
				ExpectError: regexp.MustCompile(`(?s)RoleAssignmentExists.*request-id: .*import \{.*id = "/\|` + emulator.RoleGlobalReader + `\|` + emulator.AliceID + `"`),
			},
		},
	})
}

func TestAccEligibleAssignment_invalidInput(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cases := map[string]string{
		`(?s)Invalid Object ID.*principal_id must be an Entra object id`: eligibleConfig(env, "not-a-guid", emulator.RoleGlobalReader, ""),
		`(?s)Invalid Object ID.*role_definition_id`:                      eligibleConfig(env, emulator.AliceID, "Global Reader", ""),
		`(?s)Invalid ISO 8601 Duration.*8H`:                              eligibleConfig(env, emulator.AliceID, emulator.RoleGlobalReader, `  duration = "8H"`),
		`(?s)End Before Start`: eligibleConfig(env, emulator.AliceID, emulator.RoleGlobalReader, `  start_date_time = "2030-03-01T00:00:00Z"
  end_date_time   = "2030-02-01T00:00:00Z"`),
		`(?s)Invalid Attribute Combination.*duration`: eligibleConfig(env, emulator.AliceID, emulator.RoleGlobalReader, `  duration      = "P1D"
  end_date_time = "2030-02-01T00:00:00Z"`),
		`(?s)Invalid Directory Scope`:                    eligibleConfig(env, emulator.AliceID, emulator.RoleGlobalReader, `  directory_scope_id = "tenant"`),
		`(?s)End Date Time In The Past`:                  eligibleConfig(env, emulator.AliceID, emulator.RoleGlobalReader, `  end_date_time = "2029-12-31T00:00:00Z"`),
		`(?s)Invalid RFC3339 String Value.*next tuesday`: eligibleConfig(env, emulator.AliceID, emulator.RoleGlobalReader, `  end_date_time = "next tuesday"`),
	}
	var steps []resource.TestStep
	for re, cfg := range cases {
		steps = append(steps, resource.TestStep{Config: cfg, PlanOnly: true, ExpectError: regexp.MustCompile(re)})
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(env), Steps: steps})
	if n := len(env.Emulator.Requests(emulator.Eligible)); n != 0 {
		t.Errorf("invalid configurations reached Graph: %d requests", n)
	}
}

// Graph answers the POST before the new schedule is readable everywhere:
// create and update wait for it (polling on the shared clock) instead of
// failing or recording a missing assignment.
func TestAccEligibleAssignment_waitsForReplication(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t, acctest.WithReadLag(3))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				// The create trusts Graph's answer; the refresh right after
				// misses the new schedule three times (lag), waits a
				// one-second poll on the fake clock after each, and finds it:
				// the plan is empty, nothing is taken for drift.
				Config: eligibleConfig(env, emulator.AliceID, emulator.RoleGlobalReader, `  duration = "P30D"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("status"), knownvalue.StringExact("Provisioned")),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				PreConfig: func() {
					if waited := env.Clock.Now().Sub(acctest.Epoch); waited != 3*time.Second {
						t.Errorf("the refresh after create waited %s on the clock, want 3s (three polls)", waited)
					}
				},
				Config: eligibleConfig(env, emulator.AliceID, emulator.RoleGlobalReader, `  duration = "P60D"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(eligible, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(eligible, tfjsonpath.New("duration"), knownvalue.StringExact("P60D")),
				},
			},
		},
	})
}

// Object ids are case-insensitive in Graph: an upper-case id in the
// configuration neither diffs after apply nor replaces after import.
func TestAccEligibleAssignment_upperCaseIDs(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	principal, role := strings.ToUpper(emulator.AliceID), strings.ToUpper(emulator.RoleGlobalReader)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config:           eligibleConfig(env, principal, role, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName: eligible, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return "/|" + role + "|" + principal, nil },
			},
		},
	})
}

// An administrative-unit scope round-trips, and its import id carries the
// scope's path.
func TestAccEligibleAssignment_administrativeUnitScope(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	const scope = "/administrativeUnits/0a0a0a0a-0000-4000-8000-000000000001"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		CheckDestroy: func(*terraform.State) error {
			if _, ok := env.Emulator.FindSchedule(emulator.Eligible, emulator.BobID, emulator.RoleUserAdministrator, scope); ok {
				return fmt.Errorf("scoped eligibility still exists")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: eligibleConfig(env, emulator.BobID, emulator.RoleUserAdministrator, `  directory_scope_id = "`+scope+`"`),
				Check: func(*terraform.State) error {
					if _, ok := env.Emulator.FindSchedule(emulator.Eligible, emulator.BobID, emulator.RoleUserAdministrator, scope); !ok {
						return fmt.Errorf("no eligibility at %s", scope)
					}
					if _, ok := env.Emulator.FindSchedule(emulator.Eligible, emulator.BobID, emulator.RoleUserAdministrator, "/"); ok {
						return fmt.Errorf("a tenant-wide eligibility was created instead")
					}
					return nil
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName: eligible, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc: func(*terraform.State) (string, error) {
					return scope + "|" + emulator.RoleUserAdministrator + "|" + emulator.BobID, nil
				},
			},
			{
				// Moving the scope replaces the eligibility.
				Config: eligibleConfig(env, emulator.BobID, emulator.RoleUserAdministrator, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(eligible, plancheck.ResourceActionDestroyBeforeCreate)},
				},
			},
		},
	})
}

// A timeout that leaves no time fails validation, attributed to it, instead
// of failing the destroy later.
func TestAccEligibleAssignment_nonPositiveTimeoutsFailValidation(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	for _, c := range []struct{ op, value string }{{"delete", "0s"}, {"delete", "-5m"}, {"create", "0m"}} {
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(env),
			Steps: []resource.TestStep{{
				Config: eligibleConfig(env, emulator.AliceID, emulator.RoleHelpdeskAdministrator,
					fmt.Sprintf("  timeouts = {\n    %s = %q\n  }", c.op, c.value)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Timeout.*timeouts\.` + c.op + `.*positive duration`),
			}},
		})
	}
}
