// Package validators holds the plan-time checks the official
// terraform-plugin-framework-validators do not have: GUIDs, Entra directory
// scope ids and ISO 8601 durations. Each one names the attribute and shows
// an accepted example, so the error is actionable at plan time.
package validators

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
)

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsGUID reports whether s is a GUID in its 8-4-4-4-12 form.
func IsGUID(s string) bool { return guidRE.MatchString(s) }

// GUID checks that a string is an object id such as 62e90394-69f5-4237-9190-012177145e10.
func GUID() validator.String { return guidValidator{} }

type guidValidator struct{}

func (guidValidator) Description(context.Context) string {
	return "value must be a GUID such as 62e90394-69f5-4237-9190-012177145e10"
}

func (v guidValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (guidValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if s := req.ConfigValue.ValueString(); !IsGUID(s) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Object ID",
			fmt.Sprintf("%s must be an Entra object id (a GUID such as 62e90394-69f5-4237-9190-012177145e10), got %q.", req.Path, s))
	}
}

// DirectoryScope checks an Entra directory scope id: "/" for the whole tenant,
// "/administrativeUnits/{id}" or "/{objectId}".
func DirectoryScope() validator.String { return scopeValidator{} }

type scopeValidator struct{}

func (scopeValidator) Description(context.Context) string {
	return `value must be "/" (tenant-wide), "/administrativeUnits/{id}" or "/{objectId}"`
}

func (v scopeValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (scopeValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	s := req.ConfigValue.ValueString()
	if ValidDirectoryScope(s) {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Directory Scope",
		fmt.Sprintf(`%s must be "/" for the whole tenant, "/administrativeUnits/{id}" for an administrative unit, or "/{objectId}" for one object; got %q.`, req.Path, s))
}

// ValidDirectoryScope reports whether s is a directory scope id.
func ValidDirectoryScope(s string) bool {
	if s == "/" {
		return true
	}
	if id, ok := strings.CutPrefix(s, "/administrativeUnits/"); ok {
		return IsGUID(id)
	}
	return strings.HasPrefix(s, "/") && IsGUID(s[1:])
}

// ISO8601Duration checks a positive ISO 8601 duration such as PT8H or P90D.
func ISO8601Duration() validator.String { return durationValidator{} }

type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "value must be a positive ISO 8601 duration such as PT8H, P30D or P1Y"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := isoduration.Parse(req.ConfigValue.ValueString())
	if err == nil && d.IsZero() {
		err = fmt.Errorf("%q is zero", req.ConfigValue.ValueString())
	}
	if err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid ISO 8601 Duration",
			fmt.Sprintf("%s: %s. Use a positive ISO 8601 duration such as PT8H (8 hours), P30D (30 days) or P1Y (one year).", req.Path, err))
	}
}

// DurationBetween checks an ISO 8601 duration lies within [min, max], as
// measured from a fixed instant (calendar parts included).
func DurationBetween(lo, hi time.Duration) validator.String { return durationRange{lo, hi} }

type durationRange struct{ min, max time.Duration }

func (v durationRange) Description(context.Context) string {
	return fmt.Sprintf("value must be an ISO 8601 duration from %s to %s", isoString(v.min), isoString(v.max))
}

func (v durationRange) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationRange) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := isoduration.Parse(req.ConfigValue.ValueString())
	if err != nil {
		return // ISO8601Duration reports the syntax error
	}
	base := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := d.AddTo(base).Sub(base); got < v.min || got > v.max {
		resp.Diagnostics.AddAttributeError(req.Path, "Duration Out Of Range",
			fmt.Sprintf("%s is %s; Entra allows %s to %s here.", req.Path, req.ConfigValue.ValueString(), isoString(v.min), isoString(v.max)))
	}
}

func isoString(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	s := "PT"
	if h > 0 {
		s += fmt.Sprintf("%dH", h)
	}
	if m > 0 || h == 0 {
		s += fmt.Sprintf("%dM", m)
	}
	return s
}
