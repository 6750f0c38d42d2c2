package arm

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/pim"
)

// Schedule requests: PUT with a client-chosen name creates one
// (https://learn.microsoft.com/rest/api/authorization/role-eligibility-schedule-requests/create);
// the same name twice is refused, so a client that lost an answer reads
// the request by its name instead of guessing. There is no DELETE: a
// removal is a request of type AdminRemove.

type requestBody struct {
	Properties *requestProperties `json:"properties"`
	// The envelope's read-only fields; ignored.
	ID   any `json:"id"`
	Name any `json:"name"`
	Type any `json:"type"`
}

type requestProperties struct {
	PrincipalID      string            `json:"principalId"`
	RoleDefinitionID string            `json:"roleDefinitionId"`
	RequestType      string            `json:"requestType"`
	ScheduleInfo     *pim.ScheduleInfo `json:"scheduleInfo"`
	Justification    *string           `json:"justification"`
	TicketInfo       *struct {
		TicketNumber *string `json:"ticketNumber"`
		TicketSystem *string `json:"ticketSystem"`
	} `json:"ticketInfo"`
	Condition        *string `json:"condition"`
	ConditionVersion *string `json:"conditionVersion"`
	// Links to what an extension, renewal or activation acts on; the key
	// says it already, so they are accepted and not needed.
	LinkedRoleEligibilityScheduleID         *string `json:"linkedRoleEligibilityScheduleId"`
	TargetRoleEligibilityScheduleID         *string `json:"targetRoleEligibilityScheduleId"`
	TargetRoleEligibilityScheduleInstanceID *string `json:"targetRoleEligibilityScheduleInstanceId"`
	TargetRoleAssignmentScheduleID          *string `json:"targetRoleAssignmentScheduleId"`
	TargetRoleAssignmentScheduleInstanceID  *string `json:"targetRoleAssignmentScheduleInstanceId"`
	// Read-only; ignored as ARM ignores them.
	Scope              any `json:"scope"`
	PrincipalType      any `json:"principalType"`
	Status             any `json:"status"`
	ApprovalID         any `json:"approvalId"`
	CreatedOn          any `json:"createdOn"`
	RequestorID        any `json:"requestorId"`
	ExpandedProperties any `json:"expandedProperties"`
}

