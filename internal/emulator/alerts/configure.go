package alerts

import (
	"encoding/json"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
)

// configBody is every property a configuration PATCH may carry; which
// ones a configuration takes depends on its derived type.
type configBody struct {
	ID                  *string `json:"id"`
	AlertDefinitionID   *string `json:"alertDefinitionId"`
	ScopeID             *string `json:"scopeId"`
	ScopeType           *string `json:"scopeType"`
	IsEnabled           *bool   `json:"isEnabled"`
	GlobalAdminCount    *int    `json:"globalAdminCountThreshold"`
	GlobalAdminPercent  *int    `json:"percentageOfGlobalAdminsOutOfRolesThreshold"`
	ActivationCount     *int    `json:"sequentialActivationCounterThreshold"`
	Interval            *string `json:"timeIntervalBetweenActivations"`
	Duration            *string `json:"duration"`
	ODataType           string  `json:"-"`
	thresholdsInTheBody map[string]bool
}

// patchConfiguration changes an alert's configuration: 204, and 400
// without the configuration's derived @odata.type (Learn: update
// unifiedRoleManagementAlertConfiguration).
func patchConfiguration(c *call) {
	var b configBody
	if e := wire.DecodeBody(c.Body, &b, "unifiedRoleManagementAlertConfiguration"); e != nil {
		c.Fail(e)
		return
	}
	var raw map[string]any
	_ = json.Unmarshal(c.Body, &raw) // DecodeBody has checked it is an object
	b.ODataType, _ = raw["@odata.type"].(string)
	b.thresholdsInTheBody = map[string]bool{}
	for k := range raw {
		b.thresholdsInTheBody[k] = true
	}
	e := c.a.onAlert(c, "alertConfigurations", func(tx *tx, t *alertType) *core.APIError {
		a := tx.load(t)
		if e := b.applyTo(t, &a.Config); e != nil {
			return e
		}
		now := tx.Now
		a.Modified = &now
		return tx.save(t, a)
	})
	if e != nil {
		c.Fail(e)
		return
	}
	c.W.NoContent()
}

// applyTo checks the body against the configuration's type and changes
// what it sets, or nothing.
func (b *configBody) applyTo(t *alertType, c *config) *core.APIError {
	want := "#microsoft.graph." + t.configType
	if !strings.EqualFold(strings.TrimPrefix(b.ODataType, "#"), strings.TrimPrefix(want, "#")) {
		return core.BadRequest("BadRequest", "The @odata.type of this configuration must be %q; got %q.", want, b.ODataType)
	}
	next := *c
	fields := []struct {
		prop string
		num  *int
		dur  *string
		dst  any
	}{
		{"globalAdminCountThreshold", b.GlobalAdminCount, nil, &next.GlobalAdminCount},
		{"percentageOfGlobalAdminsOutOfRolesThreshold", b.GlobalAdminPercent, nil, &next.GlobalAdminPercent},
		{"sequentialActivationCounterThreshold", b.ActivationCount, nil, &next.ActivationCount},
		{"timeIntervalBetweenActivations", nil, b.Interval, &next.Interval},
		{"duration", nil, b.Duration, &next.Duration},
	}
	for _, f := range fields {
		if !b.thresholdsInTheBody[f.prop] {
			continue
		}
		th := t.threshold(f.prop)
		if th == nil {
			return core.BadRequest("BadRequest", "The property '%s' does not exist on type 'microsoft.graph.%s'.", f.prop, t.configType)
		}
		if e := th.check(f.num, f.dur); e != nil {
			return e
		}
		switch dst := f.dst.(type) {
		case **int:
			*dst = f.num
		case *string:
			*dst = *f.dur
		}
	}
	if b.IsEnabled != nil {
		next.Enabled = *b.IsEnabled
	}
	*c = next
	return nil
}

func (t *alertType) threshold(prop string) *threshold {
	for i := range t.thresholds {
		if t.thresholds[i].prop == prop {
			return &t.thresholds[i]
		}
	}
	return nil
}

// check refuses a value out of the range the portal and Graph take.
func (th *threshold) check(num *int, dur *string) *core.APIError {
	switch {
	case num == nil && dur == nil:
		return core.BadRequest("BadRequest", "The property '%s' cannot be null.", th.prop)
	case num != nil && (*num < th.lo || *num > th.hi):
		return core.BadRequest("BadRequest", "The property '%s' must be between %d and %d; got %d.", th.prop, th.lo, th.hi, *num)
	case dur == nil:
		return nil
	}
	d, err := isoduration.Parse(*dur)
	switch {
	case err != nil:
		return core.BadRequest("BadRequest", "The property '%s' is not an ISO 8601 duration: %q.", th.prop, *dur)
	case th.days && (d.Years != 0 || d.Months != 0 || d.Weeks != 0 || d.Clock != 0 || d.Days < th.lo || d.Days > th.hi):
		return core.BadRequest("BadRequest", "The property '%s' must be a number of days from P%dD to P%dD; got %q.", th.prop, th.lo, th.hi, *dur)
	case th.minimum != "":
		if lo, _ := isoduration.Parse(th.minimum); d.AddTo(epoch).Before(lo.AddTo(epoch)) {
			return core.BadRequest("BadRequest", "The property '%s' must be at least %s; got %q.", th.prop, th.minimum, *dur)
		}
	}
	return nil
}
