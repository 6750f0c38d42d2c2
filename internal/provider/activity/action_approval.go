package activity

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var _ action.ActionWithConfigure = (*approvalAction)(nil)

// NewApprovalAction is pim_approval.
func NewApprovalAction() action.Action { return &approvalAction{actionBase{name: "approval"}} }

type approvalAction struct{ actionBase }

type approvalConfig struct {
	RequestID        types.String `tfsdk:"request_id"`
	PrincipalID      types.String `tfsdk:"principal_id"`
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	GroupID          types.String `tfsdk:"group_id"`
	AccessID         types.String `tfsdk:"access_id"`
	Scope            types.String `tfsdk:"scope"`
	Decision         types.String `tfsdk:"decision"`
	Justification    types.String `tfsdk:"justification"`
}

func (a *approvalAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Approves or denies, as the signed-in approver, the current stage of an activation waiting for approval: " +
			"by request id, or the pending activation of a principal for a role. Uses Graph's beta `roleAssignmentApprovals` " +
			"(directory-role approvals are not in v1.0). With `group_id`, a PIM for Groups activation instead, through v1.0 " +
			"`assignmentApprovals`; with `scope`, an Azure role activation, through ARM's `roleAssignmentApprovals`.",
		Attributes: map[string]schema.Attribute{
			"request_id": schema.StringAttribute{Optional: true, MarkdownDescription: "The activation request (as `pim_activate` reports it).",
				Validators: []validator.String{stringvalidator.ExactlyOneOf(path.MatchRoot("request_id"), path.MatchRoot("principal_id"))}},
			"principal_id": schema.StringAttribute{Optional: true, MarkdownDescription: "The requester, with `role_definition_id` (or `group_id`): " +
				"their pending activation of that role (or group membership or ownership).",
				Validators: []validator.String{validators.GUID(), stringvalidator.AtLeastOneOf(path.MatchRoot("role_definition_id"), path.MatchRoot("group_id"))}},
			"role_definition_id": schema.StringAttribute{Optional: true, MarkdownDescription: "The role of the pending activation (with `scope`, an Azure role's full ARM id).",
				Validators: []validator.String{roleIDValidator, stringvalidator.ConflictsWith(path.MatchRoot("group_id"))}},
			"scope": schema.StringAttribute{Optional: true, MarkdownDescription: "The ARM scope of a pending Azure role activation (PIM for Azure resources), " +
				"through ARM's `roleAssignmentApprovals`.",
				Validators: []validator.String{stringvalidator.RegexMatches(validators.AzureScopeRE, "must be an ARM scope"), stringvalidator.ConflictsWith(path.MatchRoot("group_id"))}},
			"group_id": schema.StringAttribute{Optional: true, MarkdownDescription: "The group of a pending PIM for Groups activation " +
				"(with `request_id`, or with `principal_id` and `access_id`).",
				Validators: []validator.String{validators.GUID()}},
			"access_id": schema.StringAttribute{Optional: true, MarkdownDescription: "`member` (default) or `owner`: the access of a pending PIM for Groups activation.",
				Validators: []validator.String{stringvalidator.OneOf(shared.AccessMember, shared.AccessOwner), stringvalidator.AlsoRequires(path.MatchRoot("group_id"))}},
			"decision": schema.StringAttribute{Required: true, MarkdownDescription: "`approve` or `deny`.",
				Validators: []validator.String{stringvalidator.OneOf("approve", "deny")}},
			"justification": schema.StringAttribute{Required: true, MarkdownDescription: "The approver's reason, recorded in the audit log.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
		},
	}
}

func (a *approvalAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg approvalConfig
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	request := a.pendingRequest(ctx, &cfg, &resp.Diagnostics)
	if request == nil {
		return
	}
	svc := a.svc(&cfg)
	approval, err := svc.GetApproval(ctx, shared.FirstNonEmpty(request.ApprovalID, request.ID))
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Read Approval", "Reading the approval of request "+request.ID, err, "")
		return
	}
	step := currentStep(approval)
	switch {
	case step == nil:
		resp.Diagnostics.AddError("Nothing To Approve", fmt.Sprintf("Request %s has no approval stage in progress (status %s).", request.ID, request.Status))
		return
	case !step.AssignedToMe:
		resp.Diagnostics.AddError("Not An Approver Of This Stage",
			fmt.Sprintf("The signed-in user is not an approver of the current stage of request %s (requesters cannot approve their own "+
				"activation). An approver of the role setting's current stage must run this action.", request.ID))
		return
	}
	result := pimclient.ReviewApprove
	if cfg.Decision.ValueString() == "deny" {
		result = pimclient.ReviewDeny
	}
	who := a.target(ctx, svc, request)
	if request.PrincipalID != "" {
		who = a.data.Names.DescribePrincipal(ctx, request.PrincipalID) + " for " + who
	}
	shared.Progress(resp, "%s stage %s of request %s (%s)", result, step.ID, request.ID, who)
	if err := svc.ReviewApprovalStep(ctx, approval.ID, step.ID, result, cfg.Justification.ValueString()); err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Record Decision", "Recording "+result+" on request "+request.ID, err, "")
		return
	}
	shared.Progress(resp, "Request %s: %s", request.ID, a.outcome(ctx, svc, approval.ID))
}

// svc is where the activation is: a directory role's, or with group_id a
// group's membership or ownership.
func (a *approvalAction) svc(cfg *approvalConfig) *pimclient.ScheduleService {
	if cfg.Scope.ValueString() != "" {
		return a.data.Client.AzureSchedules(pimclient.Assignment)
	}
	if cfg.GroupID.ValueString() != "" {
		return a.data.Client.GroupSchedules(pimclient.Assignment)
	}
	return a.data.Client.Schedules(pimclient.Assignment)
}

