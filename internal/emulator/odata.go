package emulator

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

// The $filter subset Graph documents for the PIM and audit collections:
//
//	path op literal                 op: eq ne ge le gt lt
//	startswith(path, 'literal')
//	path/any(x: x/sub op literal)
//
// joined by `and`. Literals are 'quoted strings' (” escapes a quote), null,
// true, false, numbers and unquoted ISO 8601 timestamps. Anything else is
// rejected with 400, as Graph rejects filters it does not support.
// Entities are read through their json tags (or map keys), so one evaluator
// serves every collection and paths such as initiatedBy/user/id work unchanged.

type filterExpr []clause

type clause struct {
	fn      string // "", "startswith" or "any"
	path    []string
	anyPath []string // for any(): the property path under the lambda variable
	op      string
	lit     any // string, nil, bool, float64 or time.Time
}

type filterParser struct {
	s   string
	pos int
}

func parseFilter(s string) (filterExpr, error) {
	p := &filterParser{s: s}
	var out filterExpr
	for {
		c, err := p.clause()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		p.space()
		if p.pos >= len(p.s) {
			return out, nil
		}
		word := p.word()
		if !strings.EqualFold(word, "and") {
			return nil, fmt.Errorf("unsupported filter operator %q at position %d: only 'and' is supported", word, p.pos)
		}
	}
}

func (p *filterParser) space() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *filterParser) word() string {
	p.space()
	start := p.pos
	for p.pos < len(p.s) {
		r := rune(p.s[p.pos])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '/' || r == '_' || r == '.' || r == '@' || r == '-' || r == ':' || r == '+' {
			p.pos++
			continue
		}
		break
	}
	return p.s[start:p.pos]
}

