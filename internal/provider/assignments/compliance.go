package assignments

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// warnNoncompliant warns, on every read, about an assignment its role's
// current setting would refuse: Graph keeps existing assignments when a
// setting is tightened, so nothing else would tell anyone.
func (r *Resource) warnNoncompliant(ctx context.Context, state *Model, sc *pimclient.Schedule, diags *diag.Diagnostics) {
	limits, _, err := r.data.Policies.Get(ctx, r.data.Client, r.policyRef(state))
	if err != nil {
		tflog.Debug(ctx, "Role setting not read; compliance not checked", map[string]any{"error": err.Error()})
		return
	}
	l, block, rule := limits.ForKind(r.kind)
	if l.AllowPermanent {
		return
	}
	what := fmt.Sprintf("The %s %s", r.Noun(), r.DescribeKey(ctx, state))
	fix := fmt.Sprintf("Graph keeps existing assignments when a setting is tightened, so nothing else reports this. Set duration (at most %s) "+
		"or end_date_time on this resource to bring it within the setting, or loosen the %s.", l.MaximumDuration, r.target.Names().SettingType)
	end := sc.EndDateTime()
	if end == nil {
		diags.AddWarning(shared.Title(r.Noun())+" Breaks Its "+shared.Title(r.target.Names().SettingNoun),
			fmt.Sprintf("%s is permanent, but its PIM setting no longer allows permanent %ss (%s.allow_permanent = false, rule %s). %s",
				what, r.Noun(), block, rule, fix))
		return
	}
	limit, err := isoduration.Parse(l.MaximumDuration)
	if err != nil || sc.ScheduleInfo == nil || sc.ScheduleInfo.StartDateTime == nil {
		return
	}
	if start := *sc.ScheduleInfo.StartDateTime; end.After(limit.AddTo(start)) {
		diags.AddWarning(shared.Title(r.Noun())+" Breaks Its "+shared.Title(r.target.Names().SettingNoun),
			fmt.Sprintf("%s lasts from %s to %s, longer than its PIM setting allows (%s.maximum_duration = %s, rule %s). %s",
				what, start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339), block, l.MaximumDuration, rule, fix))
	}
}

// warnLastPermanentGlobalAdmin warns at plan time when an update makes the
// last permanent active Global Administrator time-bound: when it ends, no
// one holds the role without activating, break-glass accounts included.
func (r *Resource) warnLastPermanentGlobalAdmin(ctx context.Context, plan, state *Model, diags *diag.Diagnostics) {
	if r.kind != pimclient.Assignment || !strings.EqualFold(state.RoleDefinitionID.ValueString(), pimclient.RoleGlobalAdministrator) ||
		!state.EndDateTime.IsNull() || !state.Duration.IsNull() || (plan.EndDateTime.IsNull() && plan.Duration.IsNull()) {
		return
	}
	all, err := r.data.Schedules.All(ctx, r.data.Client.Schedules(pimclient.Assignment))
	if err != nil {
		return
	}
	self, now := shared.CacheKey(state.key()), r.data.Clock.Now()
	for _, sc := range all {
		if strings.EqualFold(sc.RoleDefinitionID, pimclient.RoleGlobalAdministrator) && sc.EndDateTime() == nil && sc.Started(now) &&
			shared.CacheKey(pimclient.AssignmentKey{PrincipalID: sc.PrincipalID, RoleDefinitionID: sc.RoleDefinitionID, DirectoryScopeID: sc.DirectoryScopeID}) != self {
			return // another permanent Global Administrator remains
		}
	}
	diags.AddWarning("Last Permanent Global Administrator Made Time-Bound",
		fmt.Sprintf("This makes the active assignment %s time-bound, and it is the tenant's last permanent active Global Administrator. "+
			"When it ends, no one holds Global Administrator without activating it, and if activation is broken (approvers away, "+
			"MFA outage) no one can fix the tenant. Keep a permanent break-glass account (see the provider's protected_principal_ids).",
			r.DescribeKey(ctx, state)))
}
