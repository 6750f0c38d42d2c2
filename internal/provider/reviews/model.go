package reviews

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient/accessreviews"
)

type reviewModel struct {
	ID                      types.String   `tfsdk:"id"`
	DisplayName             types.String   `tfsdk:"display_name"`
	DescriptionForAdmins    types.String   `tfsdk:"description_for_admins"`
	DescriptionForReviewers types.String   `tfsdk:"description_for_reviewers"`
	Scope                   *scopeModel    `tfsdk:"scope"`
	Reviewers               []types.String `tfsdk:"reviewers"`
	FallbackReviewers       []types.String `tfsdk:"fallback_reviewers"`
	Recurrence              types.String   `tfsdk:"recurrence"`
	StartDate               types.String   `tfsdk:"start_date"`
	EndDate                 types.String   `tfsdk:"end_date"`
	Occurrences             types.Int64    `tfsdk:"number_of_occurrences"`
	DurationInDays          types.Int64    `tfsdk:"duration_in_days"`
	DefaultDecision         types.String   `tfsdk:"default_decision"`
	AutoApply               types.Bool     `tfsdk:"auto_apply"`
	JustificationRequired   types.Bool     `tfsdk:"justification_required"`
	Recommendations         types.Bool     `tfsdk:"recommendations"`
	MailNotifications       types.Bool     `tfsdk:"mail_notifications"`
	Reminders               types.Bool     `tfsdk:"reminders"`
	Status                  types.String   `tfsdk:"status"`
}

type scopeModel struct {
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	AssignmentType   types.String `tfsdk:"assignment_type"`
	PrincipalType    types.String `tfsdk:"principal_type"`
	GroupID          types.String `tfsdk:"group_id"`
	GroupAccess      types.String `tfsdk:"group_access"`
}

// pattern is a recurrence as Graph's pattern has it.
type pattern struct {
	typ      string // weekly or absoluteMonthly
	interval int
}

// recurrences are the readable shortcuts and the patterns they stand for.
var recurrences = map[string]pattern{
	"weekly": {"weekly", 1}, "monthly": {"absoluteMonthly", 1}, "quarterly": {"absoluteMonthly", 3},
	"semiannually": {"absoluteMonthly", 6}, "annually": {"absoluteMonthly", 12},
}

// reEvery is the full pattern: "every 2 weeks", "every 4 months".
var reEvery = regexp.MustCompile(`^every ([1-9][0-9]?) (weeks?|months?)$`)

// parseRecurrence reads a shortcut or the full pattern; once has none.
func parseRecurrence(s string) (pattern, bool) {
	if p, ok := recurrences[s]; ok {
		return p, true
	}
	m := reEvery.FindStringSubmatch(s)
	if m == nil {
		return pattern{}, false
	}
	n, _ := strconv.Atoi(m[1])
	if strings.HasPrefix(m[2], "week") {
		return pattern{"weekly", n}, true
	}
	return pattern{"absoluteMonthly", n}, true
}

// periodDays is how long a recurrence's period is at least, in days.
func periodDays(recurrence string) int {
	r, ok := parseRecurrence(recurrence)
	switch {
	case !ok:
		return 0 // once: no next instance to run into
	case r.typ == "weekly":
		return 7 * r.interval
	}
	return 28 * r.interval
}

// Reviewer keywords.
const (
	reviewerManager = "manager"
	reviewerSelf    = "self"
)

