package signin

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/entraauth"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// Sign-in: which credential the provider uses, from its settings or the
// ARM_* variables azurerm and azuread users already set. The order, first
// match wins (documented in the sign-in guide):
//
//  1. access_token (PIM_ACCESS_TOKEN): a bearer token used as is;
//  2. client certificate: client_id with client_certificate(_path);
//  3. client secret: client_id with client_secret;
//  4. use_oidc: Azure Pipelines (ado_pipeline_service_connection_id), else
//     an ID token (oidc_token, HCP Terraform's TFC_WORKLOAD_IDENTITY_TOKEN,
//     oidc_token_file_path, GitHub Actions' request URL);
//  5. use_msi: the machine's managed identity;
//  6. use_cli: the Azure CLI's signed-in user.

// Settings are the provider block's sign-in settings (embedded in the
// provider's model).
type Settings struct {
	AccessToken       types.String `tfsdk:"access_token"`
	ARMEndpoint       types.String `tfsdk:"arm_endpoint"`
	ARMAccessToken    types.String `tfsdk:"arm_access_token"`
	TenantID          types.String `tfsdk:"tenant_id"`
	ClientID          types.String `tfsdk:"client_id"`
	ClientSecret      types.String `tfsdk:"client_secret"`
	UseOIDC           types.Bool   `tfsdk:"use_oidc"`
	OIDCToken         types.String `tfsdk:"oidc_token"`
	OIDCTokenFilePath types.String `tfsdk:"oidc_token_file_path"`
	OIDCRequestURL    types.String `tfsdk:"oidc_request_url"`
	OIDCRequestToken  types.String `tfsdk:"oidc_request_token"`
	UseCLI            types.Bool   `tfsdk:"use_cli"`
	AuthorityHost     types.String `tfsdk:"authority_host"`

	ClientCertificate         types.String `tfsdk:"client_certificate"`
	ClientCertificatePath     types.String `tfsdk:"client_certificate_path"`
	ClientCertificatePassword types.String `tfsdk:"client_certificate_password"`
	UseMSI                    types.Bool   `tfsdk:"use_msi"`
	MSIEndpoint               types.String `tfsdk:"msi_endpoint"`
	ADOServiceConnectionID    types.String `tfsdk:"ado_pipeline_service_connection_id"`
	Environment               types.String `tfsdk:"environment"`
}

// Environment variables of the bearer tokens and of ARM's address.
const (
	EnvAccessToken = "PIM_ACCESS_TOKEN"
	// EnvARMEndpoint and EnvARMAccessToken are Azure Resource Manager's,
	// for PIM for Azure resources.
	EnvARMEndpoint    = "PIM_ARM_ENDPOINT"
	EnvARMAccessToken = "PIM_ARM_ACCESS_TOKEN"
)

// Defaults are what the provider's options set: a bearer token and the HTTP
// client sign-in uses.
type Defaults struct {
	Token      string
	HTTPClient *http.Client
}

// Cloud is a Microsoft cloud: where to sign in, where Graph and ARM are.
type Cloud struct {
	name, authority, graph, arm string
}

// clouds are the national clouds
// (https://learn.microsoft.com/graph/deployments#microsoft-graph-and-graph-explorer-service-root-endpoints).
var clouds = map[string]Cloud{
	"public":       {"public", entraauth.DefaultAuthorityHost, "https://graph.microsoft.com/v1.0", "https://management.azure.com"},
	"usgovernment": {"usgovernment", "https://login.microsoftonline.us/", "https://graph.microsoft.us/v1.0", "https://management.usgovcloudapi.net"},
	"china":        {"china", "https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/v1.0", "https://management.chinacloudapi.cn"},
}

// CloudOf is the cloud an environment setting names.
func CloudOf(name string) (Cloud, error) {
	if name == "" {
		name = "public"
	}
	c, ok := clouds[strings.ToLower(name)]
	if !ok {
		return Cloud{}, fmt.Errorf("environment %q is not one of public, usgovernment, china", name)
	}
	return c, nil
}

