package tenant

import (
	"slices"
	"strings"
)

// The Azure estate PIM for Azure resources governs: management groups,
// subscriptions, resource groups and resources (the scopes), and the Azure
// role definitions. Built-in roles carry their real ids, identical in every
// tenant (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).

// Scope types, as ARM's expandedProperties.scope.type spells them.
const (
	ScopeManagementGroup = "managementgroup"
	ScopeSubscription    = "subscription"
	ScopeResourceGroup   = "resourcegroup"
	ScopeResource        = "resource"
)

// AzureScope is a management group, subscription, resource group or resource.
type AzureScope struct {
	// ID is the canonical ARM path, as the seed spells it.
	ID          string
	DisplayName string
	Type        string
	// Parent is the lower-case path of the scope above ("" at the top).
	Parent string
	// Subscription is the subscription's id ("" for a management group).
	Subscription string
}

// Built-in Azure role ids used by the seed and tests.
const (
	AzureOwner                   = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
	AzureContributor             = "b24988ac-6180-42a0-ab88-20f7382dd24c"
	AzureReader                  = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
	AzureUserAccessAdministrator = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
)

// AzureRole is an Azure role definition. Actions and NotActions are
// abridged for built-in roles: enough for the checks the emulator makes
// (who may read and write role assignments and policies).
type AzureRole struct {
	ID               string // lower-case GUID
	Name             string
	Description      string
	BuiltIn          bool
	Actions          []string
	NotActions       []string
	AssignableScopes []string // lower-case paths; "/" for built-ins
}

var builtInAzureRoles = []AzureRole{
	{ID: AzureOwner, Name: "Owner", Description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
		Actions: []string{"*"}},
	{ID: AzureContributor, Name: "Contributor", Description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.",
		Actions: []string{"*"}, NotActions: []string{"Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action"}},
	{ID: AzureReader, Name: "Reader", Description: "View all resources, but does not allow you to make any changes.", Actions: []string{"*/read"}},
	{ID: AzureUserAccessAdministrator, Name: "User Access Administrator", Description: "Lets you manage user access to Azure resources.",
		Actions: []string{"*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"}},
	{ID: "f58310d9-a9f6-439a-9e8d-f62e7b41a168", Name: "Role Based Access Control Administrator",
		Description: "Manage access to Azure resources by assigning roles using Azure RBAC.",
		Actions:     []string{"Microsoft.Authorization/roleAssignments/write", "Microsoft.Authorization/roleAssignments/delete", "*/read", "Microsoft.Support/*"}},
	{ID: "9980e02c-c2be-4d73-94e8-173b1dc7cf3c", Name: "Virtual Machine Contributor", Description: "Create and manage virtual machines.",
		Actions: []string{"Microsoft.Authorization/*/read", "Microsoft.Compute/virtualMachines/*", "Microsoft.Resources/subscriptions/resourceGroups/read"}},
	{ID: "00482a5a-887f-4fb3-b363-3b7fe8e74483", Name: "Key Vault Administrator", Description: "Perform all data plane operations on a key vault and all objects in it.",
		Actions: []string{"Microsoft.Authorization/*/read", "Microsoft.KeyVault/*/read", "Microsoft.Resources/subscriptions/resourceGroups/read"}},
	{ID: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", Name: "Storage Blob Data Reader", Description: "Read and list Azure Storage containers and blobs.",
		Actions: []string{"Microsoft.Storage/storageAccounts/blobServices/containers/read"}},
}

// Azure is the estate: scopes by lower-case path, role definitions by id.
type Azure struct {
	Scopes     map[string]AzureScope
	ScopeOrder []string // lower-case paths, in the seed's order
	Roles      map[string]AzureRole
	RoleOrder  []string
}

func newAzure() *Azure {
	a := &Azure{Scopes: map[string]AzureScope{}, Roles: map[string]AzureRole{}}
	for _, r := range builtInAzureRoles {
		r.BuiltIn, r.AssignableScopes = true, []string{"/"}
		a.AddRole(r)
	}
	return a
}

// AddScope adds a scope (its parent first).
func (a *Azure) AddScope(s AzureScope) {
	k := strings.ToLower(s.ID)
	if _, ok := a.Scopes[k]; !ok {
		a.ScopeOrder = append(a.ScopeOrder, k)
	}
	a.Scopes[k] = s
}

// AddRole adds a role definition.
func (a *Azure) AddRole(r AzureRole) {
	r.ID = strings.ToLower(r.ID)
	if _, ok := a.Roles[r.ID]; !ok {
		a.RoleOrder = append(a.RoleOrder, r.ID)
	}
	a.Roles[r.ID] = r
}

// Scope returns the scope at a path, in any case.
func (a *Azure) Scope(p string) (AzureScope, bool) {
	s, ok := a.Scopes[strings.ToLower(strings.TrimRight(p, "/"))]
	return s, ok
}

// Lineage is a scope's path and those above it, nearest first.
func (a *Azure) Lineage(p string) []string {
	var out []string
	for k := strings.ToLower(p); k != ""; {
		out = append(out, k)
		k = a.Scopes[k].Parent
	}
	return out
}

// Within reports whether scope p is at or below ancestor (lower-case paths).
func (a *Azure) Within(p, ancestor string) bool {
	return slices.Contains(a.Lineage(p), strings.ToLower(ancestor))
}

// RoleByName finds a role definition by its name, in any case.
func (a *Azure) RoleByName(name string) (AzureRole, bool) {
	for _, id := range a.RoleOrder {
		if strings.EqualFold(a.Roles[id].Name, name) {
			return a.Roles[id], true
		}
	}
	return AzureRole{}, false
}

// AssignableAt reports whether the role can be assigned at a scope: a
// built-in anywhere, a custom role at or below one of its assignable scopes.
func (a *Azure) AssignableAt(r AzureRole, p string) bool {
	for _, s := range r.AssignableScopes {
		if s == "/" || a.Within(p, s) {
			return true
		}
	}
	return false
}

// Allows reports whether the role's actions grant an operation such as
// Microsoft.Authorization/roleEligibilityScheduleRequests/write.
func (r AzureRole) Allows(operation string) bool {
	match := func(patterns []string) bool {
		return slices.ContainsFunc(patterns, func(p string) bool { return wildcard(strings.ToLower(p), strings.ToLower(operation)) })
	}
	return match(r.Actions) && !match(r.NotActions)
}

// wildcard matches an Azure action pattern, whose * spans any characters,
// slashes included ("Microsoft.Authorization/*", "*/read").
func wildcard(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, part := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, part)
		}
		at := strings.Index(s, part)
		if at < 0 {
			return false
		}
		s = s[at+len(part):]
	}
	return s == ""
}
