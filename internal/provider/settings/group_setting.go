package settings

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

// pim_group_setting: the PIM policy of a group's membership or ownership
// (PIM for Groups). The same 17 rules as a role's, through the same
// implementation (roleSettingResource with groups set): only the key and the
// defaults differ.

// NewGroupSettingResource is pim_group_setting.
func NewGroupSettingResource() resource.Resource { return &roleSettingResource{groups: true} }

// groupSettingModel is pim_group_setting's Terraform shape; the shared
// implementation works on roleSettingModel (RoleDefinitionID holds the
// access id, GroupID the group).
type groupSettingModel struct {
	ID                 types.String          `tfsdk:"id"`
	GroupID            types.String          `tfsdk:"group_id"`
	AccessID           types.String          `tfsdk:"access_id"`
	Activation         *activationModel      `tfsdk:"activation"`
	EligibleAssignment *eligibleSettingModel `tfsdk:"eligible_assignment"`
	ActiveAssignment   *activeSettingModel   `tfsdk:"active_assignment"`
	Notifications      *notificationsModel   `tfsdk:"notifications"`
}

// defaultGroupSetting is the documented default of a group's policy: a
// role's, except that active assignments must end within six months
// (https://learn.microsoft.com/graph/api/resources/privilegedidentitymanagement-for-groups-api-overview).
func defaultGroupSetting() roleSettingModel {
	def := defaultRoleSetting()
	def.ActiveAssignment.AllowPermanent = false
	return def
}

func (r *roleSettingResource) defaults() roleSettingModel {
	if r.groups {
		return defaultGroupSetting()
	}
	return defaultRoleSetting()
}

// ref is the policy a setting is.
func (r *roleSettingResource) ref(m *roleSettingModel) shared.PolicyRef {
	if r.groups {
		return shared.GroupPolicy(m.GroupID.ValueString(), m.RoleDefinitionID.ValueString())
	}
	return shared.RolePolicy(m.RoleDefinitionID.ValueString())
}

// describe names the policy's subject for messages.
func (r *roleSettingResource) describe(ctx context.Context, m *roleSettingModel) string {
	if !r.groups {
		return r.data.Names.DescribeRole(ctx, m.RoleDefinitionID.ValueString())
	}
	access := "membership"
	if m.RoleDefinitionID.ValueString() == shared.AccessOwner {
		access = "ownership"
	}
	return access + " of " + r.data.Names.DescribePrincipal(ctx, m.GroupID.ValueString())
}

func (r *roleSettingResource) get(ctx context.Context, from shared.Getter, m *roleSettingModel) (diags diag.Diagnostics) {
	if !r.groups {
		return from.Get(ctx, m)
	}
	var g groupSettingModel
	diags = from.Get(ctx, &g)
	*m = roleSettingModel{ID: g.ID, RoleDefinitionID: g.AccessID, GroupID: g.GroupID, Activation: g.Activation,
		EligibleAssignment: g.EligibleAssignment, ActiveAssignment: g.ActiveAssignment, Notifications: g.Notifications}
	return diags
}

func (r *roleSettingResource) set(ctx context.Context, to shared.Setter, m *roleSettingModel) diag.Diagnostics {
	if !r.groups {
		return to.Set(ctx, m)
	}
	return to.Set(ctx, &groupSettingModel{ID: m.ID, GroupID: m.GroupID, AccessID: m.RoleDefinitionID, Activation: m.Activation,
		EligibleAssignment: m.EligibleAssignment, ActiveAssignment: m.ActiveAssignment, Notifications: m.Notifications})
}

// groupSettingIdentity names a group's policy.
type groupSettingIdentity struct {
	GroupID  types.String `tfsdk:"group_id"`
	AccessID types.String `tfsdk:"access_id"`
}

func (r *roleSettingResource) identityOf(m *roleSettingModel) any {
	if r.groups {
		return groupSettingIdentity{GroupID: m.GroupID, AccessID: m.RoleDefinitionID}
	}
	return m.identity()
}

// importGroupSetting imports by "group_id|access_id" or by identity.
func (r *roleSettingResource) importGroupSetting(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
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

func groupSettingSchema(ctx context.Context) schema.Schema {
	attrs := settingAttributes(ctx, defaultGroupSetting())
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
