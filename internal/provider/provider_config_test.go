package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider"
)

// Without a token the provider says how to give one, on the attribute.
// Not parallel: it clears PIM_ACCESS_TOKEN for the process.
func TestAccProvider_missingCredentials(t *testing.T) {
	t.Setenv(provider.EnvAccessToken, "")
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"pim": server(provider.NewProtocol6Server("test")),
		},
		Steps: []resource.TestStep{{
			Config:      env.ProviderBlock() + `data "pim_role_definition" "x" { display_name = "Global Reader" }`,
			ExpectError: regexp.MustCompile(`(?s)Missing Graph Credentials.*PIM_ACCESS_TOKEN`),
		}},
	})
}

// A token Graph rejects surfaces as Graph's 401 with a next step. (That the
// token never appears in errors or logs is pinned in pimclient's tests.)
func TestAccProvider_rejectedToken(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"pim": server(provider.NewProtocol6Server("test", provider.WithEndpoint(env.URL), provider.WithAccessToken("wrong-secret-token"))),
		},
		Steps: []resource.TestStep{{
			Config:      `data "pim_role_definition" "x" { display_name = "Global Reader" }`,
			ExpectError: regexp.MustCompile(`(?s)InvalidAuthenticationToken \(HTTP 401\).*request-id:.*The access token was rejected`),
		}},
	})
}

// The provider signs in to Entra with a client secret (azidentity against the
// emulator's identity endpoints) and works as the app's service principal.
func TestAccProvider_clientSecretSignIn(t *testing.T) {
	t.Parallel()
	const secret = "acctest-client-secret"
	env := acctest.NewEnv(t, acctest.WithAppSecret(secret))
	authority := strings.TrimSuffix(env.URL, "/v1.0") + "/"
	config := func(secret string) string {
		return fmt.Sprintf(`
provider "pim" {
  endpoint       = %q
  tenant_id      = %q
  client_id      = %q
  client_secret  = %q
  authority_host = %q
}
resource "pim_eligible_assignment" "test" {
  principal_id       = %q
  role_definition_id = %q
}
`, env.URL, emulator.DefaultTenantID, emulator.AppClientID, secret, authority, emulator.AliceID, emulator.RoleGlobalReader)
	}
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"pim": server(provider.NewProtocol6Server("test", provider.WithHTTPClient(env.HTTPClient), provider.WithClock(env.Clock))),
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories,
		Steps: []resource.TestStep{
			{
				Config:      config("not-the-secret"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Unable to Sign In to Microsoft Entra.*\(client\s+secret\).*AADSTS7000215: Invalid client secret`),
			},
			{
				// RoleManagementPolicy.ReadWrite.Directory is an application
				// permission: an app-only sign-in manages role settings too.
				Config: config(secret) + fmt.Sprintf(`
resource "pim_role_setting" "app_only" {
  role_definition_id = %q
  activation         = { maximum_duration = "PT4H" }
}
`, emulator.RoleHelpdeskAdministrator),
				Check: func(*terraform.State) error {
					if got := env.Emulator.PolicyOf(emulator.RoleHelpdeskAdministrator).Rule("Expiration_EndUser_Assignment").MaximumDuration; got != "PT4H" {
						return fmt.Errorf("activation maximum after an app-only apply: %s, want PT4H", got)
					}
					return nil
				},
			},
			{
				Config: config(secret),
				Check: func(*terraform.State) error {
					for _, r := range env.Emulator.Requests(emulator.Eligible) {
						if r.Action == "adminAssign" && r.CreatedBy != emulator.AppServicePrincipalID {
							return fmt.Errorf("request created by %s, want the app's service principal", r.CreatedBy)
						}
					}
					return nil
				},
			},
		},
	})
}

// The environment fallbacks the README and the demo rely on.
// Not parallel: it sets process environment variables.
func TestAccProvider_environmentFallbacks(t *testing.T) {
	env := acctest.NewEnv(t)
	t.Setenv(provider.EnvEndpoint, env.URL)
	t.Setenv(provider.EnvAccessToken, acctest.Token)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"pim": server(provider.NewProtocol6Server("test")),
		},
		Steps: []resource.TestStep{{
			Config: `
provider "pim" {}
data "pim_role_definition" "x" {
  display_name = "Global Reader"
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.pim_role_definition.x", tfjsonpath.New("id"), knownvalue.StringExact(emulator.RoleGlobalReader)),
			},
		}},
	})
}