// target names what the activation grants: a role, or a group's access.
func (a *approvalAction) target(ctx context.Context, svc *pimclient.ScheduleService, r *pimclient.ScheduleRequest) string {
	if svc.Surface().IsGroups() { // the access id and the group stand in the role's and scope's place
		return r.RoleDefinitionID + " of " + a.data.Names.DescribePrincipal(ctx, r.DirectoryScopeID)
	}
	if svc.Surface() == pimclient.AzureRoles {
		return "Azure role " + shared.FirstNonEmpty(a.data.Names.AzureRoleName(ctx, r.RoleDefinitionID), r.RoleDefinitionID) + " at " + r.DirectoryScopeID
	}
	return a.data.Names.DescribeRole(ctx, r.RoleDefinitionID)
}

// outcome reads the approval again, as an approver can, and says where the
// request stands.
func (a *approvalAction) outcome(ctx context.Context, svc *pimclient.ScheduleService, approvalID string) string {
	after, err := svc.GetApproval(ctx, approvalID)
	if err != nil {
		return "decision recorded"
	}
	if currentStep(after) != nil {
		return "decision recorded; the next approval stage is waiting"
	}
	for _, st := range after.Steps {
		if strings.EqualFold(st.ReviewResult, "Deny") || strings.EqualFold(st.ReviewResult, "Denied") {
			return "denied"
		}
	}
	return "approved: the activation takes effect"
}

// pendingRequest finds the request to decide on: by id, or the principal's
// pending activation of the role.
func (a *approvalAction) pendingRequest(ctx context.Context, cfg *approvalConfig, diags *diag.Diagnostics) *pimclient.ScheduleRequest {
	svc := a.svc(cfg)
	if id := cfg.RequestID.ValueString(); id != "" && cfg.GroupID.ValueString() != "" {
		// An approver may not read a group's requests; the approval (whose
		// id is the request's) is all the decision needs.
		return &pimclient.ScheduleRequest{ID: id, DirectoryScopeID: cfg.GroupID.ValueString(),
			RoleDefinitionID: shared.FirstNonEmpty(cfg.AccessID.ValueString(), shared.AccessMember)}
	}
	if id := cfg.RequestID.ValueString(); id != "" && cfg.Scope.ValueString() != "" {
		// An approver may not read the scope's requests; the approval (whose
		// name is the request's) is all the decision needs.
		return &pimclient.ScheduleRequest{ID: id, DirectoryScopeID: cfg.Scope.ValueString(), RoleDefinitionID: cfg.RoleDefinitionID.ValueString()}
	}
	if id := cfg.RequestID.ValueString(); id != "" {
		r, err := svc.GetRequest(ctx, id)
		if err != nil {
			shared.AddGraphError(diags, "Unable to Read Request", "Reading activation request "+id, err, "")
		}
		return r
	}
	if cfg.GroupID.ValueString() != "" {
		return a.pendingGroupRequest(ctx, svc, cfg, diags)
	}
	all, err := svc.ListRequestsToApprove(ctx, cfg.Scope.ValueString())
	if err != nil {
		shared.AddGraphError(diags, "Unable to List Requests", "Listing the activation requests the signed-in user approves", err, "")
		return nil
	}
	for i := range all {
		r := &all[i]
		if strings.EqualFold(r.Status, pimclient.StatusPendingApproval) && strings.EqualFold(r.PrincipalID, cfg.PrincipalID.ValueString()) &&
			strings.EqualFold(r.RoleDefinitionID, cfg.RoleDefinitionID.ValueString()) {
			return r
		}
	}
	diags.AddError("No Pending Activation", fmt.Sprintf("%s has no activation of %s waiting for the signed-in user's approval.",
		a.data.Names.DescribePrincipal(ctx, cfg.PrincipalID.ValueString()), a.data.Names.DescribeRole(ctx, cfg.RoleDefinitionID.ValueString())))
	return nil
}

// pendingGroupRequest finds the principal's activation of the group's
// access that waits for approval (Graph lists PIM for Groups requests by
// group and principal).
func (a *approvalAction) pendingGroupRequest(ctx context.Context, svc *pimclient.ScheduleService, cfg *approvalConfig, diags *diag.Diagnostics) *pimclient.ScheduleRequest {
	access := shared.FirstNonEmpty(cfg.AccessID.ValueString(), shared.AccessMember)
	all, err := svc.ListRequests(ctx, svc.KeyFilter(pimclient.AssignmentKey{PrincipalID: cfg.PrincipalID.ValueString(), DirectoryScopeID: cfg.GroupID.ValueString()}))
	if err != nil {
		shared.AddGraphError(diags, "Unable to List Requests", "Listing the group's activation requests", err, "")
		return nil
	}
	for i := range all {
		if r := &all[i]; strings.EqualFold(r.Status, pimclient.StatusPendingApproval) && strings.EqualFold(r.RoleDefinitionID, access) {
			return r
		}
	}
	diags.AddError("No Pending Activation", fmt.Sprintf("%s has no %s activation of %s waiting for approval.",
		a.data.Names.DescribePrincipal(ctx, cfg.PrincipalID.ValueString()), access, a.data.Names.DescribePrincipal(ctx, cfg.GroupID.ValueString())))
	return nil
}

func currentStep(a *pimclient.Approval) *pimclient.ApprovalStep {
	for i := range a.Steps {
		if strings.EqualFold(a.Steps[i].Status, "InProgress") {
			return &a.Steps[i]
		}
	}
	return nil
}
