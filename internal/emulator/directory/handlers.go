package directory

import (
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Role definitions: https://learn.microsoft.com/graph/api/rbacapplication-list-roledefinitions.

var roleDefinitionType = &wire.EntityType{Name: "unifiedRoleDefinition",
	Props: []string{"id", "description", "displayName", "isBuiltIn", "isEnabled", "templateId", "version", "rolePermissions", "inheritsPermissionsFrom"},
	Navs:  []string{"inheritsPermissionsFrom"}}

func listRoleDefinitions(c *call) {
	q, ok := c.Query("$filter", "$select", "$expand", "$top", "$skiptoken", "$count")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		if !tx.canRead(permRoleDefsRead) {
			c.Fail(errInsufficient)
			return
		}
		c.WriteCollection(wire.Listing{Set: "roleManagement/directory/roleDefinitions", Typ: roleDefinitionType, Each: func(after string, yield func(wire.Item) bool) {
			for i, r := range tx.Dir.Roles {
				it := wire.Item{Cursor: wire.SeqCursor(uint64(i+1), 0), Obj: r.Object(), Expand: func(odata.Expand) any { return []any{} }}
				if it.Cursor > after && !yield(it) {
					return
				}
			}
		}}, q)
	})
}

func getRoleDefinition(c *call) {
	q, ok := c.Query("$select", "$expand")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		r, found := tx.Dir.Role(c.Params[0])
		switch {
		case !tx.canRead(permRoleDefsRead):
			c.Fail(errInsufficient)
		case !found:
			c.Fail(core.NotFound("roleDefinitions", c.Params[0]))
		default:
			c.WriteEntity("roleManagement/directory/roleDefinitions", roleDefinitionType,
				wire.Item{Obj: r.Object(), Expand: func(odata.Expand) any { return []any{} }}, q)
		}
	})
}
