package alerts

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient/rolealerts"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var (
	_ resource.ResourceWithConfigure      = (*settingResource)(nil)
	_ resource.ResourceWithValidateConfig = (*settingResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*settingResource)(nil)
	_ resource.ResourceWithImportState    = (*settingResource)(nil)
)

// NewAlertSettingResource is pim_alert_setting.
func NewAlertSettingResource() resource.Resource { return &settingResource{} }

type settingResource struct{ data *shared.ProviderData }

type settingModel struct {
	ID               types.String `tfsdk:"id"`
	AlertType        types.String `tfsdk:"alert_type"`
	Enabled          types.Bool   `tfsdk:"enabled"`
	GACount          types.Int64  `tfsdk:"global_admin_count_threshold"`
	GAPercent        types.Int64  `tfsdk:"global_admin_percentage_threshold"`
	ActivationCount  types.Int64  `tfsdk:"activation_count_threshold"`
	ActivationWindow types.String `tfsdk:"activation_window"`
	DurationInDays   types.Int64  `tfsdk:"duration_in_days"`
}

func i64(n int64) types.Int64   { return types.Int64Value(n) }
func str(s string) types.String { return types.StringValue(s) }

func (r *settingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_alert_setting"
}

func (r *settingResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.Int64{int64planmodifier.UseStateForUnknown()}
	threshold := func(desc string, lo, hi int64) schema.Int64Attribute {
		return schema.Int64Attribute{Optional: true, Computed: true, MarkdownDescription: desc, PlanModifiers: keep,
			Validators: []validator.Int64{int64validator.Between(lo, hi)}}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The configuration of one PIM security alert for Microsoft Entra roles (Graph beta " +
			"`roleManagementAlerts/alertConfigurations`): on or off, and its thresholds as typed attributes. A threshold left out " +
			"keeps the tenant's value; one that the alert type does not take is an error. Destroy restores the alert's default " +
			"configuration (enabled, and the defaults listed per attribute). Needs `RoleManagementAlert.ReadWrite.Directory`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Graph's id: `DirectoryRole_{tenant id}_{alert_type}`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"alert_type": schema.StringAttribute{Required: true, MarkdownDescription: "The alert: one of `" + strings.Join(kindNames(), "`, `") + "`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.OneOf(kindNames()...)}},
			"enabled": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Whether PIM scans for this alert (default `true`)."},
			attrGACount: threshold("`TooManyGlobalAdminsAssignedToTenantAlert` only: how many Global Administrators (eligible ones "+
				"count) raise the alert, from 2 to 100 (default 3). The alert needs this and the percentage both.", 2, 100),
			attrGAPercent: threshold("`TooManyGlobalAdminsAssignedToTenantAlert` only: the share of all directory role assignments "+
				"that are Global Administrator at which the alert is raised, from 0 to 100 % (default 10).", 0, 100),
			attrActCount: threshold("`SequentialActivationRenewalsAlert` only: how many activations of the same role within "+
				"`activation_window` raise the alert, from 2 to 100 (default 10).", 2, 100),
			attrActWindow: schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: "`SequentialActivationRenewalsAlert` " +
				"only: the period the activations are counted in, an ISO 8601 duration from PT1M (default PT1H).",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
				Validators:    []validator.String{validators.ISO8601Duration(), validators.DurationBetween(time.Minute, 365*24*time.Hour)}},
			attrDurationIn: threshold("`RedundantAssignmentAlert`: days without an activation, 0 to 100; `StaleSignInAlert`: days "+
				"without a sign-in, 1 to 365 (default 30 for both).", 0, 365),
		},
	}
}

