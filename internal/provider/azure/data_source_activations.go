package azure

import (
	"context"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var _ datasource.DataSourceWithConfigure = (*activationsDataSource)(nil)

// NewActivationsDataSource is pim_azure_activations.
func NewActivationsDataSource() datasource.DataSource { return &activationsDataSource{} }

type activationsDataSource struct {
	data *shared.ProviderData
}

type activationsModel struct {
	Scope            types.String      `tfsdk:"scope"`
	RoleDefinitionID types.String      `tfsdk:"role_definition_id"`
	PrincipalID      types.String      `tfsdk:"principal_id"`
	Activations      []activationEntry `tfsdk:"activations"`
}

type activationEntry struct {
	PrincipalID      string       `tfsdk:"principal_id"`
	RoleDefinitionID string       `tfsdk:"role_definition_id"`
	RoleName         types.String `tfsdk:"role_name"`
	Scope            string       `tfsdk:"scope"`
	StartDateTime    types.String `tfsdk:"start_date_time"`
	EndDateTime      types.String `tfsdk:"end_date_time"`
	Justification    types.String `tfsdk:"justification"`
	shared.PrincipalNames
}

func (d *activationsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_azure_activations"
}

func (d *activationsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Just-in-time activations of Azure roles in effect now at a scope (and those made above it that reach " +
			"it): who holds which role because they activated an eligibility, until when, and why — for `check` blocks and runbooks.\n\n" +
			"Azure permissions: Reader at the scope (`Microsoft.Authorization/roleAssignmentSchedules/read`).",
		Attributes: map[string]schema.Attribute{
			"scope": schema.StringAttribute{Required: true, MarkdownDescription: "The ARM scope.",
				Validators: []validator.String{stringvalidator.RegexMatches(validators.AzureScopeRE, "must be an ARM scope")}},
			"role_definition_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Only activations of this role (its full ARM id).",
				Validators: []validator.String{stringvalidator.RegexMatches(validators.AzureRoleRE, "must be a role definition's full ARM id")}},
			"principal_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Only activations by this principal.",
				Validators: []validator.String{validators.GUID()}},
			"activations": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "Activations in effect, soonest end first.",
				NestedObject: schema.NestedAttributeObject{Attributes: entryAttributes()}},
		},
	}
}

func entryAttributes() map[string]schema.Attribute {
	attrs := shared.EntryNameAttributes(map[string]schema.Attribute{
		"principal_id":       schema.StringAttribute{Computed: true, MarkdownDescription: "Who activated."},
		"role_definition_id": schema.StringAttribute{Computed: true, MarkdownDescription: "Which role (full ARM id)."},
		"role_name":          schema.StringAttribute{Computed: true, MarkdownDescription: "The role's name, such as `Contributor`."},
		"scope":              schema.StringAttribute{Computed: true, MarkdownDescription: "Where the activation applies."},
		"start_date_time":    schema.StringAttribute{Computed: true, MarkdownDescription: "Start (RFC 3339)."},
		"end_date_time":      schema.StringAttribute{Computed: true, MarkdownDescription: "End (RFC 3339)."},
		"justification":      schema.StringAttribute{Computed: true, MarkdownDescription: "The requester's justification, while ARM keeps the request."},
	})
	delete(attrs, "role_display_name") // role_name: Azure roles are named by ARM, not Graph
	return attrs
}

func (d *activationsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (d *activationsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg activationsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	svc := d.data.Client.AzureSchedules(pimclient.Assignment)
	scope := cfg.Scope.ValueString()
	all, err := svc.ListSchedules(ctx, svc.ScopeFilter(scope))
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to List Azure Activations", "Listing the assignment schedules at "+scope, err, "")
		return
	}
	requests, err := svc.ListRequests(ctx, svc.ScopeFilter(scope))
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to List Azure Activation Requests", "Listing the requests at "+scope, err, "")
		return
	}
	why := map[string]string{}
	for _, r := range requests {
		why[strings.ToLower(r.ID)] = r.Justification
	}
	now := d.data.Clock.Now()
	cfg.Activations = []activationEntry{}
	var ids []string
	for _, sc := range all {
		if !strings.EqualFold(sc.AssignmentType, "Activated") || !sc.Started(now) || !matches(cfg.RoleDefinitionID, sc.RoleDefinitionID) ||
			!matches(cfg.PrincipalID, sc.PrincipalID) {
			continue
		}
		e := activationEntry{PrincipalID: sc.PrincipalID, RoleDefinitionID: sc.RoleDefinitionID, Scope: sc.DirectoryScopeID,
			RoleName: shared.StringOrNull(d.data.Names.AzureRoleName(ctx, sc.RoleDefinitionID)), EndDateTime: shared.TimeOrNull(sc.EndDateTime()),
			StartDateTime: shared.TimeOrNull(sc.ScheduleInfo.StartDateTime), Justification: shared.StringOrNull(why[strings.ToLower(sc.CreatedUsing)])}
		cfg.Activations = append(cfg.Activations, e)
		ids = append(ids, sc.PrincipalID)
	}
	nameOf := d.data.Names.EntryNames(ctx, ids, &resp.Diagnostics)
	for i := range cfg.Activations {
		cfg.Activations[i].PrincipalNames, _ = nameOf(cfg.Activations[i].PrincipalID, "")
	}
	sort.SliceStable(cfg.Activations, func(i, j int) bool {
		return cfg.Activations[i].EndDateTime.ValueString() < cfg.Activations[j].EndDateTime.ValueString()
	})
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

func matches(want types.String, got string) bool {
	return want.ValueString() == "" || strings.EqualFold(want.ValueString(), got)
}