// toAPI builds the whole definition (PUT replaces it, so nothing is left
// out); groups names which reviewer ids are groups.
func (m *reviewModel) toAPI(groups map[string]bool) *accessreviews.AccessReview {
	target := accessreviews.ReviewTarget{RoleDefinitionID: m.Scope.RoleDefinitionID.ValueString(), AssignmentType: m.Scope.AssignmentType.ValueString(),
		PrincipalType: apiPrincipalType(m.Scope.PrincipalType.ValueString()), GroupID: m.Scope.GroupID.ValueString(),
		GroupAccess: m.Scope.GroupAccess.ValueString()}
	r := &accessreviews.AccessReview{DisplayName: m.DisplayName.ValueString(), DescriptionForAdmins: m.DescriptionForAdmins.ValueString(),
		DescriptionForReviewers: m.DescriptionForReviewers.ValueString(),
		Scope:                   accessreviews.ReviewScope{ODataType: "#microsoft.graph.accessReviewQueryScope", Query: target.Query(), QueryType: "MicrosoftGraph"},
		Reviewers:               reviewerScopes(m.Reviewers, groups), FallbackReviewers: reviewerScopes(m.FallbackReviewers, groups)}
	s := &r.Settings
	s.MailNotificationsEnabled, s.ReminderNotificationsEnabled = m.MailNotifications.ValueBool(), m.Reminders.ValueBool()
	s.JustificationRequiredOnApproval, s.RecommendationsEnabled = m.JustificationRequired.ValueBool(), m.Recommendations.ValueBool()
	s.AutoApplyDecisionsEnabled, s.InstanceDurationInDays = m.AutoApply.ValueBool(), int(m.DurationInDays.ValueInt64())
	s.DefaultDecision = m.DefaultDecision.ValueString()
	s.DefaultDecisionEnabled = s.DefaultDecision != "None"
	rec := &accessreviews.Recurrence{}
	rec.Range.Type, rec.Range.StartDate = "noEnd", m.StartDate.ValueString()
	if p, ok := parseRecurrence(m.Recurrence.ValueString()); ok {
		rec.Pattern.Type, rec.Pattern.Interval = p.typ, p.interval
	} else { // once: one occurrence
		rec.Pattern.Type, rec.Pattern.Interval = "weekly", 1
		rec.Range.Type, rec.Range.NumberOfOccurrences = "numbered", 1
	}
	switch {
	case !m.EndDate.IsNull() && m.EndDate.ValueString() != "":
		end := m.EndDate.ValueString()
		rec.Range.Type, rec.Range.EndDate = "endDate", &end
	case !m.Occurrences.IsNull() && m.Occurrences.ValueInt64() > 0:
		rec.Range.Type, rec.Range.NumberOfOccurrences = "numbered", int(m.Occurrences.ValueInt64())
	}
	s.Recurrence = rec
	return r
}

func apiPrincipalType(t string) string {
	if t == "service_principal" {
		return "servicePrincipal"
	}
	return "user"
}

func reviewerScopes(ids []types.String, groups map[string]bool) []accessreviews.ReviewScope {
	out := []accessreviews.ReviewScope{}
	for _, v := range ids {
		id := strings.ToLower(v.ValueString())
		switch {
		case id == reviewerSelf:
			continue // a self-review has no reviewer scope
		case id == reviewerManager:
			out = append(out, accessreviews.ReviewScope{Query: "./manager", QueryType: "MicrosoftGraph", QueryRoot: "decisions"})
		case groups[id]:
			out = append(out, accessreviews.ReviewScope{Query: "/groups/" + id + "/transitiveMembers", QueryType: "MicrosoftGraph"})
		default:
			out = append(out, accessreviews.ReviewScope{Query: "/users/" + id, QueryType: "MicrosoftGraph"})
		}
	}
	return out
}

// fromAPI sets the model from Graph's definition; it reports what it could
// not read back (a scope or recurrence this provider does not write).
func (m *reviewModel) fromAPI(r *accessreviews.AccessReview) error {
	m.ID, m.DisplayName = types.StringValue(r.ID), types.StringValue(r.DisplayName)
	m.DescriptionForAdmins, m.DescriptionForReviewers = types.StringValue(r.DescriptionForAdmins), types.StringValue(r.DescriptionForReviewers)
	m.Status = types.StringValue(r.Status)
	t, ok := accessreviews.ParseReviewTarget(r.Scope.Query)
	if !ok {
		return fmt.Errorf("the review's scope %q is not one this provider manages (a directory role or a PIM group)", r.Scope.Query)
	}
	m.Scope = scopeFromTarget(t)
	m.Reviewers = reviewersFrom(r.Reviewers, m.Reviewers)
	m.FallbackReviewers = reviewersFrom(r.FallbackReviewers, m.FallbackReviewers)
	s := r.Settings
	m.MailNotifications, m.Reminders = types.BoolValue(s.MailNotificationsEnabled), types.BoolValue(s.ReminderNotificationsEnabled)
	m.JustificationRequired, m.Recommendations = types.BoolValue(s.JustificationRequiredOnApproval), types.BoolValue(s.RecommendationsEnabled)
	m.AutoApply, m.DurationInDays = types.BoolValue(s.AutoApplyDecisionsEnabled), types.Int64Value(int64(s.InstanceDurationInDays))
	m.DefaultDecision = types.StringValue(s.DefaultDecision)
	if !s.DefaultDecisionEnabled {
		m.DefaultDecision = types.StringValue("None")
	}
	return m.recurrenceFrom(s.Recurrence)
}

