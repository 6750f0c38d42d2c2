package assignments

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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

// directoryRoles is the surface of Microsoft Entra directory roles: a role
// definition at a directory scope.
type directoryRoles struct{ SurfaceNames }

var directoryRoleTarget Surface = &directoryRoles{SurfaceNames{RoleAttr: "role_definition_id", ScopeAttr: "directory_scope_id",
	NameAttr: "role_display_name", SettingType: "pim_role_setting", SettingRef: "role_definition_id = pim_role_setting.<name>.role_definition_id",
	SettingNoun: "role setting", ImportForm: "directory_scope_id|role_definition_id|principal_id"}}

func (*directoryRoles) Noun(kind pimclient.Kind) string { return kind.String() }

func (*directoryRoles) Schedules(c *pimclient.Client, kind pimclient.Kind) *pimclient.ScheduleService {
	return c.Schedules(kind)
}

func (*directoryRoles) Policy(m *Model) shared.PolicyRef {
	return shared.RolePolicy(m.RoleDefinitionID.ValueString())
}

func (*directoryRoles) DescribeTarget(ctx context.Context, n *shared.DirectoryNames, m *Model) string {
	return n.DescribeRole(ctx, m.RoleDefinitionID.ValueString())
}

func (*directoryRoles) TargetName(ctx context.Context, n *shared.DirectoryNames, m *Model) string {
	return n.RoleName(ctx, m.RoleDefinitionID.ValueString())
}

func (*directoryRoles) DescribeKey(who, target string, m *Model) string {
	return fmt.Sprintf("of %s to %s at scope %q", who, target, m.DirectoryScopeID.ValueString())
}

func (*directoryRoles) Get(ctx context.Context, from shared.Getter, m *Model) diag.Diagnostics {
	return from.Get(ctx, m)
}

func (*directoryRoles) Set(ctx context.Context, to shared.Setter, m *Model) diag.Diagnostics {
	return to.Set(ctx, m)
}

func (*directoryRoles) KeyAttributes(replace []planmodifier.String) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"role_definition_id": schema.StringAttribute{Required: true, PlanModifiers: replace, Validators: []validator.String{validators.GUID()},
			MarkdownDescription: "Id of the directory role definition (for built-in roles, the template id such as " +
				"`62e90394-69f5-4237-9190-012177145e10` for Global Administrator; see the `pim_role_definition` data source). " +
				"Changing it replaces the resource."},
		"directory_scope_id": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("/"), PlanModifiers: replace,
			Validators: []validator.String{validators.DirectoryScope()},
			MarkdownDescription: "Where the role applies: `/` for the whole tenant (default), `/administrativeUnits/{id}` for an " +
				"administrative unit, or `/{objectId}` for one object. Changing it replaces the resource."},
		"role_display_name": NameAttribute("Display name of the role, such as `Global Administrator`."),
	}
}

func (*directoryRoles) PrincipalDescription(kind pimclient.Kind, noun string) string {
	if kind == pimclient.Assignment {
		return "Object id of the user, role-assignable group or service principal that receives the " + noun + "."
	}
	return "Object id of the user or role-assignable group that receives the " + noun + " (Microsoft Entra gives service principals " +
		"active assignments only)."
}

func (*directoryRoles) IdentitySchema() identityschema.Schema {
	return identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"directory_scope_id": identityschema.StringAttribute{OptionalForImport: true, Description: "Scope of the assignment; `/` (the tenant) when omitted."},
		"role_definition_id": identityschema.StringAttribute{RequiredForImport: true, Description: "Id of the directory role definition."},
		"principal_id":       identityschema.StringAttribute{RequiredForImport: true, Description: "Object id of the principal."},
	}}
}

func (*directoryRoles) IdentityOf(m *Model) any {
	return assignmentIdentity{DirectoryScopeID: m.DirectoryScopeID, RoleDefinitionID: m.RoleDefinitionID, PrincipalID: m.PrincipalID}
}

func (*directoryRoles) IdentityKey(ctx context.Context, ident *tfsdk.ResourceIdentity) ([3]string, diag.Diagnostics) {
	var id assignmentIdentity
	diags := ident.Get(ctx, &id)
	key := [3]string{id.DirectoryScopeID.ValueString(), id.RoleDefinitionID.ValueString(), id.PrincipalID.ValueString()}
	if key[0] == "" {
		key[0] = "/"
	}
	return key, diags
}

func (*directoryRoles) ValidKey(key [3]string) bool {
	return validators.ValidDirectoryScope(key[0]) && validators.IsGUID(key[1]) && validators.IsGUID(key[2])
}

func (*directoryRoles) KeyHint() string {
	return "; directory_scope_id is \"/\" or a directory object path"
}

func (*directoryRoles) ImportExample() string {
	return "/|62e90394-69f5-4237-9190-012177145e10|<principal object id>"
}

func (*directoryRoles) CheckPrincipalKind(who string, obj *pimclient.DirectoryObject, kind pimclient.Kind, diags *diag.Diagnostics) {
	switch {
	case obj.Type() == pimclient.PrincipalGroup && obj.IsAssignableToRole != nil && !*obj.IsAssignableToRole:
		diags.AddAttributeError(path.Root("principal_id"), "Group Cannot Hold Directory Roles",
			fmt.Sprintf("The %s is not role-assignable: Microsoft Entra gives directory roles only to groups created with "+
				"isAssignableToRole = true, a property that cannot be changed later. Use a role-assignable group (azuread_group's "+
				"assignable_to_role), or assign the role to the members.", who))
	case obj.Type() == pimclient.PrincipalServicePrincipal && kind == pimclient.Eligibility:
		diags.AddAttributeError(path.Root("principal_id"), "Service Principals Cannot Be Eligible",
			fmt.Sprintf("The %s is a service principal: Microsoft Entra gives service principals active assignments only, "+
				"since an application cannot activate a role. Use pim_active_assignment instead.", who))
	}
}

