package reviews

import (
	"net/http"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// definitionBody is what POST and PUT take: the writable properties, and
// the read-only ones (ignored, as Graph ignores them).
type definitionBody struct {
	DisplayName                      string       `json:"displayName"`
	DescriptionForAdmins             string       `json:"descriptionForAdmins"`
	DescriptionForReviewers          string       `json:"descriptionForReviewers"`
	Scope                            *queryScope  `json:"scope"`
	Reviewers                        []queryScope `json:"reviewers"`
	FallbackReviewers                []queryScope `json:"fallbackReviewers"`
	BackupReviewers                  []queryScope `json:"backupReviewers"`
	Settings                         *settings    `json:"settings"`
	InstanceEnumerationScope         any          `json:"instanceEnumerationScope"`
	AdditionalNotificationRecipients []any        `json:"additionalNotificationRecipients"`
	ID                               any          `json:"id"`
	Status                           any          `json:"status"`
	CreatedBy                        any          `json:"createdBy"`
	CreatedDateTime                  any          `json:"createdDateTime"`
	LastModifiedDateTime             any          `json:"lastModifiedDateTime"`
}

// decode reads and checks a definition body.
func (c *call) decode() (*definitionBody, *core.APIError) {
	var b definitionBody
	if e := wire.DecodeBody(c.Body, &b, "accessReviewScheduleDefinition"); e != nil {
		return nil, e
	}
	switch {
	case strings.TrimSpace(b.DisplayName) == "":
		return nil, core.BadRequest("BadRequest", "displayName is required.")
	case b.Scope == nil:
		return nil, core.BadRequest("BadRequest", "scope is required.")
	case b.Settings == nil:
		return nil, core.BadRequest("BadRequest", "settings is required.")
	}
	if _, ok := parseScope(b.Scope.Query); !ok {
		return nil, core.BadRequest("InvalidScope", "scope: unsupported query %q. The emulator reviews a directory role "+
			"(/roleManagement/directory/roleDefinitions/{id}, or its eligible or active-assigned users or service principals) "+
			"or a group's members or owners (/groups/{id}/transitiveMembers, /groups/{id}/owners).", b.Scope.Query)
	}
	return &b, checkSettings(b.Settings)
}

// checkSettings refuses settings Graph refuses: an unknown recurrence, an
// instance longer than the recurrence's period, an unknown default decision.
func checkSettings(s *settings) *core.APIError {
	if s.InstanceDurationInDays < 1 {
		return core.BadRequest("InvalidSettings", "settings.instanceDurationInDays must be at least 1.")
	}
	switch s.DefaultDecision {
	case "", "None", "Approve", "Deny", "Recommendation":
	default:
		return core.BadRequest("InvalidSettings", "settings.defaultDecision %q: want None, Approve, Deny or Recommendation.", s.DefaultDecision)
	}
	r := s.Recurrence
	if r == nil || r.Pattern.Type == "" {
		return nil
	}
	period := 0
	switch r.Pattern.Type {
	case "weekly":
		period = 7 * r.Pattern.Interval
	case "absoluteMonthly":
		period = 28 * r.Pattern.Interval
	default:
		return core.BadRequest("InvalidRecurrence", "settings.recurrence.pattern.type %q: access reviews recur weekly or absoluteMonthly.", r.Pattern.Type)
	}
	switch {
	case r.Pattern.Interval < 1:
		return core.BadRequest("InvalidRecurrence", "settings.recurrence.pattern.interval must be at least 1.")
	case s.InstanceDurationInDays > period:
		return core.BadRequest("InvalidRecurrence", "settings.instanceDurationInDays (%d) is longer than the recurrence's period (%d days): "+
			"an instance must end before the next starts.", s.InstanceDurationInDays, period)
	}
	if _, err := time.Parse(time.DateOnly, r.Range.StartDate); err != nil {
		return core.BadRequest("InvalidRecurrence", "settings.recurrence.range.startDate %q is not a date (YYYY-MM-DD).", r.Range.StartDate)
	}
	switch r.Range.Type {
	case "noEnd":
	case "numbered":
		if r.Range.NumberOfOccurrences < 1 {
			return core.BadRequest("InvalidRecurrence", "settings.recurrence.range.numberOfOccurrences must be at least 1.")
		}
	case "endDate":
		if _, err := time.Parse(time.DateOnly, r.Range.EndDate); err != nil {
			return core.BadRequest("InvalidRecurrence", "settings.recurrence.range.endDate %q is not a date (YYYY-MM-DD).", r.Range.EndDate)
		}
	default:
		return core.BadRequest("InvalidRecurrence", "settings.recurrence.range.type %q: want noEnd, endDate or numbered.", r.Range.Type)
	}
	return nil
}

// checkReferences refuses a scope or reviewer naming what does not exist.
func (tx *tx) checkReferences(b *definitionBody) *core.APIError {
	t, _ := parseScope(b.Scope.Query)
	if t.surface == core.SurfaceDirectory {
		if _, ok := tx.Dir.Role(t.resource); !ok {
			return core.BadRequest("InvalidScope", "scope: no role definition has id %s.", t.resource)
		}
	} else if _, ok := tx.Dir.Groups[t.resource]; !ok {
		return core.BadRequest("InvalidScope", "scope: no group has id %s.", t.resource)
	}
	for _, s := range b.Reviewers {
		if e := tx.checkReviewerScope(s, "reviewers"); e != nil {
			return e
		}
	}
	for _, s := range b.FallbackReviewers {
		if e := tx.checkReviewerScope(s, "fallbackReviewers"); e != nil {
			return e
		}
	}
	return nil
}

// fill sets the definition's writable properties from a body: all of
// them, so that a PUT resets what it leaves out.
func (d *definition) fill(b *definitionBody) {
	d.DisplayName, d.DescriptionForAdmins, d.DescriptionForReviewers = b.DisplayName, b.DescriptionForAdmins, b.DescriptionForReviewers
	d.Scope, d.Reviewers, d.FallbackReviewers, d.Settings = *b.Scope, b.Reviewers, b.FallbackReviewers, *b.Settings
	if d.Scope.QueryType == "" {
		d.Scope.QueryType = "MicrosoftGraph"
	}
	if d.Settings.DefaultDecision == "" {
		d.Settings.DefaultDecision = "None"
	}
}

func createDefinition(c *call) {
	b, e := c.decode()
	if e != nil {
		c.Fail(e)
		return
	}
	var d definition
	e = c.a.update(c.Caller, func(tx *tx) *core.APIError {
		if !tx.Allowed(permWrite, writerRoles) {
			return errWrite
		}
		if e := tx.checkReferences(b); e != nil {
			return e
		}
		d = definition{ID: core.NewID(), Created: tx.Now, Modified: tx.Now, CreatedBy: strings.ToLower(tx.Caller.PrincipalID)}
		d.fill(b)
		first := d.firstStart()
		d.Next = &first
		tx.After(first, timerArea, "start:"+d.ID)
		return tx.PutDoc(docDefinition, d.ID, &d)
	})
	if e != nil {
		c.Fail(e)
		return
	}
	// The first instance of a review that starts now opens at once.
	c.a.view(c.Caller, func(tx *tx) {
		tx.Doc(docDefinition, d.ID, &d)
		c.W.JSON(http.StatusCreated, tx.definitionObject(&d).Prepend("@odata.context", c.Metadata()+"#"+base+"/$entity"))
	})
}

// putDefinition replaces a definition (204): omitted writable properties
// are reset, and the change reaches future instances only.
func putDefinition(c *call) {
	b, e := c.decode()
	if e != nil {
		c.Fail(e)
		return
	}
	c.onDefinition(func(tx *tx, d *definition) *core.APIError {
		if e := tx.checkReferences(b); e != nil {
			return e
		}
		d.fill(b)
		d.Modified = tx.Now
		if d.Instances > 0 && !d.Stopped {
			d.Next = nextStart(d, d.firstStart(), d.Instances)
			if d.Next != nil {
				tx.After(*d.Next, timerArea, "start:"+d.ID)
			}
		}
		return tx.PutDoc(docDefinition, d.ID, d)
	})
}

func deleteDefinition(c *call) {
	c.onDefinition(func(tx *tx, d *definition) *core.APIError {
		for _, in := range tx.instancesOf(d.ID) {
			tx.DelDoc(docInstance, in.ID)
		}
		tx.DelDoc(docDefinition, d.ID)
		return nil
	})
}

// stopDefinition ends the running instance and every future one.
func stopDefinition(c *call) {
	c.onDefinition(func(tx *tx, d *definition) *core.APIError {
		d.Stopped, d.Next = true, nil
		for _, in := range tx.instancesOf(d.ID) {
			if in.Status == statusInProgress {
				in.End = tx.Now
				tx.endInstance(in)
			}
		}
		return tx.PutDoc(docDefinition, d.ID, d)
	})
}

// onDefinition runs an administrator's change on the call's definition
// and answers 204.
func (c *call) onDefinition(fn func(*tx, *definition) *core.APIError) {
	e := c.a.update(c.Caller, func(tx *tx) *core.APIError {
		var d definition
		switch {
		case !tx.Allowed(permWrite, writerRoles):
			return errWrite
		case !tx.Doc(docDefinition, c.Params[0], &d):
			return core.NotFound("accessReviewScheduleDefinition", c.Params[0])
		}
		return fn(tx, &d)
	})
	if e != nil {
		c.Fail(e)
		return
	}
	c.W.NoContent()
}

// instancesOf lists a definition's instances, oldest first.
func (tx *tx) instancesOf(defID string) []*instance {
	var out []*instance
	for _, id := range tx.DocIDs(docInstance) {
		var in instance
		if tx.Doc(docInstance, id, &in) && in.Definition == defID {
			out = append(out, &in)
		}
	}
	sortInstances(out)
	return out
}

// status is the definition's: NotStarted before its first instance,
// InProgress while one runs, Completed once stopped or ended.
func (tx *tx) status(d *definition) string {
	running := false
	for _, in := range tx.instancesOf(d.ID) {
		running = running || in.Status == statusInProgress
	}
	switch {
	case running:
		return statusInProgress
	case d.Instances == 0 && !d.Stopped:
		return statusNotStarted
	case d.Next != nil && !d.Stopped:
		return statusInProgress // between instances of a recurring review
	}
	return statusCompleted
}

func listDefinitions(c *call) {
	q, ok := c.Query("$filter", "$select", "$top", "$skiptoken", "$count")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		if !tx.Allowed(permRead, readerRoles) {
			c.Fail(errRead)
			return
		}
		c.WriteCollection(wire.Listing{Set: base, Typ: definitionEntity, Each: func(after string, yield func(wire.Item) bool) {
			for _, id := range tx.DocIDs(docDefinition) {
				var d definition
				if id > after && tx.Doc(docDefinition, id, &d) && !yield(wire.Item{Cursor: id, Obj: tx.definitionObject(&d)}) {
					return
				}
			}
		}}, q)
	})
}

