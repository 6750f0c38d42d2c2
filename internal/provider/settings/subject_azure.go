package settings

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

// azureRole is the policy of an Azure role at an ARM scope
// (pim_azure_role_setting, PIM for Azure resources). The 17 rules are the
// directory roles'; ARM differs in how they are written: PATCHed in ARM's
// spelling, and a maximum duration only where an expiration is required.
type azureRole struct{}

// NewAzureRoleSettingResource is pim_azure_role_setting.
func NewAzureRoleSettingResource() resource.Resource {
	return &roleSettingResource{subject: azureRole{}}
}

type azureSettingModel struct {
	ID               types.String `tfsdk:"id"`
	Scope            types.String `tfsdk:"scope"`
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	KeepOnDestroy    types.Bool   `tfsdk:"keep_on_destroy"`
	PolicyRules
}

type azureSettingIdentity struct {
	Scope            types.String `tfsdk:"scope"`
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
}

func (azureRole) typeSuffix() string                       { return "_azure_role_setting" }
func (azureRole) schema(ctx context.Context) schema.Schema { return azureSettingSchema(ctx) }

// defaults are an Azure role's default at a scope: as a directory role's,
// except that eligible and active assignments must end and activation does
// not ask for MFA. guess: Learn documents the settings, not their
// defaults; these are what a new subscription shows.
func (azureRole) defaults() roleSettingModel {
	def := defaultRoleSetting()
	def.EligibleAssignment.AllowPermanent = false
	def.ActiveAssignment.AllowPermanent = false
	def.Activation.RequireMFA = false
	return def
}

func (azureRole) ref(m *roleSettingModel) shared.PolicyRef {
	return shared.AzurePolicy(m.Container.ValueString(), m.RoleDefinitionID.ValueString())
}

func (azureRole) describe(ctx context.Context, n *shared.DirectoryNames, m *roleSettingModel) string {
	role := m.RoleDefinitionID.ValueString()
	if name := n.AzureRoleName(ctx, role); name != "" {
		role = fmt.Sprintf("%q (%s)", name, role)
	}
	return "Azure role " + role + " at " + m.Container.ValueString()
}

func (azureRole) get(ctx context.Context, from shared.Getter, m *roleSettingModel) diag.Diagnostics {
	var a azureSettingModel
	diags := from.Get(ctx, &a)
	*m = roleSettingModel{ID: a.ID, RoleDefinitionID: a.RoleDefinitionID, Container: a.Scope, KeepOnDestroy: a.KeepOnDestroy, PolicyRules: a.PolicyRules}
	return diags
}

func (azureRole) set(ctx context.Context, to shared.Setter, m *roleSettingModel) diag.Diagnostics {
	return to.Set(ctx, &azureSettingModel{ID: m.ID, Scope: m.Container, RoleDefinitionID: m.RoleDefinitionID, KeepOnDestroy: m.KeepOnDestroy,
		PolicyRules: m.PolicyRules})
}

func (azureRole) identitySchema() identityschema.Schema {
	return identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"scope":              identityschema.StringAttribute{RequiredForImport: true, Description: "ARM scope of the policy."},
		"role_definition_id": identityschema.StringAttribute{RequiredForImport: true, Description: "Full ARM id of the role definition."},
	}}
}

func (azureRole) identityOf(m *roleSettingModel) any {
	return azureSettingIdentity{Scope: m.Container, RoleDefinitionID: m.RoleDefinitionID}
}

