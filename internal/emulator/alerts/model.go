package alerts

import (
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// config is an alert's configuration: on or off, and its thresholds.
type config struct {
	Enabled            bool   `json:"enabled"`
	GlobalAdminCount   *int   `json:"globalAdminCount,omitempty"`
	GlobalAdminPercent *int   `json:"globalAdminPercent,omitempty"`
	ActivationCount    *int   `json:"activationCount,omitempty"`
	Interval           string `json:"interval,omitempty"` // timeIntervalBetweenActivations
	Duration           string `json:"duration,omitempty"`
}

// alert is what the emulator keeps of one alert type (a document in the
// state, see core.Docs): its configuration and its last scan.
type alert struct {
	Config config `json:"config"`
	// Dismissed stops scanning until the next refresh (isActive false).
	Dismissed bool       `json:"dismissed,omitempty"`
	Modified  *time.Time `json:"modified,omitempty"`
	Scanned   *time.Time `json:"scanned,omitempty"`
	Incidents []incident `json:"incidents,omitempty"`
}

// incident is one finding of a scan; which fields it has depends on the
// alert type.
type incident struct {
	ID                string     `json:"id"`
	Assignee          string     `json:"assignee,omitempty"`
	Role              string     `json:"role,omitempty"`
	Schedules         []string   `json:"schedules,omitempty"` // what remediation removes
	AssignmentCreated *time.Time `json:"assignmentCreated,omitempty"`
	LastActivation    *time.Time `json:"lastActivation,omitempty"`
	LastSignIn        *time.Time `json:"lastSignIn,omitempty"`
	SequenceStart     *time.Time `json:"sequenceStart,omitempty"`
	SequenceEnd       *time.Time `json:"sequenceEnd,omitempty"`
	ActivationCount   int        `json:"activationCount,omitempty"`
	License           string     `json:"license,omitempty"`
}

// operation is a refresh, a long-running operation that the emulator
// completes before answering 202 (its status reads succeeded at once).
type operation struct {
	Created time.Time `json:"created"`
	Alert   string    `json:"alert"` // the alert id, or "" for all
}

const (
	docAlert     = "alert"
	docOperation = "alertOperation"
)

// load returns an alert type's document, the defaults until changed.
func (tx *tx) load(t *alertType) *alert {
	var a alert
	if !tx.Doc(docAlert, t.name, &a) {
		a = alert{Config: t.defaults}
	}
	return &a
}

func (tx *tx) save(t *alertType, a *alert) *core.APIError { return tx.PutDoc(docAlert, t.name, a) }

// active is Graph's isActive: incidents found, and not dismissed.
func (a *alert) active() bool { return a.Config.Enabled && !a.Dismissed && len(a.Incidents) > 0 }

func (a *alert) incident(id string) *incident {
	for i := range a.Incidents {
		if strings.EqualFold(a.Incidents[i].ID, id) {
			return &a.Incidents[i]
		}
	}
	return nil
}
