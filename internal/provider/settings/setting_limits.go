package settings

import (
	"context"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

func policyLimitsFromModel(m *roleSettingModel) shared.PolicyLimits {
	return shared.PolicyLimits{
		Eligible: shared.AssignmentLimits{m.EligibleAssignment.AllowPermanent, m.EligibleAssignment.RequireMFA, m.EligibleAssignment.MaximumDuration,
			m.EligibleAssignment.RequireJustification, m.EligibleAssignment.RequireTicketInfo},
		Active: shared.AssignmentLimits{m.ActiveAssignment.AllowPermanent, m.ActiveAssignment.RequireMFA, m.ActiveAssignment.MaximumDuration,
			m.ActiveAssignment.RequireJustification, m.ActiveAssignment.RequireTicketInfo},
	}
}

func FetchLimits(ctx context.Context, client *pimclient.Client, ref shared.PolicyRef) (shared.PolicyLimits, error) {
	pol, err := ref.Fetch(ctx, client)
	if err != nil {
		return shared.PolicyLimits{}, err
	}
	m, err := roleSettingFromRules(pol)
	if err != nil {
		return shared.PolicyLimits{}, err
	}
	return policyLimitsFromModel(m), nil
}

// FetchRoleLimits reads the limits of every directory role's policy in one
// paged list, keyed as the policy cache keys them.
func FetchRoleLimits(ctx context.Context, client *pimclient.Client) (map[string]shared.PolicyLimits, error) {
	policies, err := client.ListRolePolicies(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]shared.PolicyLimits, len(policies))
	for _, pol := range policies {
		m, err := roleSettingFromRules(pol)
		if err != nil {
			return nil, err
		}
		out[shared.RolePolicy(pol.RoleDefinitionID).Key()] = policyLimitsFromModel(m)
	}
	return out, nil
}