// importState takes "scope|role_definition_id", or an identity.
func (azureRole) importState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	scope, role, _ := strings.Cut(req.ID, "|")
	if req.ID == "" && req.Identity != nil && !req.Identity.Raw.IsNull() {
		var id azureSettingIdentity
		resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
		scope, role = id.Scope.ValueString(), id.RoleDefinitionID.ValueString()
	}
	if !validators.ValidAzureScope(scope) || !validators.ValidAzureRoleID(role) {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("Import an Azure role setting by \"<scope>|<role definition's full ARM id>\"; got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("scope"), scope)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("role_definition_id"), role)...)
}

// foreseeAlerts: Graph's PIM alerts cover directory roles only.
func (azureRole) foreseeAlerts(context.Context, *shared.ProviderData, *roleSettingModel, *diag.Diagnostics) {
}

func (azureRole) patch(ctx context.Context, c *pimclient.Client, policyID string, rule pimclient.PolicyRule) error {
	return c.UpdateAzurePolicyRules(ctx, policyID, []pimclient.PolicyRule{rule})
}

// comparable: ARM keeps no maximum duration that applies to an expiration
// that is not required (it refuses to be sent one).
func (azureRole) comparable(r pimclient.PolicyRule) pimclient.PolicyRule {
	if r.ODataType == pimclient.RuleTypeExpiration && !r.IsExpirationRequired {
		r.MaximumDuration = ""
	}
	return r
}

// afterRead keeps the prior maximum durations where permanent assignments
// are allowed: ARM's value there applies to nothing.
func (azureRole) afterRead(prior, read *roleSettingModel) {
	if prior.EligibleAssignment != nil && read.EligibleAssignment.AllowPermanent {
		read.EligibleAssignment.MaximumDuration = prior.EligibleAssignment.MaximumDuration
	}
	if prior.ActiveAssignment != nil && read.ActiveAssignment.AllowPermanent {
		read.ActiveAssignment.MaximumDuration = prior.ActiveAssignment.MaximumDuration
	}
}

// validate refuses at plan what ARM refuses at apply: a maximum duration
// together with permanent assignments allowed (EasyPIM#272).
func (azureRole) validate(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	for _, block := range []string{"eligible_assignment", "active_assignment"} {
		var permanent types.Bool
		var maximum types.String
		diags.Append(config.GetAttribute(ctx, path.Root(block).AtName("allow_permanent"), &permanent)...)
		diags.Append(config.GetAttribute(ctx, path.Root(block).AtName("maximum_duration"), &maximum)...)
		if permanent.ValueBool() && !maximum.IsNull() && !maximum.IsUnknown() {
			diags.AddAttributeError(path.Root(block).AtName("maximum_duration"), "Maximum Duration With Permanent Assignments",
				fmt.Sprintf("%s.allow_permanent is true, and Azure Resource Manager refuses a maximum duration for an expiration that is not "+
					"required (Microsoft Entra's Graph accepts the pair; ARM answers 400). Remove maximum_duration, or set allow_permanent = false.", block))
		}
	}
}

func azureSettingSchema(ctx context.Context) schema.Schema {
	attrs := settingAttributes(ctx, azureRole{}.defaults())
	attrs["keep_on_destroy"] = keepOnDestroyAttribute()
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	attrs["id"] = schema.StringAttribute{Computed: true, MarkdownDescription: "ARM id of the role's policy at the scope.",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
	attrs["scope"] = schema.StringAttribute{Required: true, PlanModifiers: replace,
		Validators:          []validator.String{stringvalidator.RegexMatches(validators.AzureScopeRE, "must be an ARM scope")},
		MarkdownDescription: "ARM scope of the policy: a management group, subscription, resource group or resource. Changing it replaces the resource."}
	attrs["role_definition_id"] = schema.StringAttribute{Required: true, PlanModifiers: replace,
		Validators:          []validator.String{stringvalidator.RegexMatches(validators.AzureRoleRE, "must be a role definition's full ARM id")},
		MarkdownDescription: "Full ARM id of the Azure role (see data `pim_azure_role_definition`). Changing it replaces the resource."}
	return schema.Schema{
		MarkdownDescription: "The PIM policy of one Azure role at one scope (PIM for Azure resources): activation limits and requirements, " +
			"multi-stage approval, assignment expiration and requirements, and notifications — the 17 rules of a directory role's setting, " +
			"written as Azure Resource Manager wants them (`ruleType`, approvers' `userType`, one PATCH per changed rule, never a PUT).\n\n" +
			"Every setting has the default a new subscription shows (eligible and active assignments must end): an omitted setting *is* the " +
			"default and the plan shows it. A maximum duration together with `allow_permanent = true` is refused at plan, as ARM refuses it. " +
			"**Destroying this resource restores the defaults.**\n\n" +
			"Azure permissions: Owner or User Access Administrator at the scope (`Microsoft.Authorization/roleManagementPolicies/write`).",
		Attributes: attrs,
	}
}
