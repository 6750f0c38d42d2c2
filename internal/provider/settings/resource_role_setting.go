package settings

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

var (
	_ resource.ResourceWithConfigure      = (*roleSettingResource)(nil)
	_ resource.ResourceWithImportState    = (*roleSettingResource)(nil)
	_ resource.ResourceWithValidateConfig = (*roleSettingResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*roleSettingResource)(nil)
)

// NewRoleSettingResource is pim_role_setting.
func NewRoleSettingResource() resource.Resource {
	return &roleSettingResource{subject: directoryRole{}}
}

type roleSettingResource struct {
	// subject is what the policy governs: a directory role, or a group's
	// membership or ownership (pim_group_setting; RoleDefinitionID holds
	// the access id).
	subject subject
	data    *shared.ProviderData
}

type roleSettingModel struct {
	ID               types.String `tfsdk:"id"`
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	// Container is what holds the policy besides the role: the group of a
	// pim_group_setting, the ARM scope of a pim_azure_role_setting.
	Container     types.String `tfsdk:"-"`
	KeepOnDestroy types.Bool   `tfsdk:"keep_on_destroy"`
	PolicyRules
}

// PolicyRules are a setting's rules, whatever the policy governs.
type PolicyRules struct {
	Activation         *activationModel      `tfsdk:"activation"`
	EligibleAssignment *eligibleSettingModel `tfsdk:"eligible_assignment"`
	ActiveAssignment   *activeSettingModel   `tfsdk:"active_assignment"`
	Notifications      *notificationsModel   `tfsdk:"notifications"`
}

type activationModel struct {
	MaximumDuration                 string        `tfsdk:"maximum_duration"`
	RequireMFA                      bool          `tfsdk:"require_mfa"`
	RequireJustification            bool          `tfsdk:"require_justification"`
	RequireTicketInfo               bool          `tfsdk:"require_ticket_info"`
	AuthenticationContextClaimValue types.String  `tfsdk:"authentication_context_claim_value"`
	Approval                        approvalModel `tfsdk:"approval"`
}

type approvalModel struct {
	Required                      bool         `tfsdk:"required"`
	RequiredForExtension          bool         `tfsdk:"required_for_extension"`
	RequireRequestorJustification bool         `tfsdk:"require_requestor_justification"`
	Stages                        []stageModel `tfsdk:"stages"`
}

type stageModel struct {
	TimeoutInDays                int64           `tfsdk:"timeout_in_days"`
	RequireApproverJustification bool            `tfsdk:"require_approver_justification"`
	EscalationEnabled            bool            `tfsdk:"escalation_enabled"`
	EscalationTimeInMinutes      int64           `tfsdk:"escalation_time_in_minutes"`
	PrimaryApprovers             []approverModel `tfsdk:"primary_approvers"`
	EscalationApprovers          []approverModel `tfsdk:"escalation_approvers"`
}

type approverModel struct {
	Type string `tfsdk:"type"`
	ID   string `tfsdk:"id"`
}

type eligibleSettingModel struct {
	AllowPermanent       bool   `tfsdk:"allow_permanent"`
	RequireMFA           bool   `tfsdk:"require_mfa"`
	MaximumDuration      string `tfsdk:"maximum_duration"`
	RequireJustification bool   `tfsdk:"require_justification"`
	RequireTicketInfo    bool   `tfsdk:"require_ticket_info"`
}

type activeSettingModel struct {
	AllowPermanent       bool   `tfsdk:"allow_permanent"`
	MaximumDuration      string `tfsdk:"maximum_duration"`
	RequireMFA           bool   `tfsdk:"require_mfa"`
	RequireJustification bool   `tfsdk:"require_justification"`
	RequireTicketInfo    bool   `tfsdk:"require_ticket_info"`
}

type notificationsModel struct {
	EligibleAssignment notificationGroupModel `tfsdk:"eligible_assignment"`
	ActiveAssignment   notificationGroupModel `tfsdk:"active_assignment"`
	Activation         notificationGroupModel `tfsdk:"activation"`
}

type notificationGroupModel struct {
	Admin     notificationModel `tfsdk:"admin"`
	Requestor notificationModel `tfsdk:"requestor"`
	Approver  notificationModel `tfsdk:"approver"`
}

type notificationModel struct {
	DefaultRecipients    bool     `tfsdk:"default_recipients"`
	AdditionalRecipients []string `tfsdk:"additional_recipients"`
	CriticalOnly         bool     `tfsdk:"critical_only"`
}

