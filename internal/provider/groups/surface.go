package groups

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/assignments"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

// groupAccess is the surface of PIM for Groups: membership or ownership
// (the access id) of a group. The group is the key's scope, the access its
// role.
type groupAccess struct{ assignments.SurfaceNames }

var groupAccessTarget assignments.Surface = &groupAccess{assignments.SurfaceNames{RoleAttr: "access_id", ScopeAttr: "group_id", NameAttr: "group_display_name",
	SettingType: "pim_group_setting", SettingRef: "group_id = pim_group_setting.<name>.group_id", SettingNoun: "group setting",
	ImportForm: "group_id|access_id|principal_id"}}

// groupAssignmentModel is the Terraform shape of a group assignment: the
// schedule's fields, and the group, access and group name in place of the
// role, scope and role name.
type groupAssignmentModel struct {
	assignments.ScheduleFields
	GroupID          types.String `tfsdk:"group_id"`
	AccessID         types.String `tfsdk:"access_id"`
	GroupDisplayName types.String `tfsdk:"group_display_name"`
}

func (*groupAccess) Noun(kind pimclient.Kind) string { return "group " + kind.String() }

func (*groupAccess) Schedules(c *pimclient.Client, kind pimclient.Kind) *pimclient.ScheduleService {
	return c.GroupSchedules(kind)
}

func (*groupAccess) Policy(m *assignments.Model) shared.PolicyRef {
	return shared.GroupPolicy(m.DirectoryScopeID.ValueString(), m.RoleDefinitionID.ValueString())
}

func (*groupAccess) DescribeTarget(ctx context.Context, n *shared.DirectoryNames, m *assignments.Model) string {
	access := "membership"
	if m.RoleDefinitionID.ValueString() == shared.AccessOwner {
		access = "ownership"
	}
	return access + " of " + n.DescribePrincipal(ctx, m.DirectoryScopeID.ValueString())
}

func (*groupAccess) TargetName(ctx context.Context, n *shared.DirectoryNames, m *assignments.Model) string {
	if obj, _, _ := n.Lookup(ctx, m.DirectoryScopeID.ValueString()); obj != nil {
		return obj.DisplayName
	}
	return ""
}

func (*groupAccess) DescribeKey(who, target string, _ *assignments.Model) string {
	return fmt.Sprintf("of %s to %s", who, target)
}

func (*groupAccess) Get(ctx context.Context, from shared.Getter, m *assignments.Model) diag.Diagnostics {
	var g groupAssignmentModel
	d := from.Get(ctx, &g)
	*m = assignments.Model{ScheduleFields: g.ScheduleFields, RoleDefinitionID: g.AccessID, DirectoryScopeID: g.GroupID, RoleDisplayName: g.GroupDisplayName}
	return d
}

func (*groupAccess) Set(ctx context.Context, to shared.Setter, m *assignments.Model) diag.Diagnostics {
	return to.Set(ctx, &groupAssignmentModel{ScheduleFields: m.ScheduleFields, AccessID: m.RoleDefinitionID, GroupID: m.DirectoryScopeID,
		GroupDisplayName: m.RoleDisplayName})
}

func (*groupAccess) KeyAttributes(replace []planmodifier.String) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"group_id": schema.StringAttribute{Required: true, PlanModifiers: replace, Validators: []validator.String{validators.GUID()},
			MarkdownDescription: "Object id of the group whose membership or ownership this grants (a security or Microsoft 365 group; " +
				"dynamic and on-premises-synchronised groups cannot be managed by PIM). Changing it replaces the resource."},
		"access_id": schema.StringAttribute{Required: true, PlanModifiers: replace,
			Validators:          []validator.String{stringvalidator.OneOf(shared.AccessMember, shared.AccessOwner)},
			MarkdownDescription: "`member` or `owner`. Changing it replaces the resource."},
		"group_display_name": assignments.NameAttribute("Display name of the group."),
	}
}

func (*groupAccess) PrincipalDescription(_ pimclient.Kind, noun string) string {
	return "Object id of the user or group that receives the " + noun + "."
}