func (r *settingResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

// thresholdValues are the model's thresholds by attribute name.
func (m *settingModel) thresholdValues() map[string]interface{ IsNull() bool } {
	return map[string]interface{ IsNull() bool }{attrGACount: m.GACount, attrGAPercent: m.GAPercent, attrActCount: m.ActivationCount,
		attrActWindow: m.ActivationWindow, attrDurationIn: m.DurationInDays}
}

// ValidateConfig refuses a threshold the alert type does not take, and a
// number of days out of the type's range, naming the attribute.
func (r *settingResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m settingModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	k := kindNamed(m.AlertType.ValueString())
	if resp.Diagnostics.HasError() || k == nil {
		return
	}
	for attr, v := range m.thresholdValues() {
		if _, takes := k.thresholds[attr]; !takes && !v.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root(attr), "Threshold Not Taken By This Alert",
				fmt.Sprintf("%s does not apply to %s (%s). %s", attr, k.name, k.display, takesText(k)))
		}
	}
	if b, takes := k.thresholds[attrDurationIn]; takes && !m.DurationInDays.IsNull() && !m.DurationInDays.IsUnknown() {
		if d := m.DurationInDays.ValueInt64(); d < b.lo || d > b.hi {
			resp.Diagnostics.AddAttributeError(path.Root(attrDurationIn), "Threshold Out Of Range",
				fmt.Sprintf("%s of %s must be from %d to %d days; got %d.", attrDurationIn, k.name, b.lo, b.hi, d))
		}
	}
}

func takesText(k *alertKind) string {
	if len(k.thresholds) == 0 {
		return "It has no thresholds: only enabled."
	}
	var names []string
	for _, attr := range []string{attrGACount, attrGAPercent, attrActCount, attrActWindow, attrDurationIn} {
		if _, ok := k.thresholds[attr]; ok {
			names = append(names, attr)
		}
	}
	return "It takes " + strings.Join(names, " and ") + "."
}

