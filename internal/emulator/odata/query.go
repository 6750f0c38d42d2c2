package odata

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Query holds the system query options of one request.
type Query struct {
	Filter    *Filter
	Select    []string
	Expand    []Expand
	Top       int // 0 when not given
	SkipToken string
	OrderBy   []Order
	Count     bool
}

// Expand is one $expand item with its nested options.
type Expand struct {
	Name   string
	Select []string
	Expand []Expand
}

// Order is one $orderby item.
type Order struct {
	Path []string
	Desc bool
}

// Limits on query options.
const (
	MaxTop            = 999
	maxSkipTokenBytes = 2048
	maxSelectItems    = 64
	maxExpandDepth    = 3
)

// ErrQuery wraps every query-option error.
var ErrQuery = errors.New("invalid query option")

// ParseQuery parses the query string. allowed lists the system options
// (with their $) that the addressed resource supports; any other $option
// is refused, as Graph refuses options a resource does not support.
// Parameters without a $ are not system options and are left alone.
func ParseQuery(raw string, allowed ...string) (*Query, error) {
	vals, err := splitQuery(raw)
	if err != nil {
		return nil, err
	}
	q := &Query{}
	names := make([]string, 0, len(vals))
	for name := range vals {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic error for several bad options
	for _, name := range names {
		if !strings.HasPrefix(name, "$") {
			continue
		}
		lower := strings.ToLower(name)
		if !contains(allowed, lower) {
			return nil, fmt.Errorf("%w: query option '%s' is not supported on this resource", ErrQuery, name)
		}
		if len(vals[name]) > 1 {
			return nil, fmt.Errorf("%w: query option '%s' was specified more than once", ErrQuery, name)
		}
		if err := q.set(lower, vals[name][0]); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// splitQuery is url.ParseQuery without its refusal of ';', which OData uses
// unescaped between nested options: $expand=policy($expand=rules;$select=id).
func splitQuery(raw string) (map[string][]string, error) {
	vals := map[string][]string{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("%w: the query string is malformed: %w", ErrQuery, err)
		}
		vals[key] = append(vals[key], val)
	}
	return vals, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (q *Query) set(name, v string) error {
	var err error
	switch name {
	case "$filter":
		q.Filter, err = ParseFilter(v)
	case "$select":
		q.Select, err = parseSelect(v)
	case "$expand":
		q.Expand, err = parseExpand(v, 1)
	case "$top":
		q.Top, err = parseTop(v)
	case "$skiptoken":
		if v == "" || len(v) > maxSkipTokenBytes {
			err = fmt.Errorf("%w: $skiptoken is empty or too long", ErrQuery)
		}
		q.SkipToken = v
	case "$orderby":
		q.OrderBy, err = parseOrderBy(v)
	case "$count":
		q.Count, err = strconv.ParseBool(v)
		if err != nil {
			err = fmt.Errorf("%w: $count must be true or false, got %q", ErrQuery, v)
		}
	}
	return err
}

func parseTop(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > MaxTop {
		return 0, fmt.Errorf("%w: invalid page size specified: '%s'. Must be between 1 and %d inclusive", ErrQuery, v, MaxTop)
	}
	return n, nil
}

func isIdentifier(s string) bool {
	if s == "" || s == "*" {
		return s == "*"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && c != '@' && c != '.' && c != '#' && (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

func parseSelect(v string) ([]string, error) {
	parts := strings.Split(v, ",")
	if len(parts) > maxSelectItems {
		return nil, fmt.Errorf("%w: $select lists more than %d properties", ErrQuery, maxSelectItems)
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if !isIdentifier(p) {
			return nil, fmt.Errorf("%w: '%s' in $select is not a property name", ErrQuery, p)
		}
		out = append(out, p)
	}
	return out, nil
}

// splitTop splits s at sep where no parenthesis is open.
func splitTop(s string, sep byte) ([]string, error) {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return nil, fmt.Errorf("%w: unbalanced parentheses in %q", ErrQuery, s)
			}
		case sep:
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, fmt.Errorf("%w: unbalanced parentheses in %q", ErrQuery, s)
	}
	return append(out, s[start:]), nil
}

func parseExpand(v string, depth int) ([]Expand, error) {
	if depth > maxExpandDepth {
		return nil, fmt.Errorf("%w: $expand nests deeper than %d levels", ErrQuery, maxExpandDepth)
	}
	items, err := splitTop(v, ',')
	if err != nil {
		return nil, err
	}
	out := make([]Expand, 0, len(items))
	for _, it := range items {
		it = strings.TrimSpace(it)
		name, opts, hasOpts := strings.Cut(it, "(")
		e := Expand{Name: strings.TrimSpace(name)}
		if !isIdentifier(e.Name) || e.Name == "*" && hasOpts {
			return nil, fmt.Errorf("%w: '%s' in $expand is not a navigation property", ErrQuery, it)
		}
		if hasOpts {
			if !strings.HasSuffix(opts, ")") {
				return nil, fmt.Errorf("%w: unbalanced parentheses in $expand item %q", ErrQuery, it)
			}
			if err := e.nested(strings.TrimSuffix(opts, ")"), depth); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func (e *Expand) nested(opts string, depth int) error {
	parts, err := splitTop(opts, ';')
	if err != nil {
		return err
	}
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		name, val, ok := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(name) {
		case "$select":
			if e.Select, err = parseSelect(val); err != nil {
				return err
			}
		case "$expand":
			if e.Expand, err = parseExpand(val, depth+1); err != nil {
				return err
			}
		default:
			if !ok {
				return fmt.Errorf("%w: '%s' in $expand(...) is not a query option", ErrQuery, p)
			}
			return fmt.Errorf("%w: query option '%s' is not supported inside $expand", ErrQuery, name)
		}
	}
	return nil
}

func parseOrderBy(v string) ([]Order, error) {
	var out []Order
	for _, item := range strings.Split(v, ",") {
		fields := strings.Fields(item)
		if len(fields) == 0 || len(fields) > 2 || !isIdentifier(strings.ReplaceAll(fields[0], "/", "")) {
			return nil, fmt.Errorf("%w: '%s' in $orderby is not a property with an optional asc or desc", ErrQuery, item)
		}
		o := Order{Path: splitPath(fields[0])}
		if len(fields) == 2 {
			switch strings.ToLower(fields[1]) {
			case "asc":
			case "desc":
				o.Desc = true
			default:
				return nil, fmt.Errorf("%w: '%s' in $orderby must end with asc or desc", ErrQuery, item)
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// ContextURL builds @odata.context: metadata is the service's $metadata URL,
// set the entity set path (roleManagement/directory/roleEligibilitySchedules).
// $select and $expand appear in parentheses as Graph shows them, e.g.
// roleAssignmentScheduleRequests(principalId,action,roleDefinition())/$entity.
func ContextURL(metadata, set string, q *Query, entity bool) string {
	s := metadata + "#" + set
	if q != nil {
		if seg := projection(q.Select, q.Expand); seg != "" {
			s += "(" + seg + ")"
		}
	}
	if entity {
		s += "/$entity"
	}
	return s
}

func projection(sel []string, exp []Expand) string {
	parts := append([]string(nil), sel...)
	for _, e := range exp {
		parts = append(parts, e.Name+"("+projection(e.Select, e.Expand)+")")
	}
	return strings.Join(parts, ",")
}