// Attributes are the provider schema's sign-in attributes.
func Attributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"arm_endpoint": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Azure Resource Manager's base URL, for PIM for Azure resources (`pim_azure_*`). Defaults to the `" + EnvARMEndpoint +
				"` environment variable, else the emulator's own address when `endpoint` is not a Microsoft Graph host (the emulator serves ARM beside Graph), " +
				"else the ARM endpoint of `environment` (`" + pimclient.DefaultARMBaseURL + "` in the public cloud).",
		},
		"arm_access_token": schema.StringAttribute{
			Optional:  true,
			Sensitive: true,
			MarkdownDescription: "Bearer token for Azure Resource Manager, used as is when `access_token` is. Defaults to the `" + EnvARMAccessToken +
				"` environment variable; with neither, `access_token` is sent to ARM only when ARM is on the same host as Graph (the emulator). " +
				"The sign-in methods below sign in to ARM by themselves, for its audience.",
		},
		"access_token": schema.StringAttribute{
			Optional:  true,
			Sensitive: true,
			MarkdownDescription: "Bearer token for Microsoft Graph, used as is (it is not refreshed: prefer a sign-in method below for long runs). " +
				"Defaults to the `" + EnvAccessToken + "` environment variable. When set, it takes precedence over the sign-in methods below. " +
				"The token is never written to state or logs.",
		},
		"environment": schema.StringAttribute{Optional: true,
			MarkdownDescription: "Microsoft cloud: `public` (default), `usgovernment` or `china`. Chooses the sign-in authority, the Graph endpoint and " +
				"the token's scope; `authority_host` and `endpoint` override them one by one. Defaults to the `ARM_ENVIRONMENT` environment variable.",
			Validators: []validator.String{stringvalidator.OneOfCaseInsensitive("public", "usgovernment", "china")}},
		"tenant_id":     envString("Entra tenant id (or a verified domain) to sign in to.", "ARM_TENANT_ID", false),
		"client_id":     envString("Application (client) id of the app registration Terraform runs as, or of a user-assigned managed identity.", "ARM_CLIENT_ID", false),
		"client_secret": envString("Client secret of that app: signs in with the client-credentials flow.", "ARM_CLIENT_SECRET", true),
		"client_certificate": envString("A certificate registered on the app, with its private key, base64-encoded (PKCS#12 `.pfx` or PEM): "+
			"signs in with a certificate-signed assertion, no secret sent.", "ARM_CLIENT_CERTIFICATE", true),
		"client_certificate_path":     envString("A file holding that certificate and key (PKCS#12 or PEM).", "ARM_CLIENT_CERTIFICATE_PATH", false),
		"client_certificate_password": envString("Password of a PKCS#12 certificate.", "ARM_CLIENT_CERTIFICATE_PASSWORD", true),
		"use_oidc": schema.BoolAttribute{Optional: true,
			MarkdownDescription: "Sign in with workload identity federation (an ID token from GitHub Actions, Azure Pipelines, HCP Terraform, " +
				"Kubernetes or another OIDC provider, exchanged for an Entra token; no secret). Defaults to the `ARM_USE_OIDC` environment variable " +
				"(and to true under HCP Terraform's Azure dynamic credentials, `TFC_AZURE_PROVIDER_AUTH`)."},
		"oidc_token": envString("The federated ID token itself (HCP Terraform's `TFC_WORKLOAD_IDENTITY_TOKEN` is read too).", "ARM_OIDC_TOKEN", true),
		"oidc_token_file_path": envString("A file holding the federated ID token, re-read at every sign-in "+
			"(`AZURE_FEDERATED_TOKEN_FILE` is read too).", "ARM_OIDC_TOKEN_FILE_PATH", false),
		"oidc_request_url": envString("GitHub Actions' ID token endpoint (set by the runner when the workflow has `permissions: id-token: write`).",
			"ACTIONS_ID_TOKEN_REQUEST_URL", false),
		"oidc_request_token": envString("Bearer token for `oidc_request_url`.", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", true),
		"ado_pipeline_service_connection_id": envString("With `use_oidc`, the id of the Azure Pipelines service connection (workload identity "+
			"federation) to sign in through; the pipeline's `System.AccessToken` must be mapped to `SYSTEM_ACCESSTOKEN`. "+
			"`ARM_OIDC_AZURE_SERVICE_CONNECTION_ID` is read too.", "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID", false),
		"use_msi": schema.BoolAttribute{Optional: true,
			MarkdownDescription: "Sign in as the managed identity of the Azure VM, App Service or AKS pod Terraform runs on (user-assigned when " +
				"`client_id` is set). Defaults to the `ARM_USE_MSI` environment variable."},
		"msi_endpoint": envString("Token endpoint of the managed identity, when not the instance metadata service's.", "ARM_MSI_ENDPOINT", false),
		"use_cli": schema.BoolAttribute{Optional: true,
			MarkdownDescription: "Sign in as the Azure CLI's signed-in user (`az login`). Defaults to the `ARM_USE_CLI` environment variable."},
		"authority_host": envString("Microsoft identity platform to sign in with, overriding `environment`'s (e.g. `https://login.microsoftonline.us/`).",
			"AZURE_AUTHORITY_HOST", false),
	}
}

