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
