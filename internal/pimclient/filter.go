package pimclient

import (
	"net/url"
	"strings"
)

// Filter builds an OData $filter of `eq` clauses joined by `and`, the form the
// PIM collections document. Empty values are left out.
type Filter struct {
	clauses []string
}

// Eq adds `field eq 'value'` when value is not empty.
func (f Filter) Eq(field, value string) Filter {
	if value == "" {
		return f
	}
	// OData escapes a quote inside a string literal by doubling it.
	f.clauses = append(f.clauses, field+" eq '"+strings.ReplaceAll(value, "'", "''")+"'")
	return f
}

// String renders the filter.
func (f Filter) String() string { return strings.Join(f.clauses, " and ") }

func (f Filter) query() url.Values {
	q := url.Values{}
	if s := f.String(); s != "" {
		q.Set("$filter", s)
	}
	return q
}

// AssignmentKey is the natural key of an eligibility or an active assignment:
// at most one direct schedule exists per principal, role and scope.
type AssignmentKey struct {
	PrincipalID      string
	RoleDefinitionID string
	DirectoryScopeID string
}

// Filter returns the $filter that selects the key's schedules.
func (k AssignmentKey) Filter() Filter {
	return Filter{}.Eq("principalId", k.PrincipalID).
		Eq("roleDefinitionId", k.RoleDefinitionID).
		Eq("directoryScopeId", k.DirectoryScopeID)
}
