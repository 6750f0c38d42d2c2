package arm

import (
	"net/http"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// Schedules and their instances
// (https://learn.microsoft.com/rest/api/authorization/role-eligibility-schedules/list-for-scope):
// eligibility schedules are standing eligibilities; assignment schedules
// are standing assignments and activations. Instances are the schedules
// in effect now. A schedule just written is missed by reads for as long as
// the replication lag says, as ARM's replicas do.

// scheduleFilter decides what a listing keeps.
type scheduleFilter struct {
	f        *filter
	scope    string
	me       string
	instance bool
	groups   []string // assignedTo's groups
}

func (a *Area) listSchedules(k core.Kind, instance bool) func(*call) {
	return func(c *call) {
		f, e := parseFilter(c.query().Get("$filter"), "principalId")
		if e != nil {
			c.Fail(e)
			return
		}
		a.view(c, func(tx *core.Tx) {
			sf := scheduleFilter{f: f, scope: c.scope, me: strings.ToLower(tx.Caller.PrincipalID), instance: instance}
			if who, ok := f.fns["assignedto"]; ok {
				who = strings.ToLower(who)
				f.eq["principalid"], sf.groups = who, a.dir.MemberOf[who]
			}
			self := hasAny(f, "astarget") || f.eq["principalid"] == sf.me
			if !self && !a.allowed(tx, c.scope, schedulesOf(k)) {
				c.Fail(a.authorize(tx, c.scope, schedulesOf(k)))
				return
			}
			var out []any
			for _, sc := range tx.St.Schedules.Items {
				if sc.Key.Surface == core.SurfaceAzure && sc.Key.Kind == k && a.keeps(tx, sf, sc) && !a.st.Lag.Hidden(sc.ID) {
					out = append(out, a.scheduleObject(sc, instance))
				}
			}
			c.page(out)
		})
	}
}

func (a *Area) keeps(tx *core.Tx, sf scheduleFilter, sc *core.Schedule) bool {
	who := sf.f.eq["principalid"]
	switch {
	case !a.related(sf.f, sf.scope, sc.Key.Scope):
		return false
	case hasAny(sf.f, "astarget") && sc.Key.Principal != sf.me:
		return false
	case who != "" && !strings.EqualFold(who, sc.Key.Principal) && !core.ContainsFold(sf.groups, sc.Key.Principal):
		return false
	case sf.instance && sc.Spec.Start.After(tx.Now):
		return false
	}
	return true
}

func (a *Area) getSchedule(k core.Kind, name string, instance bool) func(*call) {
	return func(c *call) {
		a.view(c, func(tx *core.Tx) {
			sc, ok := tx.St.Schedules.Get(name)
			switch {
			case !ok || sc.Key.Surface != core.SurfaceAzure || sc.Key.Kind != k || sc.Key.Scope != strings.ToLower(c.scope) ||
				(instance && sc.Spec.Start.After(tx.Now)) || a.st.Lag.Hidden(sc.ID):
				what := typeName(k, "Schedule")
				if instance {
					what = typeName(k, "ScheduleInstance")
				}
				c.fail(http.StatusNotFound, pascal(what)+"NotFound", "The %s '%s' was not found at scope '%s'.", what, truncate(name, 80), c.scope)
			case sc.Key.Principal != strings.ToLower(tx.Caller.PrincipalID) && !a.allowed(tx, c.scope, schedulesOf(k)):
				c.Fail(a.authorize(tx, c.scope, schedulesOf(k)))
			default:
				c.W.JSON(http.StatusOK, a.scheduleObject(sc, instance))
			}
		})
	}
}
