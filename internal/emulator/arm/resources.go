package arm

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
)

// The estate: subscriptions (https://learn.microsoft.com/rest/api/resources/subscriptions/list),
// resource groups, management groups and resources, and Azure role
// definitions (https://learn.microsoft.com/rest/api/authorization/role-definitions/list).
// A caller sees a scope when it holds any role at, above or below it.

// routeScope serves a path that names a scope or a list of them.
func (a *Area) routeScope(c *call) func(*call) {
	segs := strings.Split(strings.Trim(c.scope, "/"), "/")
	if c.R.Method != http.MethodGet {
		c.fail(http.StatusMethodNotAllowed, "MethodNotAllowed", "The emulator serves the Azure estate read-only; %s is not supported on %s.", c.R.Method, c.scope)
		return nil
	}
	switch {
	case len(segs) == 1 && strings.EqualFold(segs[0], "subscriptions"):
		return a.listScopes(c, subVersions, func(s tenant.AzureScope) bool { return s.Type == tenant.ScopeSubscription })
	case len(segs) == 3 && strings.EqualFold(segs[0], "subscriptions") && strings.EqualFold(segs[2], "resourceGroups"):
		parent := strings.ToLower("/subscriptions/" + segs[1])
		if _, ok := a.az.Scopes[parent]; !ok {
			c.Fail(scopeNotFound(parent))
			return nil
		}
		return a.listScopes(c, rgVersions, func(s tenant.AzureScope) bool { return s.Parent == parent && s.Type == tenant.ScopeResourceGroup })
	case len(segs) == 3 && strings.EqualFold(segs[1], "Microsoft.Management") && strings.EqualFold(segs[2], "managementGroups"):
		return a.listScopes(c, mgVersions, func(s tenant.AzureScope) bool { return s.Type == tenant.ScopeManagementGroup })
	}
	s, ok := a.az.Scope(c.scope)
	if !ok {
		c.Fail(scopeNotFound(c.scope))
		return nil
	}
	versions := map[string][]string{tenant.ScopeSubscription: subVersions, tenant.ScopeResourceGroup: rgVersions,
		tenant.ScopeManagementGroup: mgVersions, tenant.ScopeResource: genericResVersion}[s.Type]
	if !c.apiVersion(s.Type, versions) {
		return nil
	}
	return func(c *call) {
		a.view(c, func(tx *core.Tx) {
			if !a.sees(tx, s) {
				c.Fail(a.authorize(tx, s.ID, "*/read"))
				return
			}
			c.W.JSON(http.StatusOK, scopeResource(s))
		})
	}
}

func (a *Area) listScopes(c *call, versions []string, keep func(tenant.AzureScope) bool) func(*call) {
	if !c.apiVersion("scopes", versions) {
		return nil
	}
	return func(c *call) {
		a.view(c, func(tx *core.Tx) {
			var out []any
			for _, k := range a.az.ScopeOrder {
				if s := a.az.Scopes[k]; keep(s) && a.sees(tx, s) {
					out = append(out, scopeResource(s))
				}
			}
			c.page(out)
		})
	}
}

// sees reports whether the caller holds any Azure role at, above or
// below the scope.
func (a *Area) sees(tx *core.Tx, s tenant.AzureScope) bool {
	return a.holds(tx, func(k core.Key) bool { return a.az.Within(s.ID, k.Scope) || a.az.Within(k.Scope, s.ID) })
}

// scopeResource renders a scope as its resource provider does.
func scopeResource(s tenant.AzureScope) map[string]any {
	switch s.Type {
	case tenant.ScopeSubscription:
		return map[string]any{"id": s.ID, "subscriptionId": s.Subscription, "displayName": s.DisplayName, "state": "Enabled",
			"tenantId": "", "authorizationSource": "RoleBased"}
	case tenant.ScopeResourceGroup:
		return map[string]any{"id": s.ID, "name": s.DisplayName, "type": "Microsoft.Resources/resourceGroups", "location": "westeurope",
			"properties": map[string]any{"provisioningState": "Succeeded"}}
	case tenant.ScopeManagementGroup:
		return map[string]any{"id": s.ID, "name": s.ID[strings.LastIndex(s.ID, "/")+1:], "type": "Microsoft.Management/managementGroups",
			"properties": map[string]any{"displayName": s.DisplayName}}
	}
	segs := strings.Split(s.ID, "/")
	return map[string]any{"id": s.ID, "name": s.DisplayName, "type": segs[len(segs)-3] + "/" + segs[len(segs)-2], "location": "westeurope"}
}

