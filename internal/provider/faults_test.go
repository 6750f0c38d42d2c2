package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const (
	eligReqsPath = "/v1.0/roleManagement/directory/roleEligibilityScheduleRequests"
	actReqsPath  = "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests"
)

// countSchedules counts the emulator's schedules of a kind for a principal.
func countSchedules(env *acctest.Env, k emulator.Kind, principal string) int {
	n := 0
	for _, sc := range env.Emulator.Schedules(k) {
		if sc.PrincipalID == principal && !sc.Activated {
			n++
		}
	}
	return n
}

// When Graph applies a create but its answer is lost (a 5xx after the
// write, or a cut connection), the provider reads before doing anything
// else and adopts what it finds: no error, no duplicate, no orphan.
func TestAccAssignment_lostResponsesAreResolvedByReading(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t, acctest.WithReadLag(2))
	lose := func(method, path, how string) func() {
		return func() {
			env.Control(t, "PUT", "faults", fmt.Sprintf(`{"rules":[{"match":{"method":%q,"path":%q},%s,"count":1}]}`, method, path, how), http.StatusOK)
		}
	}
	withJustification := `  justification = "lost responses"`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		CheckDestroy: func(*terraform.State) error {
			if n := countSchedules(env, emulator.Active, emulator.BobID); n != 0 {
				return fmt.Errorf("%d active assignments of Bob left after destroy: an orphan", n)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				PreConfig: lose("POST", actReqsPath, `"status":500,"after_commit":true`),
				Config:    activeConfig(env, emulator.BobID, emulator.RoleGlobalReader, withJustification+"\n  duration = \"P30D\""),
				Check: func(*terraform.State) error {
					if n := countSchedules(env, emulator.Active, emulator.BobID); n != 1 {
						return fmt.Errorf("%d schedules after a create whose answer was lost, want 1", n)
					}
					return nil
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				PreConfig:        lose("POST", actReqsPath, `"reset_connection":true,"after_commit":true`),
				Config:           activeConfig(env, emulator.BobID, emulator.RoleGlobalReader, withJustification+"\n  duration = \"P60D\""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// The delete's answer is lost too: destroy still succeeds.
				PreConfig: func() {
					env.Clock.Advance(6 * time.Minute)
					lose("POST", actReqsPath, `"status":503,"after_commit":true`)()
				},
				Config:  activeConfig(env, emulator.BobID, emulator.RoleGlobalReader, withJustification+"\n  duration = \"P60D\""),
				Destroy: true,
			},
		},
	})
}

// A throttled create is retried after Graph's Retry-After, never earlier,
// and is not a user-visible error.
func TestAccAssignment_throttlingIsRiddenOut(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				env.Control(t, "PUT", "faults", `{"rules":[{"match":{"method":"POST","path":"`+eligReqsPath+`"},"status":429,"retry_after":"9s","count":3}]}`, http.StatusOK)
				env.Control(t, "DELETE", "requests", "", http.StatusNoContent)
			},
			Config: eligibleConfig(env, emulator.CarolID, emulator.RoleGlobalReader, ""),
			Check: func(*terraform.State) error {
				stats := env.Control(t, "GET", "requests", "", http.StatusOK)
				if stats["early_retries"] != 0.0 {
					return fmt.Errorf("%v retries came before Retry-After", stats["early_retries"])
				}
				if waited := env.Clock.Now().Sub(acctest.Epoch); waited != 27*time.Second {
					return fmt.Errorf("waited %s on the clock, want 27s (three Retry-After of 9s)", waited)
				}
				return nil
			},
		}},
	})
}

// A throttled write answered 429 although Graph applied it (its retry
// meets RoleAssignmentExists, the echo of itself) is adopted, not failed.
func TestAccAssignment_echoOfARetriedCreateIsAdopted(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				env.Control(t, "PUT", "faults", `{"rules":[{"match":{"method":"POST","path":"`+eligReqsPath+`"},"status":429,"retry_after":"1s","after_commit":true,"count":1}]}`, http.StatusOK)
			},
			Config:           eligibleConfig(env, emulator.DaveID, emulator.RoleGlobalReader, ""),
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
		}},
	})
}

// Refreshing many assignments costs one paged list of the kind, not one
// read each.
func TestAccAssignment_refreshSharesOneList(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t, acctest.WithPageSize(100))
	roles := []string{emulator.RoleGlobalReader, emulator.RoleHelpdeskAdministrator, emulator.RoleUserAdministrator, emulator.RoleSecurityReader}
	principals := []string{emulator.AliceID, emulator.BobID, emulator.CarolID, emulator.DaveID}
	var b strings.Builder
	b.WriteString(env.ProviderBlock())
	for i, p := range principals {
		for j, r := range roles {
			fmt.Fprintf(&b, "resource \"pim_eligible_assignment\" \"a%d_%d\" {\n  principal_id       = %q\n  role_definition_id = %q\n}\n", i, j, p, r)
		}
	}
	const list = "GET /v1.0/roleManagement/directory/roleEligibilitySchedules"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{Config: b.String()},
			{
				PreConfig: func() { env.Control(t, "DELETE", "requests", "", http.StatusNoContent) },
				Config:    b.String(),
				PlanOnly:  true,
				Check: func(*terraform.State) error {
					if n := env.RouteCount(t, list); n != 1 {
						return fmt.Errorf("refreshing 16 eligibilities listed schedules %d times, want 1", n)
					}
					if n := env.RouteCount(t, "GET /v1.0/roleManagement/directory/roleEligibilitySchedules/{id}"); n != 0 {
						return fmt.Errorf("%d reads by id", n)
					}
					return nil
				},
			},
		},
	})
}

