package assignments

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// checkPolicy rejects at plan time an assignment the role setting would make
// Graph refuse at apply time (azuread#1450, #1464, azurerm#22766).
func (r *Resource) checkPolicy(ctx context.Context, plan *Model, diags *diag.Diagnostics) {
	if plan.RoleDefinitionID.IsUnknown() || plan.DirectoryScopeID.IsUnknown() {
		return
	}
	limits, planned, err := r.data.Policies.Get(ctx, r.data.Client, r.policyRef(plan))
	if err != nil {
		diags.AddWarning(shared.Title(r.target.Names().SettingNoun)+" Not Checked",
			shared.GraphErrorDetail("Reading the PIM policy of "+r.DescribeTarget(ctx, plan)+" to check this "+r.Noun()+" at plan time failed", err,
				"The plan goes on; Graph checks the policy again at apply time."))
		return
	}
	l, block, expRule := limits.ForKind(r.kind)
	role := r.DescribeTarget(ctx, plan)
	source := "The current PIM setting of " + role
	hint := " If a " + r.target.Names().SettingType + " in this configuration changes this limit, reference it (" + r.target.Names().SettingRef +
		") so the check uses the planned setting."
	if planned {
		source = "The planned " + r.target.Names().SettingType + " of " + role
		hint = ""
	}
	permanent := plan.EndDateTime.IsNull() && plan.Duration.IsNull()
	if !l.AllowPermanent {
		if permanent {
			diags.AddAttributeError(path.Root("duration"), "Permanent "+shared.Title(r.Noun())+" Not Allowed",
				fmt.Sprintf("%s does not allow permanent %ss (%s.allow_permanent = false, rule %s): they must end within %s. "+
					"Set duration (at most %s) or end_date_time.%s", source, r.Noun(), block, expRule, l.MaximumDuration, l.MaximumDuration, hint))
		} else if end, attr, ok := plannedEnd(plan, r.data.Clock.Now(), diags); ok {
			start := r.data.Clock.Now()
			if s, known := shared.KnownTime(plan.StartDateTime, diags); known && s.After(start) {
				start = s
			}
			if limit, err := isoduration.Parse(l.MaximumDuration); err == nil && end.After(limit.AddTo(start)) {
				diags.AddAttributeError(path.Root(attr), shared.Title(r.Noun())+" Longer Than Allowed",
					fmt.Sprintf("%s limits %ss to %s (%s.maximum_duration, rule %s); this one would last until %s. Shorten it.%s",
						source, r.Noun(), l.MaximumDuration, block, expRule, end.Format(time.RFC3339), hint))
			}
		}
	}
	if l.RequireMFA && r.data.AppOnly {
		diags.AddWarning("Multi-Factor Authentication Required",
			fmt.Sprintf("%s requires multi-factor authentication of the admin making %ss (%s.require_mfa, rule %s), and this provider "+
				"signs in app-only (%s): an application cannot pass MFA, so Graph will refuse this %s at apply time. Run Terraform as "+
				"a user who signs in with MFA (use_cli), or set %s.require_mfa = false in the role's pim_role_setting.%s",
				source, r.Noun(), block, enablementRule(r.kind), r.data.SignIn, r.Noun(), block, hint))
	}
	if l.RequireJustification && plan.Justification.IsNull() {
		diags.AddAttributeError(path.Root("justification"), "Justification Required",
			fmt.Sprintf("%s requires a justification for %ss (%s.require_justification). Set justification.%s", source, r.Noun(), block, hint))
	}
	if l.RequireTicket && plan.TicketNumber.IsNull() {
		diags.AddAttributeError(path.Root("ticket_number"), "Ticket Information Required",
			fmt.Sprintf("%s requires ticket information for %ss (%s.require_ticket_info). Set ticket_number and ticket_system.%s", source, r.Noun(), block, hint))
	}
}

// plannedEnd returns the planned end and the attribute that sets it.
func plannedEnd(plan *Model, now time.Time, diags *diag.Diagnostics) (time.Time, string, bool) {
	if end, ok := shared.KnownTime(plan.EndDateTime, diags); ok {
		return end, "end_date_time", true
	}
	if plan.Duration.IsNull() || plan.Duration.IsUnknown() {
		return time.Time{}, "", false
	}
	d, err := isoduration.Parse(plan.Duration.ValueString())
	if err != nil {
		return time.Time{}, "", false
	}
	start := now
	if s, ok := shared.KnownTime(plan.StartDateTime, diags); ok && s.After(now) {
		start = s
	}
	return d.AddTo(start), "duration", true
}

func enablementRule(k pimclient.Kind) string {
	if k == pimclient.Assignment {
		return "Enablement_Admin_Assignment"
	}
	return "Enablement_Admin_Eligibility"
}