// roleDefinitionID is a role's id as ARM spells it at a scope: under the
// scope's subscription, or tenant-wide above subscriptions.
func (a *Area) roleDefinitionID(scope, roleID string) string {
	if s, ok := a.az.Scope(scope); ok && s.Subscription != "" {
		return "/subscriptions/" + s.Subscription + authzProvider + "roleDefinitions/" + roleID
	}
	return authzProvider + "roleDefinitions/" + roleID
}

// roleObject renders a role definition.
func (a *Area) roleObject(scope string, r tenant.AzureRole) map[string]any {
	typ := "CustomRole"
	if r.BuiltIn {
		typ = "BuiltInRole"
	}
	scopes := []string{}
	for _, s := range r.AssignableScopes {
		if sc, ok := a.az.Scope(s); ok {
			scopes = append(scopes, sc.ID)
		} else {
			scopes = append(scopes, s)
		}
	}
	return map[string]any{"id": a.roleDefinitionID(scope, r.ID), "name": r.ID, "type": "Microsoft.Authorization/roleDefinitions",
		"properties": map[string]any{"roleName": r.Name, "type": typ, "description": r.Description, "assignableScopes": scopes,
			"permissions": []any{map[string]any{"actions": core.NonNil(r.Actions), "notActions": core.NonNil(r.NotActions), "dataActions": []string{}, "notDataActions": []string{}}}}}
}

// roleDefinitions lists or reads role definitions visible at the scope;
// $filter=roleName eq '…' and type eq 'BuiltInRole|CustomRole' are ARM's.
// guess: any signed-in caller of the tenant reads them (an eligible user
// names the role it activates); Learn lists the read permission, not who
// lacks it.
func (a *Area) roleDefinitions(c *call, name string) {
	a.view(c, func(tx *core.Tx) {
		if name != "" {
			r, ok := a.az.Roles[strings.ToLower(name)]
			if !ok || !a.az.AssignableAt(r, c.scope) && c.scope != "" {
				c.fail(http.StatusNotFound, "RoleDefinitionDoesNotExist", "The specified role definition with ID '%s' does not exist.", name)
				return
			}
			c.W.JSON(http.StatusOK, a.roleObject(c.scope, r))
			return
		}
		f, e := parseFilter(c.query().Get("$filter"), "roleName", "type")
		if e != nil {
			c.Fail(e)
			return
		}
		var out []any
		for _, id := range a.az.RoleOrder {
			r := a.az.Roles[id]
			typ := map[bool]string{true: "BuiltInRole", false: "CustomRole"}[r.BuiltIn]
			if (f.eq["rolename"] != "" && !strings.EqualFold(f.eq["rolename"], r.Name)) || (f.eq["type"] != "" && !strings.EqualFold(f.eq["type"], typ)) ||
				(c.scope != "" && !a.az.AssignableAt(r, c.scope)) {
				continue
			}
			out = append(out, a.roleObject(c.scope, r))
		}
		c.page(out)
	})
}

// page writes one page of a collection, with ARM's nextLink when more
// follow ($skipToken is the offset).
func (c *call) page(items []any) {
	skip, _ := strconv.Atoi(c.query().Get("$skipToken"))
	skip = max(0, min(skip, len(items)))
	end := min(len(items), skip+c.PageSize)
	body := map[string]any{"value": append([]any{}, items[skip:end]...)}
	if end < len(items) {
		q := c.query()
		q.Set("$skipToken", strconv.Itoa(end))
		scheme := "http"
		if c.R.TLS != nil {
			scheme = "https"
		}
		body["nextLink"] = scheme + "://" + c.R.Host + c.R.URL.Path + "?" + q.Encode()
	}
	c.W.JSON(http.StatusOK, body)
}

func (a *Area) view(c *call, fn func(*core.Tx)) { a.st.View(c.Caller, fn) }

func (a *Area) update(c *call, fn func(*core.Tx) *core.APIError) bool {
	if e := a.st.Update(c.Caller, fn); e != nil {
		c.Fail(e)
		return false
	}
	return true
}