func envString(desc, env string, sensitive bool) schema.StringAttribute {
	d := desc + " Defaults to the `" + env + "` environment variable."
	if sensitive {
		d += " Never written to state or logs."
	}
	return schema.StringAttribute{Optional: true, Sensitive: sensitive, MarkdownDescription: d}
}

// Values are the settings that must be known at plan time.
func (m *Settings) Values() map[string]attr.Value {
	return map[string]attr.Value{"access_token": m.AccessToken, "tenant_id": m.TenantID, "client_id": m.ClientID,
		"client_secret": m.ClientSecret, "use_oidc": m.UseOIDC, "oidc_token": m.OIDCToken, "oidc_token_file_path": m.OIDCTokenFilePath,
		"oidc_request_url": m.OIDCRequestURL, "oidc_request_token": m.OIDCRequestToken, "use_cli": m.UseCLI, "authority_host": m.AuthorityHost,
		"client_certificate": m.ClientCertificate, "client_certificate_path": m.ClientCertificatePath,
		"client_certificate_password": m.ClientCertificatePassword, "use_msi": m.UseMSI, "msi_endpoint": m.MSIEndpoint,
		"ado_pipeline_service_connection_id": m.ADOServiceConnectionID, "environment": m.Environment}
}

// Graph picks Graph's credential: an explicit bearer token, else the
// Entra sign-in method the settings (or ARM_* variables) select. It
// returns the token source and the sign-in method's name.
func (cfg *Settings) Graph(endpoint string, cloud Cloud, d Defaults) (pimclient.TokenSource, string, error) {
	if token := shared.FirstNonEmpty(cfg.AccessToken.ValueString(), os.Getenv(EnvAccessToken), d.Token); token != "" {
		return pimclient.StaticToken(token), MethodBearer, nil
	}
	return cfg.entra(graphScope(endpoint, cloud), cloud, d)
}

// MethodBearer is the sign-in method of an explicit bearer token.
const MethodBearer = "bearer token"

// armTokenSource is Azure Resource Manager's credential: with a bearer
// token, arm_access_token, or the Graph token only when ARM is on Graph's
// host (the emulator: a token goes only to the endpoint it is for); else
// the same sign-in as Graph's, for ARM's audience. Nil: no ARM credentials
// (the pim_azure_* resources then say so).
func (cfg *Settings) ARM(endpoint, armEndpoint string, cloud Cloud, d Defaults) (pimclient.TokenSource, error) {
	if token := shared.FirstNonEmpty(cfg.ARMAccessToken.ValueString(), os.Getenv(EnvARMAccessToken)); token != "" {
		return pimclient.StaticToken(token), nil
	}
	if token := shared.FirstNonEmpty(cfg.AccessToken.ValueString(), os.Getenv(EnvAccessToken), d.Token); token != "" {
		if sameHost(endpoint, armEndpoint) {
			return pimclient.StaticToken(token), nil
		}
		return nil, nil
	}
	ts, _, err := cfg.entra(armScope(armEndpoint, cloud), cloud, d)
	return ts, err
}

