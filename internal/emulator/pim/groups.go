package pim

import (
	"net/http"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// PIM for Groups (https://learn.microsoft.com/graph/api/resources/privilegedidentitymanagement-for-groups-api-overview):
// just-in-time membership or ownership of a group. The engine is the
// directory roles' (requests, schedules, policies, approval, expiry); a key
// of surface "group" holds the access id (member or owner) as its role and
// the group's id as its scope. This file is the wire: paths, bodies, the
// required filter, and the shapes of requests, schedules and instances.

func groupPrefix(k core.Kind) string {
	if k == core.Active {
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
	groupTypes = map[core.Kind]struct{ Request, Schedule, instance *wire.EntityType }{
		core.Eligible: {
			&wire.EntityType{"privilegedAccessGroupEligibilityScheduleRequest", groupRequestProps, groupNavs},
			&wire.EntityType{"privilegedAccessGroupEligibilitySchedule", groupScheduleProps, groupNavs},
			&wire.EntityType{"privilegedAccessGroupEligibilityScheduleInstance", groupInstanceProps, groupNavs},
		},
		core.Active: {
			&wire.EntityType{"privilegedAccessGroupAssignmentScheduleRequest", groupRequestProps, groupNavs},
			&wire.EntityType{"privilegedAccessGroupAssignmentSchedule", groupScheduleProps, groupNavs},
			&wire.EntityType{"privilegedAccessGroupAssignmentScheduleInstance", groupInstanceProps, groupNavs},
		},
	}
)

// groupRoutes are PIM for Groups' operations.

// groupRequestBody is privilegedAccessGroupEligibilityScheduleRequest or
// …AssignmentScheduleRequest as a client sends it.
type groupRequestBody struct {
	Action      string `json:"action"`
	AccessID    string `json:"accessId"`
	PrincipalID string `json:"principalId"`
	GroupID     string `json:"groupId"`
	requestCommon
}

// groupRequests are PIM for Groups' requests.
var groupRequests = &requestWire{surface: core.SurfaceGroup,
	typ: func(k core.Kind) *wire.EntityType { return groupTypes[k].Request },
	set: func(k core.Kind) string { return groupPIM + groupPrefix(k) + "ScheduleRequests" },
	parse: func(en *Engine, k core.Kind, data []byte) (*command, *core.APIError) {
		var body groupRequestBody
		if e := wire.DecodeBody(data, &body, groupTypes[k].Request.Name); e != nil {
			return nil, e
		}
		return en.parseGroupCommand(k, &body)
	},
	render:    func(tx *tx, r *core.Request) odata.Object { return tx.groupRequestObject(r) },
	mayCancel: func(tx *tx, r *core.Request) bool { return tx.checkScheduleWrite(r.Key) == nil },
}

// parseGroupCommand checks the body and that the group and the principal
// exist, then states it as the engine's command.
func (en *Engine) parseGroupCommand(k core.Kind, b *groupRequestBody) (*command, *core.APIError) {
	action, ok := actions[strings.ToLower(b.Action)]
	access := strings.ToLower(b.AccessID)
	switch {
	case !ok:
		return nil, core.BadRequest("BadRequest", "Requested value '%s' was not found in action.", b.Action)
	case strings.HasPrefix(action, "self") && k == core.Eligible:
		return nil, core.BadRequest("NotSupported", "The emulator does not implement %s on group eligibility schedule requests.", action)
	case access != core.AccessMember && access != core.AccessOwner:
		return nil, core.BadRequest("BadRequest", "accessId must be member or owner, got '%s'.", b.AccessID)
	case !core.IsGUID(b.GroupID) || !core.IsGUID(b.PrincipalID):
		return nil, core.BadRequest("BadRequest", "groupId and principalId must be object ids (GUIDs).")
	}
	g, found := en.dir.Groups[strings.ToLower(b.GroupID)]
	switch {
	case !found:
		return nil, core.BadRequest("BadRequest", "The group '%s' does not exist in this tenant.", b.GroupID)
	case g.MembershipRule != "" || g.OnPremisesSync:
		// guess: PIM for Groups refuses dynamic and on-premises-synchronised
		// groups (documented); the code is not.
		return nil, core.BadRequest("InvalidGroup", "The group '%s' is dynamic or synchronised from on-premises: PIM for Groups cannot manage it.", g.DisplayName)
	case !en.dir.PrincipalExists(b.PrincipalID):
		return nil, core.BadRequest("SubjectNotFound", "The principal '%s' does not exist in this tenant.", b.PrincipalID)
	}
	scope := g.ID
	inner := &requestBody{Action: action, PrincipalID: b.PrincipalID, RoleDefinitionID: access, DirectoryScopeID: &scope, requestCommon: b.requestCommon}
	return &command{action: action, body: inner, validationOnly: b.IsValidationOnly != nil && *b.IsValidationOnly,
		Key: core.Key{core.SurfaceGroup, k, strings.ToLower(b.PrincipalID), access, g.ID}}, nil
}

// groupShape restates a directory-shaped object in PIM for Groups' terms.
func groupShape(o odata.Object, k core.Key) odata.Object {
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

func (tx *tx) groupRequestObject(r *core.Request) odata.Object {
	return groupShape(tx.requestObject(r), r.Key)
}

func (tx *tx) groupExpand(nav, principal string, k core.Key) any {
	switch nav {
	case "principal":
		return tx.Dir.PrincipalObject(principal)
	case "group":
		return tx.Dir.PrincipalObject(k.Scope)
	}
	return nil
}

// errGroupFilter: the list operations require a filter on groupId or
// principalId (documented); guess: the code and message are not.
var errGroupFilter = core.BadRequest("BadRequest", "A $filter on groupId or principalId is required, e.g. $filter=groupId eq '{id}'.")

// groupFiltered checks the required filter and returns the pinned group and
// principal ids.
func groupFiltered(q *odata.Query) (groups, principals []string, e *core.APIError) {
	eq := q.Filter.Equalities()
	groups, principals = eq["groupid"], eq["principalid"]
	if len(groups) == 0 && len(principals) == 0 {
		return nil, nil, errGroupFilter
	}
	return groups, principals, nil
}

func (tx *tx) canReadGroupPIM() bool { return tx.Allowed(permGroupPIMRead, core.PIMReaderRoles) }

var errGroupPIMRead = core.Forbidden("Reading PIM for Groups needs a role such as Global Reader or Privileged Role Administrator " +
	"(or, app-only, PrivilegedEligibilitySchedule.Read.AzureADGroup or PrivilegedAssignmentSchedule.Read.AzureADGroup).")

func listGroupSchedules(k core.Kind, instances bool) func(*call) {
	return func(c *call) {
		q, ok := c.Query(listOptions...)
		if !ok {
			return
		}
		groups, principals, e := groupFiltered(q)
		if e != nil {
			c.Fail(e)
			return
		}
		c.a.view(c.Caller, func(tx *tx) {
			if !tx.canReadGroupPIM() && (len(principals) != 1 || !strings.EqualFold(principals[0], tx.Caller.PrincipalID)) {
				c.Fail(errGroupPIMRead)
				return
			}
			c.WriteCollection(tx.groupScheduleListing(k, groups, principals, instances), q)
		})
	}
}

// groupEntries are a kind's group schedules for the pinned groups or
// principals, in order.
func (tx *tx) groupEntries(k core.Kind, groups, principals []string) []entry {
	var out []entry
	for _, sc := range tx.St.Schedules.Items {
		if sc.Key.Surface != core.SurfaceGroup || sc.Key.Kind != k || tx.a.st.Lag.Hidden(sc.ID) ||
			(len(groups) > 0 && !core.ContainsFold(groups, sc.Key.Scope)) {
			continue
		}
		for _, e := range tx.entries(sc) {
			if len(principals) == 0 || core.ContainsFold(principals, e.principal) {
				out = append(out, e)
			}
		}
	}
	return out
}

func (tx *tx) groupItem(e entry, instance bool) wire.Item {
	obj := tx.scheduleObject(e)
	if instance {
		obj = tx.instanceObject(e)
	}
	return wire.Item{Cursor: e.cursor(), Obj: groupShape(obj, e.sc.Key), Expand: func(x odata.Expand) any {
		return tx.groupExpand(x.Name, e.principal, e.sc.Key)
	}}
}

func getGroupSchedule(k core.Kind) func(*call) {
	return func(c *call) {
		if on, ok := currentUserFunction(c.Params[0]); ok {
			groupForCurrentUser(c, on, func(tx *tx, me []string) wire.Listing { return tx.groupScheduleListing(k, nil, me, false) })
			return
		}
		q, ok := c.Query("$select", "$expand")
		if !ok {
			return
		}
		c.a.view(c.Caller, func(tx *tx) {
			sc, found := tx.St.Schedules.Get(c.Params[0])
			switch {
			case !found || sc.Key.Surface != core.SurfaceGroup || sc.Key.Kind != k || tx.a.st.Lag.Hidden(sc.ID):
				c.Fail(core.NotFound(groupPrefix(k)+"Schedules", c.Params[0]))
			case !tx.canReadGroupPIM() && !tx.canSee(sc.Key.Principal):
				c.Fail(errGroupPIMRead)
			default:
				c.WriteEntity(groupPIM+groupPrefix(k)+"Schedules", groupTypes[k].Schedule, tx.groupItem(entry{sc: sc, principal: sc.Key.Principal}, false), q)
			}
		})
	}
}

func listGroupRequests(k core.Kind) func(*call) {
	return func(c *call) {
		q, ok := c.Query(listOptions...)
		if !ok {
			return
		}
		groups, principals, e := groupFiltered(q)
		if e != nil {
			c.Fail(e)
			return
		}
		c.a.view(c.Caller, func(tx *tx) {
			if !tx.canReadGroupPIM() {
				c.Fail(errGroupPIMRead)
				return
			}
			c.WriteCollection(tx.groupRequestListing(k, groups, principals), q)
		})
	}
}

func getGroupRequest(k core.Kind) func(*call) {
	return func(c *call) {
		if on, ok := currentUserFunction(c.Params[0]); ok {
			groupForCurrentUser(c, on, func(tx *tx, me []string) wire.Listing { return tx.groupRequestListing(k, nil, me) })
			return
		}
		q, ok := c.Query("$select", "$expand")
		if !ok {
			return
		}
		c.a.view(c.Caller, func(tx *tx) {
			r, found := tx.St.Requests.Get(c.Params[0])
			switch {
			case !found || r.Key.Surface != core.SurfaceGroup || r.Key.Kind != k:
				c.Fail(core.NotFound(groupPrefix(k)+"ScheduleRequests", c.Params[0]))
			case !tx.canReadGroupPIM() && !tx.canSee(r.Key.Principal, r.CreatedBy):
				c.Fail(errGroupPIMRead)
			default:
				c.WriteEntity(groupPIM+groupPrefix(k)+"ScheduleRequests", groupTypes[k].Request, wire.Item{Obj: tx.groupRequestObject(r)}, q)
			}
		})
	}
}

// Approvals of group activations are in v1.0, with stages
// (https://learn.microsoft.com/graph/api/approval-get).
func getGroupApproval(c *call) {
	withApproval(c, func(tx *tx, a *core.Approval) {
		set := groupPIM + "assignmentApprovals"
		steps := tx.visibleSteps(a)
		c.W.JSON(http.StatusOK, odata.Object{{"@odata.context", c.Metadata() + "#" + set + "/$entity"}, {"id", a.ID}, {"stages", steps}})
	})
}

func patchGroupApprovalStage(c *call) { patchApprovalStep(c) }

// activeGroupMembers are the principals whose active membership (assigned,
// or activated) is in effect now: Graph adds them to the group while it
// lasts.

// getGroupInstance serves filterByCurrentUser(on='principal') on a group
// surface's schedule instances; instances are otherwise listed, not read by id.
func getGroupInstance(k core.Kind) func(*call) {
	return func(c *call) {
		on, ok := currentUserFunction(c.Params[0])
		if !ok {
			c.Fail(core.NotFound(groupPrefix(k)+"ScheduleInstances", c.Params[0]))
			return
		}
		groupForCurrentUser(c, on, func(tx *tx, me []string) wire.Listing { return tx.groupScheduleListing(k, nil, me, true) })
	}
}

// groupForCurrentUser serves filterByCurrentUser(on='principal') on the six
// PIM for Groups collections
// (https://learn.microsoft.com/graph/api/privilegedaccessgroupeligibilityschedule-filterbycurrentuser):
// the caller's own entries, as a function result, without the group filter
// the collections otherwise require.
func groupForCurrentUser(c *call, on string, listing func(tx *tx, me []string) wire.Listing) {
	q, ok := c.Query(listOptions...)
	if !ok {
		return
	}
	if e := checkCurrentUser(c.Caller, on, "principal"); e != nil {
		c.Fail(e)
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		l := listing(tx, []string{strings.ToLower(c.Caller.PrincipalID)})
		l.Function = true
		c.WriteCollection(l, q)
	})
}

// groupScheduleListing lists a group surface's schedules (or instances) of
// the groups and principals.
func (tx *tx) groupScheduleListing(k core.Kind, groups, principals []string, instances bool) wire.Listing {
	typ, set := groupTypes[k].Schedule, groupPIM+groupPrefix(k)+"Schedules"
	if instances {
		typ, set = groupTypes[k].instance, groupPIM+groupPrefix(k)+"ScheduleInstances"
	}
	return wire.Listing{Set: set, Typ: typ, Each: func(after string, yield func(wire.Item) bool) {
		for _, e := range tx.groupEntries(k, groups, principals) {
			if e.cursor() > after && !yield(tx.groupItem(e, instances)) {
				return
			}
		}
	}}
}

// groupRequestListing lists a group surface's requests of the groups and
// principals.
func (tx *tx) groupRequestListing(k core.Kind, groups, principals []string) wire.Listing {
	return wire.Listing{Set: groupPIM + groupPrefix(k) + "ScheduleRequests", Typ: groupTypes[k].Request,
		Each: func(after string, yield func(wire.Item) bool) {
			for _, r := range tx.St.Requests.Items[tx.St.Requests.After(cursorSeq(after)):] {
				if r.Key.Surface != core.SurfaceGroup || r.Key.Kind != k || wire.SeqCursor(r.Seq, 0) <= after ||
					(len(groups) > 0 && !core.ContainsFold(groups, r.Key.Scope)) || (len(principals) > 0 && !core.ContainsFold(principals, r.Key.Principal)) {
					continue
				}
				if !yield(wire.Item{Cursor: wire.SeqCursor(r.Seq, 0), Obj: tx.groupRequestObject(r)}) {
					return
				}
			}
		}}
}