// A create that was throttled and then meets an assignment someone else
// made before it was sent does not adopt it (a later destroy would remove
// their access): it stays "already exists — import it".
func TestAccAssignment_throttledCreateDoesNotAdoptSomeoneElses(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			PreConfig: func() {
				env.Call(t, http.MethodPost, eligReqsPath, acctest.Token, map[string]any{"action": "adminAssign", "principalId": emulator.DaveID,
					"roleDefinitionId": emulator.RoleGlobalReader, "directoryScopeId": "/", "justification": "someone else's",
					"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "noExpiration"}}}, http.StatusCreated)
				env.Clock.Advance(time.Minute)
				env.Control(t, "PUT", "faults", `{"rules":[{"match":{"method":"POST","path":"`+eligReqsPath+`"},"status":429,"retry_after":"1s","count":1}]}`, http.StatusOK)
			},
			Config:      eligibleConfig(env, emulator.DaveID, emulator.RoleGlobalReader, ""),
			ExpectError: regexp.MustCompile(`(?s)already holds this role.*import`),
		}},
	})
}

// An update whose answer was lost counts as done only when Graph shows this
// update: a change of justification alone is sent again when no request
// made after the send carries it.
func TestAccAssignment_lostJustificationUpdateIsSentAgain(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	withJustification := func(j string) string {
		return eligibleConfig(env, emulator.DaveID, emulator.RoleGlobalReader, fmt.Sprintf("  justification = %q", j))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{Config: withJustification("first")},
			{
				PreConfig: func() {
					env.Control(t, "PUT", "faults", `{"rules":[{"match":{"method":"POST","path":"`+eligReqsPath+`"},"status":503,"count":1}]}`, http.StatusOK)
				},
				Config: withJustification("second"),
				Check: func(*terraform.State) error {
					reqs := env.Emulator.Requests(emulator.Eligible)
					if last := reqs[len(reqs)-1]; last.Justification != "second" || last.Action != "adminUpdate" {
						return fmt.Errorf("newest request %+v: the update was recorded in state but never reached Graph", last)
					}
					return nil
				},
			},
		},
	})
}

// Every write of an assignment (create, update, delete) under every way
// Graph can lose or refuse it once — before or after it commits × 429, 503,
// a cut connection — ends as planned: one schedule, this update's details,
// nothing left after destroy.
func TestAccAssignment_everyWriteUnderEveryFault(t *testing.T) {
	t.Parallel()
	hows := map[string]string{"429": `"status":429,"retry_after":"1s"`, "503": `"status":503`, "cut": `"reset_connection":true`}
	for _, commit := range []bool{false, true} {
		for name, how := range hows {
			t.Run(fmt.Sprintf("%s_after_commit_%v", name, commit), func(t *testing.T) {
				t.Parallel()
				env := acctest.NewEnv(t)
				fault := func() {
					env.Control(t, "PUT", "faults", fmt.Sprintf(`{"rules":[{"match":{"method":"POST","path":%q},%s,"after_commit":%v,"count":1}]}`,
						eligReqsPath, how, commit), http.StatusOK)
				}
				config := func(j, d string) string {
					return eligibleConfig(env, emulator.DaveID, emulator.RoleGlobalReader, fmt.Sprintf("  justification = %q\n  duration = %q", j, d))
				}
				hit := func(*terraform.State) error {
					if rules := env.Control(t, "GET", "faults", "", http.StatusOK)["rules"].([]any); rules[0].(map[string]any)["hits"] != 1.0 {
						return fmt.Errorf("the fault did not fire: %v", rules)
					}
					return nil
				}
				resource.UnitTest(t, resource.TestCase{
					ProtoV6ProviderFactories: factories(env),
					CheckDestroy: func(*terraform.State) error {
						if n := countSchedules(env, emulator.Eligible, emulator.DaveID); n != 0 {
							return fmt.Errorf("%d eligibilities left after destroy", n)
						}
						return hit(nil)
					},
					Steps: []resource.TestStep{
						{PreConfig: fault, Config: config("first", "P30D"), Check: resource.ComposeTestCheckFunc(hit, func(*terraform.State) error {
							if n := countSchedules(env, emulator.Eligible, emulator.DaveID); n != 1 {
								return fmt.Errorf("%d eligibilities after the create, want 1", n)
							}
							return nil
						}), ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
						{PreConfig: fault, Config: config("second", "P60D"), Check: resource.ComposeTestCheckFunc(hit, func(*terraform.State) error {
							reqs := env.Emulator.Requests(emulator.Eligible)
							if last := reqs[len(reqs)-1]; last.Justification != "second" || last.Action != "adminUpdate" {
								return fmt.Errorf("newest request %+v, want this update", last)
							}
							return nil
						}), ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
						{PreConfig: fault, Config: config("second", "P60D"), Destroy: true},
					},
				})
			})
		}
	}
}
