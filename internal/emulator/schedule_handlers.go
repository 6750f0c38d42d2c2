package emulator

import (
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// HTTP handlers for schedules, instances and requests (reads and cancel).
// List: https://learn.microsoft.com/graph/api/rbacapplication-list-roleeligibilityschedules
// and its siblings; filterByCurrentUser: .../unifiedroleeligibilityschedule-filterbycurrentuser.

var listOptions = []string{"$filter", "$select", "$expand", "$top", "$skiptoken", "$count"}

func listSchedules(k Kind) func(*call) {
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
			c.writeCollection(tx.scheduleListing(k, q, false, ""), q)
		})
	}
}

// scheduleListing lists schedules (or, with instances, the instances in
// effect now), of one principal when only is set.
func (tx *tx) scheduleListing(k Kind, q *odata.Query, instances bool, only string) listing {
	eq := q.Filter.Equalities()
	set, typ := schedulesSet(k), types[k].schedule
	if instances {
		set, typ = instancesSet(k), types[k].instance
	}
	if only != "" {
		eq = map[string][]string{"principalid": {only}}
	}
	return listing{set: set, typ: typ, function: only != "", each: func(after string, yield func(item) bool) {
		tx.eachEntry(k, eq, after, func(e entry) bool {
			switch {
			case only != "" && e.principal != only:
				return true
			case instances && e.sc.Spec.Start.After(tx.now):
				return true // a future schedule has no instance yet
			case instances:
				return yield(tx.instanceItem(e))
			}
			return yield(tx.scheduleItem(e))
		})
	}}
}

func listInstances(k Kind) func(*call) {
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
			c.writeCollection(tx.scheduleListing(k, q, true, ""), q)
		})
	}
}

// forCurrentUser serves filterByCurrentUser(on='principal') on schedules
// and instances: a signed-in user's own, no role needed.
func forCurrentUser(c *call, k Kind, on string, instances bool) {
	q, ok := c.query(listOptions...)
	if !ok {
		return
	}
	if e := checkCurrentUser(c.caller, on, "principal"); e != nil {
		c.fail(e)
		return
	}
	c.s.view(c.caller, func(tx *tx) {
		c.writeCollection(tx.scheduleListing(k, q, instances, strings.ToLower(c.caller.PrincipalID)), q)
	})
}

// checkCurrentUser refuses app-only callers (no signed-in user) and values
// of on the function does not support.
func checkCurrentUser(caller Identity, on string, supported ...string) *apiError {
	if caller.App {
		return forbidden("filterByCurrentUser needs a signed-in user; it is not supported with application permissions.")
	}
	for _, s := range supported {
		if on == s {
			return nil
		}
	}
	return badRequest("BadRequest", "filterByCurrentUser: on='%s' is not supported here; use %s.", on, strings.Join(supported, " or "))
}

// canSee lets the principal of an entity (or whoever created it) read it
// by id without a directory role. guess: the docs only list the roles.
func (tx *tx) canSee(principals ...string) bool {
	if tx.canReadPIM() {
		return true
	}
	me := strings.ToLower(tx.caller.PrincipalID)
	for _, p := range principals {
		if p == me {
			return true
		}
	}
	return false
}

func getSchedule(k Kind) func(*call) {
	return func(c *call) {
		if on, ok := currentUserFunction(c.params[0]); ok {
			forCurrentUser(c, k, on, false)
			return
		}
		q, ok := c.query("$select", "$expand")
		if !ok {
			return
		}
		c.s.view(c.caller, func(tx *tx) {
			for _, e := range tx.findEntries(k, c.params[0]) {
				if e.id() == strings.ToLower(c.params[0]) || strings.EqualFold(e.id(), c.params[0]) {
					if !tx.canSee(e.principal) {
						c.fail(errPIMRead)
						return
					}
					c.writeEntity(schedulesSet(k), types[k].schedule, tx.scheduleItem(e), q)
					return
				}
			}
			c.fail(notFound(rolePrefix(k)+"Schedules", c.params[0]))
		})
	}
}

// findEntries returns the entries of the schedule an entry id names.
func (tx *tx) findEntries(k Kind, id string) []entry {
	base, _, _ := strings.Cut(id, "_")
	sc, ok := tx.st.schedules.get(base)
	if !ok || sc.Key.Kind != k || sc.Key.Surface != surfaceDirectory || tx.s.lag.hidden(sc.ID) {
		return nil
	}
	return tx.entries(sc)
}

func getInstance(k Kind) func(*call) {
	return func(c *call) {
		if on, ok := currentUserFunction(c.params[0]); ok {
			forCurrentUser(c, k, on, true)
			return
		}
		q, ok := c.query("$select", "$expand")
		if !ok {
			return
		}
		c.s.view(c.caller, func(tx *tx) {
			var found *entry
			tx.eachEntry(k, nil, "", func(e entry) bool {
				if instanceID(k, e.id()) == c.params[0] && !e.sc.Spec.Start.After(tx.now) {
					found = &e
					return false
				}
				return true
			})
			switch {
			case found == nil:
				c.fail(notFound(rolePrefix(k)+"ScheduleInstances", c.params[0]))
			case !tx.canSee(found.principal):
				c.fail(errPIMRead)
			default:
				c.writeEntity(instancesSet(k), types[k].instance, tx.instanceItem(*found), q)
			}
		})
	}
}
