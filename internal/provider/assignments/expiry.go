package assignments

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// Time-bound means time-bound: an assignment that reached its end stays in
// state with status "Expired" and an empty plan, instead of leaving the
// state and being granted again by the next apply. Granting again is an
// explicit act: a new end or duration, or terraform apply -replace.

func (m *Model) expired() bool { return m.Status.ValueString() == statusExpired }

// end is when the assignment ends: its end_date_time, or its start plus its
// duration; ok is false for a permanent one.
func (m *Model) end(diags *diag.Diagnostics) (time.Time, bool) {
	if end, ok := shared.KnownTime(m.EndDateTime, diags); ok {
		return end, true
	}
	start, ok := shared.KnownTime(m.StartDateTime, diags)
	if !ok || m.Duration.IsNull() || m.Duration.IsUnknown() {
		return time.Time{}, false
	}
	d, err := isoduration.Parse(m.Duration.ValueString())
	if err != nil {
		return time.Time{}, false
	}
	return d.AddTo(start), true
}

// regrants reports whether the plan gives an expired assignment a new
// lifetime (a new end, duration or start).
func (m *Model) regrants(state *Model) bool {
	return !m.EndDateTime.Equal(state.EndDateTime) || !m.Duration.Equal(state.Duration) ||
		(!m.StartDateTime.IsUnknown() && !m.StartDateTime.Equal(state.StartDateTime))
}

// planExpired plans a change to an expired assignment. A new lifetime grants
// it again as a new schedule, checked like a create: its id, status, and
// the start unless configured, are known only after apply. Any other change touches
// only the state.
func (r *Resource) planExpired(ctx context.Context, plan, state *Model, config tfsdk.Config, resp *resource.ModifyPlanResponse) {
	if !plan.regrants(state) {
		return
	}
	r.checkPolicy(ctx, plan, &resp.Diagnostics)
	var start timetypes.RFC3339
	resp.Diagnostics.Append(config.GetAttribute(ctx, path.Root("start_date_time"), &start)...)
	if start.IsNull() {
		plan.StartDateTime = timetypes.NewRFC3339Unknown()
	}
	plan.Status, plan.ID = types.StringUnknown(), types.StringUnknown() // a new schedule
	resp.Diagnostics.Append(r.Set(ctx, &resp.Plan, plan)...)
}

// updateExpired applies a change to an expired assignment: a new grant, or
// only the state.
func (r *Resource) updateExpired(ctx context.Context, plan, state *Model, resp *resource.UpdateResponse) {
	if !plan.regrants(state) {
		plan.Status = state.Status
		r.fillUnknownNames(ctx, plan, &resp.Diagnostics)
		resp.Diagnostics.Append(r.Set(ctx, &resp.State, plan)...)
		shared.SetIdentity(ctx, resp.Identity, r.IdentityOf(plan), &resp.Diagnostics)
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tflog.Info(ctx, "Granting an expired assignment again", map[string]any{"key": plan.ImportID()})
	if r.assign(ctx, plan, resp.Private, &resp.Diagnostics) {
		resp.Diagnostics.Append(r.Set(ctx, &resp.State, plan)...)
		shared.SetIdentity(ctx, resp.Identity, r.IdentityOf(plan), &resp.Diagnostics)
	}
}

func (r *Resource) warnExpired(ctx context.Context, state *Model, end time.Time, diags *diag.Diagnostics) {
	what := fmt.Sprintf("The %s %s expired at %s", r.Noun(), r.DescribeKey(ctx, state), end.Format(time.RFC3339))
	tflog.Warn(ctx, what)
	diags.AddWarning(shared.Title(r.Noun())+" Expired",
		what+". It stays in the Terraform state with status = \"Expired\", so no apply grants it again unasked: time-bound "+
			"access ends when it says. To grant it again, set a new end_date_time or duration, or run terraform apply "+
			"-replace on this resource. To clean up, delete the resource block: nothing is sent to Graph.")
}