func getDefinition(c *call) {
	q, ok := c.Query("$select")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		var d definition
		switch {
		case !tx.Allowed(permRead, readerRoles) && !tx.reviewsAny(c.Params[0]):
			c.Fail(errRead)
		case !tx.Doc(docDefinition, c.Params[0], &d):
			c.Fail(core.NotFound("accessReviewScheduleDefinition", c.Params[0]))
		default:
			c.WriteEntity(base, definitionEntity, wire.Item{Obj: tx.definitionObject(&d)}, q)
		}
	})
}

var definitionEntity = &wire.EntityType{Name: "accessReviewScheduleDefinition", Props: []string{"id", "displayName", "createdDateTime",
	"lastModifiedDateTime", "status", "descriptionForAdmins", "descriptionForReviewers", "createdBy", "scope", "instanceEnumerationScope",
	"reviewers", "fallbackReviewers", "backupReviewers", "settings", "additionalNotificationRecipients"}}

func (tx *tx) definitionObject(d *definition) odata.Object {
	return odata.Object{{"id", d.ID}, {"displayName", d.DisplayName}, {"createdDateTime", core.GraphTime(d.Created)},
		{"lastModifiedDateTime", core.GraphTime(d.Modified)}, {"status", tx.status(d)}, {"descriptionForAdmins", d.DescriptionForAdmins},
		{"descriptionForReviewers", d.DescriptionForReviewers}, {"createdBy", tx.identity(d.CreatedBy)}, {"scope", scopeObject(d.Scope)},
		{"instanceEnumerationScope", nil}, {"reviewers", scopeObjects(d.Reviewers)}, {"fallbackReviewers", scopeObjects(d.FallbackReviewers)},
		{"backupReviewers", []any{}}, {"settings", settingsObject(&d.Settings)}, {"additionalNotificationRecipients", []any{}}}
}
