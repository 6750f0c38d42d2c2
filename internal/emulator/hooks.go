package emulator

import (
	"encoding/json"
	"strings"
	"time"
)

// Out-of-band hooks: what an administrator does in the Entra portal, or what
// time does, without going through the provider. Tests and the demo use them
// to create drift; they take the same lock as HTTP calls.

// Kind selects eligible or active assignments in the hooks below.
type Kind bool

const (
	Eligible Kind = false
	Active   Kind = true
)

func (k Kind) internal() kind {
	if k == Active {
		return kindAssignment
	}
	return kindEligibility
}

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

// Schedules returns the current schedules of a kind (after applying time).
func (s *Server) Schedules(k Kind) []ScheduleView {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	var out []ScheduleView
	for _, sc := range s.st.Schedules {
		if sc.Kind != k.internal() {
			continue
		}
		out = append(out, ScheduleView{
			ID: sc.ID, PrincipalID: sc.PrincipalID, RoleDefinitionID: sc.RoleDefinitionID, DirectoryScopeID: sc.DirectoryScopeID,
			Status: sc.Status, Start: sc.Spec.Start, End: sc.Spec.end(), Duration: sc.Spec.Duration, Modified: sc.Modified,
			Activated: sc.AssignmentType == "Activated",
		})
	}
	return out
}

// FindSchedule returns the eligibility or standing active assignment of a
// key, if any (activations: FindActivation).
func (s *Server) FindSchedule(k Kind, principalID, roleID, scope string) (ScheduleView, bool) {
	for _, v := range s.Schedules(k) {
		if v.Activated {
			continue
		}
		if strings.EqualFold(v.PrincipalID, principalID) && strings.EqualFold(v.RoleDefinitionID, roleID) && v.DirectoryScopeID == scope {
			return v, true
		}
	}
	return ScheduleView{}, false
}

// FindActivation returns the key's JIT activation, if any.
func (s *Server) FindActivation(principalID, roleID, scope string) (ScheduleView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	sc := s.findActivation(assignmentKey{kindAssignment, strings.ToLower(principalID), strings.ToLower(roleID), scope})
	if sc == nil {
		return ScheduleView{}, false
	}
	return ScheduleView{ID: sc.ID, PrincipalID: sc.PrincipalID, RoleDefinitionID: sc.RoleDefinitionID, DirectoryScopeID: sc.DirectoryScopeID,
		Status: sc.Status, Start: sc.Spec.Start, End: sc.Spec.end(), Duration: sc.Spec.Duration, Modified: sc.Modified}, true
}

// Requests returns the stored (not yet purged) requests of a kind, oldest first.
func (s *Server) Requests(k Kind) []RequestView {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick()
	var out []RequestView
	for _, r := range s.st.Requests {
		if r.Kind != k.internal() {
			continue
		}
		v := RequestView{ID: r.ID, Action: r.Action, Status: r.Status, PrincipalID: r.PrincipalID,
			RoleDefinitionID: r.RoleDefinitionID, DirectoryScopeID: r.DirectoryScopeID, Created: r.Created, CreatedBy: r.CreatedBy}
		if r.Justification != nil {
			v.Justification = *r.Justification
		}
		out = append(out, v)
	}
	return out
}

// RemoveOutOfBand deletes a schedule as a portal administrator would,
// bypassing the provider. It reports whether one was removed.
func (s *Server) RemoveOutOfBand(k Kind, principalID, roleID, scope string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.findSchedule(assignmentKey{k.internal(), strings.ToLower(principalID), strings.ToLower(roleID), scope})
	if sc == nil {
		return false
	}
	s.removeSchedule(sc)
	reason := "removed out of band"
	s.auditAssignment(sc.Kind, "remove", sc.Spec, AdminID, sc.key(), &reason, "")
	s.mustPersist()
	return true
}

// SetPolicy replaces a role's enforced policy.
func (s *Server) SetPolicy(roleID string, p *Policy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Policies[strings.ToLower(roleID)] = p
	s.mustPersist()
}

// PolicyOf returns a copy of a role's current policy.
func (s *Server) PolicyOf(roleID string) *Policy {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.policy(roleID).clone()
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
	ja, _ := json.Marshal(a.wire())
	jb, _ := json.Marshal(b.wire())
	return string(ja) == string(jb)
}

// UserName is the UPN's local part of a seeded user ("alice"), or "".
func (s *Server) UserName(principalID string) string {
	u, ok := s.users[principalID]
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(u.UPN, "@")
	return name
}