func scopeFromTarget(t accessreviews.ReviewTarget) *scopeModel {
	sc := &scopeModel{RoleDefinitionID: types.StringNull(), AssignmentType: types.StringNull(), PrincipalType: types.StringNull(),
		GroupID: types.StringNull(), GroupAccess: types.StringNull()}
	if t.GroupID != "" {
		sc.GroupID, sc.GroupAccess = types.StringValue(t.GroupID), types.StringValue(t.GroupAccess)
		return sc
	}
	sc.RoleDefinitionID, sc.AssignmentType = types.StringValue(t.RoleDefinitionID), types.StringValue(t.AssignmentType)
	sc.PrincipalType = types.StringValue("user")
	if t.PrincipalType == "servicePrincipal" {
		sc.PrincipalType = types.StringValue("service_principal")
	}
	return sc
}

// reviewersFrom reads reviewer scopes back, keeping the configured
// spelling of ids (and "self" for a self-review).
func reviewersFrom(scopes []accessreviews.ReviewScope, prior []types.String) []types.String {
	if len(scopes) == 0 {
		for _, p := range prior {
			if strings.EqualFold(p.ValueString(), reviewerSelf) {
				return []types.String{p}
			}
		}
		if prior == nil {
			return nil
		}
		return []types.String{}
	}
	spelled := map[string]types.String{}
	for _, p := range prior {
		spelled[strings.ToLower(p.ValueString())] = p
	}
	out := make([]types.String, 0, len(scopes))
	for _, s := range scopes {
		id := reviewerManager
		if s.Query != "./manager" {
			parts := strings.Split(strings.Trim(s.Query, "/"), "/")
			if len(parts) > 1 {
				id = strings.ToLower(parts[1])
			}
		}
		if v, ok := spelled[id]; ok {
			out = append(out, v)
		} else {
			out = append(out, types.StringValue(id))
		}
	}
	return out
}

func (m *reviewModel) recurrenceFrom(r *accessreviews.Recurrence) error {
	prior := m.Recurrence.ValueString()
	m.EndDate, m.Occurrences, m.Recurrence = types.StringNull(), types.Int64Null(), types.StringValue("once")
	if r == nil {
		return nil
	}
	m.StartDate = types.StringValue(r.Range.StartDate)
	once := r.Range.Type == "numbered" && r.Range.NumberOfOccurrences == 1
	if !once {
		m.Recurrence = types.StringValue(recurrenceName(pattern{r.Pattern.Type, r.Pattern.Interval}, prior))
	}
	switch {
	case r.Range.Type == "endDate" && r.Range.EndDate != nil:
		m.EndDate = types.StringValue(*r.Range.EndDate)
	case r.Range.Type == "numbered" && !once:
		m.Occurrences = types.Int64Value(int64(r.Range.NumberOfOccurrences))
	}
	return nil
}

// recurrenceName names a pattern: the configured spelling when it means the
// same, else a shortcut, else the full pattern.
func recurrenceName(p pattern, prior string) string {
	if q, ok := parseRecurrence(prior); ok && q == p {
		return prior
	}
	for name, q := range recurrences {
		if q == p {
			return name
		}
	}
	unit := "months"
	if p.typ == "weekly" {
		unit = "weeks"
	}
	return fmt.Sprintf("every %d %s", p.interval, unit)
}

func recurrenceNames() []string {
	return []string{"once", "weekly", "monthly", "quarterly", "semiannually", "annually"}
}

// today is a date in Graph's form.
func today(now time.Time) string { return now.UTC().Format(time.DateOnly) }
