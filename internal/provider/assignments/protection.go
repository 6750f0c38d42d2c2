package assignments

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// Protected principals (the provider's protected_principal_ids), typically
// break-glass accounts: a plan that would take privileged access away from
// one fails unless the resource says, in its configuration, that this is
// meant (allow_protected_principal_change).

// guardProtected refuses a plan that removes, replaces, shortens or makes
// time-bound an assignment of a protected principal. plan is nil for a
// destroy.
func (r *Resource) guardProtected(ctx context.Context, plan, state *Model, diags *diag.Diagnostics) {
	if !r.data.Protected[strings.ToLower(state.PrincipalID.ValueString())] || state.expired() {
		return
	}
	var change string
	switch {
	case plan == nil:
		if state.AllowProtectedChange.ValueBool() {
			return
		}
		change = "remove"
	case plan.AllowProtectedChange.ValueBool():
		return
	case !strings.EqualFold(plan.PrincipalID.ValueString(), state.PrincipalID.ValueString()) ||
		!strings.EqualFold(plan.RoleDefinitionID.ValueString(), state.RoleDefinitionID.ValueString()) ||
		!strings.EqualFold(plan.DirectoryScopeID.ValueString(), state.DirectoryScopeID.ValueString()):
		change = "replace (remove, then assign anew)"
	default:
		change = shortens(plan, state, r.data.Clock.Now(), diags)
	}
	if change == "" {
		return
	}
	next := "If this is intended, set allow_protected_principal_change = true on this resource"
	if plan == nil {
		next += ", apply that, then remove the resource."
	} else {
		next += " in the same change."
	}
	diags.AddAttributeError(path.Root("principal_id"), "Protected Principal",
		fmt.Sprintf("This plan would %s the %s %s. The principal is in the provider's protected_principal_ids (break-glass accounts and "+
			"others whose privileged access must not be taken away by accident). %s", change, r.Noun(), r.DescribeKey(ctx, state), next))
}

// shortens describes how an update cuts an assignment's lifetime short:
// "" when it does not.
func shortens(plan, state *Model, now time.Time, diags *diag.Diagnostics) string {
	oldEnd, wasBound := state.end(diags)
	newEnd, _, isBound := plannedEnd(plan, now, diags)
	if !isBound {
		if plan.EndDateTime.IsUnknown() || plan.Duration.IsUnknown() {
			return "change the end of" // known only at apply: it might shorten
		}
		return "" // permanent stays permanent, or becomes so
	}
	if !wasBound {
		return fmt.Sprintf("make time-bound (ending %s)", newEnd.Format(time.RFC3339))
	}
	if newEnd.Before(oldEnd) {
		return fmt.Sprintf("shorten (from %s to %s)", oldEnd.Format(time.RFC3339), newEnd.Format(time.RFC3339))
	}
	return ""
}

// planDestroy refuses to destroy a protected principal's assignment.
func (r *Resource) planDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state Model
	resp.Diagnostics.Append(r.Get(ctx, req.State, &state)...)
	if !resp.Diagnostics.HasError() {
		r.guardProtected(ctx, nil, &state, &resp.Diagnostics)
	}
}
