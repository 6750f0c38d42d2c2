// Package directory serves Microsoft Entra's directory as PIM sees it:
// users, groups and their members, service principals, administrative
// units, role definitions, getByIds and /me, and builds the tenant from a
// seed file. The directory's model lives in core: every area reads it.
package directory

import (
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Area is the directory's Graph API.
type Area struct{ st *core.State }

// New returns the directory area on the state.
func New(st *core.State) *Area { return &Area{st: st} }

// Routes are the directory's Graph operations.
func (a *Area) Routes() []wire.Route {
	const roleDefs = "roleManagement/directory/roleDefinitions"
	return []wire.Route{
		{Method: "GET", Pattern: roleDefs, Handle: a.handle(listRoleDefinitions)},
		{Method: "GET", Pattern: roleDefs + "/{id}", Handle: a.handle(getRoleDefinition)},
		{Method: "GET", Pattern: "me", Handle: a.handle(getMe)},
		{Method: "GET", Pattern: "users", Handle: a.handle(listUsers)},
		{Method: "GET", Pattern: "users/{id}", Handle: a.handle(getUser)},
		{Method: "GET", Pattern: "groups", Handle: a.handle(listGroups)},
		{Method: "GET", Pattern: "groups/{id}", Handle: a.handle(getGroup)},
		{Method: "GET", Pattern: "groups/{id}/members", Handle: a.handle(listMembers)},
		{Method: "GET", Pattern: "servicePrincipals", Handle: a.handle(listServicePrincipals)},
		{Method: "GET", Pattern: "servicePrincipals/{id}", Handle: a.handle(getServicePrincipal)},
		{Method: "GET", Pattern: "directory/administrativeUnits", Handle: a.handle(listUnits)},
		{Method: "GET", Pattern: "directory/administrativeUnits/{id}", Handle: a.handle(getUnit)},
		{Method: "POST", Pattern: "directoryObjects/getByIds", Handle: a.handle(getByIds)},
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