// defaultRoleSetting is the documented Entra default of a directory role
// (https://learn.microsoft.com/graph/identity-governance-pim-rules-overview); the schema's defaults and destroy both use it.
func defaultRoleSetting() roleSettingModel {
	n := notificationModel{DefaultRecipients: true, AdditionalRecipients: []string{}}
	group := notificationGroupModel{Admin: n, Requestor: n, Approver: n}
	return roleSettingModel{PolicyRules: PolicyRules{
		Activation: &activationModel{
			MaximumDuration: "PT8H", RequireMFA: true, RequireJustification: true,
			AuthenticationContextClaimValue: types.StringNull(),
			Approval: approvalModel{RequireRequestorJustification: true, Stages: []stageModel{{
				TimeoutInDays: 1, RequireApproverJustification: true, PrimaryApprovers: []approverModel{}, EscalationApprovers: []approverModel{},
			}}},
		},
		EligibleAssignment: &eligibleSettingModel{AllowPermanent: true, MaximumDuration: "P365D"},
		ActiveAssignment:   &activeSettingModel{AllowPermanent: true, MaximumDuration: "P180D", RequireJustification: true},
		Notifications:      &notificationsModel{EligibleAssignment: group, ActiveAssignment: group, Activation: group},
	}}
}

func (r *roleSettingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.subject.typeSuffix()
}

func (r *roleSettingResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.subject.schema(ctx)
}

func (r *roleSettingResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig rejects combinations Entra refuses, at plan time.
func (r *roleSettingResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	r.subject.validate(ctx, req.Config, &resp.Diagnostics)
	var mfa types.Bool
	var claim types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("activation").AtName("require_mfa"), &mfa)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("activation").AtName("authentication_context_claim_value"), &claim)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// require_mfa defaults to true, so an unset value with a claim is the conflict too.
	if !claim.IsNull() && !claim.IsUnknown() && !mfa.IsUnknown() && (mfa.IsNull() || mfa.ValueBool()) {
		resp.Diagnostics.AddAttributeError(path.Root("activation").AtName("authentication_context_claim_value"), "Conflicting Activation Requirements",
			"Entra requires either multi-factor authentication or a Conditional Access authentication context on activation, not both. "+
				"Set activation.require_mfa = false when using authentication_context_claim_value (the authentication context can demand MFA itself).")
	}
	var stages types.List
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("activation").AtName("approval").AtName("stages"), &stages)...)
	if stages.IsNull() || stages.IsUnknown() {
		return
	}
	for i := range stages.Elements() {
		p := path.Root("activation").AtName("approval").AtName("stages").AtListIndex(i)
		var enabled types.Bool
		var minutes types.Int64
		var esc types.Set
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, p.AtName("escalation_enabled"), &enabled)...)
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, p.AtName("escalation_time_in_minutes"), &minutes)...)
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, p.AtName("escalation_approvers"), &esc)...)
		if !enabled.ValueBool() {
			continue
		}
		if !esc.IsUnknown() && len(esc.Elements()) == 0 {
			resp.Diagnostics.AddAttributeError(p.AtName("escalation_approvers"), "Escalation Without Approvers",
				"escalation_enabled is true, so this stage needs at least one escalation approver.")
		}
		if !minutes.IsUnknown() && minutes.ValueInt64() <= 0 {
			resp.Diagnostics.AddAttributeError(p.AtName("escalation_time_in_minutes"), "Escalation Without Delay",
				"escalation_enabled is true, so escalation_time_in_minutes must be positive.")
		}
	}
}

// ModifyPlan publishes the planned setting so that assignments in the same
// plan are checked against it rather than against the current policy.
func (r *roleSettingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil {
		return
	}
	if req.Plan.Raw.IsNull() {
		r.warnDestroy(ctx, req, &resp.Diagnostics)
		return
	}
	// The id is unknown on create; the settings themselves must be known
	// (they are, unless set from values known only at apply).
	var plan roleSettingModel
	if diags := r.subject.get(ctx, req.Plan, &plan); diags.HasError() || plan.RoleDefinitionID.IsUnknown() || plan.Container.IsUnknown() {
		return
	}
	r.data.Policies.Plan(r.subject.ref(&plan), policyLimitsFromModel(&plan))
	if !req.Plan.Raw.Equal(req.State.Raw) {
		r.warnResets(ctx, req, &plan, &resp.Diagnostics)
		r.subject.foreseeAlerts(ctx, r.data, &plan, &resp.Diagnostics)
	}
}

