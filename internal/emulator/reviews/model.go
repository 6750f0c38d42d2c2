package reviews

import (
	"time"
)

// definition is an accessReviewScheduleDefinition as the emulator keeps it
// (a document in the state, see core.Docs).
type definition struct {
	ID                      string       `json:"id"`
	DisplayName             string       `json:"displayName"`
	DescriptionForAdmins    string       `json:"descriptionForAdmins"`
	DescriptionForReviewers string       `json:"descriptionForReviewers"`
	Scope                   queryScope   `json:"scope"`
	Reviewers               []queryScope `json:"reviewers"`
	FallbackReviewers       []queryScope `json:"fallbackReviewers"`
	Settings                settings     `json:"settings"`
	Created                 time.Time    `json:"created"`
	Modified                time.Time    `json:"modified"`
	CreatedBy               string       `json:"createdBy"`
	Stopped                 bool         `json:"stopped,omitempty"`
	Instances               int          `json:"instances"` // how many have started
	Next                    *time.Time   `json:"next,omitempty"`
}

// queryScope is an accessReviewQueryScope (scope, reviewers).
type queryScope struct {
	ODataType string `json:"@odata.type,omitempty"`
	Query     string `json:"query"`
	QueryType string `json:"queryType,omitempty"`
	QueryRoot string `json:"queryRoot,omitempty"`
}

// settings is accessReviewScheduleSettings.
type settings struct {
	MailNotificationsEnabled        bool        `json:"mailNotificationsEnabled"`
	ReminderNotificationsEnabled    bool        `json:"reminderNotificationsEnabled"`
	JustificationRequiredOnApproval bool        `json:"justificationRequiredOnApproval"`
	DefaultDecisionEnabled          bool        `json:"defaultDecisionEnabled"`
	DefaultDecision                 string      `json:"defaultDecision"`
	InstanceDurationInDays          int         `json:"instanceDurationInDays"`
	AutoApplyDecisionsEnabled       bool        `json:"autoApplyDecisionsEnabled"`
	RecommendationsEnabled          bool        `json:"recommendationsEnabled"`
	Recurrence                      *recurrence `json:"recurrence"`
}

// recurrence is Graph's patternedRecurrence.
type recurrence struct {
	Pattern pattern `json:"pattern"`
	Range   rng     `json:"range"`
}

type pattern struct {
	Type           string   `json:"type"`
	Interval       int      `json:"interval"`
	Month          int      `json:"month"`
	DayOfMonth     int      `json:"dayOfMonth"`
	DaysOfWeek     []string `json:"daysOfWeek"`
	FirstDayOfWeek string   `json:"firstDayOfWeek"`
	Index          string   `json:"index"`
}

type rng struct {
	Type                string `json:"type"`
	NumberOfOccurrences int    `json:"numberOfOccurrences"`
	RecurrenceTimeZone  string `json:"recurrenceTimeZone"`
	StartDate           string `json:"startDate"`
	EndDate             string `json:"endDate"`
}

// instance is an accessReviewInstance with its decisions.
type instance struct {
	ID         string     `json:"id"`
	Definition string     `json:"definition"`
	Start      time.Time  `json:"start"`
	End        time.Time  `json:"end"`
	Status     string     `json:"status"`
	Decisions  []decision `json:"decisions"`
}

// decision is an accessReviewInstanceDecisionItem.
type decision struct {
	ID             string     `json:"id"`
	Principal      string     `json:"principal"`
	Resource       string     `json:"resource"`     // the role (or group) reviewed
	ResourceType   string     `json:"resourceType"` // directoryRole or group
	Reviewers      []string   `json:"reviewers"`
	Decision       string     `json:"decision"`
	Justification  string     `json:"justification,omitempty"`
	Recommendation string     `json:"recommendation"`
	ReviewedBy     string     `json:"reviewedBy,omitempty"`
	Reviewed       *time.Time `json:"reviewed,omitempty"`
	ApplyResult    string     `json:"applyResult"`
	AppliedBy      string     `json:"appliedBy,omitempty"`
	Applied        *time.Time `json:"applied,omitempty"`
	Schedules      []string   `json:"schedules"` // what a Deny removes
}

// Document kinds.
const (
	docDefinition = "reviewDefinition"
	docInstance   = "reviewInstance"
)

// Statuses of definitions and instances (Graph's strings).
const (
	statusNotStarted = "NotStarted"
	statusInProgress = "InProgress"
	statusCompleted  = "Completed"
	statusApplied    = "Applied"
)
