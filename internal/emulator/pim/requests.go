package pim

import (
	"net/http"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
)

// The write pipeline of schedule requests, shared by every action:
//
//	decode    the body, strictly (decodeBody)
//	normalise ids, action, schedule; check what exists (parseCommand)
//	authorize who may do this (submitAdmin / submitSelf)
//	validate  against the current state and the role setting (plan*)
//	apply     change schedules, record the request (apply*)
//	audit     write the audit records of the change
//	persist   journal the touched entities (Server.update)
//
// Create: https://learn.microsoft.com/graph/api/rbacapplication-post-roleeligibilityschedulerequests
// and .../rbacapplication-post-roleassignmentschedulerequests.

// requestBody is unifiedRoleEligibilityScheduleRequest or
// unifiedRoleAssignmentScheduleRequest as a client sends it.
type requestBody struct {
	Action           string  `json:"action"`
	PrincipalID      string  `json:"principalId"`
	RoleDefinitionID string  `json:"roleDefinitionId"`
	DirectoryScopeID *string `json:"directoryScopeId"`
	AppScopeID       *string `json:"appScopeId"`
	requestCommon
}

// requestCommon is what every surface's schedule request carries besides
// its key. Read-only properties are accepted and ignored, as Graph ignores
// them.
type requestCommon struct {
	Justification *string       `json:"justification"`
	ScheduleInfo  *ScheduleInfo `json:"scheduleInfo"`
	TicketInfo    *struct {
		TicketNumber *string `json:"ticketNumber"`
		TicketSystem *string `json:"ticketSystem"`
	} `json:"ticketInfo"`
	IsValidationOnly *bool   `json:"isValidationOnly"`
	CustomData       *string `json:"customData"`
	// Read-only; ignored.
	ID                *string `json:"id"`
	Status            *string `json:"status"`
	CreatedDateTime   *string `json:"createdDateTime"`
	CompletedDateTime *string `json:"completedDateTime"`
	ApprovalID        *string `json:"approvalId"`
	TargetScheduleID  *string `json:"targetScheduleId"`
	CreatedBy         any     `json:"createdBy"`
}

type ScheduleInfo struct {
	StartDateTime *string `json:"startDateTime"`
	Recurrence    any     `json:"recurrence"`
	Expiration    *struct {
		Type        string  `json:"type"`
		EndDateTime *string `json:"endDateTime"`
		Duration    *string `json:"duration"`
	} `json:"expiration"`
}

// command is a normalised request body.
type command struct {
	action         string
	Key            core.Key
	body           *requestBody
	validationOnly bool
	// name is the client's id for the request (ARM's PUT); "" for a new one.
	name string
	// condition and conditionVersion: an Azure ABAC condition.
	condition, conditionVersion string
}

var actions = map[string]string{}

func init() {
	for _, a := range []string{"adminAssign", "adminUpdate", "adminRemove", "adminExtend", "adminRenew",
		"selfActivate", "selfDeactivate", "selfExtend", "selfRenew"} {
		actions[strings.ToLower(a)] = a
	}
}

// requestWire is how one surface's schedule requests look on the wire: the
// body they decode from and the command it states, how a request renders,
// where they are, and who may cancel one besides its creator. One pipeline
// (decode, authorize and apply the policy in submit, audit, answer) serves
// every surface through it.
type requestWire struct {
	surface core.SurfaceID
	typ     func(k core.Kind) *wire.EntityType
	set     func(k core.Kind) string
	parse   func(en *Engine, k core.Kind, data []byte) (*command, *core.APIError)
	render  func(tx *tx, r *core.Request) odata.Object
	// mayCancel: who besides its creator cancels a request.
	mayCancel func(tx *tx, r *core.Request) bool
}

// directoryRequests are the directory roles' requests.
var directoryRequests = &requestWire{surface: core.SurfaceDirectory, typ: requestType, set: requestsSet,
	parse: func(en *Engine, k core.Kind, data []byte) (*command, *core.APIError) {
		var body requestBody
		if e := wire.DecodeBody(data, &body, requestType(k).Name); e != nil {
			return nil, e
		}
		return en.parseCommand(k, &body)
	},
	render:    func(tx *tx, r *core.Request) odata.Object { return tx.requestItem(r).Obj },
	mayCancel: func(tx *tx, _ *core.Request) bool { return tx.Allowed(permPIMWrite, core.PIMWriterRoles) },
}

