package emulator

import (
	"net/http"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// PIM for Groups (https://learn.microsoft.com/graph/api/resources/privilegedidentitymanagement-for-groups-api-overview):
// just-in-time membership or ownership of a group. The engine is the
// directory roles' (requests, schedules, policies, approval, expiry); a key
// of surface "group" holds the access id (member or owner) as its role and
// the group's id as its scope. This file is the wire: paths, bodies, the
// required filter, and the shapes of requests, schedules and instances.

const groupPIM = "identityGovernance/privilegedAccess/group/"

func groupPrefix(k Kind) string {
	if k == Active {
		return "assignment"
	}
	return "eligibility"
}

var (
	groupRequestProps = []string{"id", "status", "createdDateTime", "completedDateTime", "approvalId", "customData", "action",
		"accessId", "principalId", "groupId", "isValidationOnly", "targetScheduleId", "justification", "createdBy", "scheduleInfo", "ticketInfo"}
	groupScheduleProps = []string{"id", "accessId", "principalId", "groupId", "createdUsing", "createdDateTime", "modifiedDateTime",
		"status", "assignmentType", "memberType", "scheduleInfo"}
	groupInstanceProps = []string{"id", "accessId", "principalId", "groupId", "startDateTime", "endDateTime", "assignmentType",
		"memberType", "eligibilityScheduleId", "assignmentScheduleId"}
	groupNavs  = []string{"principal", "group", "targetSchedule", "activatedUsing"}
	groupTypes = map[Kind]struct{ request, schedule, instance *entityType }{
		Eligible: {
			&entityType{"privilegedAccessGroupEligibilityScheduleRequest", groupRequestProps, groupNavs},
			&entityType{"privilegedAccessGroupEligibilitySchedule", groupScheduleProps, groupNavs},
			&entityType{"privilegedAccessGroupEligibilityScheduleInstance", groupInstanceProps, groupNavs},
		},
		Active: {
			&entityType{"privilegedAccessGroupAssignmentScheduleRequest", groupRequestProps, groupNavs},
			&entityType{"privilegedAccessGroupAssignmentSchedule", groupScheduleProps, groupNavs},
			&entityType{"privilegedAccessGroupAssignmentScheduleInstance", groupInstanceProps, groupNavs},
		},
	}
)

// groupRoutes are PIM for Groups' operations.
func groupRoutes() []route {
	var rs []route
	for _, k := range []Kind{Eligible, Active} {
		p := groupPIM + groupPrefix(k)
		rs = append(rs,
			route{method: "POST", pattern: p + "ScheduleRequests", handle: postGroupRequest(k)},
			route{method: "GET", pattern: p + "ScheduleRequests", handle: listGroupRequests(k)},
			route{method: "GET", pattern: p + "ScheduleRequests/{id}", handle: getGroupRequest(k)},
			route{method: "POST", pattern: p + "ScheduleRequests/{id}/cancel", handle: cancelGroupRequest(k)},
			route{method: "GET", pattern: p + "Schedules", handle: listGroupSchedules(k, false)},
			route{method: "GET", pattern: p + "Schedules/{id}", handle: getGroupSchedule(k)},
			route{method: "GET", pattern: p + "ScheduleInstances", handle: listGroupSchedules(k, true)},
		)
	}
	return append(rs,
		route{method: "GET", pattern: groupPIM + "assignmentApprovals/{id}", handle: getGroupApproval},
		route{method: "PATCH", pattern: groupPIM + "assignmentApprovals/{id}/stages/{stage}", handle: patchGroupApprovalStage},
		// guess: the update page spells the path /steps/{id} while GET returns stages; both are accepted.
		route{method: "PATCH", pattern: groupPIM + "assignmentApprovals/{id}/steps/{stage}", handle: patchGroupApprovalStage},
	)
}

// groupRequestBody is privilegedAccessGroupEligibilityScheduleRequest or
// …AssignmentScheduleRequest as a client sends it.
type groupRequestBody struct {
	Action        string        `json:"action"`
	AccessID      string        `json:"accessId"`
	PrincipalID   string        `json:"principalId"`
	GroupID       string        `json:"groupId"`
	Justification *string       `json:"justification"`
	ScheduleInfo  *bodySchedule `json:"scheduleInfo"`
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

func postGroupRequest(k Kind) func(*call) {
	return func(c *call) {
		var body groupRequestBody
		if e := decodeBody(c.body, &body, groupTypes[k].request.name); e != nil {
			c.fail(e)
			return
		}
		cmd, e := c.s.parseGroupCommand(k, &body)
		if e != nil {
			c.fail(e)
			return
		}
		var obj odata.Object
		e = c.s.update(c.caller, func(tx *tx) *apiError {
			out, err := tx.submit(cmd)
			if err == nil {
				obj = tx.groupRequestObject(out)
			}
			return err
		})
		if e != nil {
			c.fail(e)
			return
		}
		c.w.json(http.StatusCreated, obj.Prepend("@odata.context", odata.ContextURL(c.metadata(), groupPIM+groupPrefix(k)+"ScheduleRequests", nil, true)))
	}
}

// parseGroupCommand checks the body and that the group and the principal
// exist, then states it as the engine's command.
func (s *Server) parseGroupCommand(k Kind, b *groupRequestBody) (*command, *apiError) {
	action, ok := actions[strings.ToLower(b.Action)]
	access := strings.ToLower(b.AccessID)
	switch {
	case !ok:
		return nil, badRequest("BadRequest", "Requested value '%s' was not found in action.", b.Action)
	case strings.HasPrefix(action, "self") && k == Eligible:
		return nil, badRequest("NotSupported", "The emulator does not implement %s on group eligibility schedule requests.", action)
	case access != accessMember && access != accessOwner:
		return nil, badRequest("BadRequest", "accessId must be member or owner, got '%s'.", b.AccessID)
	case !guidRE.MatchString(b.GroupID) || !guidRE.MatchString(b.PrincipalID):
		return nil, badRequest("BadRequest", "groupId and principalId must be object ids (GUIDs).")
	}
	g, found := s.dir.groups[strings.ToLower(b.GroupID)]
	switch {
	case !found:
		return nil, badRequest("BadRequest", "The group '%s' does not exist in this tenant.", b.GroupID)
	case g.MembershipRule != "" || g.OnPremisesSync:
		// guess: PIM for Groups refuses dynamic and on-premises-synchronised
		// groups (documented); the code is not.
		return nil, badRequest("InvalidGroup", "The group '%s' is dynamic or synchronised from on-premises: PIM for Groups cannot manage it.", g.DisplayName)
	case !s.dir.principalExists(b.PrincipalID):
		return nil, badRequest("SubjectNotFound", "The principal '%s' does not exist in this tenant.", b.PrincipalID)
	}
	scope := g.ID
	inner := &requestBody{Action: action, PrincipalID: b.PrincipalID, RoleDefinitionID: access, DirectoryScopeID: &scope,
		Justification: b.Justification, ScheduleInfo: b.ScheduleInfo, TicketInfo: b.TicketInfo, IsValidationOnly: b.IsValidationOnly}
	return &command{action: action, body: inner, validationOnly: b.IsValidationOnly != nil && *b.IsValidationOnly,
		key: key{surfaceGroup, k, strings.ToLower(b.PrincipalID), access, g.ID}}, nil
}

// groupShape restates a directory-shaped object in PIM for Groups' terms.
func groupShape(o odata.Object, k key) odata.Object {
	out := make(odata.Object, 0, len(o))
	for _, p := range o {
		switch p.Name {
		case "roleDefinitionId":
			out = append(out, odata.Property{Name: "accessId", Value: k.Role})
		case "directoryScopeId":
			out = append(out, odata.Property{Name: "groupId", Value: k.Scope})
		case "appScopeId", "roleAssignmentOriginId":
		case "memberType", "assignmentType":
			v, _ := p.Value.(string)
			out = append(out, odata.Property{Name: p.Name, Value: strings.ToLower(v)})
		case "roleEligibilityScheduleId":
			out = append(out, odata.Property{Name: "eligibilityScheduleId", Value: p.Value})
		case "roleAssignmentScheduleId":
			out = append(out, odata.Property{Name: "assignmentScheduleId", Value: p.Value})
		default:
			out = append(out, p)
		}
	}
	return out
}

func (tx *tx) groupRequestObject(r *request) odata.Object {
	return groupShape(tx.requestObject(r), r.Key)
}

func (tx *tx) groupExpand(nav, principal string, k key) any {
	switch nav {
	case "principal":
		return tx.s.dir.principalObject(principal)
	case "group":
		return tx.s.dir.principalObject(k.Scope)
	}
	return nil
}

// errGroupFilter: the list operations require a filter on groupId or
// principalId (documented); guess: the code and message are not.
var errGroupFilter = badRequest("BadRequest", "A $filter on groupId or principalId is required, e.g. $filter=groupId eq '{id}'.")

// groupFiltered checks the required filter and returns the pinned group and
// principal ids.
func groupFiltered(q *odata.Query) (groups, principals []string, e *apiError) {
	eq := q.Filter.Equalities()
	groups, principals = eq["groupid"], eq["principalid"]
	if len(groups) == 0 && len(principals) == 0 {
		return nil, nil, errGroupFilter
	}
	return groups, principals, nil
}

func (tx *tx) canReadGroupPIM() bool { return tx.allowed(permGroupPIMRead, pimReaderRoles) }

var errGroupPIMRead = forbidden("Reading PIM for Groups needs a role such as Global Reader or Privileged Role Administrator " +
	"(or, app-only, PrivilegedEligibilitySchedule.Read.AzureADGroup or PrivilegedAssignmentSchedule.Read.AzureADGroup).")

func listGroupSchedules(k Kind, instances bool) func(*call) {
	return func(c *call) {
		q, ok := c.query(listOptions...)
		if !ok {
			return
		}
		groups, principals, e := groupFiltered(q)
		if e != nil {
			c.fail(e)
			return
		}
		c.s.view(c.caller, func(tx *tx) {
			if !tx.canReadGroupPIM() && (len(principals) != 1 || !strings.EqualFold(principals[0], tx.caller.PrincipalID)) {
				c.fail(errGroupPIMRead)
				return
			}
			typ, set := groupTypes[k].schedule, groupPIM+groupPrefix(k)+"Schedules"
			if instances {
				typ, set = groupTypes[k].instance, groupPIM+groupPrefix(k)+"ScheduleInstances"
			}
			c.writeCollection(listing{set: set, typ: typ, each: func(after string, yield func(item) bool) {
				for _, e := range tx.groupEntries(k, groups, principals) {
					if e.cursor() > after && !yield(tx.groupItem(e, instances)) {
						return
					}
				}
			}}, q)
		})
	}
}

// groupEntries are a kind's group schedules for the pinned groups or
// principals, in order.
func (tx *tx) groupEntries(k Kind, groups, principals []string) []entry {
	var out []entry
	for _, sc := range tx.st.schedules.items {
		if sc.Key.Surface != surfaceGroup || sc.Key.Kind != k || tx.s.lag.hidden(sc.ID) ||
			(len(groups) > 0 && !containsFold(groups, sc.Key.Scope)) {
			continue
		}
		for _, e := range tx.entries(sc) {
			if len(principals) == 0 || containsFold(principals, e.principal) {
				out = append(out, e)
			}
		}
	}
	return out
}

func (tx *tx) groupItem(e entry, instance bool) item {
	obj := tx.scheduleObject(e)
	if instance {
		obj = tx.instanceObject(e)
	}
	return item{cursor: e.cursor(), obj: groupShape(obj, e.sc.Key), expand: func(x odata.Expand) any {
		return tx.groupExpand(x.Name, e.principal, e.sc.Key)
	}}
}

func getGroupSchedule(k Kind) func(*call) {
	return func(c *call) {
		q, ok := c.query("$select", "$expand")
		if !ok {
			return
		}
		c.s.view(c.caller, func(tx *tx) {
			sc, found := tx.st.schedules.get(c.params[0])
			switch {
			case !found || sc.Key.Surface != surfaceGroup || sc.Key.Kind != k || tx.s.lag.hidden(sc.ID):
				c.fail(notFound(groupPrefix(k)+"Schedules", c.params[0]))
			case !tx.canReadGroupPIM() && !tx.canSee(sc.Key.Principal):
				c.fail(errGroupPIMRead)
			default:
				c.writeEntity(groupPIM+groupPrefix(k)+"Schedules", groupTypes[k].schedule, tx.groupItem(entry{sc: sc, principal: sc.Key.Principal}, false), q)
			}
		})
	}
}

func listGroupRequests(k Kind) func(*call) {
	return func(c *call) {
		q, ok := c.query(listOptions...)
		if !ok {
			return
		}
		groups, principals, e := groupFiltered(q)
		if e != nil {
			c.fail(e)
			return
		}
		c.s.view(c.caller, func(tx *tx) {
			if !tx.canReadGroupPIM() {
				c.fail(errGroupPIMRead)
				return
			}
			c.writeCollection(listing{set: groupPIM + groupPrefix(k) + "ScheduleRequests", typ: groupTypes[k].request,
				each: func(after string, yield func(item) bool) {
					for _, r := range tx.st.requests.items[tx.st.requests.after(cursorSeq(after)):] {
						if r.Key.Surface != surfaceGroup || r.Key.Kind != k || seqCursor(r.Seq, 0) <= after ||
							(len(groups) > 0 && !containsFold(groups, r.Key.Scope)) || (len(principals) > 0 && !containsFold(principals, r.Key.Principal)) {
							continue
						}
						if !yield(item{cursor: seqCursor(r.Seq, 0), obj: tx.groupRequestObject(r)}) {
							return
						}
					}
				}}, q)
		})
	}
}

func getGroupRequest(k Kind) func(*call) {
	return func(c *call) {
		q, ok := c.query("$select", "$expand")
		if !ok {
			return
		}
		c.s.view(c.caller, func(tx *tx) {
			r, found := tx.st.requests.get(c.params[0])
			switch {
			case !found || r.Key.Surface != surfaceGroup || r.Key.Kind != k:
				c.fail(notFound(groupPrefix(k)+"ScheduleRequests", c.params[0]))
			case !tx.canReadGroupPIM() && !tx.canSee(r.Key.Principal, r.CreatedBy):
				c.fail(errGroupPIMRead)
			default:
				c.writeEntity(groupPIM+groupPrefix(k)+"ScheduleRequests", groupTypes[k].request, item{obj: tx.groupRequestObject(r)}, q)
			}
		})
	}
}

func cancelGroupRequest(k Kind) func(*call) {
	return func(c *call) {
		e := c.s.update(c.caller, func(tx *tx) *apiError {
			r, found := tx.st.requests.get(c.params[0])
			me := strings.ToLower(tx.caller.PrincipalID)
			switch {
			case !found || r.Key.Surface != surfaceGroup || r.Key.Kind != k:
				return notFound(groupPrefix(k)+"ScheduleRequests", c.params[0])
			case r.CreatedBy != me && tx.checkScheduleWrite(r.Key) != nil:
				return forbidden("Only the creator of a request or an administrator can cancel it.")
			case r.Status != statusGranted && r.Status != statusPendingApproval:
				return badRequest("BadRequest", "The request is in status %s and cannot be canceled; only Granted or PendingApproval requests can.", r.Status)
			}
			tx.cancel(r)
			return nil
		})
		if e != nil {
			c.fail(e)
			return
		}
		c.w.noContent()
	}
}

// Approvals of group activations are in v1.0, with stages
// (https://learn.microsoft.com/graph/api/approval-get).
func getGroupApproval(c *call) {
	withApproval(c, func(tx *tx, a *approval) {
		set := groupPIM + "assignmentApprovals"
		steps := tx.visibleSteps(a)
		c.w.json(http.StatusOK, odata.Object{{"@odata.context", c.metadata() + "#" + set + "/$entity"}, {"id", a.ID}, {"stages", steps}})
	})
}

func patchGroupApprovalStage(c *call) { patchApprovalStep(c) }

// activeGroupMembers are the principals whose active membership (assigned,
// or activated) is in effect now: Graph adds them to the group while it
// lasts.
func (tx *tx) activeGroupMembers(groupID, access string) []string {
	var out []string
	for _, sc := range tx.st.schedules.items {
		k := sc.Key
		if k.Surface == surfaceGroup && k.Kind == Active && k.Scope == groupID && k.Role == access && !sc.Spec.Start.After(tx.now) {
			out = append(out, k.Principal)
		}
	}
	return out
}
