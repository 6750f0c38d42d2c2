package provider_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider"
)

const ciSubject = "repo:pim-as-code/infra:ref:refs/heads/main"

// certificateBundle makes a self-signed certificate with its key (PEM
// bundle) and the certificate alone (to register on the app).
func certificateBundle(t *testing.T) (bundle, certPEM []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "terraform-ci"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return append(slices.Clone(certPEM), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...), certPEM
}

// signInStep reads a directory role (Graph) and an Azure role (ARM, whose
// tokens are for its own audience) through a provider block that signs in
// some way.
func signInStep(block string) resource.TestStep {
	return resource.TestStep{
		Config: "provider \"pim\" {\n" + block + "\n}\n" + `data "pim_role_definition" "x" {
  display_name = "Global Reader"
}

data "pim_azure_role_definition" "x" {
  scope     = "/subscriptions/` + emulator.DemoSubscriptionID + `"
  role_name = "Reader"
}`,
		Check: resource.ComposeTestCheckFunc(resource.TestCheckResourceAttr("data.pim_role_definition.x", "id", emulator.RoleGlobalReader),
			resource.TestCheckResourceAttr("data.pim_azure_role_definition.x", "name", emulator.AzureReader)),
	}
}

// Every sign-in method signs in against the emulator, which verifies what
// Entra verifies; a TRACE-level log of all of them, and the state, hold no
// secret, certificate key, federated token or access token. Not parallel:
// it sets TF_LOG and the ARM_*, TFC_* and SYSTEM_* variables CI systems set.
func TestAccSignInMethodsLeaveNoSecrets(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "trace.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PATH", logFile)
	const secret = "acctest-client-secret-9f2c41"
	bundle, certPEM := certificateBundle(t)
	env := acctest.NewEnv(t, acctest.WithAppSecret(secret), acctest.WithAppCertificate(certPEM), acctest.WithFederation(ciSubject),
		acctest.WithClock(&emulator.OffsetClock{}))
	base := strings.TrimSuffix(env.URL, "/v1.0")
	oidcToken, err := env.Emulator.MintOIDCToken(ciSubject, "", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	certB64 := base64.StdEncoding.EncodeToString(bundle)
	common := fmt.Sprintf("  endpoint = %q\n  authority_host = %q\n  tenant_id = %q\n  client_id = %q\n", env.URL, base+"/", emulator.DefaultTenantID, emulator.AppClientID)
	factories := map[string]func() (tfprotov6.ProviderServer, error){
		"pim": server(provider.NewProtocol6Server("test", provider.WithHTTPClient(env.HTTPClient), provider.WithClock(env.Clock))),
	}
	var states []*terraform.State
	keep := func(s *terraform.State) error { states = append(states, s); return nil }
	// Secrets come from the environment, as in CI: the test harness logs the
	// configuration text, and it must hold nothing secret.
	for name, c := range map[string]struct {
		block string
		env   map[string]string
	}{
		"client secret":      {common, map[string]string{"ARM_CLIENT_SECRET": secret}},
		"client certificate": {common, map[string]string{"ARM_CLIENT_CERTIFICATE": certB64}},
		"oidc token":         {common + "  use_oidc = true", map[string]string{"ARM_OIDC_TOKEN": oidcToken}},
		"github actions": {common + "  use_oidc = true", map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": base + "/_oidc/github",
			"ACTIONS_ID_TOKEN_REQUEST_TOKEN": acctest.ControlToken}},
		"managed identity": {fmt.Sprintf("  endpoint = %q\n  use_msi = true\n  client_id = %q\n  msi_endpoint = %q", env.URL, emulator.ManagedIdentityClientID,
			base+"/metadata/identity/oauth2/token"), nil},
	} {
		t.Run(name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			step := signInStep(c.block)
			step.Check = resource.ComposeTestCheckFunc(step.Check, keep)
			resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: factories, Steps: []resource.TestStep{step}})
		})
	}
	t.Run("hcp terraform dynamic credentials", func(t *testing.T) {
		t.Setenv("TFC_AZURE_PROVIDER_AUTH", "true")
		t.Setenv("TFC_AZURE_RUN_CLIENT_ID", emulator.AppClientID)
		t.Setenv("TFC_WORKLOAD_IDENTITY_TOKEN", oidcToken)
		t.Setenv("ARM_TENANT_ID", emulator.DefaultTenantID)
		t.Setenv("AZURE_AUTHORITY_HOST", base+"/")
		step := signInStep(fmt.Sprintf("  endpoint = %q", env.URL))
		step.Check = resource.ComposeTestCheckFunc(step.Check, keep)
		resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: factories, Steps: []resource.TestStep{step}})
	})
	t.Run("azure pipelines", func(t *testing.T) {
		ado := acctest.NewEnv(t, acctest.WithFederation("sc://pim-emulator/pim/conn-7"), acctest.WithClock(&emulator.OffsetClock{}))
		adoBase := strings.TrimSuffix(ado.URL, "/v1.0")
		t.Setenv("SYSTEM_OIDCREQUESTURI", adoBase+"/_oidc/ado")
		t.Setenv("SYSTEM_ACCESSTOKEN", acctest.ControlToken)
		t.Setenv("ARM_USE_OIDC", "true")
		t.Setenv("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", "conn-7")
		resource.UnitTest(t, resource.TestCase{
			ProtoV6ProviderFactories: map[string]func() (tfprotov6.ProviderServer, error){
				"pim": server(provider.NewProtocol6Server("test", provider.WithHTTPClient(ado.HTTPClient), provider.WithClock(ado.Clock))),
			},
			Steps: []resource.TestStep{signInStep(fmt.Sprintf("  endpoint = %q\n  authority_host = %q\n  tenant_id = %q\n  client_id = %q",
				ado.URL, adoBase+"/", emulator.DefaultTenantID, emulator.AppClientID))},
		})
	})

	logs, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(logs), "[TRACE]") || !strings.Contains(string(logs), `sign_in="client certificate"`) {
		t.Fatalf("the TRACE log does not show the sign-ins (%d bytes)", len(logs))
	}
	var stateText strings.Builder
	for _, s := range states {
		fmt.Fprintf(&stateText, "%v", s)
	}
	for what, secret := range map[string]string{"client secret": secret, "certificate bundle": certB64[:64], "federated token": oidcToken,
		"issued access token prefix": "pimemu_", "control token": acctest.ControlToken} {
		if strings.Contains(string(logs), secret) {
			t.Errorf("the TRACE log contains the %s", what)
		}
		if strings.Contains(stateText.String(), secret) {
			t.Errorf("the state contains the %s", what)
		}
	}
}