// ARMBaseURL is ARM's address: the setting, its variable, the emulator's
// own root when Graph is not a Microsoft Graph host, else the cloud's.
func (cfg *Settings) ARMBaseURL(endpoint string, cloud Cloud) string {
	if set := shared.FirstNonEmpty(cfg.ARMEndpoint.ValueString(), os.Getenv(EnvARMEndpoint)); set != "" {
		return set
	}
	if u, err := url.Parse(endpoint); err == nil && !isGraphHost(u.Host) {
		u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/v1.0")
		return u.String()
	}
	return cloud.arm
}

func isGraphHost(host string) bool {
	for _, c := range clouds {
		if g, _ := url.Parse(c.graph); g != nil && strings.EqualFold(g.Host, host) {
			return true
		}
	}
	return false
}

func sameHost(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	return errA == nil && errB == nil && strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host)
}

// armScope is the .default scope of ARM: a national cloud's by its host,
// any other endpoint (the emulator) the environment's.
func armScope(armEndpoint string, cloud Cloud) string {
	if u, err := url.Parse(armEndpoint); err == nil {
		for _, c := range clouds {
			if a, _ := url.Parse(c.arm); a != nil && strings.EqualFold(a.Host, u.Host) {
				return c.arm + "/.default"
			}
		}
	}
	return cloud.arm + "/.default"
}

// entraTokenSource is the Entra sign-in the settings (or ARM_* variables)
// select, for one API's scope.
func (cfg *Settings) entra(scope string, cloud Cloud, d Defaults) (pimclient.TokenSource, string, error) {
	cert, err := certificate(cfg)
	if err != nil {
		return nil, "", err
	}
	ec := entraauth.Config{
		TenantID:                  shared.FirstNonEmpty(cfg.TenantID.ValueString(), os.Getenv("ARM_TENANT_ID")),
		ClientID:                  shared.FirstNonEmpty(cfg.ClientID.ValueString(), os.Getenv("ARM_CLIENT_ID"), os.Getenv("TFC_AZURE_RUN_CLIENT_ID")),
		ClientSecret:              shared.FirstNonEmpty(cfg.ClientSecret.ValueString(), os.Getenv("ARM_CLIENT_SECRET")),
		ClientCertificate:         cert,
		ClientCertificatePassword: shared.FirstNonEmpty(cfg.ClientCertificatePassword.ValueString(), os.Getenv("ARM_CLIENT_CERTIFICATE_PASSWORD")),
		UseOIDC:                   boolOrEnv(cfg.UseOIDC, "ARM_USE_OIDC") || (cfg.UseOIDC.IsNull() && envTrue("TFC_AZURE_PROVIDER_AUTH")),
		OIDCToken:                 shared.FirstNonEmpty(cfg.OIDCToken.ValueString(), os.Getenv("ARM_OIDC_TOKEN"), os.Getenv("TFC_WORKLOAD_IDENTITY_TOKEN")),
		OIDCTokenFilePath:         shared.FirstNonEmpty(cfg.OIDCTokenFilePath.ValueString(), os.Getenv("ARM_OIDC_TOKEN_FILE_PATH"), os.Getenv("AZURE_FEDERATED_TOKEN_FILE")),
		OIDCRequestURL:            shared.FirstNonEmpty(cfg.OIDCRequestURL.ValueString(), os.Getenv("ACTIONS_ID_TOKEN_REQUEST_URL")),
		OIDCRequestToken:          shared.FirstNonEmpty(cfg.OIDCRequestToken.ValueString(), os.Getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN")),
		ADOServiceConnectionID: shared.FirstNonEmpty(cfg.ADOServiceConnectionID.ValueString(), os.Getenv("ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID"),
			os.Getenv("ARM_OIDC_AZURE_SERVICE_CONNECTION_ID")),
		SystemAccessToken: os.Getenv("SYSTEM_ACCESSTOKEN"),
		UseMSI:            boolOrEnv(cfg.UseMSI, "ARM_USE_MSI"),
		MSIEndpoint:       shared.FirstNonEmpty(cfg.MSIEndpoint.ValueString(), os.Getenv("ARM_MSI_ENDPOINT")),
		UseCLI:            boolOrEnv(cfg.UseCLI, "ARM_USE_CLI"),
		AuthorityHost:     shared.FirstNonEmpty(cfg.AuthorityHost.ValueString(), os.Getenv("AZURE_AUTHORITY_HOST"), nonDefault(cloud.authority)),
		Scope:             scope,
		HTTPClient:        d.HTTPClient,
	}
	ts, err := entraauth.NewTokenSource(ec)
	return ts, ec.Method(), err
}

// certificate reads client_certificate (base64) or client_certificate_path.
func certificate(cfg *Settings) ([]byte, error) {
	if b64 := shared.FirstNonEmpty(cfg.ClientCertificate.ValueString(), os.Getenv("ARM_CLIENT_CERTIFICATE")); b64 != "" {
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil {
			return nil, fmt.Errorf("client_certificate must be base64 (of a .pfx or PEM file): %w", err)
		}
		return data, nil
	}
	if p := shared.FirstNonEmpty(cfg.ClientCertificatePath.ValueString(), os.Getenv("ARM_CLIENT_CERTIFICATE_PATH")); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("reading client_certificate_path: %w", err)
		}
		return data, nil
	}
	return nil, nil
}

