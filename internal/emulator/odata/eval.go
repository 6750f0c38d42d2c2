package odata

import (
	"strings"
	"time"
)

// env is what a path resolves against: the entity, and the lambda
// variables bound on the way down.
type env struct {
	root Object
	vars map[string]any
}

func (e env) resolve(path []string) any {
	if v, ok := e.vars[path[0]]; ok {
		if len(path) == 1 {
			return v
		}
		obj, isObj := v.(Object)
		if !isObj {
			return nil
		}
		v, _ = obj.Lookup(path[1:])
		return v
	}
	v, _ := e.root.Lookup(path)
	return v
}

func (e env) bind(name string, v any) env {
	vars := make(map[string]any, len(e.vars)+1)
	for k, x := range e.vars {
		vars[k] = x
	}
	vars[name] = v
	return env{root: e.root, vars: vars}
}

type node interface {
	eval(env) bool
}

type (
	orNode  struct{ a, b node }
	andNode struct{ a, b node }
	notNode struct{ a node }
	cmpNode struct {
		path []string
		op   string
		lit  any // string, nil, bool, float64 or time.Time
	}
	inNode struct {
		path []string
		lits []any
	}
	funcNode struct {
		fn   string // startswith, endswith
		path []string
		lit  string // lower case
	}
	lambdaNode struct {
		all      bool
		path     []string
		variable string
		body     node
	}
)

func (n orNode) eval(e env) bool  { return n.a.eval(e) || n.b.eval(e) }
func (n andNode) eval(e env) bool { return n.a.eval(e) && n.b.eval(e) }
func (n notNode) eval(e env) bool { return !n.a.eval(e) }

func (n cmpNode) eval(e env) bool {
	v := e.resolve(n.path)
	return compare(v, n.op, n.lit)
}

func (n inNode) eval(e env) bool {
	v := e.resolve(n.path)
	for _, l := range n.lits {
		if compare(v, "eq", l) {
			return true
		}
	}
	return false
}

func (n funcNode) eval(e env) bool {
	v := e.resolve(n.path)
	s, ok := v.(string)
	if !ok {
		return false
	}
	s = strings.ToLower(s)
	if n.fn == "endswith" {
		return strings.HasSuffix(s, n.lit)
	}
	return strings.HasPrefix(s, n.lit)
}

func (n lambdaNode) eval(e env) bool {
	v := e.resolve(n.path)
	items, _ := v.([]any)
	for _, it := range items {
		match := n.body.eval(e.bind(n.variable, it))
		if n.all && !match {
			return false
		}
		if !n.all && match {
			return true
		}
	}
	return n.all
}

// mentions reports whether a lambda body uses its variable.
func mentions(n node, variable string) bool {
	switch x := n.(type) {
	case orNode:
		return mentions(x.a, variable) || mentions(x.b, variable)
	case andNode:
		return mentions(x.a, variable) || mentions(x.b, variable)
	case notNode:
		return mentions(x.a, variable)
	case cmpNode:
		return x.path[0] == variable
	case inNode:
		return x.path[0] == variable
	case funcNode:
		return x.path[0] == variable
	case lambdaNode:
		return x.path[0] == variable || mentions(x.body, variable)
	}
	return false
}

// compare applies op to an entity value and a literal. Strings compare
// case-insensitively; a value of another type than the literal only
// satisfies "ne".
func compare(v any, op string, lit any) bool {
	if lit == nil {
		switch op {
		case "eq":
			return v == nil
		case "ne":
			return v != nil
		}
		return false
	}
	c, ok := order(v, lit)
	if !ok {
		return op == "ne"
	}
	switch op {
	case "eq":
		return c == 0
	case "ne":
		return c != 0
	case "ge":
		return c >= 0
	case "le":
		return c <= 0
	case "gt":
		return c > 0
	case "lt":
		return c < 0
	}
	return false
}

// order compares v with lit: -1, 0 or 1, and false when they do not compare.
func order(v, lit any) (int, bool) {
	switch l := lit.(type) {
	case string:
		s, ok := v.(string)
		return strings.Compare(strings.ToLower(s), strings.ToLower(l)), ok
	case bool:
		b, ok := v.(bool)
		if !ok {
			return 0, false
		}
		if b == l {
			return 0, true
		}
		return 1, true
	case float64:
		f, ok := number(v)
		if !ok {
			return 0, false
		}
		switch {
		case f < l:
			return -1, true
		case f > l:
			return 1, true
		}
		return 0, true
	case time.Time:
		s, ok := v.(string)
		if !ok {
			return 0, false
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return 0, false
		}
		return t.Compare(l), true
	}
	return 0, false
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

// Equalities returns, for each property the filter requires to equal one of
// a few strings (an "eq" or "in" in the top-level conjunction), those
// strings, keyed by the lower-cased property path. Collections use it to
// pick candidates from an index; the whole filter is still applied to each.
func (f *Filter) Equalities() map[string][]string {
	out := map[string][]string{}
	if f == nil {
		return out
	}
	var walk func(n node)
	walk = func(n node) {
		switch x := n.(type) {
		case andNode:
			walk(x.a)
			walk(x.b)
		case cmpNode:
			if s, ok := x.lit.(string); ok && x.op == "eq" {
				key := strings.ToLower(strings.Join(x.path, "/"))
				if _, seen := out[key]; !seen {
					out[key] = []string{s}
				}
			}
		case inNode:
			var vals []string
			for _, l := range x.lits {
				s, ok := l.(string)
				if !ok {
					return
				}
				vals = append(vals, s)
			}
			key := strings.ToLower(strings.Join(x.path, "/"))
			if _, seen := out[key]; !seen {
				out[key] = vals
			}
		}
	}
	walk(f.root)
	return out
}

// ReplaceEquality rewrites "path eq 'from'" to "path eq 'to'" anywhere in
// the filter (case-insensitively), for services that accept synonyms.
func (f *Filter) ReplaceEquality(path, from, to string) {
	var walk func(n node) node
	walk = func(n node) node {
		switch x := n.(type) {
		case andNode:
			return andNode{walk(x.a), walk(x.b)}
		case orNode:
			return orNode{walk(x.a), walk(x.b)}
		case notNode:
			return notNode{walk(x.a)}
		case cmpNode:
			if s, ok := x.lit.(string); ok && x.op == "eq" && strings.EqualFold(strings.Join(x.path, "/"), path) && strings.EqualFold(s, from) {
				x.lit = to
			}
			return x
		}
		return n
	}
	f.root = walk(f.root)
}
