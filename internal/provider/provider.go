// Package provider is the Terraform layer: the provider, its resources and
// data sources. It never speaks HTTP; it calls typed pimclient methods and
// converts with the …FromAPI/…ToAPI helpers at the bottom of each file.
package provider

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// Environment variables read when the provider block leaves an attribute unset.
const (
	EnvEndpoint    = "PIM_ENDPOINT"
	EnvAccessToken = "PIM_ACCESS_TOKEN"
)

var _ provider.Provider = (*pimProvider)(nil)

// Clock is the provider's time source. Tests share the emulator's fake clock
// so that waits (the five-minute minimum active duration) and "end in the
// past" checks follow emulated time instead of sleeping.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now().UTC() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Option changes defaults of the provider; tests use them to point each
// provider instance at a private emulator without touching the environment.
type Option func(*pimProvider)

// WithEndpoint sets the default Graph endpoint (the endpoint attribute and
// PIM_ENDPOINT still win).
func WithEndpoint(url string) Option { return func(p *pimProvider) { p.endpoint = url } }

// WithAccessToken sets the default bearer token.
func WithAccessToken(token string) Option { return func(p *pimProvider) { p.token = token } }

// WithHTTPClient sets the underlying HTTP client.
func WithHTTPClient(c *http.Client) Option { return func(p *pimProvider) { p.httpClient = c } }

// WithClock sets the time source.
func WithClock(c Clock) Option { return func(p *pimProvider) { p.clock = c } }

// WithPollInterval sets how often the provider polls Graph while waiting.
func WithPollInterval(d time.Duration) Option { return func(p *pimProvider) { p.poll = d } }

// New returns a provider factory.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &pimProvider{version: version, clock: realClock{}, poll: 2 * time.Second}
		for _, o := range opts {
			o(p)
		}
		return p
	}
}

type pimProvider struct {
	version    string
	endpoint   string
	token      string
	httpClient *http.Client
	clock      Clock
	poll       time.Duration
}

type pimProviderModel struct {
	Endpoint    types.String `tfsdk:"endpoint"`
	AccessToken types.String `tfsdk:"access_token"`
}

// providerData is handed to every resource and data source.
type providerData struct {
	client   *pimclient.Client
	clock    Clock
	poll     time.Duration
	policies *policyCache
}

func (p *pimProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "pim"
	resp.Version = p.version
}

func (p *pimProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manage Microsoft Entra Privileged Identity Management (PIM) for directory roles: " +
			"eligible and active assignments, through Microsoft Graph v1.0. Point `endpoint` at the bundled emulator " +
			"to plan and apply without a tenant.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Microsoft Graph base URL including the version segment. Defaults to the `" + EnvEndpoint +
					"` environment variable, else `" + pimclient.DefaultBaseURL + "`. Set it to the emulator's URL " +
					"(for example `http://127.0.0.1:8080/v1.0`) to work offline.",
			},
			"access_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Bearer token for Microsoft Graph. Defaults to the `" + EnvAccessToken + "` environment variable. " +
					"Against Entra, use a token for `https://graph.microsoft.com` with the permissions listed in each resource's documentation. " +
					"The token is never written to state or logs.",
			},
		},
	}
}

func (p *pimProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg pimProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.Endpoint.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Unknown Graph Endpoint",
			"The endpoint depends on a value that is not known until apply. Set it to a literal or a variable, or use the "+EnvEndpoint+" environment variable.")
	}
	if cfg.AccessToken.IsUnknown() {
		resp.Diagnostics.AddAttributeError(path.Root("access_token"), "Unknown Access Token",
			"The access token depends on a value that is not known until apply. Set it from a variable or use the "+EnvAccessToken+" environment variable.")
	}
	if resp.Diagnostics.HasError() {
		return
	}
	endpoint := firstNonEmpty(cfg.Endpoint.ValueString(), os.Getenv(EnvEndpoint), p.endpoint, pimclient.DefaultBaseURL)
	token := firstNonEmpty(cfg.AccessToken.ValueString(), os.Getenv(EnvAccessToken), p.token)
	if token == "" {
		resp.Diagnostics.AddAttributeError(path.Root("access_token"), "Missing Graph Credentials",
			"The provider needs a Microsoft Graph bearer token. Set access_token in the provider block or the "+EnvAccessToken+
				" environment variable. For the local emulator, use the token it prints when it starts.")
		return
	}
	client, err := pimclient.New(pimclient.Options{
		BaseURL:     endpoint,
		TokenSource: pimclient.StaticToken(token),
		HTTPClient:  p.httpClient,
		UserAgent:   "terraform-provider-pim/" + p.version,
	})
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid Graph Endpoint", err.Error())
		return
	}
	tflog.Debug(ctx, "Configured Microsoft Graph client", map[string]any{"endpoint": endpoint})
	data := &providerData{client: client, clock: p.clock, poll: p.poll, policies: newPolicyCache()}
	resp.ResourceData = data
	resp.DataSourceData = data
}

func (p *pimProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewEligibleAssignmentResource,
		NewActiveAssignmentResource,
		NewRoleSettingResource,
	}
}

func (p *pimProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewRoleDefinitionDataSource,
		NewEligibleAssignmentsDataSource,
		NewActiveAssignmentsDataSource,
		NewActivationsDataSource,
		NewAuditEventsDataSource,
	}
}

// configuredData returns the provider data handed to a resource or data
// source: nil before the provider is configured (validation runs first), and
// an error diagnostic on a wrong type, which would be a bug.
func configuredData(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data Type",
			fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", raw))
	}
	return data
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
