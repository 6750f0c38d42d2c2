package emulator

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
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

func view(sc *core.Schedule) ScheduleView {
	return ScheduleView{ID: sc.ID, PrincipalID: sc.Key.Principal, RoleDefinitionID: sc.Key.Role, DirectoryScopeID: sc.Key.Scope,
		Status: sc.Status, Start: sc.Spec.Start, End: sc.Spec.EffectiveEnd(), Duration: sc.Spec.Duration, Modified: sc.Modified,
		Activated: sc.Activated()}
}

// Schedules returns the current schedules of a kind, oldest first.
func (s *Server) Schedules(k Kind) []ScheduleView {
	var out []ScheduleView
	s.st.View(system, func(tx *core.Tx) {
		for _, sc := range tx.St.Schedules.Items {
			if sc.Key.Kind == k {
				out = append(out, view(sc))
			}
		}
	})
	return out
}

func hookKey(k Kind, principalID, roleID, scope string) core.Key {
	return core.Key{core.SurfaceDirectory, k, strings.ToLower(principalID), strings.ToLower(roleID), scope}
}

// FindSchedule returns the eligibility or standing active assignment of a
// key, if any (activations: FindActivation).
func (s *Server) FindSchedule(k Kind, principalID, roleID, scope string) (ScheduleView, bool) {
	var out ScheduleView
	found := false
	s.st.View(system, func(tx *core.Tx) {
		if sc := tx.St.Standing[hookKey(k, principalID, roleID, scope)]; sc != nil {
			out, found = view(sc), true
		}
	})
	return out, found
}

// FindActivation returns the key's JIT activation, if any.
func (s *Server) FindActivation(principalID, roleID, scope string) (ScheduleView, bool) {
	var out ScheduleView
	found := false
	s.st.View(system, func(tx *core.Tx) {
		if sc := tx.St.Activations[hookKey(Active, principalID, roleID, scope)]; sc != nil {
			out, found = view(sc), true
		}
	})
	return out, found
}

// Requests returns the stored (not yet purged) requests of a kind, oldest first.
func (s *Server) Requests(k Kind) []RequestView {
	var out []RequestView
	s.st.View(system, func(tx *core.Tx) {
		for _, r := range tx.St.Requests.Items {
			if r.Key.Kind == k {
				out = append(out, RequestView{ID: r.ID, Action: r.Action, Status: r.Status, PrincipalID: r.Key.Principal,
					RoleDefinitionID: r.Key.Role, DirectoryScopeID: r.Key.Scope, Created: r.Created, CreatedBy: r.CreatedBy,
					Justification: deref(r.Justification)})
			}
		}
	})
	return out
}

// RemoveOutOfBand deletes a schedule as a portal administrator would,
// bypassing the provider. It reports whether one was removed.
func (s *Server) RemoveOutOfBand(k Kind, principalID, roleID, scope string) bool {
	removed := false
	s.pim.OutOfBand(system, func(tx *core.Tx, auditAdmin func(string, core.ScheduleSpec, core.Key, *string)) {
		sc := tx.St.Standing[hookKey(k, principalID, roleID, scope)]
		if sc == nil {
			return
		}
		tx.St.RemoveSchedule(sc)
		tx.Touch(core.EntSchedule, sc.ID)
		reason := "removed out of band"
		auditAdmin("remove", sc.Spec, sc.Key, &reason)
		removed = true
	})
	return removed
}

// SetPolicy replaces a role's enforced policy.
func (s *Server) SetPolicy(roleID string, p *Policy) {
	_ = s.st.Update(system, func(tx *core.Tx) *core.APIError {
		c := p.Clone()
		c.Key = core.DirectoryPolicyKey(roleID)
		tx.St.Policies[c.Key] = c
		tx.Touch(core.EntPolicy, c.Key)
		return nil
	})
}

// SetGroupPolicy replaces the policy of a group's membership ("member") or
// ownership ("owner").
func (s *Server) SetGroupPolicy(groupID, accessID string, p *Policy) {
	_ = s.st.Update(system, func(tx *core.Tx) *core.APIError {
		c := p.Clone()
		c.Key = core.PolicySubject{ScopeType: core.ScopeTypeGroup, ScopeID: strings.ToLower(groupID), RoleID: accessID}.Key()
		tx.St.Policies[c.Key] = c
		tx.Touch(core.EntPolicy, c.Key)
		return nil
	})
}

// PolicyOf returns a copy of a role's current policy.
func (s *Server) PolicyOf(roleID string) *Policy {
	var out *Policy
	s.st.View(system, func(tx *core.Tx) { out = tx.PolicyOf(core.DirectorySubject(roleID)).Clone() })
	return out
}

// RulesEqual reports whether two policies have the same 17 rules.
func RulesEqual(a, b *Policy) bool {
	for _, id := range core.RuleIDList {
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
	ja, errA := json.Marshal(a.Object())
	jb, errB := json.Marshal(b.Object())
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// PrincipalName is a principal's UPN (users) or display name, for messages.
func (s *Server) PrincipalName(id string) string {
	if u, ok := s.dir.Users[strings.ToLower(id)]; ok {
		return u.UPN
	}
	name, _ := s.seedDisplayName(id).(string)
	return name
}

func (s *Server) seedDisplayName(id string) any {
	id = strings.ToLower(id)
	if sp, ok := s.dir.SPs[id]; ok {
		return sp.DisplayName
	}
	if g, ok := s.dir.Groups[id]; ok {
		return g.DisplayName
	}
	return nil
}

// UserName is the UPN's local part of a seeded user ("alice"), or "".
func (s *Server) UserName(principalID string) string {
	u, ok := s.dir.Users[strings.ToLower(principalID)]
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
	s.st.View(system, func(tx *core.Tx) {
		out = tx.PolicyOf(core.PolicySubject{core.ScopeTypeGroup, strings.ToLower(groupID), accessID}).Clone()
	})
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
