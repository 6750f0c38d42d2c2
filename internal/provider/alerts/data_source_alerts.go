package alerts

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient/rolealerts"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

var _ datasource.DataSourceWithConfigure = (*alertsDataSource)(nil)

// NewAlertsDataSource is pim_alerts.
func NewAlertsDataSource() datasource.DataSource { return &alertsDataSource{} }

type alertsDataSource struct{ data *shared.ProviderData }

type alertsModel struct {
	Refresh     types.Bool   `tfsdk:"refresh"`
	ActiveOnly  types.Bool   `tfsdk:"active_only"`
	MinSeverity types.String `tfsdk:"min_severity"`
	Alerts      []alertEntry `tfsdk:"alerts"`
}

type alertEntry struct {
	ID            string          `tfsdk:"id"`
	AlertType     string          `tfsdk:"alert_type"`
	DisplayName   string          `tfsdk:"display_name"`
	Severity      string          `tfsdk:"severity"`
	Description   string          `tfsdk:"description"`
	Mitigation    string          `tfsdk:"mitigation"`
	Enabled       bool            `tfsdk:"enabled"`
	IsActive      bool            `tfsdk:"is_active"`
	IncidentCount int64           `tfsdk:"incident_count"`
	LastScanned   types.String    `tfsdk:"last_scanned"`
	Incidents     []incidentEntry `tfsdk:"incidents"`
}

type incidentEntry struct {
	ID                string       `tfsdk:"id"`
	PrincipalID       types.String `tfsdk:"principal_id"`
	PrincipalName     types.String `tfsdk:"principal_display_name"`
	PrincipalUPN      types.String `tfsdk:"principal_user_principal_name"`
	RoleDefinitionID  types.String `tfsdk:"role_definition_id"`
	RoleName          types.String `tfsdk:"role_display_name"`
	AssignmentCreated types.String `tfsdk:"assignment_created"`
	LastActivation    types.String `tfsdk:"last_activation"`
	LastSignIn        types.String `tfsdk:"last_sign_in"`
	ActivationCount   types.Int64  `tfsdk:"activation_count"`
	License           types.String `tfsdk:"license"`
}

// severities orders severity levels, for min_severity.
var severities = map[string]int{"unknown": 0, "informational": 1, "low": 2, "medium": 3, "high": 4}

func (d *alertsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_alerts"
}

func (d *alertsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	s := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "PIM's security alerts for Microsoft Entra roles, with their incidents and the principals and roles in " +
			"them by name (one Graph beta call), for `check` blocks that fail CI on an alert. Needs `RoleManagementAlert.Read.Directory` " +
			"(with `refresh`, `RoleManagementAlert.ReadWrite.Directory`).",
		Attributes: map[string]schema.Attribute{
			"refresh": schema.BoolAttribute{Optional: true, MarkdownDescription: "Rescan the tenant first (a long-running operation " +
				"the read waits for), instead of reading PIM's last periodic scan."},
			"active_only": schema.BoolAttribute{Optional: true, MarkdownDescription: "Only alerts with incidents that are not dismissed."},
			"min_severity": schema.StringAttribute{Optional: true, MarkdownDescription: "Only alerts of this severity or higher: `low`, `medium` or `high`.",
				Validators: []validator.String{stringvalidator.OneOf("low", "medium", "high")}},
			"alerts": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "The alerts, by alert type.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": s("Graph's alert id."), "alert_type": s("The alert type (as `pim_alert_setting` names it)."),
					"display_name": s("What the alert says."), "severity": s("`low`, `medium` or `high`."),
					"description": s("Why the alert matters."), "mitigation": s("What to do about it."),
					"enabled":        schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether PIM scans for it."},
					"is_active":      schema.BoolAttribute{Computed: true, MarkdownDescription: "Incidents found, and not dismissed."},
					"incident_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "How many incidents."},
					"last_scanned":   s("When PIM last scanned for it (RFC 3339)."),
					"incidents": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "What raised the alert.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"id": s("The incident's id."), "principal_id": s("Who."), "principal_display_name": s("Who, by name."),
							"principal_user_principal_name": s("Who, by sign-in name (users)."), "role_definition_id": s("Which role."),
							"role_display_name": s("Which role, by name."), "assignment_created": s("When the assignment was made."),
							"last_activation": s("When the role was last activated."), "last_sign_in": s("When the principal last signed in."),
							"activation_count": schema.Int64Attribute{Computed: true, MarkdownDescription: "Activations in the window."},
							"license":          s("The tenant's license (the license alert)."),
						}}},
				}}},
		},
	}
}

func (d *alertsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (d *alertsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m alertsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if m.Refresh.ValueBool() {
		if err := rolealerts.Of(d.data.Client).RefreshAlerts(ctx, "", d.data.Poll); err != nil {
			shared.AddGraphError(&resp.Diagnostics, "Unable to Refresh PIM Alerts", "Rescanning the tenant's PIM alerts", err,
				"A refresh needs RoleManagementAlert.ReadWrite.Directory; without refresh = true, the data source only reads.")
			return
		}
	}
	list, err := rolealerts.Of(d.data.Client).ListAlerts(ctx)
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Read PIM Alerts", "Listing the tenant's PIM alerts", err,
			"Reading alerts needs RoleManagementAlert.Read.Directory, or a role such as Security Reader or Global Reader.")
		return
	}
	m.Alerts = []alertEntry{}
	for i := range list {
		if e, keep := entryOf(&list[i], &m); keep {
			m.Alerts = append(m.Alerts, e)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func entryOf(a *rolealerts.Alert, m *alertsModel) (alertEntry, bool) {
	e := alertEntry{ID: a.ID, AlertType: a.Type(), IsActive: a.IsActive, IncidentCount: int64(a.IncidentCount),
		LastScanned: shared.TimeOrNull(a.LastScannedDateTime), Incidents: []incidentEntry{}}
	if def := a.Definition; def != nil {
		e.DisplayName, e.Severity, e.Description, e.Mitigation = def.DisplayName, strings.ToLower(def.SeverityLevel), def.Description, def.MitigationSteps
	}
	if a.Configuration != nil {
		e.Enabled = a.Configuration.IsEnabled
	}
	if m.ActiveOnly.ValueBool() && !a.IsActive || severities[e.Severity] < severities[m.MinSeverity.ValueString()] {
		return e, false
	}
	for i := range a.Incidents {
		in := &a.Incidents[i]
		count := types.Int64Null()
		if in.ActivationCount > 0 {
			count = types.Int64Value(int64(in.ActivationCount))
		}
		e.Incidents = append(e.Incidents, incidentEntry{ID: in.ID, PrincipalID: shared.StringOrNull(in.AssigneeID),
			PrincipalName: shared.StringOrNull(in.AssigneeDisplayName), PrincipalUPN: shared.StringOrNull(in.AssigneeUserPrincipalName),
			RoleDefinitionID: shared.StringOrNull(in.RoleDefinitionID), RoleName: shared.StringOrNull(in.RoleDisplayName),
			AssignmentCreated: shared.TimeOrNull(in.AssignmentCreatedDateTime), LastActivation: shared.TimeOrNull(in.LastActivationDateTime),
			LastSignIn: shared.TimeOrNull(in.LastSignInDateTime), ActivationCount: count, License: shared.StringOrNull(in.TenantLicenseStatus)})
	}
	return e, true
}
