package emulator

import (
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// Role definitions: https://learn.microsoft.com/graph/api/rbacapplication-list-roledefinitions.

var roleDefinitionType = &entityType{name: "unifiedRoleDefinition",
	props: []string{"id", "description", "displayName", "isBuiltIn", "isEnabled", "templateId", "version", "rolePermissions", "inheritsPermissionsFrom"},
	navs:  []string{"inheritsPermissionsFrom"}}

func listRoleDefinitions(c *call) {
	q, ok := c.query("$filter", "$select", "$expand", "$top", "$skiptoken", "$count")
	if !ok {
		return
	}
	c.s.view(c.caller, func(tx *tx) {
		if !tx.canRead(permRoleDefsRead) {
			c.fail(errInsufficient)
			return
		}
		c.writeCollection(listing{set: "roleManagement/directory/roleDefinitions", typ: roleDefinitionType, each: func(after string, yield func(item) bool) {
			for i, r := range tx.s.dir.roles {
				it := item{cursor: seqCursor(uint64(i+1), 0), obj: r.object(), expand: func(odata.Expand) any { return []any{} }}
				if it.cursor > after && !yield(it) {
					return
				}
			}
		}}, q)
	})
}

func getRoleDefinition(c *call) {
	q, ok := c.query("$select", "$expand")
	if !ok {
		return
	}
	c.s.view(c.caller, func(tx *tx) {
		r, found := tx.s.dir.role(c.params[0])
		switch {
		case !tx.canRead(permRoleDefsRead):
			c.fail(errInsufficient)
		case !found:
			c.fail(notFound("roleDefinitions", c.params[0]))
		default:
			c.writeEntity("roleManagement/directory/roleDefinitions", roleDefinitionType,
				item{obj: r.object(), expand: func(odata.Expand) any { return []any{} }}, q)
		}
	})
}
