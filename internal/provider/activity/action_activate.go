package activity

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var (
	_ action.ActionWithConfigure = (*activateAction)(nil)
	_ action.ActionWithConfigure = (*deactivateAction)(nil)
)

// NewActivateAction is pim_activate.
func NewActivateAction() action.Action { return &activateAction{actionBase{name: "activate"}} }

// NewDeactivateAction is pim_deactivate.
func NewDeactivateAction() action.Action { return &deactivateAction{actionBase{name: "deactivate"}} }

type activateAction struct{ actionBase }

type activateConfig struct {
	roleTarget
	Duration      types.String `tfsdk:"duration"`
	Justification types.String `tfsdk:"justification"`
	TicketNumber  types.String `tfsdk:"ticket_number"`
	TicketSystem  types.String `tfsdk:"ticket_system"`
}

func (a *activateAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	attrs := roleTargetAttributes("activate")
	attrs["duration"] = schema.StringAttribute{Required: true, MarkdownDescription: "How long the activation lasts (ISO 8601, e.g. `PT1H`), " +
		"at most the role setting's `activation.maximum_duration`.", Validators: []validator.String{validators.ISO8601Duration()}}
	attrs["justification"] = schema.StringAttribute{Optional: true, MarkdownDescription: "Why; required by default role settings."}
	attrs["ticket_number"] = schema.StringAttribute{Optional: true, MarkdownDescription: "Ticket, when the role setting requires one."}
	attrs["ticket_system"] = schema.StringAttribute{Optional: true, MarkdownDescription: "System of `ticket_number`.",
		Validators: []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("ticket_number"))}}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Activates an eligible directory role — or, with `scope`, an Azure role — for the signed-in user " +
			"(`selfActivate`), for runbooks such as break-glass access. Fails with Graph's code and a next step; an activation that needs approval fails naming the " +
			"request to approve (see `pim_approval`).",
		Attributes: attrs,
	}
}

func (a *activateAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg activateConfig
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !cfg.resolve(ctx, a.data, &resp.Diagnostics) {
		return
	}
	what := cfg.describe(ctx, a.data)
	shared.Progress(resp, "Activating %s for %s", what, cfg.Duration.ValueString())
	body := cfg.request(pimclient.ActionSelfActivate)
	body.Justification = cfg.Justification.ValueString()
	body.ScheduleInfo = &pimclient.ScheduleInfo{Expiration: &pimclient.Expiration{Type: pimclient.ExpirationAfterDuration, Duration: cfg.Duration.ValueString()}}
	if !cfg.TicketNumber.IsNull() {
		body.TicketInfo = &pimclient.TicketInfo{TicketNumber: cfg.TicketNumber.ValueString(), TicketSystem: cfg.TicketSystem.ValueString()}
	}
	got, err := cfg.svc(a.data).CreateRequest(ctx, body)
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Activate Role", "Activating "+what, err, activationNextStep(err))
		return
	}
	if strings.EqualFold(got.Status, pimclient.StatusPendingApproval) {
		resp.Diagnostics.AddError("Activation Requires Approval",
			fmt.Sprintf("Activating %s: request %s is PendingApproval. It takes effect when every approval stage is approved: an approver "+
				"approves it in the portal or with the pim_approval action (request_id = %q).", what, got.ID, got.ID))
		return
	}
	s := pimclient.Schedule{ScheduleInfo: got.ScheduleInfo}
	shared.Progress(resp, "Activated (request %s, status %s) until %s", got.ID, got.Status, formatTime(s.EndDateTime()))
}

func activationNextStep(err error) string {
	switch {
	case pimclient.HasCode(err, pimclient.CodeRoleAssignmentExists):
		return "The role is already active for this user at this scope: nothing to do, or deactivate it first with pim_deactivate."
	case pimclient.HasCode(err, pimclient.CodeRoleAssignmentDoesNotExist):
		return "The user is not eligible for this role at this scope (or the eligibility has not started). Check pim_eligible_assignment."
	case pimclient.HasCode(err, pimclient.CodePolicyValidationFailed):
		return "The role setting refused the request: stay within activation.maximum_duration, and give justification, a ticket or MFA " +
			"when the setting requires them (a token without MFA cannot activate a role that requires it)."
	}
	return ""
}

type deactivateAction struct{ actionBase }

func (a *deactivateAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Ends the signed-in user's activation of a directory role (or, with `scope`, an Azure role) before its end (`selfDeactivate`).",
		Attributes:          roleTargetAttributes("deactivate"),
	}
}

func (a *deactivateAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg roleTarget
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !cfg.resolve(ctx, a.data, &resp.Diagnostics) {
		return
	}
	what := cfg.describe(ctx, a.data)
	shared.Progress(resp, "Deactivating %s", what)
	got, err := cfg.svc(a.data).CreateRequest(ctx, cfg.request(pimclient.ActionSelfDeactivate))
	if err != nil {
		next := ""
		switch {
		case pimclient.HasCode(err, pimclient.CodeRoleAssignmentDoesNotExist):
			next = "There is no activation of this role for this user at this scope: nothing to deactivate."
		case pimclient.HasCode(err, pimclient.CodeActiveDurationTooShort):
			next = "Graph refuses to end an activation in its first five minutes. Run the action again a few minutes later."
		}
		shared.AddGraphError(&resp.Diagnostics, "Unable to Deactivate Role", "Deactivating "+what, err, next)
		return
	}
	shared.Progress(resp, "Deactivated (request %s, status %s)", got.ID, got.Status)
}
