package pim

import (
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// HTTP handlers for schedules, instances and requests (reads and cancel).
// List: https://learn.microsoft.com/graph/api/rbacapplication-list-roleeligibilityschedules
// and its siblings; filterByCurrentUser: .../unifiedroleeligibilityschedule-filterbycurrentuser.

var listOptions = []string{"$filter", "$select", "$expand", "$top", "$skiptoken", "$count"}

func listSchedules(k core.Kind) func(*call) {
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
			c.WriteCollection(tx.scheduleListing(k, q, false, ""), q)
		})
	}
}

// scheduleListing lists schedules (or, with instances, the instances in
// effect now), of one principal when only is set.
func (tx *tx) scheduleListing(k core.Kind, q *odata.Query, instances bool, only string) wire.Listing {
	eq := q.Filter.Equalities()
	set, typ := schedulesSet(k), types[k].Schedule
	if instances {
		set, typ = instancesSet(k), types[k].instance
	}
	if only != "" {
		eq = map[string][]string{"principalid": {only}}
	}
	return wire.Listing{Set: set, Typ: typ, Function: only != "", Each: func(after string, yield func(wire.Item) bool) {
		tx.eachEntry(k, eq, after, func(e entry) bool {
			switch {
			case only != "" && e.principal != only:
				return true
			case instances && e.sc.Spec.Start.After(tx.Now):
				return true // a future schedule has no instance yet
			case instances:
				return yield(tx.instanceItem(e))
			}
			return yield(tx.scheduleItem(e))
		})
	}}
}

func listInstances(k core.Kind) func(*call) {
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
			c.WriteCollection(tx.scheduleListing(k, q, true, ""), q)
		})
	}
}

// forCurrentUser serves filterByCurrentUser(on='principal') on schedules
// and instances: a signed-in user's own, no role needed.
func forCurrentUser(c *call, k core.Kind, on string, instances bool) {
	q, ok := c.Query(listOptions...)
	if !ok {
		return
	}
	if e := checkCurrentUser(c.Caller, on, "principal"); e != nil {
		c.Fail(e)
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		c.WriteCollection(tx.scheduleListing(k, q, instances, strings.ToLower(c.Caller.PrincipalID)), q)
	})
}

// checkCurrentUser refuses app-only callers (no signed-in user) and values
// of on the function does not support.
func checkCurrentUser(caller core.Identity, on string, supported ...string) *core.APIError {
	if caller.App {
		return core.Forbidden("filterByCurrentUser needs a signed-in user; it is not supported with application permissions.")
	}
	for _, s := range supported {
		if on == s {
			return nil
		}
	}
	return core.BadRequest("BadRequest", "filterByCurrentUser: on='%s' is not supported here; use %s.", on, strings.Join(supported, " or "))
}

// canSee lets the principal of an entity (or whoever created it) read it
// by id without a directory role. guess: the docs only list the roles.
func (tx *tx) canSee(principals ...string) bool {
	if tx.canReadPIM() {
		return true
	}
	me := strings.ToLower(tx.Caller.PrincipalID)
	for _, p := range principals {
		if p == me {
			return true
		}
	}
	return false
}

func getSchedule(k core.Kind) func(*call) {
	return func(c *call) {
		if on, ok := currentUserFunction(c.Params[0]); ok {
			forCurrentUser(c, k, on, false)
			return
		}
		q, ok := c.Query("$select", "$expand")
		if !ok {
			return
		}
		c.a.view(c.Caller, func(tx *tx) {
			for _, e := range tx.findEntries(k, c.Params[0]) {
				if e.id() == strings.ToLower(c.Params[0]) || strings.EqualFold(e.id(), c.Params[0]) {
					if !tx.canSee(e.principal) {
						c.Fail(errPIMRead)
						return
					}
					c.WriteEntity(schedulesSet(k), types[k].Schedule, tx.scheduleItem(e), q)
					return
				}
			}
			c.Fail(core.NotFound(rolePrefix(k)+"Schedules", c.Params[0]))
		})
	}
}

// findEntries returns the entries of the schedule an entry id names.
func (tx *tx) findEntries(k core.Kind, id string) []entry {
	base, _, _ := strings.Cut(id, "_")
	sc, ok := tx.St.Schedules.Get(base)
	if !ok || sc.Key.Kind != k || sc.Key.Surface != core.SurfaceDirectory || tx.a.st.Lag.Hidden(sc.ID) {
		return nil
	}
	return tx.entries(sc)
}

func getInstance(k core.Kind) func(*call) {
	return func(c *call) {
		if on, ok := currentUserFunction(c.Params[0]); ok {
			forCurrentUser(c, k, on, true)
			return
		}
		q, ok := c.Query("$select", "$expand")
		if !ok {
			return
		}
		c.a.view(c.Caller, func(tx *tx) {
			var found *entry
			tx.eachEntry(k, nil, "", func(e entry) bool {
				if instanceID(k, e.id()) == c.Params[0] && !e.sc.Spec.Start.After(tx.Now) {
					found = &e
					return false
				}
				return true
			})
			switch {
			case found == nil:
				c.Fail(core.NotFound(rolePrefix(k)+"ScheduleInstances", c.Params[0]))
			case !tx.canSee(found.principal):
				c.Fail(errPIMRead)
			default:
				c.WriteEntity(instancesSet(k), types[k].instance, tx.instanceItem(*found), q)
			}
		})
	}
}
