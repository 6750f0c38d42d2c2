package core

import (
	"regexp"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
)

// Kind selects eligibilities or active assignments.
type Kind string

// The two schedule families of PIM.
const (
	Eligible Kind = "eligibility"
	Active   Kind = "assignment"
)

// surfaceID names a PIM surface: directory roles today; PIM for Groups and
// Azure resource roles share the same engine later.
type SurfaceID string

const (
	SurfaceDirectory SurfaceID = "directory"
	// surfaceGroup is PIM for Groups: Role holds the access id (member or
	// owner) and Scope the group's id.
	SurfaceGroup SurfaceID = "group"
	// SurfaceAzure is PIM for Azure resources (over ARM): Role holds the
	// Azure role definition's GUID and Scope the lower-case ARM path of a
	// management group, subscription, resource group or resource.
	SurfaceAzure SurfaceID = "azure"
)

// key identifies what a principal can hold at most once: one eligibility
// and one standing active assignment per principal, role and scope.
type Key struct {
	Surface   SurfaceID `json:"surface"`
	Kind      Kind      `json:"kind"`
	Principal string    `json:"principalId"` // lower-case object id
	Role      string    `json:"roleDefinitionId"`
	Scope     string    `json:"directoryScopeId"`
}

// Assignment types of active schedules.
const (
	AssignmentAssigned  = "Assigned"
	AssignmentActivated = "Activated"
)

// Statuses (PascalCase on the wire).
const (
	StatusProvisioned     = "Provisioned"
	StatusGranted         = "Granted"
	StatusRevoked         = "Revoked"
	StatusPendingApproval = "PendingApproval"
	StatusDenied          = "Denied"
	StatusCanceled        = "Canceled"
)

// scheduleSpec is a normalised scheduleInfo.
type ScheduleSpec struct {
	// Start is the effective start; zero on a request that waits for
	// approval without a requested start (Graph shows it as null).
	Start    time.Time  `json:"start"`
	ExpType  string     `json:"expType"` // camelCase expiration type
	End      *time.Time `json:"end,omitempty"`
	Duration string     `json:"duration,omitempty"`
}

// end returns the effective end (nil: permanent).
func (s ScheduleSpec) EffectiveEnd() *time.Time {
	if s.End != nil {
		return s.End
	}
	if s.Duration != "" && !s.Start.IsZero() {
		if d, err := isoduration.Parse(s.Duration); err == nil {
			e := d.AddTo(s.Start)
			return &e
		}
	}
	return nil
}

// schedule is an eligibility, a standing active assignment or a JIT
// activation (AssignmentType Activated).
type Schedule struct {
	Seq            uint64       `json:"seq"`
	ID             string       `json:"id"`
	Key            Key          `json:"key"`
	CreatedUsing   string       `json:"createdUsing"`
	Created        time.Time    `json:"created"`
	Modified       *time.Time   `json:"modified,omitempty"`
	Status         string       `json:"status"`
	AssignmentType string       `json:"assignmentType,omitempty"`
	Spec           ScheduleSpec `json:"spec"`
	// ActivatedUsing is the eligibility schedule an activation relies on.
	ActivatedUsing string `json:"activatedUsing,omitempty"`
	// OutsidePIM marks a direct role assignment (POST roleAssignments, as
	// the portal or an old script makes one), which PIM alerts on.
	OutsidePIM bool `json:"outsidePim,omitempty"`
	// Condition and ConditionVersion are an Azure role's ABAC condition.
	Condition        string `json:"condition,omitempty"`
	ConditionVersion string `json:"conditionVersion,omitempty"`
}

func (sc *Schedule) Activated() bool { return sc.AssignmentType == AssignmentActivated }

// activeSince is when the schedule took effect (the five-minute rule).
func (sc *Schedule) ActiveSince() time.Time {
	if sc.Spec.Start.After(sc.Created) {
		return sc.Spec.Start
	}
	return sc.Created
}

// request is a schedule request as Graph keeps it (purged after 45 days).
type Request struct {
	Seq              uint64        `json:"seq"`
	ID               string        `json:"id"`
	Key              Key           `json:"key"`
	Action           string        `json:"action"`
	Status           string        `json:"status"`
	Justification    *string       `json:"justification,omitempty"`
	Schedule         *ScheduleSpec `json:"schedule,omitempty"`
	TicketNumber     *string       `json:"ticketNumber,omitempty"`
	TicketSystem     *string       `json:"ticketSystem,omitempty"`
	Created          time.Time     `json:"created"`
	Completed        *time.Time    `json:"completed,omitempty"`
	TargetScheduleID *string       `json:"targetScheduleId,omitempty"`
	CreatedBy        string        `json:"createdBy"`
	CreatedByApp     bool          `json:"createdByApp,omitempty"`
	IsValidationOnly bool          `json:"isValidationOnly,omitempty"`
	ApprovalID       *string       `json:"approvalId,omitempty"`
	ActivatedUsing   string        `json:"activatedUsing,omitempty"`
	Condition        string        `json:"condition,omitempty"`
	ConditionVersion string        `json:"conditionVersion,omitempty"`
}

// Limits of Graph's service behaviour (observed, see DESIGN.md).
const (
	// requestPurgeAge is how long Graph keeps schedule requests.
	RequestPurgeAge = 45 * 24 * time.Hour
	// auditRetention is how long Microsoft Entra keeps audit records
	// (30 days with a Microsoft Entra ID P1/P2 licence).
	AuditRetention = 30 * 24 * time.Hour
	// minActiveDuration is the minimum life of an active assignment before
	// it can be removed (ActiveDurationTooShort).
	MinActiveDuration = 5 * time.Minute
)

// maxDateTime is the largest DateTimeOffset Graph stores.
var MaxDateTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsGUID reports whether s is a GUID in its canonical 8-4-4-4-12 form.
func IsGUID(s string) bool { return guidRE.MatchString(s) }
