// Package odata is the subset of OData v4 that Microsoft Graph serves and the
// emulator needs: ordered JSON objects, the $filter grammar and its
// evaluation, the other system query options ($select, $expand, $top,
// $skiptoken, $orderby, $count) and context URLs. It knows nothing about PIM.
//
// Reference: "Use query parameters to customize responses" and "Advanced
// query capabilities on Microsoft Entra ID objects" on Microsoft Learn
// (https://learn.microsoft.com/graph/query-parameters,
// https://learn.microsoft.com/graph/aad-advanced-queries).
package odata

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Property is one name/value pair of an Object.
type Property struct {
	Name  string
	Value any
}

// Object is a JSON object that keeps its properties in order, as Graph
// documents them. Values are strings, bools, numbers, nil, Objects, []any
// or anything encoding/json can marshal.
type Object []Property

// Get returns the value of a property, matching the name case-insensitively
// as Graph matches property names.
func (o Object) Get(name string) (any, bool) {
	for _, p := range o {
		if strings.EqualFold(p.Name, name) {
			return p.Value, true
		}
	}
	return nil, false
}

// Name returns the property's name as the object spells it.
func (o Object) Name(name string) (string, bool) {
	for _, p := range o {
		if strings.EqualFold(p.Name, name) {
			return p.Name, true
		}
	}
	return "", false
}

// With returns a copy of the object with the property set (replaced in
// place when present, appended otherwise).
func (o Object) With(name string, v any) Object {
	out := make(Object, 0, len(o)+1)
	found := false
	for _, p := range o {
		if strings.EqualFold(p.Name, name) {
			p.Value, found = v, true
		}
		out = append(out, p)
	}
	if !found {
		out = append(out, Property{name, v})
	}
	return out
}

// Prepend returns a copy with the property first (for @odata annotations).
func (o Object) Prepend(name string, v any) Object {
	out := make(Object, 0, len(o)+1)
	out = append(out, Property{name, v})
	for _, p := range o {
		if !strings.EqualFold(p.Name, name) {
			out = append(out, p)
		}
	}
	return out
}

// MarshalJSON writes the properties in order.
func (o Object) MarshalJSON() ([]byte, error) { return o.AppendJSON(nil) }

// AppendJSON appends the object's JSON encoding to b. Nested Objects and
// slices are written directly (json.Marshal would re-validate the output
// of every nested Marshaler, which dominated large responses).
func (o Object) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	var err error
	for i, p := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, p.Name)
		b = append(b, ':')
		if b, err = appendValue(b, p.Value); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendValue(b []byte, v any) ([]byte, error) {
	var err error
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case Object:
		return x.AppendJSON(b)
	case []any:
		b = append(b, '[')
		for i, it := range x {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendValue(b, it); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case []string:
		b = append(b, '[')
		for i, it := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, it)
		}
		return append(b, ']'), nil
	}
	data, err := json.Marshal(v)
	return append(b, data...), err
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string, escaping what JSON requires and
// replacing invalid UTF-8, as encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// Lookup follows a property path (a/b/c) through nested objects. Arrays
// end the walk: only lambda operators look inside collections.
func (o Object) Lookup(path []string) (any, bool) {
	var cur any = o
	for _, seg := range path {
		obj, ok := cur.(Object)
		if !ok {
			return nil, false
		}
		if cur, ok = obj.Get(seg); !ok {
			return nil, false
		}
	}
	return cur, true
}
