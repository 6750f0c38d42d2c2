package pimclient

import (
	"net/url"
	"slices"
	"strings"
	"time"
)

// Filter builds an OData $filter of `eq` clauses joined by `and`, the form the
// PIM collections document. Empty values are left out. A Filter is a value:
// every method returns a new one and never changes the one it was called on,
// so two filters built from one base stay independent.
type Filter struct {
	clauses []string
	// scope and key are ARM's: where a list is made, and the key its
	// items must match (ARM filters by principal only).
	scope string
	key   *AssignmentKey
}

// with returns a copy with one more clause; clipping forces the append to
// copy, so filters derived from one base never share a backing array.
func (f Filter) with(clause string) Filter {
	return Filter{clauses: append(slices.Clip(f.clauses), clause), scope: f.scope, key: f.key}
}

// Eq adds `field eq 'value'` when value is not empty.
func (f Filter) Eq(field, value string) Filter {
	if value == "" {
		return f
	}
	// OData escapes a quote inside a string literal by doubling it.
	return f.with(field + " eq " + quote(value))
}

// Ge adds `field ge <timestamp>` (unquoted, as Graph wants date literals).
func (f Filter) Ge(field string, t time.Time) Filter {
	return f.with(field + " ge " + t.UTC().Format(time.RFC3339))
}

// Le adds `field le <timestamp>`.
func (f Filter) Le(field string, t time.Time) Filter {
	return f.with(field + " le " + t.UTC().Format(time.RFC3339))
}

// StartsWith adds `startswith(field,'prefix')` when prefix is not empty.
func (f Filter) StartsWith(field, prefix string) Filter {
	if prefix == "" {
		return f
	}
	return f.with("startswith(" + field + "," + quote(prefix) + ")")
}

// AnyEq adds `collection/any(x: x/field eq 'value')` when value is not empty.
func (f Filter) AnyEq(collection, field, value string) Filter {
	if value == "" {
		return f
	}
	return f.with(collection + "/any(x: x/" + field + " eq " + quote(value) + ")")
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// String renders the filter.
func (f Filter) String() string { return strings.Join(f.clauses, " and ") }

// Query is the filter as a URL query ($filter), empty when it has no clause.
func (f Filter) Query() url.Values { return f.query() }

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
