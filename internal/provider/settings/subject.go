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

// subject is what a PIM policy governs, and all that differs between
// pim_role_setting and pim_group_setting: the key, its names, the
// documented defaults and the import forms. The 17 rules are the same.
type subject interface {
	typeSuffix() string
	schema(ctx context.Context) schema.Schema
	defaults() roleSettingModel
	ref(m *roleSettingModel) shared.PolicyRef
	// describe names the policy's subject for messages.
	describe(ctx context.Context, n *shared.DirectoryNames, m *roleSettingModel) string
	// get and set convert between the Terraform shape and roleSettingModel.
	get(ctx context.Context, from shared.Getter, m *roleSettingModel) diag.Diagnostics
	set(ctx context.Context, to shared.Setter, m *roleSettingModel) diag.Diagnostics
	identitySchema() identityschema.Schema
	identityOf(m *roleSettingModel) any
	importState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse)
	// foreseeAlerts warns of the PIM alert a planned setting would raise.
	foreseeAlerts(ctx context.Context, data *shared.ProviderData, plan *roleSettingModel, diags *diag.Diagnostics)
	// patch writes one rule; comparable is a rule as the service keeps it;
	// afterRead adjusts a read to what the service reports; validate
	// refuses at plan what the service refuses.
	patch(ctx context.Context, c *pimclient.Client, policyID string, rule pimclient.PolicyRule) error
	comparable(r pimclient.PolicyRule) pimclient.PolicyRule
	afterRead(prior, read *roleSettingModel)
	validate(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics)
}

// graphPolicy is how Graph's policies (directory roles, PIM for Groups)
// are written: a PATCH per rule, kept as sent.
type graphPolicy struct{}

func (graphPolicy) patch(ctx context.Context, c *pimclient.Client, policyID string, rule pimclient.PolicyRule) error {
	return c.UpdatePolicyRule(ctx, policyID, rule)
}
func (graphPolicy) comparable(r pimclient.PolicyRule) pimclient.PolicyRule    { return r }
func (graphPolicy) afterRead(_, _ *roleSettingModel)                          {}
func (graphPolicy) validate(context.Context, tfsdk.Config, *diag.Diagnostics) {}

// directoryRole is a directory role's policy (pim_role_setting).
type directoryRole struct{ graphPolicy }

func (directoryRole) typeSuffix() string                       { return "_role_setting" }
func (directoryRole) schema(ctx context.Context) schema.Schema { return roleSettingSchema(ctx) }
func (directoryRole) defaults() roleSettingModel               { return defaultRoleSetting() }
func (directoryRole) ref(m *roleSettingModel) shared.PolicyRef {
	return shared.RolePolicy(m.RoleDefinitionID.ValueString())
}
func (directoryRole) identityOf(m *roleSettingModel) any { return m.identity() }

func (directoryRole) describe(ctx context.Context, n *shared.DirectoryNames, m *roleSettingModel) string {
	return n.DescribeRole(ctx, m.RoleDefinitionID.ValueString())
}

func (directoryRole) get(ctx context.Context, from shared.Getter, m *roleSettingModel) diag.Diagnostics {
	return from.Get(ctx, m)
}

func (directoryRole) set(ctx context.Context, to shared.Setter, m *roleSettingModel) diag.Diagnostics {
	return to.Set(ctx, m)
}

func (directoryRole) identitySchema() identityschema.Schema {
	return identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"role_definition_id": identityschema.StringAttribute{RequiredForImport: true, Description: "Id of the directory role definition."},
		"scope":              identityschema.StringAttribute{OptionalForImport: true, Description: "Scope of the policy: `/` (directory roles have one policy, tenant-wide)."},
	}}
}

// importState takes the role definition id, or an identity.
func (directoryRole) importState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := req.ID
	if id == "" && req.Identity != nil && !req.Identity.Raw.IsNull() {
		var ident roleSettingIdentity
		resp.Diagnostics.Append(req.Identity.Get(ctx, &ident)...)
		if scope := ident.Scope.ValueString(); scope != "" && scope != "/" {
			resp.Diagnostics.AddAttributeError(path.Root("scope"), "Invalid Import Identity",
				fmt.Sprintf("Directory roles have one PIM policy, at scope \"/\"; got %q.", scope))
			return
		}
		id = ident.RoleDefinitionID.ValueString()
	}
	if !validators.IsGUID(id) {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("Import a role setting by its role definition id (a GUID such as 62e90394-69f5-4237-9190-012177145e10); got %q.", id))
		return
	}
	// Kept as given: the configuration's spelling must match or the plan would replace.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("role_definition_id"), id)...)
}

// groupAccess is the policy of a group's membership or ownership
// (pim_group_setting, PIM for Groups).
type groupAccess struct{ graphPolicy }

// NewGroupSettingResource is pim_group_setting.
func NewGroupSettingResource() resource.Resource { return &roleSettingResource{subject: groupAccess{}} }

