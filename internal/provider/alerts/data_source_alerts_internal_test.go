package alerts

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient/rolealerts"
)

// active_only keeps alerts with incidents that are not dismissed;
// min_severity keeps that severity and higher.
func TestAlertFilters(t *testing.T) {
	alert := func(active bool, severity string) *rolealerts.Alert {
		return &rolealerts.Alert{ID: "DirectoryRole_t_X", IsActive: active, Definition: &rolealerts.AlertDefinition{SeverityLevel: severity}}
	}
	cases := []struct {
		name       string
		alert      *rolealerts.Alert
		activeOnly bool
		min        string
		keep       bool
	}{
		{"no filter", alert(false, "low"), false, "", true},
		{"inactive, active only", alert(false, "high"), true, "", false},
		{"active, active only", alert(true, "low"), true, "", true},
		{"low under medium", alert(true, "low"), false, "medium", false},
		{"high over medium", alert(true, "High"), false, "medium", true},
		{"medium at medium", alert(true, "medium"), false, "medium", true},
	}
	for _, c := range cases {
		m := &alertsModel{ActiveOnly: types.BoolValue(c.activeOnly), MinSeverity: types.StringValue(c.min)}
		if c.min == "" {
			m.MinSeverity = types.StringNull()
		}
		if _, keep := entryOf(c.alert, m); keep != c.keep {
			t.Errorf("%s: kept %v, want %v", c.name, keep, c.keep)
		}
	}
}
