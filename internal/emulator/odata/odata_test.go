package odata

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

var audit = Object{
	{"id", "a1"},
	{"activityDisplayName", "Add member to role completed (PIM activation)"},
	{"activityDateTime", "2030-01-01T10:00:00.0000000Z"},
	{"loggedByService", "PIM"},
	{"count", 3},
	{"isBuiltIn", true},
	{"initiatedBy", Object{{"user", Object{{"id", "U1"}}}, {"app", nil}}},
	{"targetResources", []any{Object{{"id", "r1"}, {"type", "Role"}}, Object{{"id", "u2"}, {"type", "User"}}}},
	{"tags", []any{"a", "b"}},
}

func TestFilterMatches(t *testing.T) {
	cases := map[string]bool{
		"id eq 'A1'": true,
		"id ne 'a1'": false,
		"loggedByService eq 'PIM' and id eq 'a1'": true,
		"id eq 'x' or id eq 'a1'":                 true,
		// and binds tighter than or: a or (b and c), not (a or b) and c.
		"id eq 'a1' or id eq 'x' and id eq 'y'":                                  true,
		"(id eq 'a1' or id eq 'x') and id eq 'y'":                                false,
		"not (id eq 'a1')":                                                       false,
		"id in ('x', 'a1')":                                                      true,
		"id in ('x')":                                                            false,
		"startswith(activityDisplayName,'add member')":                           true,
		"endswith(activityDisplayName,'(PIM activation)')":                       true,
		"activityDateTime ge 2030-01-01T09:30:00Z":                               true,
		"activityDateTime lt 2030-01-01":                                         false,
		"initiatedBy/user/id eq 'u1'":                                            true,
		"initiatedBy/app eq null":                                                true,
		"initiatedBy/app ne null":                                                false,
		"targetResources/any(t: t/id eq 'u2' and t/type eq 'User')":              true,
		"targetResources/any(t: t/id eq 'u2' and t/type eq 'Role')":              false,
		"targetResources/all(t: t/id ne 'zz')":                                   true,
		"tags/any(x: x eq 'b')":                                                  true,
		"count gt 2 and isBuiltIn eq true":                                       true,
		"count eq 3.0":                                                           true,
		"missing eq null":                                                        true,
		"missing eq 'x'":                                                         false,
		"(id eq 'a1' or id eq 'b') and (loggedByService eq 'x' or true eq true)": false,
	}
	for f, want := range cases {
		parsed, err := ParseFilter(f)
		if err != nil {
			t.Errorf("%q: %v", f, err)
			continue
		}
		if got := parsed.Match(audit); got != want {
			t.Errorf("%q matched %v, want %v", f, got, want)
		}
	}
}

func TestFilterRejects(t *testing.T) {
	for _, f := range []string{
		"", "id", "id eq", "id eq a1", "id xx 'a'", "id eq 'unterminated", "(id eq 'a'", "id eq 'a')",
		"startswith(id, 5)", "t/any(x: y eq 'a')", "id in ()", "id in ('a' 'b')",
		"id eq 'a' and", strings.Repeat("(", 40) + "id eq 'a'" + strings.Repeat(")", 40),
		strings.Repeat("not ", 40) + "id eq 'a'",
		"id in (" + strings.Repeat("'a',", 15) + "'b')",
		strings.Repeat("x", MaxFilterLength+1),
	} {
		if _, err := ParseFilter(f); !errors.Is(err, ErrFilter) {
			t.Errorf("%q: want a filter error, got %v", f, err)
		}
	}
}

func TestEqualitiesAreOnlyRequiredOnes(t *testing.T) {
	f, err := ParseFilter("principalId eq 'P' and roleDefinitionId in ('r1','r2') and (id eq 'x' or id eq 'y') and not (status eq 'z')")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"principalid": {"P"}, "roledefinitionid": {"r1", "r2"}}
	if got := f.Equalities(); !reflect.DeepEqual(got, want) {
		t.Errorf("Equalities() = %v, want %v", got, want)
	}
	f.ReplaceEquality("PrincipalId", "p", "Q")
	if got := f.Equalities()["principalid"]; !reflect.DeepEqual(got, []string{"Q"}) {
		t.Errorf("after ReplaceEquality: %v", got)
	}
}

