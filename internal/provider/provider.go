// Package provider is the Terraform layer: the provider, its resources and
// data sources. It never speaks HTTP; it calls typed pimclient methods and
// converts with the …FromAPI/…ToAPI helpers at the bottom of each file.
package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pim-as-code/terraform-provider-pim/internal/entraauth"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/activity"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/alerts"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/assignments"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/azure"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/directory"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/groups"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/inventory"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/reviews"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/settings"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/signin"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

// Environment variables read when the provider block leaves an attribute unset.
const (
	EnvEndpoint    = "PIM_ENDPOINT"
	EnvAccessToken = signin.EnvAccessToken
	// EnvProtectedPrincipalIDs lists protected principals, comma-separated.
	EnvProtectedPrincipalIDs = "PIM_PROTECTED_PRINCIPAL_IDS"
)

var (
	_ provider.Provider                  = (*pimProvider)(nil)
	_ provider.ProviderWithListResources = (*pimProvider)(nil)
	_ provider.ProviderWithActions       = (*pimProvider)(nil)
)

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
func WithClock(c shared.Clock) Option { return func(p *pimProvider) { p.clock = c } }

// WithPollInterval sets how often the provider polls Graph while waiting.
func WithPollInterval(d time.Duration) Option { return func(p *pimProvider) { p.poll = d } }

// New returns a provider factory.
func New(version string, opts ...Option) func() provider.Provider {
	return func() provider.Provider {
		p := &pimProvider{version: version, clock: shared.RealClock{}, poll: 2 * time.Second}
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
	clock      shared.Clock
	poll       time.Duration
}

type pimProviderModel struct {
	Endpoint types.String `tfsdk:"endpoint"`
	signin.Settings

	MaxConcurrentRequests types.Int64  `tfsdk:"max_concurrent_requests"`
	ProtectedPrincipalIDs types.Set    `tfsdk:"protected_principal_ids"`
	PlanPrincipalLookups  types.Bool   `tfsdk:"plan_principal_lookups"`
	AccessReviewDecisions types.String `tfsdk:"access_review_decisions"`
}

func (p *pimProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "pim"
	resp.Version = p.version
}

func (p *pimProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	attrs := signin.Attributes()
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manage Microsoft Entra Privileged Identity Management (PIM) for directory roles through Microsoft Graph v1.0: " +
			"eligible and active assignments, role settings (the 17 policy rules), and data sources for assignments, activations, " +
			"the audit log and principals by name. Plans name who gets which role. Point `endpoint` at the bundled emulator " +
			"(`terraform-provider-pim emulator`) to plan and apply without a tenant.",
		Attributes: withAttributes(attrs, map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Microsoft Graph base URL including the version segment. Defaults to the `" + EnvEndpoint +
					"` environment variable, else the Graph endpoint of `environment` (`" + pimclient.DefaultBaseURL + "` in the public cloud). Set it to the emulator's URL " +
					"(for example `http://127.0.0.1:8080/v1.0`) to work offline.",
			},
			"max_concurrent_requests": schema.Int64Attribute{Optional: true,
				MarkdownDescription: fmt.Sprintf("At most this many Graph calls in flight at once, whatever Terraform's `-parallelism` (default %d). "+
					"Graph throttles per app and tenant: a lower value means fewer `429` answers in large applies. A throttled call is "+
					"retried after Graph's `Retry-After` for as long as the operation's timeout allows.", pimclient.DefaultMaxConcurrency),
				Validators: []validator.Int64{int64validator.Between(1, 64)}},
			"plan_principal_lookups": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Whether a plan looks up the principal (and group) of each new assignment: it fails the plan on one that does " +
					"not exist and shows the names in the plan. Default `true`. Terraform plans again at apply, so each new assignment costs up " +
					"to two batched `getByIds` calls; for applies of thousands under throttling, `false` skips them: the names then appear at " +
					"the next refresh, and Graph refuses an unknown principal at apply time."},
			"access_review_decisions": schema.StringAttribute{Optional: true,
				MarkdownDescription: "What a plan does when it would grant again an eligibility or assignment that an access review " +
					"removed in the last 30 days (as the audit log shows): `warn` (default) names the review and the reviewer; `enforce` " +
					"fails the plan unless that resource sets `allow_undoing_review = true`. Needs `AuditLog.Read.All`.",
				Validators: []validator.String{stringvalidator.OneOf("warn", "enforce")}},
			"protected_principal_ids": schema.SetAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Principals whose privileged access this configuration must never take away by accident, typically " +
					"break-glass accounts. A plan that would remove, replace, shorten or make time-bound an eligible or active assignment of " +
					"one fails, unless that resource sets `allow_protected_principal_change = true`. Defaults to the comma-separated `" +
					EnvProtectedPrincipalIDs + "` environment variable.",
				Validators: []validator.Set{setvalidator.SizeAtMost(1000), setvalidator.ValueStringsAre(validators.GUID())}},
		}),
	}
}

