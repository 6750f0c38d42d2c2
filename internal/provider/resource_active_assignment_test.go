package provider_test

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const active = "pim_active_assignment.test"

func activeConfig(env *acctest.Env, principal, role, extra string) string {
	return env.ProviderBlock() + fmt.Sprintf(`
resource "pim_active_assignment" "test" {
  principal_id       = %q
  role_definition_id = %q
%s
}
`, principal, role, extra)
}

func TestAccActiveAssignment_basic(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := activeConfig(env, emulator.CarolID, emulator.RoleSecurityAdministrator, `  justification = "Incident IR-7"
  end_date_time = "2030-01-08T00:00:00Z"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		CheckDestroy: func(s *terraform.State) error {
			if err := env.CheckGone(emulator.Active, emulator.CarolID, emulator.RoleSecurityAdministrator)(s); err != nil {
				return err
			}
			// Destroy ran within the first five minutes, so Graph refused it
			// (ActiveDurationTooShort) until the provider had waited them out.
			if waited := env.Clock.Now().Sub(acctest.Epoch); waited < 5*time.Minute {
				return fmt.Errorf("destroy succeeded after %s: the five-minute rule was not exercised", waited)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(active, tfjsonpath.New("status"), knownvalue.StringExact("Provisioned")),
					statecheck.ExpectKnownValue(active, tfjsonpath.New("end_date_time"), knownvalue.StringExact("2030-01-08T00:00:00Z")),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				ResourceName: active, ImportState: true, ImportStateVerify: true,
				ImportStateIdFunc: func(*terraform.State) (string, error) {
					return "/|" + emulator.RoleSecurityAdministrator + "|" + emulator.CarolID, nil
				},
			},
			{ResourceName: active, ImportState: true, ImportStateVerify: true},
		},
	})
}

func TestAccActiveAssignment_updateInPlace(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config: activeConfig(env, emulator.DaveID, emulator.RoleUserAdministrator, `  justification = "migration"
  duration      = "P7D"`),
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(active, tfjsonpath.New("id"))},
			},
			{
				Config: activeConfig(env, emulator.DaveID, emulator.RoleUserAdministrator, `  justification = "migration, phase 2"
  duration      = "P14D"
  ticket_number = "CHG-9"
  ticket_system = "Jira"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(active, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{sameID.AddStateValue(active, tfjsonpath.New("id"))},
				Check: func(*terraform.State) error {
					var actions []string
					for _, r := range env.Emulator.Requests(emulator.Active) {
						if r.PrincipalID == emulator.DaveID {
							actions = append(actions, r.Action)
						}
					}
					if want := "[adminAssign adminUpdate]"; fmt.Sprint(actions) != want {
						return fmt.Errorf("request history = %v, want %s (no remove in between)", actions, want)
					}
					return nil
				},
			},
		},
	})
}

// The default role setting requires a justification for active assignments;
// Graph's policy error reaches the user with its code, the rule and a next step.
func TestAccActiveAssignment_policyRejects(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	strict := emulator.DefaultPolicy()
	strict.Rule("Expiration_Admin_Assignment").IsExpirationRequired = true
	strict.Rule("Expiration_Admin_Assignment").MaximumDuration = "P30D"
	env.Emulator.SetPolicy(emulator.RoleHelpdeskAdministrator, strict)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config:      activeConfig(env, emulator.AliceID, emulator.RoleGlobalReader, ""),
				ExpectError: regexp.MustCompile(`(?s)RoleAssignmentRequestPolicyValidationFailed.*JustificationRule.*request-id:.*role setting`),
			},
			{
				Config:      activeConfig(env, emulator.AliceID, emulator.RoleHelpdeskAdministrator, `  justification = "permanent please"`),
				ExpectError: regexp.MustCompile(`(?s)ExpirationRule`),
			},
			{
				Config: activeConfig(env, emulator.AliceID, emulator.RoleHelpdeskAdministrator, `  justification = "too long"
  duration      = "P31D"`),
				ExpectError: regexp.MustCompile(`(?s)ExpirationRule`),
			},
			{
				Config: activeConfig(env, emulator.AliceID, emulator.RoleHelpdeskAdministrator, `  justification = "within limits"
  duration      = "P30D"`),
			},
		},
	})
}

func TestAccActiveAssignment_expiryAndDeleteAfterExpiry(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := activeConfig(env, emulator.BobID, emulator.RoleGlobalReader, `  justification = "short task"
  duration      = "PT8H"`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		CheckDestroy:             env.CheckGone(emulator.Active, emulator.BobID, emulator.RoleGlobalReader),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() { env.Clock.Advance(9 * time.Hour) },
				Config:    cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(active, plancheck.ResourceActionCreate)},
				},
			},
			{
				// Expired again after the last apply: refresh drops it and destroy
				// has nothing left to remove, without an error.
				PreConfig: func() { env.Clock.Advance(9 * time.Hour) },
				Config:    env.ProviderBlock(),
			},
		},
	})
}
