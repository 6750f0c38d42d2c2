package odata

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// The $filter grammar Graph serves on the collections the emulator emulates:
//
//	expr       = or
//	or         = and *( "or" and )
//	and        = unary *( "and" unary )
//	unary      = "not" unary / primary
//	primary    = "(" expr ")" / function / lambda / comparison / membership
//	function   = ( "startswith" / "endswith" ) "(" path "," string ")"
//	lambda     = path "/" ( "any" / "all" ) "(" var ":" expr ")"
//	comparison = path ( "eq" / "ne" / "gt" / "ge" / "lt" / "le" ) literal
//	membership = path "in" "(" literal *( "," literal ) ")"
//	literal    = 'string' / null / true / false / number / date-time
//
// Strings compare case-insensitively, as Graph compares ids, enums and
// display names. Limits keep hostile input cheap: see MaxFilterLength,
// MaxDepth and MaxInValues.

// Limits on a $filter.
const (
	// MaxFilterLength bounds the text of a filter.
	MaxFilterLength = 8192
	// MaxDepth bounds nesting (parentheses, not, lambdas).
	MaxDepth = 32
	// MaxInValues is the most values one "in" may list, as Microsoft Entra
	// documents for its advanced queries.
	MaxInValues = 15
)

// Filter is a parsed $filter expression.
type Filter struct {
	root node
}

// ErrFilter wraps every parse error.
var ErrFilter = errors.New("invalid filter clause")

// ParseFilter parses s. Errors wrap ErrFilter and say where parsing stopped.
func ParseFilter(s string) (*Filter, error) {
	if len(s) > MaxFilterLength {
		return nil, fmt.Errorf("%w: the filter is longer than %d characters", ErrFilter, MaxFilterLength)
	}
	p := &parser{s: s}
	n, err := p.or()
	if err == nil {
		p.space()
		if p.pos < len(p.s) {
			err = p.errorf("unexpected %q", p.rest())
		}
	}
	if err != nil {
		return nil, err
	}
	return &Filter{root: n}, nil
}

// Match evaluates the filter against an entity.
func (f *Filter) Match(o Object) bool {
	if f == nil {
		return true
	}
	return f.root.eval(env{root: o})
}

type parser struct {
	s     string
	pos   int
	depth int
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s at position %d", ErrFilter, fmt.Sprintf(format, args...), p.pos)
}

func (p *parser) rest() string {
	r := p.s[p.pos:]
	if len(r) > 20 {
		r = r[:20] + "…"
	}
	return r
}

func (p *parser) space() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

func isWordByte(c byte) bool {
	return c == '_' || c == '/' || c == '.' || c == '@' || c == '$' || c < 0x80 && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)))
}

