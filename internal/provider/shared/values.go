package shared

import (
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Conversions between Go values and Terraform values that every resource
// and data source uses.

func Latest(ts ...*time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t != nil && t.After(out) {
			out = *t
		}
	}
	return out
}

func KnownTime(v timetypes.RFC3339, diags *diag.Diagnostics) (time.Time, bool) {
	if v.IsNull() || v.IsUnknown() {
		return time.Time{}, false
	}
	t, d := v.ValueRFC3339Time()
	diags.Append(d...)
	return t.UTC(), !d.HasError()
}

func StringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

func Title(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

func TimeOrNull(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// ElementUnknown reports whether a set, or any of its elements, is unknown.
func ElementUnknown(set types.Set) bool {
	if set.IsUnknown() {
		return true
	}
	for _, e := range set.Elements() {
		if e.IsUnknown() {
			return true
		}
	}
	return false
}