// postRequest creates a schedule request of a surface.
func postRequest(w *requestWire, k core.Kind) func(*call) {
	return func(c *call) {
		cmd, e := w.parse(c.a, k, c.Body)
		if e != nil {
			c.Fail(e)
			return
		}
		var obj odata.Object
		e = c.a.update(c.Caller, func(tx *tx) *core.APIError {
			out, err := tx.submit(cmd)
			if err == nil {
				obj = w.render(tx, out)
			}
			return err
		})
		if e != nil {
			c.Fail(e)
			return
		}
		c.W.JSON(http.StatusCreated, obj.Prepend("@odata.context", odata.ContextURL(c.Metadata(), w.set(k), nil, true)))
	}
}

// parseCommand checks what does not depend on the state: the action, the
// ids and that they name existing objects.
func (en *Engine) parseCommand(k core.Kind, b *requestBody) (*command, *core.APIError) {
	action, ok := actions[strings.ToLower(b.Action)]
	switch {
	case !ok:
		return nil, core.BadRequest("BadRequest", "Requested value '%s' was not found in action. Valid values: adminAssign, adminUpdate, adminRemove, adminExtend, adminRenew, selfActivate, selfDeactivate, selfExtend, selfRenew.", b.Action)
	case strings.HasPrefix(action, "self") && k == core.Eligible:
		// guess: principals changing their own eligibility is listed in the
		// overview but not emulated.
		return nil, core.BadRequest("NotSupported", "The emulator does not implement %s on eligibility schedule requests.", action)
	case b.PrincipalID == "" || b.RoleDefinitionID == "":
		return nil, core.BadRequest("BadRequest", "principalId and roleDefinitionId are required.")
	case !core.IsGUID(b.PrincipalID):
		return nil, core.BadRequest("BadRequest", "principalId '%s' is not a valid object id (a GUID).", b.PrincipalID)
	case b.AppScopeID != nil && *b.AppScopeID != "":
		return nil, core.BadRequest("NotSupported", "appScopeId is not supported by the emulator; use directoryScopeId.")
	case b.DirectoryScopeID == nil || *b.DirectoryScopeID == "":
		return nil, core.BadRequest("BadRequest", "Either directoryScopeId or appScopeId is required.")
	case !strings.HasPrefix(*b.DirectoryScopeID, "/") || len(*b.DirectoryScopeID) > 256:
		return nil, core.BadRequest("BadRequest", "directoryScopeId '%s' must be / or the path of a directory object, such as /administrativeUnits/{id}.", *b.DirectoryScopeID)
	}
	if _, found := en.dir.Role(b.RoleDefinitionID); !found {
		// guess: the unified API's code is undocumented; the deprecated PIM API used RoleNotFound.
		return nil, core.BadRequest("RoleNotFound", "The role definition '%s' does not exist in this tenant.", b.RoleDefinitionID)
	}
	if !en.dir.PrincipalExists(b.PrincipalID) || en.faults.PrincipalLagging(strings.ToLower(b.PrincipalID)) {
		// guess: as above, SubjectNotFound is the deprecated API's code.
		return nil, core.BadRequest("SubjectNotFound", "The principal '%s' does not exist in this tenant.", b.PrincipalID)
	}
	if e := canHoldRoles(en.dir, b.PrincipalID, k); e != nil {
		return nil, e
	}
	if !en.dir.ScopeExists(*b.DirectoryScopeID) {
		// guess: code and wording are not documented.
		return nil, core.BadRequest("BadRequest", "The directory scope '%s' does not exist in this tenant.", *b.DirectoryScopeID)
	}
	cmd := &command{action: action, body: b, validationOnly: b.IsValidationOnly != nil && *b.IsValidationOnly,
		Key: core.Key{core.SurfaceDirectory, k, strings.ToLower(b.PrincipalID), strings.ToLower(b.RoleDefinitionID), *b.DirectoryScopeID}}
	return cmd, nil
}

// submit authorizes, validates and applies a command.
func (tx *tx) submit(cmd *command) (*core.Request, *core.APIError) {
	if strings.HasPrefix(cmd.action, "self") {
		return tx.submitSelf(cmd)
	}
	return tx.submitAdmin(cmd)
}

// newRequest starts the request object a command records.
func (tx *tx) newRequest(cmd *command) *core.Request {
	b := cmd.body
	id := cmd.name
	if id == "" {
		id = core.NewID()
	}
	r := &core.Request{ID: id, Key: cmd.Key, Condition: cmd.condition, ConditionVersion: cmd.conditionVersion, Action: cmd.action, Justification: b.Justification, Created: tx.Now,
		CreatedBy: strings.ToLower(tx.Caller.PrincipalID), CreatedByApp: tx.Caller.App, IsValidationOnly: cmd.validationOnly}
	if b.TicketInfo != nil {
		r.TicketNumber, r.TicketSystem = b.TicketInfo.TicketNumber, b.TicketInfo.TicketSystem
	}
	return r
}

