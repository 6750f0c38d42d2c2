package assignments

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// removedByReview finds the access review that removed this assignment in
// the last 30 days, from the audit log (nil when none, or unreadable).
func (r *Resource) removedByReview(ctx context.Context, m *Model) *shared.ReviewRemoval {
	if m.PrincipalID.IsUnknown() {
		return nil
	}
	for _, target := range []string{m.RoleDefinitionID.ValueString(), m.DirectoryScopeID.ValueString()} {
		rm, err := r.data.RemovedByReview(ctx, m.PrincipalID.ValueString(), target)
		if err != nil {
			tflog.Debug(ctx, "Access review removals not checked: the audit log could not be read", map[string]any{"error": err.Error()})
			return nil
		}
		if rm != nil {
			return rm
		}
	}
	return nil
}

// checkReviewUndo warns, or with access_review_decisions = "enforce" fails,
// when a plan grants again what an access review removed: applying would
// undo a reviewer's decision.
func (r *Resource) checkReviewUndo(ctx context.Context, plan *Model, diags *diag.Diagnostics) {
	rm := r.removedByReview(ctx, plan)
	if rm == nil {
		return
	}
	msg := fmt.Sprintf("This plan grants the %s %s again, which an access review removed on %s (%s): applying undoes the "+
		"reviewer's decision. If the access is still needed, have the review approve it next time; otherwise remove it from the "+
		"configuration.", r.Noun(), r.DescribeKey(ctx, plan), rm.At.UTC().Format(time.RFC3339), rm.Reason)
	if r.data.EnforceReviews && !plan.AllowUndoingReview.ValueBool() {
		diags.AddAttributeError(path.Root("principal_id"), "Plan Undoes An Access Review", msg+
			" The provider's access_review_decisions = \"enforce\" refuses this plan: set allow_undoing_review = true on the resource to apply it anyway.")
		return
	}
	diags.AddAttributeWarning(path.Root("principal_id"), "Plan Undoes An Access Review", msg)
}
