package core

import (
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
)

// Evaluation of a role's rules against requests, as described in "Rules in
// PIM - mapping guide" (https://learn.microsoft.com/graph/identity-governance-pim-rules-overview).
// A failed rule makes Graph answer 400 RoleAssignmentRequestPolicyValidationFailed
// with the failed rule names.

// PolicyFor returns the policy that governs a key, the documented default
// until changed.
func (tx *Tx) PolicyFor(k Key) *Policy { return tx.PolicyOf(k.Subject()) }

func (tx *Tx) PolicyOf(s PolicySubject) *Policy {
	if p, ok := tx.St.Policies[s.Key()]; ok {
		return p
	}
	if s.ScopeType == ScopeTypeGroup {
		return defaultGroupPolicy
	}
	return defaultPolicy
}

// The defaults are shared read-only; writes clone them first.
var (
	defaultPolicy      = DefaultPolicy()
	defaultGroupPolicy = DefaultGroupPolicy()
)

// Subject is the policy subject of a key.
func (k Key) Subject() PolicySubject {
	if k.Surface == SurfaceGroup {
		return PolicySubject{ScopeTypeGroup, k.Scope, k.Role}
	}
	return DirectorySubject(k.Role)
}

// PolicyFailed is Graph's answer to a request that breaks rules.
func PolicyFailed(failed []string) *APIError {
	q := make([]string, len(failed))
	for i, f := range failed {
		q[i] = `"` + f + `"`
	}
	return BadRequest("RoleAssignmentRequestPolicyValidationFailed", "The following policy rules failed: [%s]", strings.Join(q, ","))
}

// AdminFailures evaluates the admin expiration and enablement rules of a
// kind. An app-only caller never satisfies MultiFactorAuthentication: an
// application cannot perform MFA, which is why pipelines fail against roles
// whose Enablement_Admin_Eligibility requires it.
func (p *Policy) AdminFailures(k Kind, spec ScheduleSpec, req *Request, caller Identity) []string {
	exp, enablement := p.Rules["Expiration_Admin_Eligibility"], p.Rules["Enablement_Admin_Eligibility"]
	if k == Active {
		exp, enablement = p.Rules["Expiration_Admin_Assignment"], p.Rules["Enablement_Admin_Assignment"]
	}
	var failed []string
	if exp.IsExpirationRequired && !withinExpiration(exp, spec) {
		failed = append(failed, "ExpirationRule")
	}
	return append(failed, enablementFailures(enablement.EnabledRules, req, caller)...)
}

// ActivationFailures evaluates Expiration_EndUser_Assignment and
// Enablement_EndUser_Assignment. Activations are never permanent, whatever
// isExpirationRequired says.
func (p *Policy) ActivationFailures(spec ScheduleSpec, req *Request, caller Identity) []string {
	var failed []string
	if !withinExpiration(p.Rules["Expiration_EndUser_Assignment"], spec) {
		failed = append(failed, "ExpirationRule")
	}
	return append(failed, enablementFailures(p.Rules["Enablement_EndUser_Assignment"].EnabledRules, req, caller)...)
}

// withinExpiration reports whether a schedule ends no later than the rule's
// maximum duration after its start. guess: maximumDuration is not enforced
// when isExpirationRequired is false (callers check that first).
func withinExpiration(exp *Rule, spec ScheduleSpec) bool {
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
func enablementFailures(enabled []string, req *Request, caller Identity) []string {
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
