package alerts

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient/rolealerts"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// Actions (Terraform 1.14 and later) on PIM alerts: rescan now, and
// dismiss an alert until the next scan.

var (
	_ action.ActionWithConfigure = (*refreshAction)(nil)
	_ action.ActionWithConfigure = (*dismissAction)(nil)
)

// NewAlertRefreshAction is pim_alert_refresh.
func NewAlertRefreshAction() action.Action { return &refreshAction{} }

// NewAlertDismissAction is pim_alert_dismiss.
func NewAlertDismissAction() action.Action { return &dismissAction{} }

type actionBase struct{ data *shared.ProviderData }

func (a *actionBase) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

type actionConfig struct {
	AlertType types.String `tfsdk:"alert_type"`
}

func alertTypeAttribute(required bool, desc string) schema.StringAttribute {
	return schema.StringAttribute{Required: required, Optional: !required, MarkdownDescription: desc + " One of `" +
		strings.Join(kindNames(), "`, `") + "`.", Validators: []validator.String{stringvalidator.OneOf(kindNames()...)}}
}

// alertID finds the Graph id of an alert type (its configuration's).
func (a *actionBase) alertID(ctx context.Context, name string, diags *diag.Diagnostics) string {
	cfg, err := a.data.Alerts.Configuration(ctx, a.data.Client, name)
	if err != nil || cfg == nil {
		shared.AddGraphError(diags, "Unable to Read PIM Alerts", "Looking up alert "+name, err,
			"Reading alerts needs RoleManagementAlert.Read.Directory.")
		return ""
	}
	return cfg.ID
}

type refreshAction struct{ actionBase }

func (a *refreshAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_alert_refresh"
}

func (a *refreshAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Rescans the tenant for PIM alerts now (a long-running operation the action waits for), one alert type " +
			"or all of them; a refresh also reactivates dismissed alerts. Needs `RoleManagementAlert.ReadWrite.Directory`.",
		Attributes: map[string]schema.Attribute{"alert_type": alertTypeAttribute(false, "The alert to rescan; all when omitted.")},
	}
}

func (a *refreshAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg actionConfig
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id, what := "", "every PIM alert"
	if name := cfg.AlertType.ValueString(); name != "" {
		if id, what = a.alertID(ctx, name, &resp.Diagnostics), name; id == "" {
			return
		}
	}
	shared.Progress(resp, "Rescanning %s", what)
	if err := rolealerts.Of(a.data.Client).RefreshAlerts(ctx, id, a.data.Poll); err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Refresh PIM Alerts", "Rescanning "+what, err,
			"A refresh needs RoleManagementAlert.ReadWrite.Directory, or the Privileged Role Administrator role.")
		return
	}
	a.report(ctx, resp)
}

// report says which alerts are active after the scan.
func (a *refreshAction) report(ctx context.Context, resp *action.InvokeResponse) {
	list, err := rolealerts.Of(a.data.Client).ListAlerts(ctx)
	if err != nil {
		return
	}
	for i := range list {
		if al := &list[i]; al.IsActive {
			name := al.Type()
			if al.Definition != nil {
				name = al.Definition.DisplayName
			}
			shared.Progress(resp, "Active: %s (%d incidents)", name, al.IncidentCount)
		}
	}
}

type dismissAction struct{ actionBase }

func (a *dismissAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_alert_dismiss"
}

func (a *dismissAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Dismisses a PIM alert: PIM stops scanning it until the next refresh; its incidents stay readable. " +
			"Needs `RoleManagementAlert.ReadWrite.Directory`.",
		Attributes: map[string]schema.Attribute{"alert_type": alertTypeAttribute(true, "The alert to dismiss.")},
	}
}

func (a *dismissAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg actionConfig
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := a.alertID(ctx, cfg.AlertType.ValueString(), &resp.Diagnostics)
	if id == "" {
		return
	}
	if err := rolealerts.Of(a.data.Client).DismissAlert(ctx, id); err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Dismiss PIM Alert", "Dismissing "+cfg.AlertType.ValueString(), err,
			"Dismissing needs RoleManagementAlert.ReadWrite.Directory, or the Privileged Role Administrator role.")
		return
	}
	shared.Progress(resp, "Dismissed %s until the next refresh", rolealerts.AlertType(id))
}
