package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// A break-glass account in protected_principal_ids keeps its access: a plan
// that would remove, replace, shorten or make time-bound one of its
// assignments fails, until the resource says the change is meant.
func TestAccProtectedPrincipals(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	provider := fmt.Sprintf("provider \"pim\" {\n  endpoint                = %q\n  protected_principal_ids = [%q]\n}\n", env.URL, emulator.CarolID)
	later := func(c string) string { return strings.ReplaceAll(c, "2031-01-01T00:00:00Z", "2032-01-01T00:00:00Z") }
	config := func(activeExtra, eligibleExtra string) string {
		return provider + fmt.Sprintf(`
resource "pim_active_assignment" "breakglass" {
  principal_id       = %[1]q
  role_definition_id = %[2]q
  justification      = "break-glass"
%[3]s
}
resource "pim_eligible_assignment" "breakglass" {
  principal_id       = %[1]q
  role_definition_id = %[4]q
  end_date_time      = %[6]q
%[5]s
}
`, emulator.CarolID, emulator.RoleGlobalAdministrator, activeExtra, emulator.RoleHelpdeskAdministrator, eligibleExtra, "2031-01-01T00:00:00Z")
	}
	protected := func(change string) *regexp.Regexp {
		return regexp.MustCompile(`(?s)Protected Principal.*would\s+` + change + `.*user\s+"Carol\s+Compliance".*protected_principal_ids`)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{Config: config("", "")},
			{
				Config:      config(`  duration = "P30D"`, ""),
				PlanOnly:    true,
				ExpectError: protected(`make\s+time-bound`),
			},
			{
				Config:      regexp.MustCompile(`2031-01-01T00:00:00Z`).ReplaceAllString(config("", ""), "2030-06-01T00:00:00Z"),
				PlanOnly:    true,
				ExpectError: protected(`shorten\s+\(from\s+2031-01-01T00:00:00Z\s+to\s+2030-06-01T00:00:00Z\)`),
			},
			{
				Config:      regexp.MustCompile(`(?s)resource "pim_eligible_assignment".*`).ReplaceAllString(config("", ""), ""),
				PlanOnly:    true,
				ExpectError: protected(`remove`),
			},
			{
				// A longer end and other changes are fine.
				Config:           later(config("", `  justification = "renewed"`)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("pim_eligible_assignment.breakglass", plancheck.ResourceActionUpdate)}},
			},
			{
				// Said explicitly, the change is allowed: first the override, then the removal.
				Config: later(config("  allow_protected_principal_change = true", "")),
			},
			{
				PreConfig: func() { env.Clock.Advance(10 * time.Minute) },
				Config: regexp.MustCompile(`(?s)resource "pim_active_assignment".*?\n}\n`).ReplaceAllString(
					later(config("", "  allow_protected_principal_change = true")), ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("pim_active_assignment.breakglass", plancheck.ResourceActionDestroy)}},
				Check: env.CheckGone(emulator.Active, emulator.CarolID, emulator.RoleGlobalAdministrator),
			},
		},
	})
}

// Protection fails closed: protected_principal_ids that are not known at
// plan time (a whole set, or one element) stop the plan with an error on the
// attribute, never a plan without protection.
func TestAccProtectedPrincipals_unknownFailsThePlan(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	for _, ids := range []string{"terraform_data.ids.output", "[terraform_data.id.output]"} {
		config := fmt.Sprintf(`
resource "terraform_data" "ids" {
  input = [%[2]q]
}
resource "terraform_data" "id" {
  input = %[2]q
}
provider "pim" {
  endpoint                = %[1]q
  protected_principal_ids = %[3]s
}
resource "pim_eligible_assignment" "a" {
  principal_id       = %[2]q
  role_definition_id = %[4]q
}
`, env.URL, emulator.CarolID, ids, emulator.RoleHelpdeskAdministrator)
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: factories(env),
			Steps: []resource.TestStep{{
				Config:      config,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Unknown Protected Principals.*not known until apply`),
			}},
		})
	}
}
