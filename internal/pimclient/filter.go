package pimclient

import (
	"net/url"
	"strings"
	"time"
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
	f.clauses = append(f.clauses, field+" eq "+quote(value))
	return f
}

// Ge adds `field ge <timestamp>` (unquoted, as Graph wants date literals).
func (f Filter) Ge(field string, t time.Time) Filter {
	f.clauses = append(f.clauses, field+" ge "+t.UTC().Format(time.RFC3339))
	return f
}

// Le adds `field le <timestamp>`.
func (f Filter) Le(field string, t time.Time) Filter {
	f.clauses = append(f.clauses, field+" le "+t.UTC().Format(time.RFC3339))
	return f
}

// StartsWith adds `startswith(field,'prefix')` when prefix is not empty.
func (f Filter) StartsWith(field, prefix string) Filter {
	if prefix == "" {
		return f
	}
	f.clauses = append(f.clauses, "startswith("+field+","+quote(prefix)+")")
	return f
}

// AnyEq adds `collection/any(x: x/field eq 'value')` when value is not empty.
func (f Filter) AnyEq(collection, field, value string) Filter {
	if value == "" {
		return f
	}
	f.clauses = append(f.clauses, collection+"/any(x: x/"+field+" eq "+quote(value)+")")
	return f
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

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
