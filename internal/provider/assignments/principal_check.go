package assignments

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// checkPrincipal refuses at plan time a principal Graph would refuse at
// apply time (an unknown id fails there with SubjectNotFound), and puts its
// name in the plan. Plans of many new assignments share bulk lookups (see
// directoryNames). Without directory read permission the check is skipped
// with one warning (the same at plan and apply: the names stay unknown, then
// null); a lookup that fails after retries is an error.
func (r *Resource) checkPrincipal(ctx context.Context, plan *Model, diags *diag.Diagnostics) {
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
		// An error, not a warning with the name left unknown: when the plan
		// showed the name, an unknown one at apply time's re-plan is an
		// inconsistent plan, and the check would be skipped silently.
		diags.AddAttributeError(path.Root("principal_id"), "Principal Not Looked Up",
			shared.GraphErrorDetail("Looking up principal "+id+" in the directory failed after retries", err,
				"Nothing was changed. Run terraform plan (or apply) again; if it keeps failing, check Graph's service health."))
		return
	case !known:
		return
	case obj == nil:
		diags.AddAttributeError(path.Root("principal_id"), "Principal Not Found",
			fmt.Sprintf("No user, group or service principal with object id %s exists in this tenant, so Graph would refuse the %s at "+
				"apply time. Check the id (an application's object id and its service principal's id differ). To name principals "+
				"instead of copying ids, look them up with data \"pim_principal\" (by user_principal_name, display_name, app_id or mail).", id, r.Noun()))
		return
	}
	who := shared.DescribeObject(obj)
	r.target.CheckPrincipalKind(who, obj, r.kind, diags)
	plan.PrincipalNames = shared.NamesOf(obj)
}

// checkRole refuses a role id that names no role definition (or, for PIM
// for Groups, a group PIM cannot manage) and puts the target's name in the
// plan.
func (r *Resource) checkRole(ctx context.Context, plan *Model, diags *diag.Diagnostics) {
	r.target.CheckTarget(ctx, r, plan, diags)
}

// fillUnknownNames sets the names a plan left unknown (a principal known
// only at apply); what cannot be looked up is null. Names the plan showed
// are kept, so the state matches the plan.
func (r *Resource) fillUnknownNames(ctx context.Context, m *Model, diags *diag.Diagnostics) {
	if !r.data.PlanLookups {
		// Names come with the next refresh's bulk lookup.
		NullIfUnknown(&m.PrincipalDisplayName, &m.PrincipalType, &m.PrincipalUserPrincipalName)
		r.target.NullNames(m)
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
		m.RoleDisplayName = shared.StringOrNull(r.TargetName(ctx, m))
	}
}

// refreshNames sets the current names on a read: a renamed user shows under
// the new name (from the bulk lookup that follows each schedule list). When
// the directory cannot be read, the names stay as they were.
func (r *Resource) refreshNames(ctx context.Context, m *Model, diags *diag.Diagnostics) {
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
		m.RoleDisplayName = shared.StringOrNull(r.TargetName(ctx, m))
	}
	NullIfUnknown(&m.PrincipalDisplayName, &m.PrincipalType, &m.PrincipalUserPrincipalName, &m.RoleDisplayName)
}

func NullIfUnknown(vals ...*types.String) {
	for _, v := range vals {
		if v.IsUnknown() {
			*v = types.StringNull()
		}
	}
}
