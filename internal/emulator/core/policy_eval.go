package core

// The policy that governs a key: a role's, or a group's membership or
// ownership, the documented default until changed.

// PolicyFor returns the policy that governs a key, the documented default
// until changed.
func (tx *Tx) PolicyFor(k Key) *Policy { return tx.PolicyOf(k.Subject()) }

func (tx *Tx) PolicyOf(s PolicySubject) *Policy {
	if p, ok := tx.St.Policies[s.Key()]; ok {
		return p
	}
	switch s.ScopeType {
	case ScopeTypeGroup:
		return defaultGroupPolicy
	case ScopeTypeAzure:
		return defaultAzurePolicy
	}
	return defaultPolicy
}

// The defaults are shared read-only; writes clone them first.
var (
	defaultPolicy      = DefaultPolicy()
	defaultGroupPolicy = DefaultGroupPolicy()
	defaultAzurePolicy = DefaultAzurePolicy()
)

// Subject is the policy subject of a key.
func (k Key) Subject() PolicySubject {
	switch k.Surface {
	case SurfaceGroup:
		return PolicySubject{ScopeTypeGroup, k.Scope, k.Role}
	case SurfaceAzure:
		return PolicySubject{ScopeTypeAzure, k.Scope, k.Role}
	}
	return DirectorySubject(k.Role)
}