func (*groupAccess) IdentitySchema() identityschema.Schema {
	return identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"group_id":     identityschema.StringAttribute{RequiredForImport: true, Description: "Object id of the group."},
		"access_id":    identityschema.StringAttribute{RequiredForImport: true, Description: "`member` or `owner`."},
		"principal_id": identityschema.StringAttribute{RequiredForImport: true, Description: "Object id of the principal."},
	}}
}

func (*groupAccess) IdentityOf(m *assignments.Model) any {
	return groupAssignmentIdentity{GroupID: m.DirectoryScopeID, AccessID: m.RoleDefinitionID, PrincipalID: m.PrincipalID}
}

func (*groupAccess) IdentityKey(ctx context.Context, ident *tfsdk.ResourceIdentity) ([3]string, diag.Diagnostics) {
	var id groupAssignmentIdentity
	diags := ident.Get(ctx, &id)
	return [3]string{id.GroupID.ValueString(), id.AccessID.ValueString(), id.PrincipalID.ValueString()}, diags
}

func (*groupAccess) ValidKey(key [3]string) bool {
	return validators.IsGUID(key[0]) && (key[1] == shared.AccessMember || key[1] == shared.AccessOwner) && validators.IsGUID(key[2])
}

func (*groupAccess) KeyHint() string { return "; access_id is member or owner" }

func (*groupAccess) ImportExample() string { return "<group object id>|member|<principal object id>" }

func (*groupAccess) CheckPrincipalKind(who string, obj *pimclient.DirectoryObject, _ pimclient.Kind, diags *diag.Diagnostics) {
	if obj.Type() == pimclient.PrincipalServicePrincipal {
		diags.AddAttributeError(path.Root("principal_id"), "Service Principals Cannot Be Group Members Through PIM",
			fmt.Sprintf("The %s is a service principal: PIM for Groups gives membership and ownership to users and groups only.", who))
	}
}

// checkTarget refuses, at plan time, a group that does not exist or that PIM
// for Groups cannot manage (dynamic, synchronised from on-premises), and
// puts the group's name in the plan.
func (*groupAccess) CheckTarget(ctx context.Context, r *assignments.Resource, plan *assignments.Model, diags *diag.Diagnostics) {
	if !r.Data().PlanLookups || plan.DirectoryScopeID.IsUnknown() {
		return
	}
	id := plan.DirectoryScopeID.ValueString()
	obj, known, err := r.Data().Names.Lookup(ctx, id)
	switch {
	case shared.IsDirectoryDenied(err) || (err == nil && !known):
		return // the principal check has said why names are missing
	case err != nil:
		// Not left unknown: see checkPrincipal.
		diags.AddAttributeError(path.Root("group_id"), "Group Not Looked Up",
			shared.GraphErrorDetail("Looking up group "+id+" in the directory failed after retries", err,
				"Nothing was changed. Run terraform plan (or apply) again."))
	case obj == nil || obj.Type() != pimclient.PrincipalGroup:
		diags.AddAttributeError(path.Root("group_id"), "Group Not Found",
			fmt.Sprintf("No group has object id %s in this tenant. Look groups up by name with data \"pim_principal\" (type = \"group\").", id))
	case !obj.PIMManageable():
		diags.AddAttributeError(path.Root("group_id"), "Group Not Manageable By PIM",
			fmt.Sprintf("The %s is a dynamic group or is synchronised from on-premises Active Directory: PIM for Groups cannot manage "+
				"its membership or ownership.", shared.DescribeObject(obj)))
	default:
		plan.RoleDisplayName = shared.StringOrNull(obj.DisplayName)
	}
}

// foreseeAlerts: Graph's PIM alerts cover directory roles only.
func (*groupAccess) ForeseeAlerts(context.Context, *assignments.Resource, *assignments.Model, *diag.Diagnostics) {
}

// nullNames: the group's name comes from a lookup too.
func (*groupAccess) NullNames(m *assignments.Model) { assignments.NullIfUnknown(&m.RoleDisplayName) }

// groupListConfig is the group lists' configuration.
type groupListConfig struct {
	GroupID          types.String `tfsdk:"group_id"`
	AccessID         types.String `tfsdk:"access_id"`
	PrincipalID      types.String `tfsdk:"principal_id"`
	PrincipalType    types.String `tfsdk:"principal_type"`
	IncludeInherited types.Bool   `tfsdk:"include_inherited"`
}

