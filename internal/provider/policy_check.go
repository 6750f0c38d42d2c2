package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// assignmentLimits are the parts of a role setting that decide whether Graph
// accepts an admin assignment request.
type assignmentLimits struct {
	AllowPermanent       bool
	RequireMFA           bool
	MaximumDuration      string
	RequireJustification bool
	RequireTicket        bool
}

type policyLimits struct {
	Eligible, Active assignmentLimits
}

func (l policyLimits) forKind(k pimclient.Kind) (assignmentLimits, string, string) {
	if k == pimclient.Assignment {
		return l.Active, "active_assignment", "Expiration_Admin_Assignment"
	}
	return l.Eligible, "eligible_assignment", "Expiration_Admin_Eligibility"
}

func policyLimitsFromModel(m *roleSettingModel) policyLimits {
	return policyLimits{
		Eligible: assignmentLimits{m.EligibleAssignment.AllowPermanent, m.EligibleAssignment.RequireMFA, m.EligibleAssignment.MaximumDuration,
			m.EligibleAssignment.RequireJustification, m.EligibleAssignment.RequireTicketInfo},
		Active: assignmentLimits{m.ActiveAssignment.AllowPermanent, m.ActiveAssignment.RequireMFA, m.ActiveAssignment.MaximumDuration,
			m.ActiveAssignment.RequireJustification, m.ActiveAssignment.RequireTicketInfo},
	}
}

// policyCache holds, for one provider process (one plan or one apply), the
// limits of each role: planned by a pim_role_setting in the same plan, or
// read from Graph once.
type policyCache struct {
	mu      sync.Mutex
	planned map[string]policyLimits
	fetched map[string]policyLimits
	// loading holds, per role, the read in flight: concurrent misses share
	// it (single flight) instead of each reading the policy.
	loading map[string]*policyLoad
}

type policyLoad struct {
	done   chan struct{}
	limits policyLimits
	err    error
}

func newPolicyCache() *policyCache {
	return &policyCache{planned: map[string]policyLimits{}, fetched: map[string]policyLimits{}, loading: map[string]*policyLoad{}}
}

// policyRef names a PIM policy: a directory role's, or a group's
// membership or ownership.
type policyRef struct {
	group string // "" for a directory role
	id    string // the role definition id, or member / owner
}

func rolePolicy(roleID string) policyRef             { return policyRef{id: roleID} }
func groupPolicy(groupID, accessID string) policyRef { return policyRef{group: groupID, id: accessID} }

func (p policyRef) key() string { return strings.ToLower(p.group + "/" + p.id) }

func (p policyRef) fetch(ctx context.Context, client *pimclient.Client) (*pimclient.RolePolicy, error) {
	if p.group != "" {
		return client.GetGroupPolicy(ctx, p.group, p.id)
	}
	return client.GetRolePolicy(ctx, p.id)
}

func (c *policyCache) plan(ref policyRef, l policyLimits) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.planned[ref.key()] = l
}

func (c *policyCache) forget(ref policyRef) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.fetched, ref.key())
}

// get returns the policy's limits and whether they come from a planned setting.
func (c *policyCache) get(ctx context.Context, client *pimclient.Client, ref policyRef) (policyLimits, bool, error) {
	key := ref.key()
	c.mu.Lock()
	if l, ok := c.planned[key]; ok {
		c.mu.Unlock()
		return l, true, nil
	}
	if l, ok := c.fetched[key]; ok {
		c.mu.Unlock()
		return l, false, nil
	}
	load, inFlight := c.loading[key]
	if !inFlight {
		load = &policyLoad{done: make(chan struct{})}
		c.loading[key] = load
	}
	c.mu.Unlock()
	if !inFlight {
		load.limits, load.err = fetchLimits(ctx, client, ref)
		c.mu.Lock()
		if load.err == nil {
			c.fetched[key] = load.limits
		}
		delete(c.loading, key)
		c.mu.Unlock()
		close(load.done)
	}
	select {
	case <-load.done:
		return load.limits, false, load.err
	case <-ctx.Done():
		return policyLimits{}, false, ctx.Err()
	}
}

