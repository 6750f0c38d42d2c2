package emulator

import (
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// Reading and cancelling schedule requests.
// Cancel: https://learn.microsoft.com/graph/api/unifiedroleassignmentschedulerequest-cancel.

func (tx *tx) requestObject(r *request) odata.Object {
	var by odata.Object
	if r.CreatedByApp {
		appID := r.CreatedBy
		if sp, ok := tx.s.dir.sps[r.CreatedBy]; ok {
			appID = sp.AppID
		}
		by = odata.Object{{"application", odata.Object{{"displayName", nil}, {"id", appID}}}, {"device", nil}, {"user", nil}}
	} else {
		by = odata.Object{{"application", nil}, {"device", nil}, {"user", odata.Object{{"displayName", nil}, {"id", r.CreatedBy}}}}
	}
	return odata.Object{{"id", r.ID}, {"status", r.Status}, {"createdDateTime", graphTime(r.Created)},
		{"completedDateTime", graphTimePtr(r.Completed)}, {"approvalId", strPtr(r.ApprovalID)}, {"customData", nil}, {"action", r.Action},
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

func (tx *tx) requestItem(r *request) item {
	return item{cursor: seqCursor(r.Seq, 0), obj: tx.requestObject(r), expand: func(x odata.Expand) any {
		var id string
		switch x.Name {
		case "targetSchedule":
			id = strings.ToLower(strVal(r.TargetScheduleID))
		case "activatedUsing":
			id = r.ActivatedUsing
		default:
			return tx.expandCommon(x.Name, r.Key.Principal, r.Key)
		}
		if sc, ok := tx.st.schedules.get(id); ok && id != "" {
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
func (tx *tx) eachRequest(k Kind, eq map[string][]string, after string, keep func(*request) bool, yield func(item) bool) {
	var candidates []*request
	if ps := eq["principalid"]; len(ps) > 0 {
		for _, p := range ps {
			candidates = append(candidates, tx.st.reqByPrin.sorted(p)...)
		}
	} else if ids := eq["id"]; len(ids) > 0 {
		for _, id := range ids {
			if r, ok := tx.st.requests.get(id); ok {
				candidates = append(candidates, r)
			}
		}
	} else {
		candidates = tx.st.requests.items[tx.st.requests.after(cursorSeq(after)):]
	}
	seen := map[*request]bool{}
	for _, r := range candidates {
		if seen[r] || r.Key.Kind != k || r.Key.Surface != surfaceDirectory || seqCursor(r.Seq, 0) <= after || (keep != nil && !keep(r)) {
			continue
		}
		seen[r] = true
		if !yield(tx.requestItem(r)) {
			return
		}
	}
}

func listRequests(k Kind) func(*call) {
	return func(c *call) {
		q, ok := c.query(listOptions...)
		if !ok {
			return
		}
		c.s.view(c.caller, func(tx *tx) {
			if !tx.canReadPIM() {
				c.fail(errPIMRead)
				return
			}
			eq := q.Filter.Equalities()
			c.writeCollection(listing{set: requestsSet(k), typ: types[k].request, each: func(after string, yield func(item) bool) {
				tx.eachRequest(k, eq, after, nil, yield)
			}}, q)
		})
	}
}

func getRequest(k Kind) func(*call) {
	return func(c *call) {
		if on, ok := currentUserFunction(c.params[0]); ok {
			requestsForCurrentUser(c, k, on)
			return
		}
		q, ok := c.query("$select", "$expand")
		if !ok {
			return
		}
		c.s.view(c.caller, func(tx *tx) {
			r, found := tx.st.requests.get(c.params[0])
			switch {
			case !found || r.Key.Kind != k || r.Key.Surface != surfaceDirectory:
				c.fail(notFound(rolePrefix(k)+"ScheduleRequests", c.params[0]))
			case !tx.canSee(r.Key.Principal, r.CreatedBy):
				c.fail(errPIMRead)
			default:
				c.writeEntity(requestsSet(k), types[k].request, tx.requestItem(r), q)
			}
		})
	}
}

// requestsForCurrentUser serves filterByCurrentUser(on='principal') (the
// caller's requests, as target or creator) and on='approver' (requests the
// caller can decide now).
func requestsForCurrentUser(c *call, k Kind, on string) {
	q, ok := c.query(listOptions...)
	if !ok {
		return
	}
	if e := checkCurrentUser(c.caller, on, "principal", "approver"); e != nil {
		c.fail(e)
		return
	}
	me := strings.ToLower(c.caller.PrincipalID)
	c.s.view(c.caller, func(tx *tx) {
		eq := map[string][]string{"principalid": {me}}
		keep := func(r *request) bool { return r.Key.Principal == me || r.CreatedBy == me }
		if on == "approver" {
			eq, keep = nil, func(r *request) bool { return tx.canDecide(me, r.ID) }
		}
		c.writeCollection(listing{set: requestsSet(k), typ: types[k].request, function: true, each: func(after string, yield func(item) bool) {
			tx.eachRequest(k, eq, after, keep, yield)
		}}, q)
	})
}

func cancelRequest(k Kind) func(*call) {
	return func(c *call) {
		e := c.s.update(c.caller, func(tx *tx) *apiError {
			r, found := tx.st.requests.get(c.params[0])
			me := strings.ToLower(tx.caller.PrincipalID)
			switch {
			case !found || r.Key.Kind != k || r.Key.Surface != surfaceDirectory:
				return notFound(rolePrefix(k)+"ScheduleRequests", c.params[0])
			case r.CreatedBy != me && !tx.allowed(permPIMWrite, pimWriterRoles):
				return forbidden("Only the creator of a request or a Privileged Role Administrator can cancel it.")
			case r.Status != statusGranted && r.Status != statusPendingApproval:
				// guess: PendingApproval requests can be cancelled too, as the portal's My requests does.
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

func (tx *tx) cancel(r *request) {
	r.Status = statusCanceled
	tx.touch(entRequest, r.ID)
	if r.TargetScheduleID != nil {
		if sc, ok := tx.st.schedules.get(*r.TargetScheduleID); ok && sc.CreatedUsing == r.ID {
			tx.st.removeSchedule(sc)
			tx.touch(entSchedule, sc.ID)
		}
	}
	if _, ok := tx.st.approvals[r.ID]; ok {
		delete(tx.st.approvals, r.ID)
		tx.touch(entApproval, r.ID)
	}
	tx.auditCancel(r)
}
