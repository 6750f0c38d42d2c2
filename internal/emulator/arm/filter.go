package arm

import (
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// ARM's $filter on PIM collections is a few fixed forms, not OData
// (https://learn.microsoft.com/rest/api/authorization/role-eligibility-schedules/list-for-scope):
// atScope(), asTarget(), asRequestor(), asApprover(), assignedTo('{id}'),
// and `{property} eq '{value}'`, joined by `and`.
type filter struct {
	fns map[string]string // function name (lower case) -> its argument
	eq  map[string]string // property (lower case) -> value
}

var (
	fnRE = regexp.MustCompile(`^(?i)(atScope|asTarget|asRequestor|asApprover|assignedTo)\(\s*(?:'([^']*)')?\s*\)$`)
	eqRE = regexp.MustCompile(`^(?i)([A-Za-z]+)\s+eq\s+'([^']*)'$`)
)

// parseFilter reads a $filter whose properties are among allowed (and any
// of the functions; the handler ignores those it has no use for).
func parseFilter(raw string, allowed ...string) (*filter, *core.APIError) {
	f := &filter{fns: map[string]string{}, eq: map[string]string{}}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return f, nil
	}
	if len(raw) > 2048 {
		return nil, badFilter(raw)
	}
	for _, clause := range splitAnd(raw) {
		clause = unwrap(clause)
		if m := fnRE.FindStringSubmatch(clause); m != nil {
			f.fns[strings.ToLower(m[1])] = m[2]
			continue
		}
		m := eqRE.FindStringSubmatch(clause)
		if m == nil || !slices.ContainsFunc(allowed, func(a string) bool { return strings.EqualFold(a, m[1]) }) {
			return nil, badFilter(raw)
		}
		f.eq[strings.ToLower(m[1])] = m[2]
	}
	return f, nil
}

// unwrap drops the parentheses around a whole clause: "(principalId eq 'x')".
func unwrap(c string) string {
	c = strings.TrimSpace(c)
	for strings.HasPrefix(c, "(") && strings.HasSuffix(c, ")") && !fnRE.MatchString(c) {
		c = strings.TrimSpace(c[1 : len(c)-1])
	}
	return c
}

// splitAnd splits on " and " outside quotes.
func splitAnd(s string) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			inQuote = !inQuote
		case !inQuote && i+5 <= len(s) && strings.EqualFold(s[i:i+5], " and "):
			out = append(out, s[start:i])
			start = i + 5
			i += 4
		}
	}
	return append(out, s[start:])
}

func badFilter(raw string) *core.APIError {
	return &core.APIError{Status: http.StatusBadRequest, Code: "BadRequest", Message: "The filter '" + truncate(raw, 200) +
		"' is not supported. Supported filters: atScope(), asTarget(), principalId eq '{id}', assignedTo('{id}'), and for role definitions roleName eq '{name}'."}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
