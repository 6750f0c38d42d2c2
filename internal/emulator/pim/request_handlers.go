package pim

import (
	"path"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Reading and cancelling schedule requests.
// Cancel: https://learn.microsoft.com/graph/api/unifiedroleassignmentschedulerequest-cancel.

func (tx *tx) requestObject(r *core.Request) odata.Object {
	var by odata.Object
	if r.CreatedByApp {
		appID := r.CreatedBy
		if sp, ok := tx.Dir.SPs[r.CreatedBy]; ok {
			appID = sp.AppID
		}
		by = odata.Object{{"application", odata.Object{{"displayName", nil}, {"id", appID}}}, {"device", nil}, {"user", nil}}
	} else {
		by = odata.Object{{"application", nil}, {"device", nil}, {"user", odata.Object{{"displayName", nil}, {"id", r.CreatedBy}}}}
	}
	return odata.Object{{"id", r.ID}, {"status", r.Status}, {"createdDateTime", core.GraphTime(r.Created)},
		{"completedDateTime", core.GraphTimePtr(r.Completed)}, {"approvalId", strPtr(r.ApprovalID)}, {"customData", nil}, {"action", r.Action},
		{"principalId", r.Key.Principal}, {"roleDefinitionId", r.Key.Role}, {"directoryScopeId", r.Key.Scope}, {"appScopeId", nil},
		{"isValidationOnly", r.IsValidationOnly}, {"targetScheduleId", strPtr(r.TargetScheduleID)}, {"justification", strPtr(r.Justification)},
		{"createdBy", by}, {"scheduleInfo", scheduleInfoObject(r.Schedule)},
		{"ticketInfo", odata.Object{{"ticketNumber", strPtr(r.TicketNumber)}, {"ticketSystem", strPtr(r.TicketSystem)}}}}
}

func strPtr(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func (tx *tx) requestItem(r *core.Request) wire.Item {
	return wire.Item{Cursor: wire.SeqCursor(r.Seq, 0), Obj: tx.requestObject(r), Expand: func(x odata.Expand) any {
		var id string
		switch x.Name {
		case "targetSchedule":
			id = strings.ToLower(strVal(r.TargetScheduleID))
		case "activatedUsing":
			id = r.ActivatedUsing
		default:
			return tx.expandCommon(x.Name, r.Key.Principal, r.Key)
		}
		if sc, ok := tx.St.Schedules.Get(id); ok && id != "" {
			return tx.scheduleObject(entry{sc: sc, principal: sc.Key.Principal})
		}
		return nil
	}}
}

func strVal(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// eachRequest yields a kind's requests in order after the cursor, from the
// principal index when the filter pins principals.
func (tx *tx) eachRequest(k core.Kind, eq map[string][]string, after string, keep func(*core.Request) bool, yield func(wire.Item) bool) {
	var candidates []*core.Request
	if ps := eq["principalid"]; len(ps) > 0 {
		for _, p := range ps {
			candidates = append(candidates, tx.St.ReqByPrin.Sorted(p)...)
		}
	} else if ids := eq["id"]; len(ids) > 0 {
		for _, id := range ids {
			if r, ok := tx.St.Requests.Get(id); ok {
				candidates = append(candidates, r)
			}
		}
	} else {
		candidates = tx.St.Requests.Items[tx.St.Requests.After(cursorSeq(after)):]
	}
	seen := map[*core.Request]bool{}
	for _, r := range candidates {
		if seen[r] || r.Key.Kind != k || r.Key.Surface != core.SurfaceDirectory || wire.SeqCursor(r.Seq, 0) <= after || (keep != nil && !keep(r)) {
			continue
		}
		seen[r] = true
		if !yield(tx.requestItem(r)) {
			return
		}
	}
}

func listRequests(k core.Kind) func(*call) {
	return func(c *call) {
		q, ok := c.Query(listOptions...)
		if !ok {
			return
		}
		c.a.view(c.Caller, func(tx *tx) {
			if !tx.canReadPIM() {
				c.Fail(errPIMRead)
				return
			}
			eq := q.Filter.Equalities()
			c.WriteCollection(wire.Listing{Set: requestsSet(k), Typ: types[k].Request, Each: func(after string, yield func(wire.Item) bool) {
				tx.eachRequest(k, eq, after, nil, yield)
			}}, q)
		})
	}
}

func getRequest(k core.Kind) func(*call) {
	return func(c *call) {
		if on, ok := currentUserFunction(c.Params[0]); ok {
			requestsForCurrentUser(c, k, on)
			return
		}
		q, ok := c.Query("$select", "$expand")
		if !ok {
			return
		}
		c.a.view(c.Caller, func(tx *tx) {
			r, found := tx.St.Requests.Get(c.Params[0])
			switch {
			case !found || r.Key.Kind != k || r.Key.Surface != core.SurfaceDirectory:
				c.Fail(core.NotFound(rolePrefix(k)+"ScheduleRequests", c.Params[0]))
			case !tx.canSee(r.Key.Principal, r.CreatedBy):
				c.Fail(errPIMRead)
			default:
				c.WriteEntity(requestsSet(k), types[k].Request, tx.requestItem(r), q)
			}
		})
	}
}

// requestsForCurrentUser serves filterByCurrentUser(on='principal') (the
// caller's requests, as target or creator) and on='approver' (requests the
// caller can decide now).
func requestsForCurrentUser(c *call, k core.Kind, on string) {
	q, ok := c.Query(listOptions...)
	if !ok {
		return
	}
	if e := checkCurrentUser(c.Caller, on, "principal", "approver"); e != nil {
		c.Fail(e)
		return
	}
	me := strings.ToLower(c.Caller.PrincipalID)
	c.a.view(c.Caller, func(tx *tx) {
		eq := map[string][]string{"principalid": {me}}
		keep := func(r *core.Request) bool { return r.Key.Principal == me || r.CreatedBy == me }
		if on == "approver" {
			eq, keep = nil, func(r *core.Request) bool { return tx.canDecide(me, r.ID) }
		}
		c.WriteCollection(wire.Listing{Set: requestsSet(k), Typ: types[k].Request, Function: true, Each: func(after string, yield func(wire.Item) bool) {
			tx.eachRequest(k, eq, after, keep, yield)
		}}, q)
	})
}

// cancelRequest cancels a Granted or PendingApproval request of a surface,
// for its creator or whoever the surface lets.
func cancelRequest(w *requestWire, k core.Kind) func(*call) {
	return func(c *call) {
		e := c.a.update(c.Caller, func(tx *tx) *core.APIError {
			r, found := tx.St.Requests.Get(c.Params[0])
			me := strings.ToLower(tx.Caller.PrincipalID)
			switch {
			case !found || r.Key.Kind != k || r.Key.Surface != w.surface:
				return core.NotFound(path.Base(w.set(k)), c.Params[0])
			case r.CreatedBy != me && !w.mayCancel(tx, r):
				return core.Forbidden("Only the creator of a request or an administrator can cancel it.")
			case r.Status != core.StatusGranted && r.Status != core.StatusPendingApproval:
				// guess: PendingApproval requests can be cancelled too, as the portal's My requests does.
				return core.BadRequest("BadRequest", "The request is in status %s and cannot be canceled; only Granted or PendingApproval requests can.", r.Status)
			}
			tx.cancel(r)
			return nil
		})
		if e != nil {
			c.Fail(e)
			return
		}
		c.W.NoContent()
	}
}

func (tx *tx) cancel(r *core.Request) {
	r.Status = core.StatusCanceled
	tx.Touch(core.EntRequest, r.ID)
	if r.TargetScheduleID != nil {
		if sc, ok := tx.St.Schedules.Get(*r.TargetScheduleID); ok && sc.CreatedUsing == r.ID {
			tx.St.RemoveSchedule(sc)
			tx.Touch(core.EntSchedule, sc.ID)
		}
	}
	if _, ok := tx.St.Approvals[r.ID]; ok {
		delete(tx.St.Approvals, r.ID)
		tx.Touch(core.EntApproval, r.ID)
	}
	tx.auditCancel(r)
}