// environment chooses the national cloud: the sign-in goes to its authority
// for its Graph's scope, and Graph calls go to its endpoint.
func TestEnvironmentChoosesTheNationalCloud(t *testing.T) {
	for env, want := range map[string][2]string{
		"usgovernment": {"login.microsoftonline.us", "https://graph.microsoft.us/.default"},
		"china":        {"login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn/.default"},
	} {
		t.Run(env, func(t *testing.T) {
			var hosts []string
			var scope string
			rec := roundTripper(func(r *http.Request) (*http.Response, error) {
				hosts = append(hosts, r.URL.Host)
				if strings.HasSuffix(r.URL.Path, "/openid-configuration") {
					// The authority's discovery document, then the token request.
					doc := fmt.Sprintf(`{"token_endpoint":"https://%[1]s/t/oauth2/v2.0/token","authorization_endpoint":"https://%[1]s/t/oauth2/v2.0/authorize","issuer":"https://%[1]s/t/v2.0"}`, r.URL.Host)
					return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(strings.NewReader(doc)), Request: r}, nil
				}
				if r.Body != nil {
					body, _ := io.ReadAll(r.Body)
					if i := strings.Index(string(body), "scope="); i >= 0 {
						scope = string(body[i+6:])
					}
				}
				// Refused as Entra refuses: an answer, so nothing retries.
				return &http.Response{StatusCode: 400, Header: http.Header{"Content-Type": {"application/json"}}, Request: r,
					Body: io.NopCloser(strings.NewReader(`{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}`))}, nil
			})
			srv, err := server(provider.NewProtocol6Server("test", provider.WithHTTPClient(&http.Client{Transport: rec})))()
			if err != nil {
				t.Fatal(err)
			}
			p := &protocol{t: t, srv: srv}
			p.schemas, _ = srv.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
			resp, err := srv.ConfigureProvider(t.Context(), &tfprotov6.ConfigureProviderRequest{Config: p.value(p.schemas.Provider, map[string]tftypes.Value{
				"environment": str(env), "tenant_id": str("contoso.onmicrosoft.us"), "client_id": str(emulator.AppClientID), "client_secret": str("x")})})
			if err != nil || !hasErrors(resp.Diagnostics) {
				t.Fatalf("configure: %v %v", err, resp.Diagnostics)
			}
			if len(hosts) == 0 || hosts[0] != want[0] {
				t.Errorf("sign-in went to %v, want %s", hosts, want[0])
			}
			if decoded, _ := urlDecode(strings.SplitN(scope, "&", 2)[0]); !strings.Contains(decoded, want[1]) {
				t.Errorf("scope %q, want %s", decoded, want[1])
			}
		})
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func urlDecode(s string) (string, error) {
	return url.QueryUnescape(s)
}
