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
	"bytes"
	"encoding/json"
	"strings"
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
func (o Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(p.Name)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(p.Value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
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