func (r *roleSettingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan roleSettingModel
	resp.Diagnostics.Append(r.subject.get(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.subject.set(ctx, &resp.State, &plan)...)
	shared.SetIdentity(ctx, resp.Identity, r.subject.identityOf(&plan), &resp.Diagnostics)
}

func (r *roleSettingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state roleSettingModel
	resp.Diagnostics.Append(r.subject.get(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	pol, err := r.subject.ref(&state).Fetch(ctx, r.data.Client)
	if errors.Is(err, pimclient.ErrNoPolicy) {
		resp.Diagnostics.AddError("No PIM Policy",
			fmt.Sprintf("Graph returned no PIM policy for %s. Check the id (for a role, see the pim_role_definition data source; a group "+
				"must be a security or Microsoft 365 group that is neither dynamic nor synchronised).", r.subject.describe(ctx, r.data.Names, &state)))
		return
	}
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Read PIM Setting", "Reading the PIM policy of "+r.subject.describe(ctx, r.data.Names, &state), err, "")
		return
	}
	read, err := roleSettingFromRules(pol)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected Role Setting", err.Error()+" Please report this issue to the provider developers.")
		return
	}
	read.RoleDefinitionID, read.Container = state.RoleDefinitionID, state.Container
	if !state.KeepOnDestroy.IsNull() {
		read.KeepOnDestroy = state.KeepOnDestroy // a Terraform choice, not Graph's
	}
	keepPriorSpelling(&state, read)
	r.subject.afterRead(&state, read)
	resp.Diagnostics.Append(r.subject.set(ctx, &resp.State, read)...)
	shared.SetIdentity(ctx, resp.Identity, r.subject.identityOf(read), &resp.Diagnostics)
}

func (r *roleSettingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan roleSettingModel
	resp.Diagnostics.Append(r.subject.get(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.apply(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(r.subject.set(ctx, &resp.State, &plan)...)
	shared.SetIdentity(ctx, resp.Identity, r.subject.identityOf(&plan), &resp.Diagnostics)
}

// Delete restores the documented defaults: a role's policy cannot be removed.
func (r *roleSettingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state roleSettingModel
	resp.Diagnostics.Append(r.subject.get(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.KeepOnDestroy.ValueBool() {
		tflog.Info(ctx, "Kept the PIM setting as it is (keep_on_destroy)", map[string]any{"policy": r.subject.describe(ctx, r.data.Names, &state)})
		return
	}
	def := r.subject.defaults()
	def.RoleDefinitionID, def.Container = state.RoleDefinitionID, state.Container
	r.apply(ctx, &def, &resp.Diagnostics)
	if !resp.Diagnostics.HasError() {
		tflog.Info(ctx, "Restored the documented default PIM setting", map[string]any{"policy": r.subject.describe(ctx, r.data.Names, &state)})
	}
}

func (r *roleSettingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	r.subject.importState(ctx, req, resp)
}

// apply PATCHes the rules of want that differ from the policy as Graph
// holds it now (so a create, an import's first apply or a destroy changes
// only what differs, and the audit log shows only real changes), then reads
// the policy back and checks Graph kept every value. On a failed PATCH it
// restores the rules it had already changed, so a failed apply leaves the
// policy as it was.
func (r *roleSettingResource) apply(ctx context.Context, want *roleSettingModel, diags *diag.Diagnostics) {
	ctx, cancel := context.WithTimeout(ctx, applyTimeout)
	defer cancel()
	what := r.subject.describe(ctx, r.data.Names, want)
	current, err := r.subject.ref(want).Fetch(ctx, r.data.Client)
	if err != nil {
		shared.AddGraphError(diags, "Unable to Read PIM Setting", "Reading the PIM policy of "+what, err, "")
		return
	}
	wantRules := roleSettingToRules(want)
	var done []pimclient.PolicyRule // previous values of rules already patched
	for _, id := range pimclient.RuleIDs() {
		rule := wantRules[id]
		if r.same(current.Rules[id], rule) {
			continue
		}
		if err := r.subject.patch(ctx, r.data.Client, current.PolicyID, rule); err != nil {
			rolledBack := r.rollback(ctx, current, done)
			next := rolledBack + " Fix the setting and apply again."
			if apiErr, ok := pimclient.AsAPIError(err); ok && apiErr.StatusCode == 403 {
				next = rolledBack + " Changing PIM policy rules needs RoleManagementPolicy.ReadWrite.Directory: as an application " +
					"permission (admin-consented) for app-only sign-in, or delegated for a signed-in Privileged Role Administrator."
			}
			shared.AddGraphError(diags, "Unable to Update Role Setting",
				fmt.Sprintf("Updating rule %s of the PIM policy of %s", id, what), err, next)
			return
		}
		tflog.Debug(ctx, "Updated PIM policy rule", map[string]any{"rule": id, "policy": what})
		done = append(done, current.Rules[id])
	}
	after, err := r.subject.ref(want).Fetch(ctx, r.data.Client)
	if err != nil {
		shared.AddGraphError(diags, "Unable to Confirm PIM Setting", "Reading back the PIM policy of "+what, err, "")
		return
	}
	var ignored []string
	for _, id := range pimclient.RuleIDs() {
		if !r.same(after.Rules[id], wantRules[id]) {
			ignored = append(ignored, id)
		}
	}
	if len(ignored) > 0 {
		diags.AddError("Role Setting Not Fully Applied",
			fmt.Sprintf("Graph accepted the changes but did not keep these rules of the PIM policy of %s as requested: %s. Nothing reports an error "+
				"for this; run terraform plan to see the difference, and check the values against what the Entra portal allows.", what, strings.Join(ignored, ", ")))
		return
	}
	want.ID = types.StringValue(after.PolicyID)
	r.data.Policies.Forget(r.subject.ref(want))
}

// same reports whether two rules are the same as the subject's service keeps them.
func (r *roleSettingResource) same(a, b pimclient.PolicyRule) bool {
	return sameRule(r.subject.comparable(a), r.subject.comparable(b))
}

func (r *roleSettingResource) rollback(ctx context.Context, current *pimclient.RolePolicy, done []pimclient.PolicyRule) string {
	if len(done) == 0 {
		return "No rule had been changed."
	}
	// The apply's context may have ended (its timeout, an interrupt): the
	// rollback has a context and a deadline of its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
	defer cancel()
	var failed []string
	for i := len(done) - 1; i >= 0; i-- {
		if err := r.subject.patch(ctx, r.data.Client, current.PolicyID, normalizeRule(done[i])); err != nil {
			failed = append(failed, done[i].ID)
		}
	}
	if len(failed) > 0 {
		return fmt.Sprintf("The rules changed before the failure could not all be restored (%s still changed): run terraform plan to see the policy as it is.", strings.Join(failed, ", "))
	}
	return fmt.Sprintf("The %d rule(s) changed before the failure were restored, so the policy is as it was.", len(done))
}

// applyTimeout bounds one apply of a setting (17 reads and writes at most,
// with their retries); rollbackTimeout bounds restoring what a failed apply
// had changed.
const (
	applyTimeout    = 10 * time.Minute
	rollbackTimeout = 2 * time.Minute
)

// keepPriorSpelling keeps the configured spelling of values Graph compares
// case-insensitively (email addresses, object ids) when only the case
// differs, so `SecOps@Contoso.example` does not diff against Graph's
// `secops@contoso.example` on every plan.
func keepPriorSpelling(prior, read *roleSettingModel) {
	if prior.Notifications != nil {
		p, r := prior.Notifications.all(), read.Notifications.all()
		for i := range p {
			if slices.Equal(sortedLower(p[i].AdditionalRecipients), sortedLower(r[i].AdditionalRecipients)) {
				r[i].AdditionalRecipients = p[i].AdditionalRecipients
			}
		}
	}
	if prior.Activation == nil || len(prior.Activation.Approval.Stages) != len(read.Activation.Approval.Stages) {
		return
	}
	for i, ps := range prior.Activation.Approval.Stages {
		rs := &read.Activation.Approval.Stages[i]
		if sameSubjects(ps.PrimaryApprovers, rs.PrimaryApprovers) {
			rs.PrimaryApprovers = ps.PrimaryApprovers
		}
		if sameSubjects(ps.EscalationApprovers, rs.EscalationApprovers) {
			rs.EscalationApprovers = ps.EscalationApprovers
		}
	}
}

func sameSubjects(a, b []approverModel) bool {
	return slices.Equal(subjectsFromModel(a), subjectsFromModel(b))
}

// all returns the nine notification settings in rule order.
func (n *notificationsModel) all() []*notificationModel {
	var out []*notificationModel
	for _, g := range []*notificationGroupModel{&n.EligibleAssignment, &n.ActiveAssignment, &n.Activation} {
		out = append(out, &g.Admin, &g.Requestor, &g.Approver)
	}
	return out
}

func (m *roleSettingModel) identity() roleSettingIdentity {
	return roleSettingIdentity{RoleDefinitionID: m.RoleDefinitionID, Scope: types.StringValue("/")}
}
