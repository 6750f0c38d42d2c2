package provider_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider"
)

// Without a token the provider says how to give one, on the attribute.
// Not parallel: it clears PIM_ACCESS_TOKEN for the process.
func TestAccProvider_missingCredentials(t *testing.T) {
	t.Setenv(provider.EnvAccessToken, "")
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
			"pim": providerserver.NewProtocol6WithError(provider.New("test")()),
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
			"pim": providerserver.NewProtocol6WithError(provider.New("test", provider.WithEndpoint(env.URL), provider.WithAccessToken("wrong-secret-token"))()),
		},
		Steps: []resource.TestStep{{
			Config:      `data "pim_role_definition" "x" { display_name = "Global Reader" }`,
			ExpectError: regexp.MustCompile(`(?s)InvalidAuthenticationToken \(HTTP 401\).*request-id:.*The access token was rejected`),
		}},
	})
}
