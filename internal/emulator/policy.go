package emulator

import "github.com/pim-as-code/terraform-provider-pim/internal/isoduration"

func parseISODuration(s string) (isoduration.Duration, error) { return isoduration.Parse(s) }

// Policy is the part of a directory role's PIM policy (its 17 rules) that the
// emulator enforces on assignment requests. Field names follow the rule ids.
type Policy struct {
	ExpirationAdminEligibility  ExpirationRule
	EnablementAdminEligibility  []string
	ExpirationAdminAssignment   ExpirationRule
	EnablementAdminAssignment   []string
	ExpirationEndUserAssignment ExpirationRule
	EnablementEndUserAssignment []string
}

// ExpirationRule is unifiedRoleManagementPolicyExpirationRule.
type ExpirationRule struct {
	IsExpirationRequired bool
	MaximumDuration      string
}

// DefaultPolicy is the documented default of a directory role
// (pim-graph-api.md §5.5 and §5.9).
func DefaultPolicy() *Policy {
	return &Policy{
		ExpirationAdminEligibility:  ExpirationRule{false, "P365D"},
		EnablementAdminEligibility:  []string{},
		ExpirationAdminAssignment:   ExpirationRule{false, "P180D"},
		EnablementAdminAssignment:   []string{"Justification"},
		ExpirationEndUserAssignment: ExpirationRule{true, "PT8H"},
		EnablementEndUserAssignment: []string{"MultiFactorAuthentication", "Justification"},
	}
}

func (p *Policy) adminRules(k kind) (ExpirationRule, []string) {
	if k == kindAssignment {
		return p.ExpirationAdminAssignment, p.EnablementAdminAssignment
	}
	return p.ExpirationAdminEligibility, p.EnablementAdminEligibility
}
