//go:build live

// Package live runs acceptance tests against a real Microsoft Entra tenant
// (make testacc-live), so that anyone with a tenant can check the
// emulator's fidelity. It is never part of make test: it needs credentials,
// changes the tenant and waits in real time.
//
// Set ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET (or ARM_USE_OIDC,
// or ARM_USE_CLI) for an identity with RoleManagement.ReadWrite.Directory,
// RoleManagementPolicy.Read.Directory and Directory.Read.All, and
// PIM_LIVE_USER_UPN to a test user the tests may make eligible for Global
// Reader. Every change is removed again, also when a step fails.
package live

import (
	"fmt"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pim-as-code/terraform-provider-pim/internal/provider"
)

func factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"pim": providerserver.NewProtocol6WithError(provider.New("live")()),
	}
}

// required fails the run (it does not skip) when the tenant is not described.
func required(t *testing.T) string {
	t.Helper()
	for _, v := range []string{"ARM_TENANT_ID", "PIM_LIVE_USER_UPN"} {
		if os.Getenv(v) == "" {
			t.Fatalf("%s is not set: make testacc-live needs a tenant (see internal/live/live_test.go)", v)
		}
	}
	return os.Getenv("PIM_LIVE_USER_UPN")
}

// A time-bound eligibility: created with the user's name in the plan,
// refreshed to an empty plan, updated in place, destroyed.
func TestLiveEligibilityLifecycle(t *testing.T) {
	upn := required(t)
	run := time.Now().UTC().Format("20060102T150405")
	config := func(justification string) string {
		return fmt.Sprintf(`
data "pim_principal" "user" {
  user_principal_name = %q
}
data "pim_role_definition" "reader" {
  display_name = "Global Reader"
}
resource "pim_eligible_assignment" "live" {
  principal_id       = data.pim_principal.user.id
  role_definition_id = data.pim_role_definition.reader.id
  duration           = "P1D"
  justification      = %q
}
`, upn, justification)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: config("terraform-provider-pim live test " + run),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectKnownValue("pim_eligible_assignment.live", tfjsonpath.New("principal_user_principal_name"), knownvalue.StringRegexp(regexp.MustCompile(`(?i)^`+regexp.QuoteMeta(upn)+`$`)))},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("pim_eligible_assignment.live", tfjsonpath.New("status"), knownvalue.StringExact("Provisioned")),
					statecheck.ExpectKnownValue("pim_eligible_assignment.live", tfjsonpath.New("role_display_name"), knownvalue.StringExact("Global Reader")),
				},
			},
			{
				Config: config("terraform-provider-pim live test " + run + " (updated)"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction("pim_eligible_assignment.live", plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// The read-only data sources work against the tenant.
func TestLiveDataSources(t *testing.T) {
	upn := required(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "pim_principals" "p" {
  user_principal_names = [%q]
}
data "pim_role_setting" "ga" {
  role_definition_id = "62e90394-69f5-4237-9190-012177145e10"
}
data "pim_active_assignments" "ga" {
  role_definition_id = "62e90394-69f5-4237-9190-012177145e10"
}
`, upn),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.pim_principals.p", tfjsonpath.New("ids"), knownvalue.MapSizeExact(1)),
				statecheck.ExpectKnownValue("data.pim_role_setting.ga", tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^DirectoryRole_`))),
			},
		}},
	})
}