// word reads an identifier or a path (letters, digits, _ / . @ $).
func (p *parser) word() string {
	p.space()
	start := p.pos
	for p.pos < len(p.s) && isWordByte(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// keyword consumes kw (case-insensitive) when it is the next word.
func (p *parser) keyword(kw string) bool {
	save := p.pos
	if w := p.word(); strings.EqualFold(w, kw) {
		return true
	}
	p.pos = save
	return false
}

func (p *parser) expect(c byte) error {
	p.space()
	if p.pos >= len(p.s) || p.s[p.pos] != c {
		return p.errorf("expected %q", c)
	}
	p.pos++
	return nil
}

func (p *parser) peek(c byte) bool {
	p.space()
	return p.pos < len(p.s) && p.s[p.pos] == c
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errorf("the filter nests deeper than %d levels", MaxDepth)
	}
	return nil
}

func (p *parser) or() (node, error) {
	left, err := p.and()
	for err == nil && p.keyword("or") {
		var right node
		if right, err = p.and(); err == nil {
			left = orNode{left, right}
		}
	}
	return left, err
}

func (p *parser) and() (node, error) {
	left, err := p.unary()
	for err == nil && p.keyword("and") {
		var right node
		if right, err = p.unary(); err == nil {
			left = andNode{left, right}
		}
	}
	return left, err
}

func (p *parser) unary() (node, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	if p.keyword("not") {
		n, err := p.unary()
		return notNode{n}, err
	}
	return p.primary()
}

func (p *parser) primary() (node, error) {
	if p.peek('(') {
		p.pos++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		return n, p.expect(')')
	}
	w := p.word()
	if w == "" {
		return nil, p.errorf("expected a property, a function or '('")
	}
	lower := strings.ToLower(w)
	switch {
	case (lower == "startswith" || lower == "endswith") && p.peek('('):
		return p.function(lower)
	case (strings.HasSuffix(lower, "/any") || strings.HasSuffix(lower, "/all")) && p.peek('('):
		return p.lambda(w)
	}
	return p.comparison(w)
}

func (p *parser) function(fn string) (node, error) {
	p.pos++ // (
	path := p.word()
	if path == "" {
		return nil, p.errorf("%s needs a property as its first argument", fn)
	}
	if err := p.expect(','); err != nil {
		return nil, err
	}
	lit, err := p.literal()
	if err != nil {
		return nil, err
	}
	s, ok := lit.(string)
	if !ok {
		return nil, p.errorf("%s needs a string literal as its second argument", fn)
	}
	return funcNode{fn: fn, path: splitPath(path), lit: strings.ToLower(s)}, p.expect(')')
}

func (p *parser) lambda(w string) (node, error) {
	p.pos++ // (
	p.space()
	start := p.pos
	for p.pos < len(p.s) && (p.s[p.pos] == '_' || p.s[p.pos] < 0x80 && (unicode.IsLetter(rune(p.s[p.pos])) || unicode.IsDigit(rune(p.s[p.pos])))) {
		p.pos++
	}
	variable := p.s[start:p.pos]
	if variable == "" {
		return nil, p.errorf("expected a lambda variable")
	}
	if err := p.expect(':'); err != nil {
		return nil, err
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	body, err := p.or()
	p.depth--
	if err != nil {
		return nil, err
	}
	if !mentions(body, variable) {
		return nil, p.errorf("the lambda body must use its variable %q", variable)
	}
	n := lambdaNode{all: strings.HasSuffix(strings.ToLower(w), "/all"), path: splitPath(w[:len(w)-4]), variable: variable, body: body}
	return n, p.expect(')')
}

func (p *parser) comparison(path string) (node, error) {
	op := strings.ToLower(p.word())
	switch op {
	case "eq", "ne", "gt", "ge", "lt", "le":
		lit, err := p.literal()
		return cmpNode{path: splitPath(path), op: op, lit: lit}, err
	case "in":
		return p.membership(path)
	case "":
		return nil, p.errorf("expected an operator after %q", path)
	}
	return nil, p.errorf("unsupported operator %q (supported: eq, ne, gt, ge, lt, le, in, and, or, not, startswith, endswith, any, all)", op)
}

func (p *parser) membership(path string) (node, error) {
	if err := p.expect('('); err != nil {
		return nil, err
	}
	var lits []any
	for {
		lit, err := p.literal()
		if err != nil {
			return nil, err
		}
		if lits = append(lits, lit); len(lits) > MaxInValues {
			return nil, p.errorf("\"in\" lists more than %d values", MaxInValues)
		}
		if p.peek(',') {
			p.pos++
			continue
		}
		return inNode{path: splitPath(path), lits: lits}, p.expect(')')
	}
}

func splitPath(s string) []string { return strings.Split(s, "/") }

// literal reads 'string', null, true, false, a number or a date-time.
func (p *parser) literal() (any, error) {
	p.space()
	if p.pos < len(p.s) && p.s[p.pos] == '\'' {
		return p.stringLiteral()
	}
	start := p.pos
	for p.pos < len(p.s) && (isWordByte(p.s[p.pos]) || strings.IndexByte(":+-", p.s[p.pos]) >= 0) {
		p.pos++
	}
	w := p.s[start:p.pos]
	switch strings.ToLower(w) {
	case "":
		return nil, p.errorf("expected a literal")
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
	if t, err := time.Parse(time.DateOnly, w); err == nil {
		return t, nil
	}
	if f, err := strconv.ParseFloat(w, 64); err == nil {
		return f, nil
	}
	return nil, p.errorf("unsupported literal %q (quote strings: '…')", w)
}

func (p *parser) stringLiteral() (any, error) {
	var b strings.Builder
	p.pos++
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == '\'' {
			if p.pos+1 < len(p.s) && p.s[p.pos+1] == '\'' {
				b.WriteByte('\'')
				p.pos += 2
				continue
			}
			p.pos++
			return b.String(), nil
		}
		b.WriteByte(c)
		p.pos++
	}
	return nil, p.errorf("unterminated string literal")
}
