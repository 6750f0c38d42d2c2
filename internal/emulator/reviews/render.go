package reviews

import (
	"sort"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

func sortInstances(ins []*instance) {
	sort.Slice(ins, func(i, j int) bool { return ins[i].Start.Before(ins[j].Start) })
}

// identity renders a principal as Graph's userIdentity (or a service
// principal's), null when unknown.
func (tx *tx) identity(id string) any {
	if id == "" {
		return nil
	}
	if u, ok := tx.Dir.Users[id]; ok {
		return odata.Object{{"@odata.type", "#microsoft.graph.userIdentity"}, {"id", u.ID}, {"displayName", u.DisplayName},
			{"ipAddress", nil}, {"userPrincipalName", u.UPN}}
	}
	return odata.Object{{"@odata.type", "#microsoft.graph.identity"}, {"id", id}, {"displayName", tx.Dir.DisplayName(id)}}
}

func scopeObject(s queryScope) odata.Object {
	typ := s.ODataType
	if typ == "" {
		typ = "#microsoft.graph.accessReviewQueryScope"
	}
	var root any
	if s.QueryRoot != "" {
		root = s.QueryRoot
	}
	return odata.Object{{"@odata.type", typ}, {"query", s.Query}, {"queryType", orDefault(s.QueryType, "MicrosoftGraph")}, {"queryRoot", root}}
}

func scopeObjects(ss []queryScope) []any {
	out := make([]any, 0, len(ss))
	for _, s := range ss {
		o := scopeObject(s)
		out = append(out, o[1:]) // reviewer scopes carry no @odata.type
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// settingsObject renders the settings with a normalised recurrence, as
// Graph echoes it (zero-filled pattern, firstDayOfWeek sunday, index first).
func settingsObject(s *settings) odata.Object {
	var rec any
	if r := s.Recurrence; r != nil {
		days := r.Pattern.DaysOfWeek
		if days == nil {
			days = []string{}
		}
		rec = odata.Object{{"pattern", odata.Object{{"type", r.Pattern.Type}, {"interval", r.Pattern.Interval}, {"month", r.Pattern.Month},
			{"dayOfMonth", r.Pattern.DayOfMonth}, {"daysOfWeek", days}, {"firstDayOfWeek", orDefault(r.Pattern.FirstDayOfWeek, "sunday")},
			{"index", orDefault(r.Pattern.Index, "first")}}},
			{"range", odata.Object{{"type", r.Range.Type}, {"numberOfOccurrences", r.Range.NumberOfOccurrences},
				{"recurrenceTimeZone", nilIfEmpty(r.Range.RecurrenceTimeZone)}, {"startDate", r.Range.StartDate},
				{"endDate", nilIfEmpty(r.Range.EndDate)}}}}
	}
	return odata.Object{{"mailNotificationsEnabled", s.MailNotificationsEnabled}, {"reminderNotificationsEnabled", s.ReminderNotificationsEnabled},
		{"justificationRequiredOnApproval", s.JustificationRequiredOnApproval}, {"defaultDecisionEnabled", s.DefaultDecisionEnabled},
		{"defaultDecision", s.DefaultDecision}, {"instanceDurationInDays", s.InstanceDurationInDays},
		{"autoApplyDecisionsEnabled", s.AutoApplyDecisionsEnabled}, {"recommendationsEnabled", s.RecommendationsEnabled},
		{"recurrence", rec}, {"applyActions", []any{}}}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (tx *tx) instanceObject(d *definition, in *instance) odata.Object {
	return odata.Object{{"id", in.ID}, {"startDateTime", core.GraphTime(in.Start)}, {"endDateTime", core.GraphTime(in.End)},
		{"status", in.Status}, {"scope", scopeObject(d.Scope)}, {"reviewers", scopeObjects(d.Reviewers)},
		{"fallbackReviewers", scopeObjects(d.FallbackReviewers)}}
}

func (tx *tx) decisionObject(in *instance, dec *decision) odata.Object {
	resourceName := tx.Dir.DisplayName(dec.Resource)
	if r, ok := tx.Dir.Role(dec.Resource); ok {
		resourceName = r.DisplayName
	}
	return odata.Object{{"id", dec.ID}, {"accessReviewId", in.ID}, {"reviewedDateTime", core.GraphTimePtr(dec.Reviewed)}, {"decision", dec.Decision},
		{"justification", dec.Justification}, {"appliedDateTime", core.GraphTimePtr(dec.Applied)}, {"applyResult", dec.ApplyResult},
		{"recommendation", dec.Recommendation}, {"principalLink", nil}, {"resourceLink", nil},
		{"resource", odata.Object{{"id", dec.Resource}, {"displayName", resourceName}, {"type", dec.ResourceType}}},
		{"reviewedBy", tx.identity(dec.ReviewedBy)}, {"appliedBy", tx.identity(dec.AppliedBy)}, {"principal", tx.identity(dec.Principal)}}
}