func fetchLimits(ctx context.Context, client *pimclient.Client, ref policyRef) (policyLimits, error) {
	pol, err := ref.fetch(ctx, client)
	if err != nil {
		return policyLimits{}, err
	}
	m, err := roleSettingFromRules(pol)
	if err != nil {
		return policyLimits{}, err
	}
	return policyLimitsFromModel(m), nil
}

// checkPolicy rejects at plan time an assignment the role setting would make
// Graph refuse at apply time (azuread#1450, #1464, azurerm#22766).
func (r *assignmentResource) checkPolicy(ctx context.Context, plan *assignmentModel, diags *diag.Diagnostics) {
	if plan.RoleDefinitionID.IsUnknown() || plan.DirectoryScopeID.IsUnknown() {
		return
	}
	limits, planned, err := r.data.policies.get(ctx, r.data.client, r.policyRef(plan))
	if err != nil {
		diags.AddWarning(title(r.target.settingNoun)+" Not Checked",
			graphErrorDetail("Reading the PIM policy of "+r.describeTarget(ctx, plan)+" to check this "+r.noun()+" at plan time failed", err,
				"The plan goes on; Graph checks the policy again at apply time."))
		return
	}
	l, block, expRule := limits.forKind(r.kind)
	role := r.describeTarget(ctx, plan)
	source := "The current PIM setting of " + role
	hint := " If a " + r.target.settingType + " in this configuration changes this limit, reference it (" + r.target.settingRef +
		") so the check uses the planned setting."
	if planned {
		source = "The planned " + r.target.settingType + " of " + role
		hint = ""
	}
	permanent := plan.EndDateTime.IsNull() && plan.Duration.IsNull()
	if !l.AllowPermanent {
		if permanent {
			diags.AddAttributeError(path.Root("duration"), "Permanent "+title(r.noun())+" Not Allowed",
				fmt.Sprintf("%s does not allow permanent %ss (%s.allow_permanent = false, rule %s): they must end within %s. "+
					"Set duration (at most %s) or end_date_time.%s", source, r.noun(), block, expRule, l.MaximumDuration, l.MaximumDuration, hint))
		} else if end, attr, ok := plannedEnd(plan, r.data.clock.Now(), diags); ok {
			start := r.data.clock.Now()
			if s, known := knownTime(plan.StartDateTime, diags); known && s.After(start) {
				start = s
			}
			if limit, err := isoduration.Parse(l.MaximumDuration); err == nil && end.After(limit.AddTo(start)) {
				diags.AddAttributeError(path.Root(attr), title(r.noun())+" Longer Than Allowed",
					fmt.Sprintf("%s limits %ss to %s (%s.maximum_duration, rule %s); this one would last until %s. Shorten it.%s",
						source, r.noun(), l.MaximumDuration, block, expRule, end.Format(time.RFC3339), hint))
			}
		}
	}
	if l.RequireMFA && r.data.appOnly {
		diags.AddWarning("Multi-Factor Authentication Required",
			fmt.Sprintf("%s requires multi-factor authentication of the admin making %ss (%s.require_mfa, rule %s), and this provider "+
				"signs in app-only (%s): an application cannot pass MFA, so Graph will refuse this %s at apply time. Run Terraform as "+
				"a user who signs in with MFA (use_cli), or set %s.require_mfa = false in the role's pim_role_setting.%s",
				source, r.noun(), block, enablementRule(r.kind), r.data.signIn, r.noun(), block, hint))
	}
	if l.RequireJustification && plan.Justification.IsNull() {
		diags.AddAttributeError(path.Root("justification"), "Justification Required",
			fmt.Sprintf("%s requires a justification for %ss (%s.require_justification). Set justification.%s", source, r.noun(), block, hint))
	}
	if l.RequireTicket && plan.TicketNumber.IsNull() {
		diags.AddAttributeError(path.Root("ticket_number"), "Ticket Information Required",
			fmt.Sprintf("%s requires ticket information for %ss (%s.require_ticket_info). Set ticket_number and ticket_system.%s", source, r.noun(), block, hint))
	}
}

// plannedEnd returns the planned end and the attribute that sets it.
func plannedEnd(plan *assignmentModel, now time.Time, diags *diag.Diagnostics) (time.Time, string, bool) {
	if end, ok := knownTime(plan.EndDateTime, diags); ok {
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
	if s, ok := knownTime(plan.StartDateTime, diags); ok && s.After(now) {
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
