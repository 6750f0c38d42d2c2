package pim

import (
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
)

// Evaluation of a policy's rules against requests, as described in "Rules in
// PIM - mapping guide" (https://learn.microsoft.com/graph/identity-governance-pim-rules-overview).
// A failed rule makes Graph answer 400 RoleAssignmentRequestPolicyValidationFailed
// with the failed rule names.

// policyFailed is Graph's answer to a request that breaks rules.
func policyFailed(failed []string) *core.APIError {
	q := make([]string, len(failed))
	for i, f := range failed {
		q[i] = `"` + f + `"`
	}
	return core.BadRequest("RoleAssignmentRequestPolicyValidationFailed", "The following policy rules failed: [%s]", strings.Join(q, ","))
}

// adminFailures evaluates the admin expiration and enablement rules of a
// kind. An app-only caller never satisfies MultiFactorAuthentication: an
// application cannot perform MFA, which is why pipelines fail against roles
// whose Enablement_Admin_Eligibility requires it.
func adminFailures(p *core.Policy, k core.Kind, spec core.ScheduleSpec, req *core.Request, caller core.Identity) []string {
	exp, enablement := p.Rules["Expiration_Admin_Eligibility"], p.Rules["Enablement_Admin_Eligibility"]
	if k == core.Active {
		exp, enablement = p.Rules["Expiration_Admin_Assignment"], p.Rules["Enablement_Admin_Assignment"]
	}
	var failed []string
	if exp.IsExpirationRequired && !withinExpiration(exp, spec) {
		failed = append(failed, "ExpirationRule")
	}
	return append(failed, enablementFailures(enablement.EnabledRules, req, caller)...)
}

// activationFailures evaluates Expiration_EndUser_Assignment and
// Enablement_EndUser_Assignment. Activations are never permanent, whatever
// isExpirationRequired says.
func activationFailures(p *core.Policy, spec core.ScheduleSpec, req *core.Request, caller core.Identity) []string {
	var failed []string
	if !withinExpiration(p.Rules["Expiration_EndUser_Assignment"], spec) {
		failed = append(failed, "ExpirationRule")
	}
	return append(failed, enablementFailures(p.Rules["Enablement_EndUser_Assignment"].EnabledRules, req, caller)...)
}

// withinExpiration reports whether a schedule ends no later than the rule's
// maximum duration after its start. guess: maximumDuration is not enforced
// when isExpirationRequired is false (callers check that first).
func withinExpiration(exp *core.Rule, spec core.ScheduleSpec) bool {
	end := spec.EffectiveEnd()
	if end == nil {
		return false
	}
	start := spec.Start
	limit, err := isoduration.Parse(exp.MaximumDuration)
	return err != nil || !end.After(limit.AddTo(start))
}

// enablementFailures evaluates an enablement rule against a request and the
// caller's token.
func enablementFailures(enabled []string, req *core.Request, caller core.Identity) []string {
	var failed []string
	for _, r := range enabled {
		switch r {
		case "Justification":
			if req.Justification == nil || strings.TrimSpace(*req.Justification) == "" {
				failed = append(failed, "JustificationRule")
			}
		case "Ticketing":
			if req.TicketNumber == nil || *req.TicketNumber == "" {
				failed = append(failed, "TicketingRule")
			}
		case "MultiFactorAuthentication":
			if caller.App || !caller.MFA {
				failed = append(failed, "MfaRule")
			}
		}
	}
	return failed
}