func (*groupAccess) ListSchema(_ pimclient.Kind, noun string) listschema.Schema {
	return listschema.Schema{
		MarkdownDescription: "The " + noun + "s of a group, or of a principal across groups, named, for `terraform query`. Graph lists " +
			"PIM for Groups per group or per principal, so one of `group_id` and `principal_id` is required.",
		Attributes: map[string]listschema.Attribute{
			"group_id": listschema.StringAttribute{Optional: true, MarkdownDescription: "The group.",
				Validators: []validator.String{validators.GUID()}},
			"principal_id": listschema.StringAttribute{Optional: true, MarkdownDescription: "The principal.",
				Validators: []validator.String{validators.GUID()}},
			"access_id": listschema.StringAttribute{Optional: true, MarkdownDescription: "Only `member` or only `owner`.",
				Validators: []validator.String{stringvalidator.OneOf(shared.AccessMember, shared.AccessOwner)}},
			"principal_type": listschema.StringAttribute{Optional: true, MarkdownDescription: "Only `user` or only `group` principals.",
				Validators: []validator.String{stringvalidator.OneOf(pimclient.PrincipalUser, pimclient.PrincipalGroup)}},
			"include_inherited": listschema.BoolAttribute{Optional: true, MarkdownDescription: "Also list what members of a group that holds " +
				"the access inherit. Default `false`."},
		},
	}
}

// listConfig needs a group or a principal (Graph refuses a list without one).
func (*groupAccess) ReadListConfig(ctx context.Context, config tfsdk.Config) (*assignments.ListConfig, diag.Diagnostics) {
	var g groupListConfig
	diags := config.Get(ctx, &g)
	cfg := assignments.ListConfig{RoleDefinitionID: g.AccessID, DirectoryScopeID: g.GroupID, PrincipalID: g.PrincipalID,
		PrincipalType: g.PrincipalType, IncludeInherited: g.IncludeInherited}
	if g.GroupID.ValueString() == "" && g.PrincipalID.ValueString() == "" {
		diags.AddError("Group Or Principal Required", "PIM for Groups lists a group's or a principal's assignments: set group_id or principal_id.")
	}
	return &cfg, diags
}

// listFilters: Graph lists PIM for Groups per group or principal, schedules
// and requests alike.
func (*groupAccess) ListFilters(svc *pimclient.ScheduleService, cfg *assignments.ListConfig, _ pimclient.Filter) (schedules, requests pimclient.Filter) {
	schedules = svc.KeyFilter(pimclient.AssignmentKey{PrincipalID: cfg.PrincipalID.ValueString(), RoleDefinitionID: cfg.RoleDefinitionID.ValueString(),
		DirectoryScopeID: cfg.DirectoryScopeID.ValueString()})
	requests = svc.KeyFilter(pimclient.AssignmentKey{PrincipalID: cfg.PrincipalID.ValueString(), DirectoryScopeID: cfg.DirectoryScopeID.ValueString()})
	return schedules, requests
}

// skipListed leaves out inherited entries unless asked for: the group
// filter cannot say memberType.
func (*groupAccess) SkipListed(sc *pimclient.Schedule, cfg *assignments.ListConfig) bool {
	return !cfg.IncludeInherited.ValueBool() && !strings.EqualFold(sc.MemberType, pimclient.MemberTypeDirect)
}

func (*groupAccess) ListedTarget(l *assignments.Lister, sc *pimclient.Schedule, _ types.String) types.String {
	return l.GroupName(sc.DirectoryScopeID)
}

func (*groupAccess) DescribeListed(who, group, until string, sc *pimclient.Schedule) string {
	return fmt.Sprintf("%s: %s of %s, %s", who, sc.RoleDefinitionID, group, until)
}

// groupAssignmentIdentity is the natural key of a group assignment.
type groupAssignmentIdentity struct {
	GroupID     types.String `tfsdk:"group_id"`
	AccessID    types.String `tfsdk:"access_id"`
	PrincipalID types.String `tfsdk:"principal_id"`
}