func TestParseQuery(t *testing.T) {
	q, err := ParseQuery("$select=principalId,action&$expand=roleDefinition,policy($expand=rules;$select=id)&$top=5&$orderby=activityDateTime desc&$count=true&other=1",
		"$select", "$expand", "$top", "$orderby", "$count")
	if err != nil {
		t.Fatal(err)
	}
	if q.Top != 5 || !q.Count || len(q.OrderBy) != 1 || !q.OrderBy[0].Desc || len(q.Expand) != 2 || q.Expand[1].Expand[0].Name != "rules" {
		t.Errorf("parsed %+v", q)
	}
	ctx := ContextURL("https://graph.microsoft.com/v1.0/$metadata", "roleManagement/directory/roleAssignmentScheduleRequests", q, true)
	if want := "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignmentScheduleRequests(principalId,action,roleDefinition(),policy(id,rules()))/$entity"; ctx != want {
		t.Errorf("context %s\nwant    %s", ctx, want)
	}
	for _, raw := range []string{
		"$top=0", "$top=1000", "$top=99999999999999999999", "$top=x", "$search=foo", "$filter=id eq", "$select=a,,b",
		"$expand=a(", "$expand=a($filter=x eq 'y')", "$top=1&$top=2", "$orderby=a sideways", "$count=maybe",
		"$expand=a($expand=b($expand=c($expand=d)))", "$skiptoken=", "$select=%zz",
	} {
		if _, err := ParseQuery(raw, "$filter", "$select", "$expand", "$top", "$orderby", "$count", "$skiptoken"); !errors.Is(err, ErrQuery) && !errors.Is(err, ErrFilter) {
			t.Errorf("%q: want a query error, got %v", raw, err)
		}
	}
}

func TestObjectKeepsOrder(t *testing.T) {
	b, err := json.Marshal(Object{{"z", 1}, {"a", Object{{"y", nil}}}, {"m", []any{"x"}}})
	if err != nil || string(b) != `{"z":1,"a":{"y":null},"m":["x"]}` {
		t.Errorf("%s %v", b, err)
	}
}

// FuzzParseFilter: no input panics the parser or the evaluator, and every
// error is a filter error (the emulator answers it with 400).
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"id eq 'a'", "a/any(x: x/b eq 'c') and not (d in ('e','f'))", "startswith(a,'b') or c ge 2030-01-01T00:00:00Z",
		"((((", "a eq ''''", "x/all(y: y eq null)", "a eq -1.5e3", "not not not a eq true", "a/any(x:x/any(y:y eq 'z'))",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parsed, err := ParseFilter(s)
		if err != nil {
			if !errors.Is(err, ErrFilter) {
				t.Fatalf("%q: error %v is not ErrFilter", s, err)
			}
			return
		}
		parsed.Match(audit)
		parsed.Equalities()
	})
}

// FuzzParseQuery: no query string panics the option parser.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"$select=a,b&$expand=c($select=d;$expand=e)", "$top=10&$skiptoken=abc", "$orderby=a desc,b", "$filter=a eq 'b'", "%zz", "$expand=((",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s, "$filter", "$select", "$expand", "$top", "$orderby", "$count", "$skiptoken")
		if err == nil {
			ContextURL("m", "s", q, false)
		}
	})
}

// The hand-written encoder agrees with encoding/json on every value.
func FuzzObjectJSON(f *testing.F) {
	f.Add("plain", "x")
	f.Add("quote\"back\\slash", "\x00\x1f\u2028\xff\xfe<>&")
	f.Fuzz(func(t *testing.T, name, value string) {
		if name == "n" {
			return
		}
		o := Object{{name, value}, {"n", []any{value, nil, true, 3, Object{{"k", []string{value}}}}}}
		got, err := o.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		var back map[string]any
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q: invalid JSON %s: %v", value, got, err)
		}
		want, _ := json.Marshal(map[string]any{name: value})
		var wantBack map[string]any
		_ = json.Unmarshal(want, &wantBack)
		if back[name] != wantBack[name] {
			t.Fatalf("%q: decoded %q, encoding/json round-trips %q", value, back[name], wantBack[name])
		}
	})
}
