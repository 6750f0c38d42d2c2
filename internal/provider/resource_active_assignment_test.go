package provider_test

import (
	"context"
	"fmt"
	"regexp"
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

// The role setting is checked at plan time: requests Graph would refuse
// never reach apply (azuread#1450, #1464, azurerm#22766).
func TestAccActiveAssignment_planTimePolicyCheck(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	strict := emulator.DefaultPolicy()
	strict.Rule("Expiration_Admin_Assignment").IsExpirationRequired = true
	strict.Rule("Expiration_Admin_Assignment").MaximumDuration = "P30D"
	strict.Rule("Enablement_Admin_Assignment").EnabledRules = []string{"Justification", "Ticketing"}
	env.Emulator.SetPolicy(emulator.RoleHelpdeskAdministrator, strict)
	role := emulator.RoleHelpdeskAdministrator
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				// The default setting requires a justification for active assignments.
				Config:      activeConfig(env, emulator.AliceID, emulator.RoleGlobalReader, ""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Justification Required.*current\s+PIM\s+setting\s+of\s+role\s+"Global\s+Reader"\s+\(` + emulator.RoleGlobalReader + `\).*active_assignment.require_justification`),
			},
			{
				Config: activeConfig(env, emulator.AliceID, role, `  justification = "permanent please"
  ticket_number = "T-1"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Permanent Active Assignment Not Allowed.*allow_permanent\s+=\s+false.*Expiration_Admin_Assignment.*P30D`),
			},
			{
				Config: activeConfig(env, emulator.AliceID, role, `  justification = "too long"
  ticket_number = "T-1"
  duration      = "P31D"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Active Assignment Longer Than Allowed.*limits\s+active\s+assignments\s+to\s+P30D`),
			},
			{
				Config: activeConfig(env, emulator.AliceID, role, `  justification = "no ticket"
  duration      = "P30D"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Ticket Information Required`),
			},
			{
				Config: activeConfig(env, emulator.AliceID, role, `  justification = "within limits"
  ticket_number = "T-1"
  duration      = "P30D"`),
				Check: func(*terraform.State) error {
					if n := len(env.Emulator.Requests(emulator.Active)); n != 1 {
						return fmt.Errorf("%d requests reached Graph, want only the compliant one", n)
					}
					return nil
				},
			},
		},
	})
}

// What cannot be checked at plan time (here: the MFA of the caller's token)
// reaches the user as Graph's error with its code, message, request-id and a
// next step.
func TestAccActiveAssignment_graphPolicyErrorAtApply(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	mfa := emulator.DefaultPolicy()
	mfa.Rule("Enablement_Admin_Assignment").EnabledRules = []string{"Justification", "MultiFactorAuthentication"}
	env.Emulator.SetPolicy(emulator.RoleGlobalReader, mfa)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			Config: activeConfig(env, emulator.AliceID, emulator.RoleGlobalReader, `  justification = "needs mfa"`),
			ExpectError: regexp.MustCompile(`(?s)Unable to Create Active Assignment.*` +
				`Graph error: RoleAssignmentRequestPolicyValidationFailed \(HTTP 400\).*MfaRule.*request-id: [0-9a-f-]{36}.*role setting`),
		}},
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
				// Ended: it stays, expired; the plan does not grant it again.
				PreConfig:         func() { env.Clock.Advance(9 * time.Hour) },
				Config:            cfg,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(active, tfjsonpath.New("status"), knownvalue.StringExact("Expired"))},
			},
			{
				// terraform apply -replace (a taint, here) grants it again.
				Taint:             []string{active},
				Config:            cfg,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(active, plancheck.ResourceActionDestroyBeforeCreate)}},
				ConfigStateChecks: []statecheck.StateCheck{statecheck.ExpectKnownValue(active, tfjsonpath.New("status"), knownvalue.StringExact("Provisioned"))},
			},
			{
				// Expired again after the last apply: destroy has nothing left
				// to remove, without an error.
				PreConfig: func() { env.Clock.Advance(9 * time.Hour) },
				Config:    env.ProviderBlock(),
			},
		},
	})
}

// Entra keeps one active Global Administrator: removing the last one fails
// with an explanation and a way out, and leaves the assignment in place.
func TestAccActiveAssignment_lastGlobalAdministratorIsProtected(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				// Adopt the seeded admin's standing Global Administrator assignment.
				Config: env.ProviderBlock() + fmt.Sprintf(`
import {
  to = pim_active_assignment.ga
  id = "/|%[1]s|%[2]s"
}
resource "pim_active_assignment" "ga" {
  principal_id       = %[2]q
  role_definition_id = %[1]q
}
`, emulator.RoleGlobalAdministrator, emulator.AdminID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				PreConfig: func() { env.Clock.Advance(10 * time.Minute) },
				Config:    env.ProviderBlock(),
				ExpectError: regexp.MustCompile(`(?s)Cannot Remove The Last Global Administrator.*Removing the active assignment of user\s+"Avery\s+Admin"\s+\(avery@contoso.example,\s+id\s+` +
					emulator.AdminID + `\)\s+to\s+role\s+"Global\s+Administrator".*LastGlobalAdministratorCannotBeRemoved.*removed \{`),
			},
			{
				Config: env.ProviderBlock() + `
removed {
  from = pim_active_assignment.ga
  lifecycle {
    destroy = false
  }
}
`,
				Check: func(*terraform.State) error {
					if _, ok := env.Emulator.FindSchedule(emulator.Active, emulator.AdminID, emulator.RoleGlobalAdministrator, "/"); !ok {
						return fmt.Errorf("the last Global Administrator assignment was removed")
					}
					return nil
				},
			},
		},
	})
}

// stalledClock tells the emulator's time but its Sleep waits for the
// deadline: the provider's retry of ActiveDurationTooShort runs into
// timeouts.delete, as it would with a timeout shorter than five minutes.
type stalledClock struct{ env *acctest.Env }

func (c stalledClock) Now() time.Time { return c.env.Clock.Now() }

func (c stalledClock) Sleep(ctx context.Context, _ time.Duration) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestAccActiveAssignment_deleteTimeoutDuringFiveMinuteRule(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	stalled := map[string]func() (tfprotov6.ProviderServer, error){
		"pim": server(provider.NewProtocol6Server("test", provider.WithEndpoint(env.URL), provider.WithAccessToken(acctest.Token),
			provider.WithClock(stalledClock{env}))),
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: stalled,
		Steps: []resource.TestStep{
			{Config: activeConfig(env, emulator.DaveID, emulator.RoleGlobalReader, `  justification = "short"
  timeouts = {
    delete = "1s"
  }`)},
			{
				Config:      env.ProviderBlock(),
				ExpectError: regexp.MustCompile(`(?s)Unable to Delete Active Assignment.*ActiveDurationTooShort.*Raise\s+timeouts.delete\s+above\s+5m`),
			},
			{
				// Five minutes later Graph allows the removal.
				PreConfig: func() { env.Clock.Advance(6 * time.Minute) },
				Config:    env.ProviderBlock(),
			},
		},
	})
}