// lambdaVar reads the variable of an any() lambda: letters and digits only,
// since word() also takes ':' for timestamps.
func (p *filterParser) lambdaVar() string {
	p.space()
	start := p.pos
	for p.pos < len(p.s) && (unicode.IsLetter(rune(p.s[p.pos])) || unicode.IsDigit(rune(p.s[p.pos]))) {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *filterParser) expect(ch byte) error {
	p.space()
	if p.pos >= len(p.s) || p.s[p.pos] != ch {
		return fmt.Errorf("expected %q at position %d of the filter", ch, p.pos)
	}
	p.pos++
	return nil
}

func (p *filterParser) clause() (clause, error) {
	p.space()
	ident := p.word()
	if ident == "" {
		return clause{}, fmt.Errorf("expected a property at position %d of the filter", p.pos)
	}
	if strings.EqualFold(ident, "startswith") {
		if err := p.expect('('); err != nil {
			return clause{}, err
		}
		path := p.word()
		if err := p.expect(','); err != nil {
			return clause{}, err
		}
		lit, err := p.literal()
		if err != nil {
			return clause{}, err
		}
		if err := p.expect(')'); err != nil {
			return clause{}, err
		}
		if _, ok := lit.(string); !ok {
			return clause{}, fmt.Errorf("startswith needs a string literal")
		}
		return clause{fn: "startswith", path: splitPath(path), lit: lit}, nil
	}
	if p.pos < len(p.s) && p.s[p.pos] == '(' && strings.HasSuffix(strings.ToLower(ident), "/any") {
		p.pos++
		v := p.lambdaVar()
		if err := p.expect(':'); err != nil {
			return clause{}, err
		}
		inner, err := p.clause()
		if err != nil {
			return clause{}, err
		}
		if err := p.expect(')'); err != nil {
			return clause{}, err
		}
		if len(inner.path) == 0 || !strings.EqualFold(inner.path[0], v) {
			return clause{}, fmt.Errorf("lambda body must address the variable %q", v)
		}
		return clause{fn: "any", path: splitPath(ident[:len(ident)-4]), anyPath: inner.path[1:], op: inner.op, lit: inner.lit}, nil
	}
	op := strings.ToLower(p.word())
	switch op {
	case "eq", "ne", "ge", "le", "gt", "lt":
	default:
		return clause{}, fmt.Errorf("unsupported filter operator %q after %q", op, ident)
	}
	lit, err := p.literal()
	if err != nil {
		return clause{}, err
	}
	return clause{path: splitPath(ident), op: op, lit: lit}, nil
}

func splitPath(s string) []string { return strings.Split(s, "/") }

func (p *filterParser) literal() (any, error) {
	p.space()
	if p.pos < len(p.s) && p.s[p.pos] == '\'' {
		var b strings.Builder
		p.pos++
		for p.pos < len(p.s) {
			ch := p.s[p.pos]
			if ch == '\'' {
				if p.pos+1 < len(p.s) && p.s[p.pos+1] == '\'' {
					b.WriteByte('\'')
					p.pos += 2
					continue
				}
				p.pos++
				return b.String(), nil
			}
			b.WriteByte(ch)
			p.pos++
		}
		return nil, fmt.Errorf("unterminated string literal in the filter")
	}
	w := p.word()
	switch strings.ToLower(w) {
	case "":
		return nil, fmt.Errorf("expected a literal at position %d of the filter", p.pos)
	case "null":
		return nil, nil
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, w); err == nil {
		return t, nil
	}
	if f, err := strconv.ParseFloat(w, 64); err == nil {
		return f, nil
	}
	return nil, fmt.Errorf("unsupported literal %q in the filter (strings must be quoted)", w)
}

// match evaluates the filter against an entity: a wire struct (read through
// its json tags, without a JSON round trip) or a map.
func (f filterExpr) match(v any) bool {
	for _, c := range f {
		if !c.match(v) {
			return false
		}
	}
	return true
}

func (c clause) match(v any) bool {
	val := lookup(v, c.path)
	switch c.fn {
	case "startswith":
		s, ok := val.(string)
		return ok && strings.HasPrefix(strings.ToLower(s), strings.ToLower(c.lit.(string)))
	case "any":
		items, _ := val.([]any)
		for _, it := range items {
			if compare(lookup(it, c.anyPath), c.op, c.lit) {
				return true
			}
		}
		return false
	}
	return compare(val, c.op, c.lit)
}

// lookup follows a property path through structs (by json tag, case-
// insensitively, as Graph matches property names) and maps. It returns
// strings, bools, float64s, []any (elements left as they are) or nil; a zero
// value of an omitempty field is nil, as it is absent from the JSON.
func lookup(v any, path []string) any {
	cur := reflect.ValueOf(v)
	for _, seg := range path {
		cur = deref(cur)
		switch {
		case !cur.IsValid():
			return nil
		case cur.Kind() == reflect.Map:
			var found reflect.Value
			for _, k := range cur.MapKeys() {
				if strings.EqualFold(k.String(), seg) {
					found = cur.MapIndex(k)
					break
				}
			}
			cur = found
		case cur.Kind() == reflect.Struct:
			cur = fieldByJSONName(cur, seg)
		default:
			return nil
		}
	}
	return plain(cur)
}

func deref(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

type jsonField struct {
	index     int
	omitEmpty bool
}

// jsonFields caches, per struct type, its fields by lower-cased json name.
var jsonFields sync.Map // reflect.Type -> map[string]jsonField

func fieldByJSONName(v reflect.Value, name string) reflect.Value {
	t := v.Type()
	cached, ok := jsonFields.Load(t)
	if !ok {
		m := map[string]jsonField{}
		for i := range t.NumField() {
			tag := t.Field(i).Tag.Get("json")
			n, opts, _ := strings.Cut(tag, ",")
			if n == "" || n == "-" {
				continue
			}
			m[strings.ToLower(n)] = jsonField{i, strings.Contains(opts, "omitempty")}
		}
		cached, _ = jsonFields.LoadOrStore(t, m)
	}
	f, ok := cached.(map[string]jsonField)[strings.ToLower(name)]
	if !ok {
		return reflect.Value{}
	}
	fv := v.Field(f.index)
	if f.omitEmpty && fv.IsZero() {
		return reflect.Value{}
	}
	return fv
}

func plain(v reflect.Value) any {
	v = deref(v)
	if !v.IsValid() {
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int())
	case reflect.Float32, reflect.Float64:
		return v.Float()
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = v.Index(i).Interface()
		}
		return out
	}
	return v.Interface()
}

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
	var c int
	switch l := lit.(type) {
	case string:
		s, ok := v.(string)
		if !ok {
			return op == "ne"
		}
		// Graph compares ids and enum strings case-insensitively.
		c = strings.Compare(strings.ToLower(s), strings.ToLower(l))
	case bool:
		b, ok := v.(bool)
		if !ok {
			return op == "ne"
		}
		if b == l {
			c = 0
		} else {
			c = 1
		}
	case float64:
		f, ok := v.(float64)
		if !ok {
			return op == "ne"
		}
		c = cmpFloat(f, l)
	case time.Time:
		s, ok := v.(string)
		if !ok {
			return op == "ne"
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return op == "ne"
		}
		c = t.Compare(l)
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

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