// ModifyPlan shows the tenant's current thresholds for those left out of
// the configuration, and null for those the type does not take.
func (r *settingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || req.Plan.Raw.IsNull() {
		return
	}
	var plan settingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	k := kindNamed(plan.AlertType.ValueString())
	if resp.Diagnostics.HasError() || k == nil {
		return
	}
	current, err := r.data.Alerts.Configuration(ctx, r.data.Client, k.name)
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Read PIM Alert Configuration", "Reading the configuration of "+k.name, err,
			"Reading alerts needs RoleManagementAlert.Read.Directory (changing them, RoleManagementAlert.ReadWrite.Directory).")
		return
	}
	var now settingModel
	if current != nil {
		fromConfig(k, current, &now)
	}
	fill := func(dst *types.Int64, cur types.Int64, attr string) {
		if _, takes := k.thresholds[attr]; !takes {
			*dst = types.Int64Null()
		} else if dst.IsUnknown() {
			*dst = cur
		}
	}
	fill(&plan.GACount, now.GACount, attrGACount)
	fill(&plan.GAPercent, now.GAPercent, attrGAPercent)
	fill(&plan.ActivationCount, now.ActivationCount, attrActCount)
	fill(&plan.DurationInDays, now.DurationInDays, attrDurationIn)
	if _, takes := k.thresholds[attrActWindow]; !takes {
		plan.ActivationWindow = types.StringNull()
	} else if plan.ActivationWindow.IsUnknown() {
		plan.ActivationWindow = now.ActivationWindow
	}
	if plan.ID.IsUnknown() && current != nil {
		plan.ID = types.StringValue(current.ID)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *settingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan settingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !resp.Diagnostics.HasError() && r.write(ctx, &plan, &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
}

func (r *settingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan settingModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !resp.Diagnostics.HasError() && r.write(ctx, &plan, &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	}
}

// Delete restores the alert's default configuration.
func (r *settingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state settingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	k := kindNamed(state.AlertType.ValueString())
	if resp.Diagnostics.HasError() || k == nil {
		return
	}
	def := k.defaults
	def.ID, def.AlertType, def.Enabled = state.ID, state.AlertType, types.BoolValue(true)
	r.write(ctx, &def, &resp.Diagnostics)
}

// write PATCHes the configuration and reads it back into m.
func (r *settingResource) write(ctx context.Context, m *settingModel, diags *diag.Diagnostics) bool {
	k := kindNamed(m.AlertType.ValueString())
	cfg := toConfig(k, m)
	if err := rolealerts.Of(r.data.Client).UpdateAlertConfiguration(ctx, cfg); err != nil {
		shared.AddGraphError(diags, "Unable to Update PIM Alert Setting", "Updating the configuration of "+k.name+" ("+k.display+")", err,
			"Changing PIM alerts needs RoleManagementAlert.ReadWrite.Directory, or the Privileged Role Administrator role.")
		return false
	}
	r.data.Alerts.Forget()
	return r.read(ctx, k, m, diags)
}

func (r *settingResource) read(ctx context.Context, k *alertKind, m *settingModel, diags *diag.Diagnostics) bool {
	list, err := rolealerts.Of(r.data.Client).ListAlertConfigurations(ctx)
	if err != nil {
		shared.AddGraphError(diags, "Unable to Read PIM Alert Setting", "Reading the configuration of "+k.name, err, "")
		return false
	}
	cfg := configOf(list, k.name)
	if cfg == nil {
		diags.AddError("PIM Alert Not Found", fmt.Sprintf("Graph lists no configuration of %s for the tenant's directory roles.", k.name))
		return false
	}
	prior := m.ActivationWindow
	fromConfig(k, cfg, m)
	if sameDuration(prior, m.ActivationWindow) {
		m.ActivationWindow = prior // the configured spelling of the same period
	}
	return true
}

func (r *settingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state settingModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	k := kindNamed(state.AlertType.ValueString())
	if resp.Diagnostics.HasError() || k == nil {
		return
	}
	if r.read(ctx, k, &state, &resp.Diagnostics) {
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	}
}

// ImportState takes an alert type name, or Graph's configuration id.
func (r *settingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	name := rolealerts.AlertType(strings.TrimSpace(req.ID))
	if kindNamed(name) == nil {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("Expected an alert type (one of %s) or its configuration id; got %q.",
			strings.Join(kindNames(), ", "), req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("alert_type"), name)...)
}

// toConfig is the PATCH body: the derived type, enabled, and the type's
// thresholds.
func toConfig(k *alertKind, m *settingModel) rolealerts.AlertConfiguration {
	cfg := rolealerts.AlertConfiguration{ODataType: "#microsoft.graph." + k.configType, ID: m.ID.ValueString(), IsEnabled: m.Enabled.ValueBool()}
	num := func(v types.Int64, attr string) *int {
		if _, takes := k.thresholds[attr]; !takes || v.IsNull() || v.IsUnknown() {
			return nil
		}
		n := int(v.ValueInt64())
		return &n
	}
	cfg.GlobalAdminCountThreshold = num(m.GACount, attrGACount)
	cfg.PercentageOfGlobalAdminsOutOfRolesThreshold = num(m.GAPercent, attrGAPercent)
	cfg.SequentialActivationCounterThreshold = num(m.ActivationCount, attrActCount)
	if n := num(m.DurationInDays, attrDurationIn); n != nil {
		d := "P" + strconv.Itoa(*n) + "D"
		cfg.Duration = &d
	}
	if _, takes := k.thresholds[attrActWindow]; takes && !m.ActivationWindow.IsNull() && !m.ActivationWindow.IsUnknown() {
		w := m.ActivationWindow.ValueString()
		cfg.TimeIntervalBetweenActivations = &w
	}
	return cfg
}

// fromConfig sets m from Graph's configuration: the type's thresholds,
// null for the others.
func fromConfig(k *alertKind, cfg *rolealerts.AlertConfiguration, m *settingModel) {
	m.ID, m.Enabled = types.StringValue(cfg.ID), types.BoolValue(cfg.IsEnabled)
	m.AlertType = types.StringValue(k.name)
	num := func(p *int) types.Int64 {
		if p == nil {
			return types.Int64Null()
		}
		return types.Int64Value(int64(*p))
	}
	m.GACount, m.GAPercent, m.ActivationCount = num(cfg.GlobalAdminCountThreshold), num(cfg.PercentageOfGlobalAdminsOutOfRolesThreshold),
		num(cfg.SequentialActivationCounterThreshold)
	m.ActivationWindow, m.DurationInDays = types.StringNull(), types.Int64Null()
	if cfg.TimeIntervalBetweenActivations != nil {
		m.ActivationWindow = types.StringValue(*cfg.TimeIntervalBetweenActivations)
	}
	if cfg.Duration != nil {
		if d, err := isoduration.Parse(*cfg.Duration); err == nil {
			m.DurationInDays = types.Int64Value(int64(d.Days + 7*d.Weeks))
		}
	}
}

// sameDuration reports whether two ISO 8601 durations are equally long
// (PT60M and PT1H), so that the configured spelling is kept.
func sameDuration(a, b types.String) bool {
	x, errX := isoduration.Parse(a.ValueString())
	y, errY := isoduration.Parse(b.ValueString())
	base := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	return errX == nil && errY == nil && x.AddTo(base).Equal(y.AddTo(base))
}
