package arm

import (
	"strings"
	"testing"
)

func TestParseFilter(t *testing.T) {
	for raw, want := range map[string]string{
		"":                                    "fns=0 eq=0",
		"atScope()":                           "fns=1 eq=0",
		"(principalId eq 'A') and atScope()":  "fns=1 eq=1",
		"assignedTo('x') and asTarget()":      "fns=2 eq=0",
		"roleName eq 'Key Vault and Secrets'": "fns=0 eq=1",
	} {
		f, e := parseFilter(raw, "principalId", "roleName")
		if e != nil {
			t.Errorf("%q: %v", raw, e)
			continue
		}
		if got := summary(f); got != want {
			t.Errorf("%q: %s, want %s", raw, got, want)
		}
	}
	for _, raw := range []string{"roleDefinitionId eq 'x'", "principalId ne 'x'", "atScope(", "principalId eq 'x' or atScope()", strings.Repeat("(", 3000)} {
		if _, e := parseFilter(raw, "principalId"); e == nil || e.Status != 400 {
			t.Errorf("%q: accepted, want 400", raw)
		}
	}
}

func summary(f *filter) string {
	return "fns=" + string(rune('0'+len(f.fns))) + " eq=" + string(rune('0'+len(f.eq)))
}

// FuzzParseFilter: any $filter is parsed or refused with a 400, never a
// panic (its seed corpus runs in make test; make fuzz runs it longer).
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"atScope()", "principalId eq 'x' and asTarget()", "((principalId eq 'x'))", "assignedTo('')", "'", "eq", "and and"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if _, e := parseFilter(raw, "principalId"); e != nil && e.Status != 400 {
			t.Fatalf("%q: %v", raw, e)
		}
	})
}
