// Package rbac serves direct directory role assignments
// (https://learn.microsoft.com/graph/api/rbacapplication-post-roleassignments):
// permanent active assignments made without PIM, as the portal's role
// assignment outside PIM and older scripts make them. Graph lists every
// active assignment there, PIM's included; PIM alerts on the direct ones.
package rbac

import (
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Area is the direct role assignments' surface.
type Area struct{ st *core.State }

// New returns the area on the state.
func New(st *core.State) *Area { return &Area{st: st} }

const set = "roleManagement/directory/roleAssignments"

// Routes are its Graph operations.
func (a *Area) Routes() []wire.Route {
	return []wire.Route{
		{Method: "GET", Pattern: set, Handle: a.list},
		{Method: "POST", Pattern: set, Handle: a.create},
		{Method: "GET", Pattern: set + "/{id}", Handle: a.get},
		{Method: "DELETE", Pattern: set + "/{id}", Handle: a.remove},
	}
}

var (
	permRead  = []string{"RoleManagement.Read.Directory", "RoleManagement.ReadWrite.Directory", "Directory.Read.All"}
	permWrite = []string{"RoleManagement.ReadWrite.Directory"}
	readRoles = []string{tenant.RoleGlobalAdministrator, tenant.RolePrivilegedRoleAdministrator, tenant.RoleGlobalReader}
	// Writers: Privileged Role Administrator or Global Administrator.
	writeRoles = readRoles[:2]
	errWrite   = core.Forbidden("Assigning directory roles needs RoleManagement.ReadWrite.Directory (app-only) or the Privileged Role " +
		"Administrator or Global Administrator role.")
	entity = &wire.EntityType{Name: "unifiedRoleAssignment", Props: []string{"id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId"}}
)

// object renders an active assignment as a unifiedRoleAssignment. guess:
// its id is the schedule's (Graph's ids differ in shape).
func object(sc *core.Schedule) odata.Object {
	return odata.Object{{"id", sc.ID}, {"principalId", sc.Key.Principal}, {"roleDefinitionId", sc.Key.Role},
		{"directoryScopeId", sc.Key.Scope}, {"appScopeId", nil}}
}

// active reports whether a schedule grants the role now (directory roles).
func active(sc *core.Schedule, tx *core.Tx) bool {
	return sc.Key.Surface == core.SurfaceDirectory && sc.Key.Kind == core.Active && !sc.Spec.Start.After(tx.Now)
}

func (a *Area) list(c *wire.Call) {
	q, ok := c.Query("$filter", "$select", "$top", "$skiptoken", "$count")
	if !ok {
		return
	}
	a.st.View(c.Caller, func(tx *core.Tx) {
		if !tx.Allowed(permRead, readRoles) {
			c.Fail(core.Forbidden("Reading role assignments needs RoleManagement.Read.Directory or a directory role."))
			return
		}
		c.WriteCollection(wire.Listing{Set: set, Typ: entity, Each: func(after string, yield func(wire.Item) bool) {
			for _, sc := range tx.St.Schedules.Items {
				cur := wire.SeqCursor(sc.Seq, 0)
				if cur > after && active(sc, tx) && !yield(wire.Item{Cursor: cur, Obj: object(sc)}) {
					return
				}
			}
		}}, q)
	})
}

func (a *Area) get(c *wire.Call) {
	q, ok := c.Query("$select")
	if !ok {
		return
	}
	a.st.View(c.Caller, func(tx *core.Tx) {
		sc, found := tx.St.Schedules.Get(c.Params[0])
		switch {
		case !tx.Allowed(permRead, readRoles):
			c.Fail(core.Forbidden("Reading role assignments needs RoleManagement.Read.Directory or a directory role."))
		case !found || !active(sc, tx):
			c.Fail(core.NotFound("roleAssignments", c.Params[0]))
		default:
			c.WriteEntity(set, entity, wire.Item{Obj: object(sc)}, q)
		}
	})
}

// create makes a permanent, direct active assignment (201).
func (a *Area) create(c *wire.Call) {
	var b struct {
		PrincipalID      string `json:"principalId"`
		RoleDefinitionID string `json:"roleDefinitionId"`
		DirectoryScopeID string `json:"directoryScopeId"`
	}
	if e := wire.DecodeBody(c.Body, &b, "unifiedRoleAssignment"); e != nil {
		c.Fail(e)
		return
	}
	var made *core.Schedule
	e := a.st.Update(c.Caller, func(tx *core.Tx) *core.APIError {
		k := core.Key{Surface: core.SurfaceDirectory, Kind: core.Active, Principal: strings.ToLower(b.PrincipalID),
			Role: strings.ToLower(b.RoleDefinitionID), Scope: b.DirectoryScopeID}
		_, roleOK := tx.Dir.Role(k.Role)
		switch {
		case !tx.Allowed(permWrite, writeRoles):
			return errWrite
		case !tx.Dir.PrincipalExists(k.Principal):
			return core.BadRequest("Request_ResourceNotFound", "Resource '%s' does not exist or one of its queried reference-property objects are not present.", b.PrincipalID)
		case !roleOK || !tx.Dir.ScopeExists(k.Scope):
			return core.BadRequest("Request_BadRequest", "Invalid roleDefinitionId %q or directoryScopeId %q.", b.RoleDefinitionID, b.DirectoryScopeID)
		case tx.St.Standing[k] != nil:
			return core.BadRequest("Request_BadRequest", "A conflicting object with one or more of the specified property values is present in the directory.")
		}
		id := core.NewID()
		made = &core.Schedule{ID: id, Key: k, CreatedUsing: id, Created: tx.Now, Status: core.StatusProvisioned,
			AssignmentType: core.AssignmentAssigned, Spec: core.ScheduleSpec{Start: tx.Now, ExpType: "noExpiration"}, OutsidePIM: true}
		tx.St.AddSchedule(made)
		tx.Touch(core.EntSchedule, id)
		tx.Audit(core.AuditEntry{Activity: "Add member to role outside of PIM (permanent)", Op: "Add", Initiator: tx.Caller.PrincipalID,
			Key: k, Spec: made.Spec})
		return nil
	})
	if e != nil {
		c.Fail(e)
		return
	}
	c.W.JSON(201, object(made).Prepend("@odata.context", c.Metadata()+"#"+set+"/$entity"))
}

// remove deletes an active assignment, PIM's or direct (204).
func (a *Area) remove(c *wire.Call) {
	e := a.st.Update(c.Caller, func(tx *core.Tx) *core.APIError {
		sc, found := tx.St.Schedules.Get(c.Params[0])
		switch {
		case !tx.Allowed(permWrite, writeRoles):
			return errWrite
		case !found || !active(sc, tx) || sc.Activated():
			return core.NotFound("roleAssignments", c.Params[0])
		}
		tx.St.RemoveSchedule(sc)
		tx.Touch(core.EntSchedule, sc.ID)
		tx.Audit(core.AuditEntry{Activity: "Remove member from role outside of PIM (permanent)", Op: "Delete", Initiator: tx.Caller.PrincipalID,
			Key: sc.Key, Spec: sc.Spec})
		return nil
	})
	if e != nil {
		c.Fail(e)
		return
	}
	c.W.NoContent()
}
