// Package audit serves the PIM audit log
// (https://learn.microsoft.com/graph/api/directoryaudit-list): the records
// every area writes through core.Tx.Audit, newest first, kept for 30 days.
package audit

import (
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Area is the audit log's read side.
type Area struct{ st *core.State }

// New returns the audit area on the state.
func New(st *core.State) *Area { return &Area{st: st} }

// Routes are the audit log's Graph operations.
func (a *Area) Routes() []wire.Route {
	return []wire.Route{
		{Method: "GET", Pattern: "auditLogs/directoryAudits", Handle: a.handle(listAudit)},
		{Method: "GET", Pattern: "auditLogs/directoryAudits/{id}", Handle: a.handle(getAudit)},
	}
}

type call struct {
	*wire.Call
	a *Area
}

type tx struct{ *core.Tx }

func (a *Area) handle(h func(*call)) func(*wire.Call) {
	return func(c *wire.Call) { h(&call{c, a}) }
}

func (a *Area) view(caller core.Identity, fn func(*tx)) {
	a.st.View(caller, func(t *core.Tx) { fn(&tx{t}) })
}
