package reviews

import (
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// Timer ids: "start:{definition}" starts the next instance, "end:{instance}"
// ends one.

// rebuild schedules what is pending after a load or restore.
func (tx *tx) rebuild() {
	for _, id := range tx.DocIDs(docDefinition) {
		var d definition
		if tx.Doc(docDefinition, id, &d) && !d.Stopped && d.Next != nil {
			tx.After(*d.Next, timerArea, "start:"+id)
		}
	}
	for _, id := range tx.DocIDs(docInstance) {
		var in instance
		if tx.Doc(docInstance, id, &in) && in.Status == statusInProgress {
			tx.After(in.End, timerArea, "end:"+id)
			tx.After(reminderAt(&in), timerArea, "remind:"+id)
		}
	}
}

// fire runs a timed event as PIM itself, not as whoever's call found it
// due: what an ending instance applies is initiated by the service.
func (tx *tx) fire(id string) {
	caller := tx.Caller
	tx.Caller = core.Identity{}
	defer func() { tx.Caller = caller }()
	what, target, _ := strings.Cut(id, ":")
	switch what {
	case "start":
		var d definition
		if tx.Doc(docDefinition, target, &d) && !d.Stopped && d.Next != nil && !d.Next.After(tx.Now) {
			tx.startInstance(&d)
		}
	case "end":
		var in instance
		if tx.Doc(docInstance, target, &in) && in.Status == statusInProgress && !in.End.After(tx.Now) {
			tx.endInstance(&in)
		}
	case "remind":
		var in instance
		var d definition
		if tx.Doc(docInstance, target, &in) && in.Status == statusInProgress && tx.Doc(docDefinition, in.Definition, &d) &&
			d.Settings.MailNotificationsEnabled && d.Settings.ReminderNotificationsEnabled {
			tx.remind(&d, &in)
		}
	}
}

// nextStart is the start of instance n+1 after the first at first, or nil
// when the recurrence has ended (or there is none).
func nextStart(d *definition, first time.Time, n int) *time.Time {
	r := d.Settings.Recurrence
	if r == nil || r.Pattern.Type == "" {
		return nil
	}
	var t time.Time
	switch r.Pattern.Type {
	case "weekly":
		t = first.AddDate(0, 0, 7*r.Pattern.Interval*n)
	default: // absoluteMonthly
		t = first.AddDate(0, r.Pattern.Interval*n, 0)
	}
	switch r.Range.Type {
	case "numbered":
		if n >= r.Range.NumberOfOccurrences {
			return nil
		}
	case "endDate":
		if end, err := time.Parse(time.DateOnly, r.Range.EndDate); err == nil && t.After(end.AddDate(0, 0, 1)) {
			return nil
		}
	}
	return &t
}

// startInstance opens the definition's next instance: a decision for every
// principal in scope, reviewers resolved, invitations sent.
func (tx *tx) startInstance(d *definition) {
	start := *d.Next
	in := &instance{ID: core.NewID(), Definition: d.ID, Start: start, End: start.AddDate(0, 0, d.Settings.InstanceDurationInDays),
		Status: statusInProgress}
	for _, s := range tx.inScope(d) {
		dec := decision{ID: core.NewID(), Principal: s.principal, Resource: s.resource, ResourceType: s.resourceType,
			Decision: "NotReviewed", ApplyResult: "New", Schedules: s.schedules, Recommendation: "NoInfoAvailable"}
		dec.Reviewers = tx.reviewersOf(d, s.principal)
		if d.Settings.RecommendationsEnabled {
			dec.Recommendation = tx.recommend(s)
		}
		in.Decisions = append(in.Decisions, dec)
	}
	d.Instances++
	d.Next = nextStart(d, d.firstStart(), d.Instances)
	if d.Next != nil {
		tx.After(*d.Next, timerArea, "start:"+d.ID)
	}
	tx.After(in.End, timerArea, "end:"+in.ID)
	tx.After(reminderAt(in), timerArea, "remind:"+in.ID)
	_ = tx.PutDoc(docInstance, in.ID, in)
	_ = tx.PutDoc(docDefinition, d.ID, d)
	if d.Settings.MailNotificationsEnabled {
		tx.invite(d, in, "accessReviewStarted")
	}
}

// firstStart is the first instance's start (kept as the definition's
// creation-time computation: the recurrence counts from it).
func (d *definition) firstStart() time.Time {
	if r := d.Settings.Recurrence; r != nil {
		if day, err := time.Parse(time.DateOnly, r.Range.StartDate); err == nil && day.After(d.Created) {
			return day
		}
	}
	return d.Created
}

// invite mails every reviewer of the instance once.
func (tx *tx) invite(d *definition, in *instance, event string) {
	seen := map[string]bool{}
	var to []any
	for _, dec := range in.Decisions {
		for _, r := range dec.Reviewers {
			if u, ok := tx.Dir.Users[r]; ok && !seen[r] {
				seen[r] = true
				to = append(to, u.UPN)
			}
		}
	}
	if len(to) == 0 {
		return
	}
	tx.Mail(odata.Object{{"id", core.NewID()}, {"time", core.GraphTime(tx.Now)}, {"event", event}, {"rule", "accessReview"},
		{"recipient_type", "Reviewer"}, {"to", to}, {"access_review_id", d.ID}, {"instance_id", in.ID},
		{"subject", "Review access: " + d.DisplayName + " (due " + in.End.Format(time.DateOnly) + ")"}})
}

// reminderAt is when reviewers who have not decided are reminded: half way
// through the instance. guess: Learn says reminders go out mid-review, not
// exactly when.
func reminderAt(in *instance) time.Time { return in.Start.Add(in.End.Sub(in.Start) / 2) }

// remind mails the reviewers of what is not reviewed yet.
func (tx *tx) remind(d *definition, in *instance) {
	pending := &instance{ID: in.ID, Definition: in.Definition, End: in.End}
	for _, dec := range in.Decisions {
		if dec.Decision == "NotReviewed" {
			pending.Decisions = append(pending.Decisions, dec)
		}
	}
	tx.invite(d, pending, "accessReviewReminder")
}

// endInstance applies the default decision to what was not reviewed and,
// with auto-apply, applies every decision.
func (tx *tx) endInstance(in *instance) {
	var d definition
	if !tx.Doc(docDefinition, in.Definition, &d) {
		return
	}
	for i := range in.Decisions {
		dec := &in.Decisions[i]
		if dec.Decision != "NotReviewed" || !d.Settings.DefaultDecisionEnabled {
			continue
		}
		switch d.Settings.DefaultDecision {
		case "Approve", "Deny":
			dec.Decision = d.Settings.DefaultDecision
		case "Recommendation":
			if dec.Recommendation == "Approve" || dec.Recommendation == "Deny" {
				dec.Decision = dec.Recommendation
			}
		}
	}
	in.Status = statusCompleted
	if d.Settings.AutoApplyDecisionsEnabled {
		tx.apply(&d, in)
	}
	_ = tx.PutDoc(docInstance, in.ID, in)
}

// apply carries out the decisions: Deny removes the principal's
// eligibility or assignment through PIM's removal path, with an audit
// entry that names the review and the reviewer.
func (tx *tx) apply(d *definition, in *instance) {
	for i := range in.Decisions {
		dec := &in.Decisions[i]
		if dec.ApplyResult != "New" {
			continue
		}
		now := tx.Now
		dec.Applied, dec.AppliedBy, dec.ApplyResult = &now, tx.Caller.PrincipalID, "AppliedSuccessfully"
		if dec.Decision != "Deny" {
			continue
		}
		removed := 0
		for _, id := range dec.Schedules {
			sc, ok := tx.St.Schedules.Get(id)
			if !ok {
				continue
			}
			if e := tx.a.remove.Remove(tx.Tx, sc, tx.reason(d, dec)); e != nil {
				dec.ApplyResult = "AppliedWithUnknownFailure"
				continue
			}
			removed++
		}
		if removed == 0 && dec.ApplyResult == "AppliedSuccessfully" {
			dec.ApplyResult = "AppliedSuccessfullyButObjectNotFound"
		}
	}
	in.Status = statusApplied
}

// reason is the audit entry's reason for a removal: which review, who
// denied, when.
func (tx *tx) reason(d *definition, dec *decision) string {
	who := "the default decision"
	if dec.ReviewedBy != "" {
		if n, ok := tx.Dir.DisplayName(dec.ReviewedBy).(string); ok {
			who = n
		} else {
			who = dec.ReviewedBy
		}
	}
	when := ""
	if dec.Reviewed != nil {
		when = " on " + dec.Reviewed.Format(time.RFC3339)
	}
	return "Access review \"" + d.DisplayName + "\" (" + d.ID + "): denied by " + who + when
}

// recommend is Approve when the principal activated the role in the last
// 30 days, Deny when an eligibility was not activated in them, and no
// recommendation for standing active access.
func (tx *tx) recommend(s subject) string {
	if !s.eligible {
		return "NoInfoAvailable"
	}
	cutoff := tx.Now.AddDate(0, 0, -30)
	for r := range tx.St.ReqByPrin[s.principal] {
		if r.Action == "selfActivate" && r.Status == core.StatusProvisioned && r.Key.Role == s.resource && r.Created.After(cutoff) {
			return "Approve"
		}
	}
	return "Deny"
}