// groupSettingModel is pim_group_setting's Terraform shape: the rules, and
// the group and access in place of the role.
type groupSettingModel struct {
	ID            types.String `tfsdk:"id"`
	GroupID       types.String `tfsdk:"group_id"`
	AccessID      types.String `tfsdk:"access_id"`
	KeepOnDestroy types.Bool   `tfsdk:"keep_on_destroy"`
	PolicyRules
}

func (groupAccess) typeSuffix() string                       { return "_group_setting" }
func (groupAccess) schema(ctx context.Context) schema.Schema { return groupSettingSchema(ctx) }
func (groupAccess) defaults() roleSettingModel               { return defaultGroupSetting() }

func (groupAccess) ref(m *roleSettingModel) shared.PolicyRef {
	return shared.GroupPolicy(m.Container.ValueString(), m.RoleDefinitionID.ValueString())
}

func (groupAccess) describe(ctx context.Context, n *shared.DirectoryNames, m *roleSettingModel) string {
	access := "membership"
	if m.RoleDefinitionID.ValueString() == shared.AccessOwner {
		access = "ownership"
	}
	return access + " of " + n.DescribePrincipal(ctx, m.Container.ValueString())
}

func (groupAccess) get(ctx context.Context, from shared.Getter, m *roleSettingModel) diag.Diagnostics {
	var g groupSettingModel
	diags := from.Get(ctx, &g)
	*m = roleSettingModel{ID: g.ID, RoleDefinitionID: g.AccessID, Container: g.GroupID, KeepOnDestroy: g.KeepOnDestroy, PolicyRules: g.PolicyRules}
	return diags
}

func (groupAccess) set(ctx context.Context, to shared.Setter, m *roleSettingModel) diag.Diagnostics {
	return to.Set(ctx, &groupSettingModel{ID: m.ID, GroupID: m.Container, AccessID: m.RoleDefinitionID, KeepOnDestroy: m.KeepOnDestroy,
		PolicyRules: m.PolicyRules})
}

func (groupAccess) identitySchema() identityschema.Schema {
	return identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"group_id":  identityschema.StringAttribute{RequiredForImport: true, Description: "Object id of the group."},
		"access_id": identityschema.StringAttribute{RequiredForImport: true, Description: "`member` or `owner`."},
	}}
}

func (groupAccess) identityOf(m *roleSettingModel) any {
	return groupSettingIdentity{GroupID: m.Container, AccessID: m.RoleDefinitionID}
}

// groupSettingIdentity names a group's policy.
type groupSettingIdentity struct {
	GroupID  types.String `tfsdk:"group_id"`
	AccessID types.String `tfsdk:"access_id"`
}

// importState takes "group_id|access_id" or by identity.
func (groupAccess) importState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	group, access, _ := strings.Cut(req.ID, "|")
	if req.ID == "" && req.Identity != nil && !req.Identity.Raw.IsNull() {
		var id groupSettingIdentity
		resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
		group, access = id.GroupID.ValueString(), id.AccessID.ValueString()
	}
	if !validators.IsGUID(group) || (access != shared.AccessMember && access != shared.AccessOwner) {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("Import a group setting by \"<group object id>|member\" or \"<group object id>|owner\"; got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("group_id"), group)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("access_id"), access)...)
}

// defaultGroupSetting is the documented default of a group's policy: a
// role's, except that active assignments must end within six months
// (https://learn.microsoft.com/graph/api/resources/privilegedidentitymanagement-for-groups-api-overview).
func defaultGroupSetting() roleSettingModel {
	def := defaultRoleSetting()
	def.ActiveAssignment.AllowPermanent = false
	return def
}

func groupSettingSchema(ctx context.Context) schema.Schema {
	attrs := settingAttributes(ctx, defaultGroupSetting())
	attrs["keep_on_destroy"] = keepOnDestroyAttribute()
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	attrs["id"] = schema.StringAttribute{Computed: true, MarkdownDescription: "Id of the group's PIM policy (`Group_{groupId}_{guid}`).",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
	attrs["group_id"] = schema.StringAttribute{Required: true, PlanModifiers: replace, Validators: []validator.String{validators.GUID()},
		MarkdownDescription: "Object id of the group. Changing it replaces the resource (the old group's policy returns to defaults)."}
	attrs["access_id"] = schema.StringAttribute{Required: true, PlanModifiers: replace,
		Validators:          []validator.String{stringvalidator.OneOf(shared.AccessMember, shared.AccessOwner)},
		MarkdownDescription: "`member` or `owner`: a group has one policy for each. Changing it replaces the resource."}
	return schema.Schema{
		MarkdownDescription: "The PIM policy of a group's membership or ownership (PIM for Groups): activation limits and requirements, " +
			"multi-stage approval, assignment expiration and requirements, and notifications — the same 17 rules as a role's setting.\n\n" +
			"Every setting has the documented default (for groups, active assignments are time-bound, at most six months): an omitted " +
			"setting *is* the default and the plan shows it. Only rules that differ from what Graph holds are changed; a failed change " +
			"rolls back the rules already changed. **Destroying this resource restores the defaults.** The first change to a group's " +
			"policy onboards the group to PIM.\n\n" +
			"Graph permissions: `RoleManagementPolicy.ReadWrite.AzureADGroup`.",
		Attributes: attrs,
	}
}
