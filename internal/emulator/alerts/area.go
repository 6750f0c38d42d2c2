// Package alerts serves PIM's security alerts for Microsoft Entra roles
// (Graph beta /identityGovernance/roleManagementAlerts,
// https://learn.microsoft.com/graph/how-to-pim-alerts): the seven alert
// types' definitions and configurations, and incidents computed from the
// emulator's own state (assignments, activations, policies, sign-ins, the
// license) at each scan: on refresh, and when a read finds the last scan
// older than scanEvery on the emulator's clock.
package alerts

import (
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Remover removes a standing eligibility or assignment through PIM's own
// removal path (the PIM engine): a remediation is an admin removal.
type Remover interface {
	Remove(t *core.Tx, sc *core.Schedule, reason string) *core.APIError
}

// Area is the alerts surface.
type Area struct {
	st     *core.State
	remove Remover
}

// New returns the alerts area on the state.
func New(st *core.State, remove Remover) *Area { return &Area{st: st, remove: remove} }

// scanEvery is how often PIM rescans on its own. guess: Learn says alerts
// are scanned periodically, not how often.
const scanEvery = 4 * time.Hour

// lookBack is how far the outside-PIM alert looks (Learn: 30 days).
const lookBack = 30 * 24 * time.Hour

const base = "identityGovernance/roleManagementAlerts/"

// Routes are the alerts' Graph operations (beta only, as Graph serves them).
func (a *Area) Routes() []wire.Route {
	var rs []wire.Route
	r := func(method, pattern string, h func(*call)) {
		rs = append(rs, wire.Route{Method: method, Pattern: base + pattern, Beta: true, Handle: a.handle(h)})
	}
	r("GET", "alerts", listAlerts)
	r("POST", "alerts/refresh", refreshAll)
	r("GET", "alerts/{id}", getAlert)
	r("PATCH", "alerts/{id}", patchAlert)
	r("POST", "alerts/{id}/refresh", refreshOne)
	r("GET", "alerts/{id}/alertIncidents", listIncidents)
	r("GET", "alerts/{id}/alertIncidents/{incident}", getIncident)
	r("POST", "alerts/{id}/alertIncidents/{incident}/remediate", remediate)
	r("GET", "alertDefinitions", listDefinitions)
	r("GET", "alertDefinitions/{id}", getDefinition)
	r("GET", "alertConfigurations", listConfigurations)
	r("GET", "alertConfigurations/{id}", getConfiguration)
	r("PATCH", "alertConfigurations/{id}", patchConfiguration)
	r("GET", "operations/{id}", getOperation)
	return rs
}

type call struct {
	*wire.Call
	a *Area
}

type tx struct {
	*core.Tx
	a *Area
}

func (a *Area) handle(h func(*call)) func(*wire.Call) {
	return func(c *wire.Call) { h(&call{c, a}) }
}

// view reads, after a scan when one is due.
func (a *Area) view(caller core.Identity, fn func(*tx)) {
	due := false
	a.st.View(caller, func(t *core.Tx) { due = (&tx{t, a}).scanDue() })
	if due {
		_ = a.st.Update(caller, func(t *core.Tx) *core.APIError { (&tx{t, a}).scan(false); return nil })
	}
	a.st.View(caller, func(t *core.Tx) { fn(&tx{t, a}) })
}

func (a *Area) update(caller core.Identity, fn func(*tx) *core.APIError) *core.APIError {
	return a.st.Update(caller, func(t *core.Tx) *core.APIError { return fn(&tx{t, a}) })
}

// Who may read and change alerts (Learn: the alerts APIs' permissions, and
// the roles that can read PIM security alerts).
var (
	permRead    = []string{"RoleManagementAlert.Read.Directory", "RoleManagementAlert.ReadWrite.Directory"}
	permWrite   = []string{"RoleManagementAlert.ReadWrite.Directory"}
	readerRoles = []string{tenant.RoleGlobalAdministrator, tenant.RolePrivilegedRoleAdministrator, tenant.RoleGlobalReader,
		tenant.RoleSecurityAdministrator, tenant.RoleSecurityReader}
	writerRoles = []string{tenant.RoleGlobalAdministrator, tenant.RolePrivilegedRoleAdministrator}
	errRead     = core.Forbidden("Reading PIM alerts needs RoleManagementAlert.Read.Directory (app-only) or one of the roles Global Administrator, " +
		"Privileged Role Administrator, Global Reader, Security Administrator or Security Reader.")
	errWrite = core.Forbidden("Changing PIM alerts needs RoleManagementAlert.ReadWrite.Directory (app-only) or the Privileged Role Administrator " +
		"or Global Administrator role.")
)

// alertID is the id an alert, its definition and its configuration share.
func (tx *tx) alertID(t *alertType) string { return "DirectoryRole_" + tx.St.TenantID + "_" + t.name }

// typeOf resolves an id to its alert type (nil when it names none).
func (tx *tx) typeOf(id string) *alertType {
	name, ok := strings.CutPrefix(strings.ToLower(id), strings.ToLower("DirectoryRole_"+tx.St.TenantID+"_"))
	if !ok {
		return nil
	}
	for _, t := range catalog {
		if strings.EqualFold(t.name, name) {
			return t
		}
	}
	return nil
}

// onAlert runs an administrator's change on the call's alert type (an
// alert, or its configuration in set).
func (a *Area) onAlert(c *call, set string, fn func(*tx, *alertType) *core.APIError) *core.APIError {
	return a.update(c.Caller, func(tx *tx) *core.APIError {
		t := tx.typeOf(c.Params[0])
		switch {
		case !tx.Allowed(permWrite, writerRoles):
			return errWrite
		case t == nil:
			return core.NotFound(set, c.Params[0])
		}
		return fn(tx, t)
	})
}