var expirationTypes = map[string]string{
	"noexpiration": "noExpiration", "afterdatetime": "afterDateTime", "afterduration": "afterDuration", "notspecified": "notSpecified",
}

// parseSpec normalises scheduleInfo. A start that is omitted or in the past
// becomes the processing time, as the documented responses show; keep, when
// set, is the schedule an update starts from.
func parseSpec(si *ScheduleInfo, now time.Time, keep *core.ScheduleSpec) (core.ScheduleSpec, *core.APIError) {
	spec := core.ScheduleSpec{Start: now, ExpType: "noExpiration"}
	if keep != nil {
		spec.Start = keep.Start
	}
	if si == nil {
		return spec, nil
	}
	if si.Recurrence != nil {
		return spec, core.BadRequest("BadRequest", "scheduleInfo.recurrence is not supported by PIM; leave it null.")
	}
	if si.StartDateTime != nil && *si.StartDateTime != "" {
		t, err := parseTime("scheduleInfo.startDateTime", *si.StartDateTime)
		if err != nil {
			return spec, err
		}
		spec.Start = t
		if spec.Start.Before(now) {
			spec.Start = now
		}
	}
	if si.Expiration == nil {
		return spec, nil
	}
	return parseExpiration(spec, si)
}

func parseExpiration(spec core.ScheduleSpec, si *ScheduleInfo) (core.ScheduleSpec, *core.APIError) {
	e := si.Expiration
	et, ok := expirationTypes[strings.ToLower(e.Type)]
	if !ok {
		return spec, core.BadRequest("BadRequest", "Requested value '%s' was not found in expiration type. Valid values: notSpecified, noExpiration, afterDateTime, afterDuration.", e.Type)
	}
	if et == "notSpecified" {
		et = "noExpiration"
	}
	spec.ExpType = et
	switch et {
	case "afterDateTime":
		if e.EndDateTime == nil {
			return spec, core.BadRequest("BadRequest", "scheduleInfo.expiration.endDateTime is required for afterDateTime.")
		}
		t, err := parseTime("scheduleInfo.expiration.endDateTime", *e.EndDateTime)
		if err != nil {
			return spec, err
		}
		if !t.After(spec.Start) {
			return spec, core.BadRequest("BadRequest", "scheduleInfo.expiration.endDateTime %s must be after the start %s.", core.GraphTime(t), core.GraphTime(spec.Start))
		}
		spec.End = &t
	case "afterDuration":
		if e.Duration == nil {
			return spec, core.BadRequest("BadRequest", "scheduleInfo.expiration.duration is required for afterDuration.")
		}
		d, err := isoduration.Parse(*e.Duration)
		if err != nil || d.IsZero() {
			return spec, core.BadRequest("BadRequest", "scheduleInfo.expiration.duration %q is not a positive ISO 8601 duration.", *e.Duration)
		}
		if end := d.AddTo(spec.Start); end.After(core.MaxDateTime) || !end.After(spec.Start) {
			return spec, core.BadRequest("BadRequest", "scheduleInfo.expiration.duration %q ends after 9999-12-31.", *e.Duration)
		}
		spec.Duration = *e.Duration
	}
	return spec, nil
}

func parseTime(field, s string) (time.Time, *core.APIError) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, core.BadRequest("BadRequest", "%s %q is not an ISO 8601 timestamp.", field, s)
	}
	if t = t.UTC(); t.After(core.MaxDateTime) || t.Year() < 1900 {
		return t, core.BadRequest("BadRequest", "%s %q is outside the supported range (1900 to 9999).", field, s)
	}
	return t, nil
}

// canHoldRoles refuses principals Microsoft Entra does not give directory
// roles to: groups that are not role-assignable, and service principals as
// eligible (principalId on unifiedRoleEligibilityScheduleRequest: "a user
// or a role-assignable group. You can grant only active assignments service
// principals"). guess: the codes and wording are not documented.
func canHoldRoles(d *tenant.Directory, principalID string, k core.Kind) *core.APIError {
	id := strings.ToLower(principalID)
	if g, ok := d.Groups[id]; ok && !g.RoleAssignable {
		return core.BadRequest("InvalidPrincipal", "The group '%s' is not role-assignable: directory roles can be assigned only to groups created with isAssignableToRole set to true.", principalID)
	}
	if _, ok := d.SPs[id]; ok && k == core.Eligible {
		return core.BadRequest("InvalidPrincipal", "The service principal '%s' cannot be made eligible for a role: service principals can only be given active assignments.", principalID)
	}
	return nil
}