// nonDefault leaves the public cloud's authority to azidentity's default.
func nonDefault(authority string) string {
	if authority == entraauth.DefaultAuthorityHost {
		return ""
	}
	return authority
}

// graphScope is the .default scope of the Graph the endpoint is: a national
// cloud's Graph by its host, any other endpoint (the emulator) the
// environment's.
func graphScope(endpoint string, cloud Cloud) string {
	if u, err := url.Parse(endpoint); err == nil {
		for _, c := range clouds {
			if g, _ := url.Parse(c.graph); g != nil && strings.EqualFold(g.Host, u.Host) {
				return "https://" + g.Host + "/.default"
			}
		}
	}
	g, _ := url.Parse(cloud.graph)
	return "https://" + g.Host + "/.default"
}

func boolOrEnv(v types.Bool, env string) bool {
	if !v.IsNull() {
		return v.ValueBool()
	}
	return envTrue(env)
}

func envTrue(env string) bool {
	b, _ := strconv.ParseBool(os.Getenv(env))
	return b
}

// AppOnly reports whether the provider signs in without a user: client
// credentials, federation and managed identities always do; a bearer token
// does when its claims say so.
func (cfg *Settings) AppOnly(method string, d Defaults) bool {
	if method != MethodBearer {
		return method != entraauth.MethodCLI
	}
	return appOnlyToken(shared.FirstNonEmpty(cfg.AccessToken.ValueString(), os.Getenv(EnvAccessToken), d.Token))
}

// appOnlyToken reads, without verifying (Graph verifies), the claims of an
// Entra access token: idtyp "app", or application roles without delegated
// scopes (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
// A token that is not a JWT (the emulator's) counts as a user's.
func appOnlyToken(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var claims struct {
		IDType string   `json:"idtyp"`
		Scopes string   `json:"scp"`
		Roles  []string `json:"roles"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return false
	}
	return claims.IDType == "app" || (claims.Scopes == "" && len(claims.Roles) > 0)
}

// Name is the cloud's name (public, usgovernment, china).
func (c Cloud) Name() string { return c.name }

// GraphURL is the cloud's Graph v1.0 endpoint.
func (c Cloud) GraphURL() string { return c.graph }