// checkTarget refuses a role id that names no role definition and puts the
// role's name in the plan.
func (*directoryRoles) CheckTarget(ctx context.Context, r *Resource, plan *Model, diags *diag.Diagnostics) {
	if plan.RoleDefinitionID.IsUnknown() {
		return
	}
	roles, err := r.data.Names.RoleNames(ctx)
	id := plan.RoleDefinitionID.ValueString()
	if err != nil {
		// Not left unknown: see checkPrincipal.
		diags.AddAttributeError(path.Root("role_definition_id"), "Role Not Looked Up",
			shared.GraphErrorDetail("Listing the directory's role definitions to check "+id+" failed after retries", err,
				"Nothing was changed. Run terraform plan (or apply) again."))
		return
	}
	name, ok := roles[strings.ToLower(id)]
	if !ok {
		diags.AddAttributeError(path.Root("role_definition_id"), "Role Not Found",
			fmt.Sprintf("No directory role definition has id %s in this tenant. Built-in roles are named by their template id; look a "+
				"role up by name with data \"pim_role_definition\" (display_name = \"User Administrator\").", id))
		return
	}
	plan.RoleDisplayName = types.StringValue(name)
}

// foreseeAlerts warns, before anything changes, when a new Global
// Administrator (eligible or active) makes the tenant cross the thresholds
// of PIM's "too many global administrators" alert.
func (*directoryRoles) ForeseeAlerts(ctx context.Context, r *Resource, plan *Model, diags *diag.Diagnostics) {
	if plan.PrincipalID.IsUnknown() || !strings.EqualFold(plan.RoleDefinitionID.ValueString(), shared.RoleGlobalAdministrator) ||
		plan.DirectoryScopeID.ValueString() != "/" {
		return
	}
	warning, err := r.data.GlobalAdminAlert(ctx, plan.PrincipalID.ValueString())
	if err != nil {
		tflog.Debug(ctx, "PIM alerts not foreseen: their configuration could not be read", map[string]any{"error": err.Error()})
	}
	if warning != "" {
		diags.AddAttributeWarning(path.Root("role_definition_id"), "This Plan Raises A PIM Alert", warning)
	}
}

// nullNames: role names come from one list per process, never unknown.
func (*directoryRoles) NullNames(*Model) {}

func (*directoryRoles) ListSchema(kind pimclient.Kind, _ string) listschema.Schema {
	noun := kind.String() + "s"
	return listschema.Schema{
		MarkdownDescription: "Every " + kind.String() + " of the tenant's directory roles, each named by principal and role, for " +
			"`terraform query`: review privileged access this configuration does not manage, and with `-generate-config-out` write the " +
			"`import` blocks and configuration for it. One paged Graph list (and one bulk name lookup) whatever the count.",
		Attributes: map[string]listschema.Attribute{
			"role_definition_id": listschema.StringAttribute{Optional: true, MarkdownDescription: "Only " + noun + " of this role.",
				Validators: []validator.String{validators.GUID()}},
			"principal_id": listschema.StringAttribute{Optional: true, MarkdownDescription: "Only " + noun + " of this principal.",
				Validators: []validator.String{validators.GUID()}},
			"directory_scope_id": listschema.StringAttribute{Optional: true, MarkdownDescription: "Only " + noun + " at this scope (`/` for tenant-wide).",
				Validators: []validator.String{validators.DirectoryScope()}},
			"principal_type": listschema.StringAttribute{Optional: true, MarkdownDescription: "Only " + noun + " of `user`, `group` or `servicePrincipal` principals.",
				Validators: []validator.String{stringvalidator.OneOf(pimclient.PrincipalUser, pimclient.PrincipalGroup, pimclient.PrincipalServicePrincipal)}},
			"include_inherited": listschema.BoolAttribute{Optional: true, MarkdownDescription: "Also list what users inherit from role-assignable " +
				"groups. Default `false`: only direct " + noun + ", the ones a configuration can manage."},
		},
	}
}

func (*directoryRoles) ReadListConfig(ctx context.Context, config tfsdk.Config) (*ListConfig, diag.Diagnostics) {
	var cfg ListConfig
	diags := config.Get(ctx, &cfg)
	return &cfg, diags
}

// listFilters: the role, principal, scope and member type filter the
// schedules; requests are listed whole (one paged list).
func (*directoryRoles) ListFilters(_ *pimclient.ScheduleService, _ *ListConfig, f pimclient.Filter) (schedules, requests pimclient.Filter) {
	return f, pimclient.Filter{}
}

// skipListed: inherited entries are filtered out by Graph already.
func (*directoryRoles) SkipListed(*pimclient.Schedule, *ListConfig) bool { return false }

func (*directoryRoles) ListedTarget(_ *Lister, _ *pimclient.Schedule, role types.String) types.String {
	return role
}

func (*directoryRoles) DescribeListed(who, role, until string, sc *pimclient.Schedule) string {
	return fmt.Sprintf("%s: %s at %s, %s", who, role, sc.DirectoryScopeID, until)
}