var roleIDRE = regexp.MustCompile(`^(?i)(?:/subscriptions/([0-9a-f-]{36}))?/providers/Microsoft\.Authorization/roleDefinitions/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)

func decodeStrict(data []byte, v any) *core.APIError {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &core.APIError{Status: http.StatusBadRequest, Code: "InvalidRequestContent",
			Message: "The request content was invalid and could not be deserialized: " + truncate(err.Error(), 300) + "."}
	}
	return nil
}

// parseRequest turns a PUT body into the engine's request: the role must
// be one assignable at the scope, named under the scope's subscription,
// and the principal must exist.
func (a *Area) parseRequest(c *call, k core.Kind, name string, validate bool) (*pim.Request, *core.APIError) {
	var body requestBody
	if e := decodeStrict(c.Body, &body); e != nil {
		return nil, e
	}
	p := body.Properties
	switch {
	case !core.IsGUID(name):
		return nil, core.BadRequest("InvalidRoleAssignmentRequestName", "The request name '%s' is not valid: it must be a GUID the client chooses.", truncate(name, 80))
	case p == nil:
		return nil, core.BadRequest("InvalidRequestContent", "The request content must carry properties.")
	case !core.IsGUID(p.PrincipalID):
		return nil, core.BadRequest("InvalidPrincipalId", "properties.principalId '%s' is not a valid object id (a GUID).", truncate(p.PrincipalID, 80))
	}
	role, e := a.roleAt(c.scope, p.RoleDefinitionID)
	if e != nil {
		return nil, e
	}
	principal := strings.ToLower(p.PrincipalID)
	if !a.dir.PrincipalExists(principal) {
		return nil, core.BadRequest("PrincipalNotFound", "Principal %s does not exist in the directory %s. Check that you have the correct principal ID.", principal, a.dir.Domain)
	}
	r := &pim.Request{Action: p.RequestType, Name: name, Justification: p.Justification, Schedule: p.ScheduleInfo, ValidationOnly: validate,
		Key: core.Key{Surface: core.SurfaceAzure, Kind: k, Principal: principal, Role: role, Scope: strings.ToLower(c.scope)}}
	if p.TicketInfo != nil {
		r.TicketNumber, r.TicketSystem = p.TicketInfo.TicketNumber, p.TicketInfo.TicketSystem
	}
	if p.Condition != nil {
		r.Condition = *p.Condition
		r.ConditionVersion = "2.0"
		if p.ConditionVersion != nil {
			r.ConditionVersion = *p.ConditionVersion
		}
		if r.ConditionVersion != "2.0" {
			return nil, core.BadRequest("InvalidConditionVersion", "conditionVersion '%s' is not supported: use 2.0.", r.ConditionVersion)
		}
	}
	return r, nil
}

// roleAt resolves a role definition id at a scope.
func (a *Area) roleAt(scope, id string) (string, *core.APIError) {
	m := roleIDRE.FindStringSubmatch(id)
	if m == nil {
		return "", core.BadRequest("InvalidRoleDefinitionId", "properties.roleDefinitionId '%s' is not a role definition id such as "+
			"/subscriptions/{subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/{roleId}.", truncate(id, 200))
	}
	s, _ := a.az.Scope(scope)
	if m[1] != "" && !strings.EqualFold(m[1], s.Subscription) {
		return "", core.BadRequest("RoleDefinitionDoesNotExist", "The role definition '%s' is in subscription %s, which is not the subscription of the scope '%s'. "+
			"Name it under the scope's subscription: %s.", id, m[1], s.ID, a.roleDefinitionID(scope, strings.ToLower(m[2])))
	}
	role, ok := a.az.Roles[strings.ToLower(m[2])]
	if !ok || !a.az.AssignableAt(role, scope) {
		return "", core.BadRequest("RoleDefinitionDoesNotExist", "The specified role definition with ID '%s' does not exist at scope '%s'.", m[2], s.ID)
	}
	return role.ID, nil
}

// putRequest creates a schedule request (or, with validate, checks one).
func (a *Area) putRequest(k core.Kind, name string, validate bool) func(*call) {
	return func(c *call) {
		r, e := a.parseRequest(c, k, name, validate)
		if e != nil {
			c.Fail(e)
			return
		}
		var out map[string]any
		ok := a.update(c, func(tx *core.Tx) *core.APIError {
			if prior, found := tx.St.Requests.Get(strings.ToLower(name)); found && !validate {
				return core.BadRequest("RoleAssignmentRequestExists", "A role assignment request with Id: %s already exists (created %s).", prior.ID, armTime(prior.Created))
			}
			req, e := a.en.Submit(tx, *r)
			if e != nil {
				return a.named(e, r.Key)
			}
			out = a.requestObject(req)
			return nil
		})
		if !ok {
			return
		}
		status := http.StatusCreated
		if validate {
			status = http.StatusOK
		}
		c.W.JSON(status, out)
	}
}

// named adds who and what to the engine's errors, as ARM's messages are
// read by people deciding what to change.
func (a *Area) named(e *core.APIError, k core.Key) *core.APIError {
	if e.Status == http.StatusForbidden || e.Code == "AuthorizationFailed" {
		return e
	}
	s, _ := a.az.Scope(k.Scope)
	out := *e
	out.Message = e.Message + " (principal " + k.Principal + ", role " + a.az.Roles[k.Role].Name + ", scope " + s.ID + ")"
	return &out
}

// request finds a request of the kind at the call's scope.
func (a *Area) request(tx *core.Tx, c *call, k core.Kind, name string) (*core.Request, *core.APIError) {
	r, ok := tx.St.Requests.Get(strings.ToLower(name))
	if !ok || r.Key.Surface != core.SurfaceAzure || r.Key.Kind != k || r.Key.Scope != strings.ToLower(c.scope) {
		return nil, &core.APIError{Status: http.StatusNotFound, Code: pascal(typeName(k, "ScheduleRequestNotFound")),
			Message: "The " + typeName(k, "ScheduleRequest") + " '" + truncate(name, 80) + "' was not found at scope '" + c.scope + "'."}
	}
	return r, nil
}

// mayRead: readers of the scope, and the request's principal or creator.
func (a *Area) mayReadRequest(tx *core.Tx, r *core.Request) bool {
	me := strings.ToLower(tx.Caller.PrincipalID)
	return me == r.Key.Principal || me == r.CreatedBy || a.allowed(tx, r.Key.Scope, requestsOf(r.Key.Kind)+"/read")
}

func (a *Area) getRequest(k core.Kind, name string) func(*call) {
	return func(c *call) {
		a.view(c, func(tx *core.Tx) {
			r, e := a.request(tx, c, k, name)
			switch {
			case e != nil:
				c.Fail(e)
			case !a.mayReadRequest(tx, r):
				c.Fail(a.authorize(tx, c.scope, requestsOf(k)+"/read"))
			default:
				c.W.JSON(http.StatusOK, a.requestObject(r))
			}
		})
	}
}

func (a *Area) cancelRequest(k core.Kind, name string) func(*call) {
	return func(c *call) {
		if !a.update(c, func(tx *core.Tx) *core.APIError {
			r, e := a.request(tx, c, k, name)
			if e != nil {
				return e
			}
			if r.CreatedBy != strings.ToLower(tx.Caller.PrincipalID) {
				if e := a.authorize(tx, r.Key.Scope, requestsOf(k)+"/write"); e != nil {
					return e
				}
			}
			return a.en.Cancel(tx, r)
		}) {
			return
		}
		c.W.WriteHeader(http.StatusOK)
	}
}

// listRequests lists requests by ARM's filters: atScope() (at or above),
// asTarget() (the caller's), asRequestor() (made by the caller),
// asApprover() (waiting for the caller), principalId eq; without a filter,
// at, above and below the scope.
func (a *Area) listRequests(k core.Kind) func(*call) {
	return func(c *call) {
		f, e := parseFilter(c.query().Get("$filter"), "principalId")
		if e != nil {
			c.Fail(e)
			return
		}
		a.view(c, func(tx *core.Tx) {
			self := hasAny(f, "astarget", "asrequestor", "asapprover")
			if !self && !a.allowed(tx, c.scope, requestsOf(k)+"/read") {
				c.Fail(a.authorize(tx, c.scope, requestsOf(k)+"/read"))
				return
			}
			me := strings.ToLower(tx.Caller.PrincipalID)
			var out []any
			for _, r := range tx.St.Requests.Items {
				if r.Key.Surface != core.SurfaceAzure || r.Key.Kind != k || !a.related(f, c.scope, r.Key.Scope) ||
					(f.eq["principalid"] != "" && !strings.EqualFold(f.eq["principalid"], r.Key.Principal)) ||
					(hasAny(f, "astarget") && r.Key.Principal != me) || (hasAny(f, "asrequestor") && r.CreatedBy != me) ||
					(hasAny(f, "asapprover") && !a.awaits(tx, r, me)) {
					continue
				}
				out = append(out, a.requestObject(r))
			}
			c.page(out)
		})
	}
}

func hasAny(f *filter, fns ...string) bool {
	for _, fn := range fns {
		if _, ok := f.fns[fn]; ok {
			return true
		}
	}
	return false
}

// related: atScope() keeps what is at or above the scope; every other
// listing what is at, above or below it.
func (a *Area) related(f *filter, scope, at string) bool {
	if scope == "" {
		return true
	}
	if hasAny(f, "atscope") {
		return a.az.Within(scope, at)
	}
	return a.az.Within(scope, at) || a.az.Within(at, scope)
}

// awaits reports whether a pending request waits for the principal.
func (a *Area) awaits(tx *core.Tx, r *core.Request, principal string) bool {
	ap, ok := tx.St.Approvals[r.ID]
	if !ok || r.Status != core.StatusPendingApproval {
		return false
	}
	st := ap.Current()
	return st != nil && principal != ap.RequesterID && a.en.CanApprove(tx, principal, st)
}