func withAttributes(into, from map[string]schema.Attribute) map[string]schema.Attribute {
	for k, v := range from {
		into[k] = v
	}
	return into
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
	if shared.ElementUnknown(cfg.ProtectedPrincipalIDs) {
		resp.Diagnostics.AddAttributeError(path.Root("protected_principal_ids"), "Unknown Protected Principals",
			"protected_principal_ids depends on a value that is not known until apply, so this plan could not tell whose access it "+
				"protects: it fails instead of planning without protection. Set it from literals, variables or values known at plan "+
				"time, or from the "+EnvProtectedPrincipalIDs+" environment variable.")
	}
	for name, v := range cfg.Values() {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown Credential Setting",
				name+" depends on a value that is not known until apply. Set it from a variable or its environment variable.")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	cloud, err := signin.CloudOf(shared.FirstNonEmpty(cfg.Environment.ValueString(), os.Getenv("ARM_ENVIRONMENT")))
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("environment"), "Unknown Cloud Environment", err.Error())
		return
	}
	endpoint := shared.FirstNonEmpty(cfg.Endpoint.ValueString(), os.Getenv(EnvEndpoint), p.endpoint, cloud.GraphURL())
	defaults := signin.Defaults{Token: p.token, HTTPClient: p.httpClient}
	tokens, method, err := cfg.Graph(endpoint, cloud, defaults)
	armEndpoint := cfg.ARMBaseURL(endpoint, cloud)
	var armTokens pimclient.TokenSource
	if err == nil {
		armTokens, err = cfg.ARM(endpoint, armEndpoint, cloud, defaults)
	}
	if errors.Is(err, entraauth.ErrNoMethod) {
		resp.Diagnostics.AddAttributeError(path.Root("access_token"), "Missing Graph Credentials",
			"The provider needs credentials for Microsoft Graph; see the sign-in guide for the order they are tried in. In short: "+
				"tenant_id and client_id with client_certificate(_path) or client_secret (ARM_TENANT_ID, ARM_CLIENT_ID, ARM_CLIENT_CERTIFICATE_PATH, "+
				"ARM_CLIENT_SECRET); use_oidc for workload identity federation (GitHub Actions, Azure Pipelines, HCP Terraform, Kubernetes); "+
				"use_msi for a managed identity; use_cli for the Azure CLI's user; or a bearer token in access_token ("+EnvAccessToken+"). "+
				"For the local emulator, use the token it prints when it starts.")
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Invalid Graph Credentials", err.Error())
		return
	}
	tflog.Info(ctx, "Signing in to Microsoft Graph", map[string]any{"sign_in": method, "environment": cloud.Name(), "endpoint": endpoint})
	if method != signin.MethodBearer {
		// Sign in now: a wrong secret or federation setup fails the plan with
		// Entra's AADSTS code instead of a later call. azidentity caches the token.
		if _, err := tokens.Token(ctx); err != nil {
			resp.Diagnostics.AddError("Unable to Sign In to Microsoft Entra",
				err.Error()+"\n\nCheck tenant_id, client_id and the secret or federated credential of the app registration.")
			return
		}
	}
	client, err := pimclient.New(pimclient.Options{
		BaseURL:        endpoint,
		TokenSource:    tokens,
		ARMBaseURL:     armEndpoint,
		ARMTokenSource: armTokens,
		HTTPClient:     p.httpClient,
		UserAgent:      "terraform-provider-pim/" + p.version,
		MaxConcurrency: int(cfg.MaxConcurrentRequests.ValueInt64()),
		Sleeper:        p.clock,
		Now:            p.clock.Now,
	})
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid Graph Endpoint", err.Error())
		return
	}
	tflog.Debug(ctx, "Configured Microsoft Graph client", map[string]any{"endpoint": endpoint, "sign_in": method})
	names := shared.NewDirectoryNames(client)
	data := &shared.ProviderData{Client: client, Clock: shared.ServerClock(p.clock, client), Poll: p.poll, Policies: shared.NewPolicyCache(settings.FetchLimits, settings.FetchRoleLimits), Schedules: shared.NewScheduleCache(client, names), Names: names, Alerts: shared.NewAlertWatch(), Reviews: shared.NewReviewRemovals(),
		EnforceReviews: cfg.AccessReviewDecisions.ValueString() == "enforce",
		SignIn:         method, AppOnly: cfg.AppOnly(method, defaults), Protected: protectedIDs(ctx, cfg.ProtectedPrincipalIDs, &resp.Diagnostics),
		PlanLookups: cfg.PlanPrincipalLookups.IsNull() || cfg.PlanPrincipalLookups.ValueBool()}
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ListResourceData = data
	resp.ActionData = data
}

