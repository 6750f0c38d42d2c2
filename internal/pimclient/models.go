package pimclient

import (
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
)

// Expiration types of scheduleInfo.expiration (input is case-insensitive,
// Graph echoes camelCase).
const (
	ExpirationNoExpiration  = "noExpiration"
	ExpirationAfterDateTime = "afterDateTime"
	ExpirationAfterDuration = "afterDuration"
	ExpirationNotSpecified  = "notSpecified"
)

// Request actions.
const (
	ActionAdminAssign    = "adminAssign"
	ActionAdminUpdate    = "adminUpdate"
	ActionAdminRemove    = "adminRemove"
	ActionAdminExtend    = "adminExtend"
	ActionAdminRenew     = "adminRenew"
	ActionSelfActivate   = "selfActivate"
	ActionSelfDeactivate = "selfDeactivate"
	ActionSelfExtend     = "selfExtend"
	ActionSelfRenew      = "selfRenew"
)

// Request and schedule statuses (PascalCase on the wire).
const (
	StatusProvisioned     = "Provisioned"
	StatusGranted         = "Granted"
	StatusRevoked         = "Revoked"
	StatusPendingApproval = "PendingApproval"
	StatusDenied          = "Denied"
	StatusCanceled        = "Canceled"
	StatusFailed          = "Failed"
)

// Member types of schedules and instances.
const (
	MemberTypeDirect = "Direct"
	MemberTypeGroup  = "Group"
)

// ScheduleInfo is Graph's requestSchedule.
type ScheduleInfo struct {
	StartDateTime *time.Time  `json:"startDateTime,omitempty"`
	Expiration    *Expiration `json:"expiration,omitempty"`
}

// Expiration is Graph's expirationPattern.
type Expiration struct {
	Type        string     `json:"type"`
	EndDateTime *time.Time `json:"endDateTime,omitempty"`
	Duration    string     `json:"duration,omitempty"`
}

// TicketInfo is Graph's ticketInfo.
type TicketInfo struct {
	TicketNumber string `json:"ticketNumber,omitempty"`
	TicketSystem string `json:"ticketSystem,omitempty"`
}

// IdentitySet is Graph's identitySet, reduced to what PIM fills in.
type IdentitySet struct {
	User        *Identity `json:"user,omitempty"`
	Application *Identity `json:"application,omitempty"`
}

// Identity is Graph's identity.
type Identity struct {
	ID          string `json:"id,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
}

// ScheduleRequest is unifiedRoleEligibilityScheduleRequest or
// unifiedRoleAssignmentScheduleRequest: the two share every field this
// client uses. Read-only fields are empty when creating.
type ScheduleRequest struct {
	ID               string `json:"id,omitempty"`
	Action           string `json:"action"`
	PrincipalID      string `json:"principalId"`
	RoleDefinitionID string `json:"roleDefinitionId,omitempty"`
	DirectoryScopeID string `json:"directoryScopeId,omitempty"`
	// AccessID and GroupID are PIM for Groups' key (member or owner of a group).
	AccessID         string        `json:"accessId,omitempty"`
	GroupID          string        `json:"groupId,omitempty"`
	Justification    string        `json:"justification,omitempty"`
	ScheduleInfo     *ScheduleInfo `json:"scheduleInfo,omitempty"`
	TicketInfo       *TicketInfo   `json:"ticketInfo,omitempty"`
	IsValidationOnly bool          `json:"isValidationOnly,omitempty"`

	Status            string       `json:"status,omitempty"`
	CreatedDateTime   *time.Time   `json:"createdDateTime,omitempty"`
	CompletedDateTime *time.Time   `json:"completedDateTime,omitempty"`
	ApprovalID        string       `json:"approvalId,omitempty"`
	TargetScheduleID  string       `json:"targetScheduleId,omitempty"`
	CreatedBy         *IdentitySet `json:"createdBy,omitempty"`
	// Condition and ConditionVersion are an Azure role's ABAC condition
	// (PIM for Azure resources only).
	Condition        string `json:"condition,omitempty"`
	ConditionVersion string `json:"conditionVersion,omitempty"`
}

// Schedule is unifiedRoleEligibilitySchedule or unifiedRoleAssignmentSchedule.
// Schedules, not requests, are the identity of an assignment: Graph purges
// requests after about 45 days but keeps the schedule for its whole life.
type Schedule struct {
	ID               string        `json:"id"`
	PrincipalID      string        `json:"principalId"`
	RoleDefinitionID string        `json:"roleDefinitionId"`
	DirectoryScopeID string        `json:"directoryScopeId"`
	AccessID         string        `json:"accessId,omitempty"`
	GroupID          string        `json:"groupId,omitempty"`
	CreatedUsing     string        `json:"createdUsing"`
	CreatedDateTime  *time.Time    `json:"createdDateTime"`
	ModifiedDateTime *time.Time    `json:"modifiedDateTime"`
	Status           string        `json:"status"`
	MemberType       string        `json:"memberType"`
	AssignmentType   string        `json:"assignmentType,omitempty"`
	ScheduleInfo     *ScheduleInfo `json:"scheduleInfo"`
	Condition        string        `json:"condition,omitempty"`
	ConditionVersion string        `json:"conditionVersion,omitempty"`
}

// NewerThan reports whether q is to be preferred to prev as the newest
// request: of two dated requests the later (q on a tie, as lists run oldest
// first), and a dated one over an undated one. A request without a creation
// time is never preferred to one that has it.
func (q *ScheduleRequest) NewerThan(prev *ScheduleRequest) bool {
	switch {
	case prev == nil:
		return true
	case q.CreatedDateTime == nil:
		return false
	case prev.CreatedDateTime == nil:
		return true
	}
	return !q.CreatedDateTime.Before(*prev.CreatedDateTime)
}

// Started reports whether the schedule is in effect at now: it has no start
// in the future.
func (s *Schedule) Started(now time.Time) bool {
	return s.ScheduleInfo == nil || s.ScheduleInfo.StartDateTime == nil || !s.ScheduleInfo.StartDateTime.After(now)
}

// EndDateTime returns the schedule's end, if it has a computable one.
func (s *Schedule) EndDateTime() *time.Time {
	if s.ScheduleInfo == nil || s.ScheduleInfo.Expiration == nil {
		return nil
	}
	e := s.ScheduleInfo.Expiration
	if e.EndDateTime != nil {
		return e.EndDateTime
	}
	if e.Duration != "" && s.ScheduleInfo.StartDateTime != nil {
		if d, err := isoduration.Parse(e.Duration); err == nil {
			end := d.AddTo(*s.ScheduleInfo.StartDateTime)
			return &end
		}
	}
	return nil
}

// RoleDefinition is unifiedRoleDefinition, reduced to what lookups need.
type RoleDefinition struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
	IsBuiltIn   bool   `json:"isBuiltIn"`
	IsEnabled   bool   `json:"isEnabled"`
	TemplateID  string `json:"templateId"`
}

// RoleGlobalAdministrator is the template id of Global Administrator, the
// role Entra keeps at least one active holder of.
const RoleGlobalAdministrator = "62e90394-69f5-4237-9190-012177145e10"
