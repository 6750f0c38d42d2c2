package assignments

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// checkPrincipal refuses at plan time a principal Graph would refuse at
// apply time (an unknown id fails there with SubjectNotFound), and puts its
// name in the plan. Plans of many new assignments share bulk lookups (see
// directoryNames). Without directory read permission the check is skipped
// with one warning.
func (r *assignmentResource) checkPrincipal(ctx context.Context, plan *assignmentModel, diags *diag.Diagnostics) {
	if plan.PrincipalID.IsUnknown() {
		return // known at apply: Create looks the name up
	}
	id := plan.PrincipalID.ValueString()
	obj, known, err := r.data.Names.Lookup(ctx, id)
	switch {
	case shared.IsDirectoryDenied(err):
		r.data.Names.WarnDenied(err, diags)
		return
	case err != nil:
		diags.AddWarning("Principal Not Checked", shared.GraphErrorDetail("Looking up principal "+id+" at plan time failed", err,
			"The plan goes on; Graph checks the principal again at apply time."))
		return
	case !known:
		return
	case obj == nil:
		diags.AddAttributeError(path.Root("principal_id"), "Principal Not Found",
			fmt.Sprintf("No user, group or service principal with object id %s exists in this tenant, so Graph would refuse the %s at "+
				"apply time. Check the id (an application's object id and its service principal's id differ). To name principals "+
				"instead of copying ids, look them up with data \"pim_principal\" (by user_principal_name, display_name, app_id or mail).", id, r.noun()))
		return
	}
	who := shared.DescribeObject(obj)
	switch {
	case r.target.groups && obj.Type() == pimclient.PrincipalServicePrincipal:
		diags.AddAttributeError(path.Root("principal_id"), "Service Principals Cannot Be Group Members Through PIM",
			fmt.Sprintf("The %s is a service principal: PIM for Groups gives membership and ownership to users and groups only.", who))
	case r.target.groups:
	case obj.Type() == pimclient.PrincipalGroup && obj.IsAssignableToRole != nil && !*obj.IsAssignableToRole:
		diags.AddAttributeError(path.Root("principal_id"), "Group Cannot Hold Directory Roles",
			fmt.Sprintf("The %s is not role-assignable: Microsoft Entra gives directory roles only to groups created with "+
				"isAssignableToRole = true, a property that cannot be changed later. Use a role-assignable group (azuread_group's "+
				"assignable_to_role), or assign the role to the members.", who))
	case obj.Type() == pimclient.PrincipalServicePrincipal && r.kind == pimclient.Eligibility:
		diags.AddAttributeError(path.Root("principal_id"), "Service Principals Cannot Be Eligible",
			fmt.Sprintf("The %s is a service principal: Microsoft Entra gives service principals active assignments only, "+
				"since an application cannot activate a role. Use pim_active_assignment instead.", who))
	}
	plan.PrincipalNames = shared.NamesOf(obj)
}

// checkRole refuses a role id that names no role definition (or, for PIM
// for Groups, a group PIM cannot manage) and puts the target's name in the
// plan.
func (r *assignmentResource) checkRole(ctx context.Context, plan *assignmentModel, diags *diag.Diagnostics) {
	if r.target.groups {
		if r.data.PlanLookups {
			r.checkGroup(ctx, plan, diags)
		}
		return
	}
	if plan.RoleDefinitionID.IsUnknown() {
		return
	}
	roles, err := r.data.Names.RoleNames(ctx)
	if err != nil {
		return // the policy check above has already said what failed
	}
	id := plan.RoleDefinitionID.ValueString()
	name, ok := roles[strings.ToLower(id)]
	if !ok {
		diags.AddAttributeError(path.Root("role_definition_id"), "Role Not Found",
			fmt.Sprintf("No directory role definition has id %s in this tenant. Built-in roles are named by their template id; look a "+
				"role up by name with data \"pim_role_definition\" (display_name = \"User Administrator\").", id))
		return
	}
	plan.RoleDisplayName = types.StringValue(name)
}

// fillUnknownNames sets the names a plan left unknown (a principal known
// only at apply); what cannot be looked up is null. Names the plan showed
// are kept, so the state matches the plan.
func (r *assignmentResource) fillUnknownNames(ctx context.Context, m *assignmentModel, diags *diag.Diagnostics) {
	if !r.data.PlanLookups {
		// Names come with the next refresh's bulk lookup.
		nullIfUnknown(&m.PrincipalDisplayName, &m.PrincipalType, &m.PrincipalUserPrincipalName)
		if r.target.groups {
			nullIfUnknown(&m.RoleDisplayName)
		}
	}
	if m.PrincipalDisplayName.IsUnknown() || m.PrincipalType.IsUnknown() || m.PrincipalUserPrincipalName.IsUnknown() {
		names := shared.NamesOf(nil)
		obj, known, err := r.data.Names.Lookup(ctx, m.PrincipalID.ValueString())
		if known {
			names = shared.NamesOf(obj)
		} else if shared.IsDirectoryDenied(err) {
			r.data.Names.WarnDenied(err, diags)
		}
		m.PrincipalNames = names
	}
	if m.RoleDisplayName.IsUnknown() {
		m.RoleDisplayName = shared.StringOrNull(r.targetName(ctx, m))
	}
}

// refreshNames sets the current names on a read: a renamed user shows under
// the new name (from the bulk lookup that follows each schedule list). When
// the directory cannot be read, the names stay as they were.
func (r *assignmentResource) refreshNames(ctx context.Context, m *assignmentModel, diags *diag.Diagnostics) {
	obj, known, err := r.data.Names.Lookup(ctx, m.PrincipalID.ValueString())
	switch {
	case known:
		m.PrincipalNames = shared.NamesOf(obj)
	case shared.IsDirectoryDenied(err):
		r.data.Names.WarnDenied(err, diags)
	}
	// Role names are looked up once, when missing: built-in roles are never
	// renamed, and a refresh then costs no role list.
	if m.RoleDisplayName.IsNull() || m.RoleDisplayName.IsUnknown() {
		m.RoleDisplayName = shared.StringOrNull(r.targetName(ctx, m))
	}
	nullIfUnknown(&m.PrincipalDisplayName, &m.PrincipalType, &m.PrincipalUserPrincipalName, &m.RoleDisplayName)
}

func nullIfUnknown(vals ...*types.String) {
	for _, v := range vals {
		if v.IsUnknown() {
			*v = types.StringNull()
		}
	}
}

// checkGroup refuses, at plan time, a group that does not exist or that PIM
// for Groups cannot manage (dynamic, synchronised from on-premises).
func (r *assignmentResource) checkGroup(ctx context.Context, plan *assignmentModel, diags *diag.Diagnostics) {
	if plan.DirectoryScopeID.IsUnknown() {
		return
	}
	id := plan.DirectoryScopeID.ValueString()
	obj, known, err := r.data.Names.Lookup(ctx, id)
	switch {
	case err != nil || !known:
		return // the principal check has said why names are missing
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
