package emulator

// Wire shapes, field for field as in ../shared/graph-examples. They are the
// emulator's own, independent of pimclient's, so a client bug cannot be
// mirrored here and hidden.

type wireIdentity struct {
	DisplayName *string `json:"displayName"`
	ID          string  `json:"id"`
}

type wireIdentitySet struct {
	Application *wireIdentity `json:"application"`
	Device      *wireIdentity `json:"device"`
	User        *wireIdentity `json:"user"`
}

type wireExpiration struct {
	Type        string  `json:"type"`
	EndDateTime *string `json:"endDateTime"`
	Duration    *string `json:"duration"`
}

type wireScheduleInfo struct {
	StartDateTime *string        `json:"startDateTime"`
	Recurrence    any            `json:"recurrence"`
	Expiration    wireExpiration `json:"expiration"`
}

type wireTicketInfo struct {
	TicketNumber *string `json:"ticketNumber"`
	TicketSystem *string `json:"ticketSystem"`
}

type wireRequest struct {
	ODataContext      string            `json:"@odata.context,omitempty"`
	ID                string            `json:"id"`
	Status            string            `json:"status"`
	CreatedDateTime   string            `json:"createdDateTime"`
	CompletedDateTime *string           `json:"completedDateTime"`
	ApprovalID        *string           `json:"approvalId"`
	CustomData        *string           `json:"customData"`
	Action            string            `json:"action"`
	PrincipalID       string            `json:"principalId"`
	RoleDefinitionID  string            `json:"roleDefinitionId"`
	DirectoryScopeID  string            `json:"directoryScopeId"`
	AppScopeID        *string           `json:"appScopeId"`
	IsValidationOnly  bool              `json:"isValidationOnly"`
	TargetScheduleID  *string           `json:"targetScheduleId"`
	Justification     *string           `json:"justification"`
	CreatedBy         wireIdentitySet   `json:"createdBy"`
	ScheduleInfo      *wireScheduleInfo `json:"scheduleInfo"`
	TicketInfo        wireTicketInfo    `json:"ticketInfo"`
}

type wireSchedule struct {
	ODataContext     string           `json:"@odata.context,omitempty"`
	ID               string           `json:"id"`
	PrincipalID      string           `json:"principalId"`
	RoleDefinitionID string           `json:"roleDefinitionId"`
	DirectoryScopeID string           `json:"directoryScopeId"`
	AppScopeID       *string          `json:"appScopeId"`
	CreatedUsing     string           `json:"createdUsing"`
	CreatedDateTime  string           `json:"createdDateTime"`
	ModifiedDateTime *string          `json:"modifiedDateTime"`
	Status           string           `json:"status"`
	AssignmentType   string           `json:"assignmentType,omitempty"`
	MemberType       string           `json:"memberType"`
	ScheduleInfo     wireScheduleInfo `json:"scheduleInfo"`
}

type wireInstance struct {
	ODataContext              string  `json:"@odata.context,omitempty"`
	ID                        string  `json:"id"`
	PrincipalID               string  `json:"principalId"`
	RoleDefinitionID          string  `json:"roleDefinitionId"`
	DirectoryScopeID          string  `json:"directoryScopeId"`
	AppScopeID                *string `json:"appScopeId"`
	StartDateTime             *string `json:"startDateTime"`
	EndDateTime               *string `json:"endDateTime"`
	AssignmentType            string  `json:"assignmentType,omitempty"`
	MemberType                string  `json:"memberType"`
	RoleEligibilityScheduleID string  `json:"roleEligibilityScheduleId,omitempty"`
	RoleAssignmentOriginID    string  `json:"roleAssignmentOriginId,omitempty"`
	RoleAssignmentScheduleID  string  `json:"roleAssignmentScheduleId,omitempty"`
}

func wireSpec(sp *scheduleSpec) *wireScheduleInfo {
	if sp == nil {
		return nil
	}
	w := &wireScheduleInfo{StartDateTime: graphTimePtr(&sp.Start), Expiration: wireExpiration{Type: sp.ExpType}}
	switch sp.ExpType {
	case "afterDateTime":
		w.Expiration.EndDateTime = graphTimePtr(sp.End)
	case "afterDuration":
		d := sp.Duration
		w.Expiration.Duration = &d
	}
	return w
}

func (r *request) wire() wireRequest {
	w := wireRequest{
		ID: r.ID, Status: r.Status, CreatedDateTime: graphTime(r.Created), CompletedDateTime: graphTimePtr(r.Completed),
		Action: r.Action, PrincipalID: r.PrincipalID, RoleDefinitionID: r.RoleDefinitionID,
		DirectoryScopeID: r.DirectoryScopeID, IsValidationOnly: r.IsValidationOnly, TargetScheduleID: r.TargetScheduleID,
		Justification: r.Justification, ScheduleInfo: wireSpec(r.Schedule),
		CreatedBy: wireIdentitySet{User: &wireIdentity{ID: r.CreatedBy}}, ApprovalID: r.ApprovalID,
		TicketInfo: wireTicketInfo{TicketNumber: r.TicketNumber, TicketSystem: r.TicketSystem},
	}
	return w
}

func (sc *schedule) wire(memberType, principalID, idSuffix string) wireSchedule {
	return wireSchedule{
		ID: sc.ID + idSuffix, PrincipalID: principalID, RoleDefinitionID: sc.RoleDefinitionID, DirectoryScopeID: sc.DirectoryScopeID,
		CreatedUsing: sc.CreatedUsing, CreatedDateTime: graphTime(sc.Created), ModifiedDateTime: graphTimePtr(sc.Modified),
		Status: sc.Status, AssignmentType: sc.AssignmentType, MemberType: memberType, ScheduleInfo: *wireSpec(&sc.Spec),
	}
}