func (p *pimProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		assignments.NewEligibleAssignmentResource,
		assignments.NewActiveAssignmentResource,
		settings.NewRoleSettingResource,
		groups.NewEligibleAssignmentResource,
		groups.NewActiveAssignmentResource,
		azure.NewEligibleAssignmentResource,
		azure.NewActiveAssignmentResource,
		settings.NewAzureRoleSettingResource,
		settings.NewGroupSettingResource,
		alerts.NewAlertSettingResource,
		reviews.NewAccessReviewResource,
	}
}

// Actions are invoked by action blocks (Terraform 1.14 and later).
func (p *pimProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{activity.NewActivateAction, activity.NewDeactivateAction, activity.NewApprovalAction,
		alerts.NewAlertRefreshAction, alerts.NewAlertDismissAction, reviews.NewReviewDecisionAction}
}

// ListResources are for terraform query (Terraform 1.14 and later).
func (p *pimProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{assignments.NewEligibleAssignmentList, assignments.NewActiveAssignmentList, settings.NewRoleSettingList,
		groups.NewEligibleAssignmentList, groups.NewActiveAssignmentList, reviews.NewAccessReviewList,
		azure.NewEligibleAssignmentList, azure.NewActiveAssignmentList}
}

func (p *pimProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		directory.NewRoleDefinitionDataSource,
		inventory.NewEligibleAssignmentsDataSource,
		inventory.NewActiveAssignmentsDataSource,
		activity.NewActivationsDataSource,
		activity.NewAuditEventsDataSource,
		settings.NewRoleSettingDataSource,
		directory.NewPrincipalDataSource,
		directory.NewPrincipalsDataSource,
		inventory.NewGroupEligibleAssignmentsDataSource,
		azure.NewRoleDefinitionDataSource,
		azure.NewActivationsDataSource,
		inventory.NewGroupActiveAssignmentsDataSource,
		inventory.NewGroupActivationsDataSource,
		alerts.NewAlertsDataSource,
		reviews.NewInstancesDataSource,
	}
}

// protectedIDs reads protected_principal_ids, or PIM_PROTECTED_PRINCIPAL_IDS.
func protectedIDs(ctx context.Context, set types.Set, diags *diag.Diagnostics) map[string]bool {
	var ids []string
	if !set.IsNull() && !set.IsUnknown() {
		diags.Append(set.ElementsAs(ctx, &ids, false)...)
	} else if env := os.Getenv(EnvProtectedPrincipalIDs); env != "" {
		for _, id := range strings.Split(env, ",") {
			if id = strings.TrimSpace(id); id != "" {
				if !validators.IsGUID(id) {
					diags.AddError("Invalid "+EnvProtectedPrincipalIDs, fmt.Sprintf("%q is not an object id (a GUID).", id))
				}
				ids = append(ids, id)
			}
		}
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[strings.ToLower(id)] = true
	}
	return out
}
