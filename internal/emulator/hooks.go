package emulator

import (
	"encoding/json"
	"strings"
	"time"
)

// Out-of-band hooks: what an administrator does in the Entra portal, or what
// time does, without going through Graph. Tests use them to create drift and
// to assert the emulator's state; they go through the same locks, journal
// and clock as HTTP calls.

// ScheduleView is a read-only copy of a schedule for assertions.
type ScheduleView struct {
	ID, PrincipalID, RoleDefinitionID, DirectoryScopeID, Status string
	Start                                                       time.Time
	End                                                         *time.Time
	Duration                                                    string
	Modified                                                    *time.Time
	// Activated marks a JIT activation (assignmentType Activated).
	Activated bool
}

// RequestView is a read-only copy of a schedule request for assertions.
type RequestView struct {
	ID, Action, Status, PrincipalID, RoleDefinitionID, DirectoryScopeID string
	Justification, CreatedBy                                            string
	Created                                                             time.Time
}

var system = Identity{PrincipalID: AdminID}

func view(sc *schedule) ScheduleView {
	return ScheduleView{ID: sc.ID, PrincipalID: sc.Key.Principal, RoleDefinitionID: sc.Key.Role, DirectoryScopeID: sc.Key.Scope,
		Status: sc.Status, Start: sc.Spec.Start, End: sc.Spec.end(), Duration: sc.Spec.Duration, Modified: sc.Modified,
		Activated: sc.activated()}
}

// Schedules returns the current schedules of a kind, oldest first.
func (s *Server) Schedules(k Kind) []ScheduleView {
	var out []ScheduleView
	s.view(system, func(tx *tx) {
		for _, sc := range tx.st.schedules.items {
			if sc.Key.Kind == k {
				out = append(out, view(sc))
			}
		}
	})
	return out
}

func hookKey(k Kind, principalID, roleID, scope string) key {
	return key{surfaceDirectory, k, strings.ToLower(principalID), strings.ToLower(roleID), scope}
}

// FindSchedule returns the eligibility or standing active assignment of a
// key, if any (activations: FindActivation).
func (s *Server) FindSchedule(k Kind, principalID, roleID, scope string) (ScheduleView, bool) {
	var out ScheduleView
	found := false
	s.view(system, func(tx *tx) {
		if sc := tx.st.standing[hookKey(k, principalID, roleID, scope)]; sc != nil {
			out, found = view(sc), true
		}
	})
	return out, found
}

// FindActivation returns the key's JIT activation, if any.
func (s *Server) FindActivation(principalID, roleID, scope string) (ScheduleView, bool) {
	var out ScheduleView
	found := false
	s.view(system, func(tx *tx) {
		if sc := tx.st.activations[hookKey(Active, principalID, roleID, scope)]; sc != nil {
			out, found = view(sc), true
		}
	})
	return out, found
}

// Requests returns the stored (not yet purged) requests of a kind, oldest first.
func (s *Server) Requests(k Kind) []RequestView {
	var out []RequestView
	s.view(system, func(tx *tx) {
		for _, r := range tx.st.requests.items {
			if r.Key.Kind == k {
				out = append(out, RequestView{ID: r.ID, Action: r.Action, Status: r.Status, PrincipalID: r.Key.Principal,
					RoleDefinitionID: r.Key.Role, DirectoryScopeID: r.Key.Scope, Created: r.Created, CreatedBy: r.CreatedBy,
					Justification: strVal(r.Justification)})
			}
		}
	})
	return out
}

// RemoveOutOfBand deletes a schedule as a portal administrator would,
// bypassing the provider. It reports whether one was removed.
func (s *Server) RemoveOutOfBand(k Kind, principalID, roleID, scope string) bool {
	removed := false
	_ = s.update(system, func(tx *tx) *apiError {
		sc := tx.st.standing[hookKey(k, principalID, roleID, scope)]
		if sc == nil {
			return nil
		}
		tx.st.removeSchedule(sc)
		tx.touch(entSchedule, sc.ID)
		reason := "removed out of band"
		tx.auditAdmin("remove", sc.Spec, sc.Key, &reason, "")
		removed = true
		return nil
	})
	return removed
}

// SetPolicy replaces a role's enforced policy.
func (s *Server) SetPolicy(roleID string, p *Policy) {
	_ = s.update(system, func(tx *tx) *apiError {
		c := p.clone()
		c.Key = directoryPolicyKey(roleID)
		tx.st.policies[c.Key] = c
		tx.touch(entPolicy, c.Key)
		return nil
	})
}

// PolicyOf returns a copy of a role's current policy.
func (s *Server) PolicyOf(roleID string) *Policy {
	var out *Policy
	s.view(system, func(tx *tx) { out = tx.policyOf(directorySubject(roleID)).clone() })
	return out
}

// RulesEqual reports whether two policies have the same 17 rules.
func RulesEqual(a, b *Policy) bool {
	for _, id := range ruleIDs {
		if !RuleEqual(a.Rules[id], b.Rules[id]) {
			return false
		}
	}
	return true
}

// RuleEqual reports whether two rules are the same as Graph would show them.
func RuleEqual(a, b *Rule) bool {
	if a == nil || b == nil {
		return a == b
	}
	ja, errA := json.Marshal(a.object())
	jb, errB := json.Marshal(b.object())
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// PrincipalName is a principal's UPN (users) or display name, for messages.
func (s *Server) PrincipalName(id string) string {
	if u, ok := s.dir.users[strings.ToLower(id)]; ok {
		return u.UPN
	}
	name, _ := s.seedDisplayName(id).(string)
	return name
}

func (s *Server) seedDisplayName(id string) any {
	id = strings.ToLower(id)
	if sp, ok := s.dir.sps[id]; ok {
		return sp.DisplayName
	}
	if g, ok := s.dir.groups[id]; ok {
		return g.DisplayName
	}
	return nil
}

// UserName is the UPN's local part of a seeded user ("alice"), or "".
func (s *Server) UserName(principalID string) string {
	u, ok := s.dir.users[strings.ToLower(principalID)]
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(u.UPN, "@")
	return name
}

// GroupPolicyOf returns a copy of the current policy of a group's
// membership ("member") or ownership ("owner").
func (s *Server) GroupPolicyOf(groupID, accessID string) *Policy {
	var out *Policy
	s.view(system, func(tx *tx) {
		out = tx.policyOf(policySubject{scopeTypeGroup, strings.ToLower(groupID), accessID}).clone()
	})
	return out
}
