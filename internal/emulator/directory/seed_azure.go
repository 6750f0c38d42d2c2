package directory

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
)

// SeedAzure is the Azure estate PIM for Azure resources governs: management
// groups, subscriptions with their resource groups and resources, custom
// roles, and standing Azure role eligibilities and assignments. The seed's
// admin holds User Access Administrator on every subscription, as the
// account that runs Terraform does.
type SeedAzure struct {
	ManagementGroups []SeedManagementGroup `yaml:"management_groups"`
	Subscriptions    []SeedSubscription    `yaml:"subscriptions"`
	RoleDefinitions  []SeedAzureRole       `yaml:"role_definitions"`
	Assignments      []SeedAssignment      `yaml:"assignments"`
}

// SeedManagementGroup is a management group, under another one or none.
type SeedManagementGroup struct {
	Name        string `yaml:"name"`
	DisplayName string `yaml:"display_name"`
	Parent      string `yaml:"parent"`
}

// SeedSubscription is a subscription, under a management group or none.
type SeedSubscription struct {
	ID              string              `yaml:"id"`
	DisplayName     string              `yaml:"display_name"`
	ManagementGroup string              `yaml:"management_group"`
	ResourceGroups  []SeedResourceGroup `yaml:"resource_groups"`
}

// SeedResourceGroup is a resource group and its resources.
type SeedResourceGroup struct {
	Name      string         `yaml:"name"`
	Resources []SeedResource `yaml:"resources"`
}

// SeedResource is a resource such as {type: Microsoft.KeyVault/vaults, name: kv-app}.
type SeedResource struct {
	Type string `yaml:"type"`
	Name string `yaml:"name"`
}

// SeedAzureRole is a custom Azure role.
type SeedAzureRole struct {
	ID               string   `yaml:"id"`
	Name             string   `yaml:"name"`
	Description      string   `yaml:"description"`
	Actions          []string `yaml:"actions"`
	AssignableScopes []string `yaml:"assignable_scopes"`
}

// DemoSubscriptionID is the default seed's subscription.
const DemoSubscriptionID = "5b5c0000-0000-4000-8000-000000000001"

func defaultAzure() SeedAzure {
	return SeedAzure{
		Subscriptions: []SeedSubscription{{ID: DemoSubscriptionID, DisplayName: "Contoso Production",
			ResourceGroups: []SeedResourceGroup{{Name: "rg-app", Resources: []SeedResource{{Type: "Microsoft.KeyVault/vaults", Name: "kv-app"}}}, {Name: "rg-data"}}}},
		Assignments: []SeedAssignment{
			{Type: "active", Principal: tenant.AppServicePrincipalID, Role: "User Access Administrator", Scope: "/subscriptions/" + DemoSubscriptionID},
			{Type: "active", Principal: tenant.ManagedIdentityPrincipalID, Role: "User Access Administrator", Scope: "/subscriptions/" + DemoSubscriptionID},
		},
	}
}

func (s *Seed) buildAzure(b *Built) error {
	az := b.Dir.Azure
	for i, mg := range s.Azure.ManagementGroups {
		where := fmt.Sprintf("azure.management_groups[%d]", i)
		parent := ""
		if mg.Parent != "" {
			p, ok := az.Scope("/providers/Microsoft.Management/managementGroups/" + mg.Parent)
			if !ok {
				return seedError(where+".parent", "%q is not a management group listed before this one", mg.Parent)
			}
			parent = strings.ToLower(p.ID)
		}
		if mg.Name == "" || strings.ContainsAny(mg.Name, "/?#") {
			return seedError(where+".name", "%q is not a management group name", mg.Name)
		}
		az.AddScope(tenant.AzureScope{ID: "/providers/Microsoft.Management/managementGroups/" + mg.Name, DisplayName: or(mg.DisplayName, mg.Name),
			Type: tenant.ScopeManagementGroup, Parent: parent})
	}
	for i, sub := range s.Azure.Subscriptions {
		if err := buildSubscription(az, sub, fmt.Sprintf("azure.subscriptions[%d]", i)); err != nil {
			return err
		}
	}
	for i, r := range s.Azure.RoleDefinitions {
		if err := s.buildAzureRole(b, r, fmt.Sprintf("azure.role_definitions[%d]", i)); err != nil {
			return err
		}
	}
	if b.Admin.PrincipalID != "" {
		for _, sub := range s.Azure.Subscriptions {
			b.assignments = append(b.assignments, seededAssignment{Key: core.Key{core.SurfaceAzure, core.Active, b.Admin.PrincipalID,
				tenant.AzureUserAccessAdministrator, "/subscriptions/" + strings.ToLower(sub.ID)}})
		}
	}
	for i, a := range s.Azure.Assignments {
		sa, err := b.resolveAzureAssignment(a, fmt.Sprintf("azure.assignments[%d]", i))
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(b.assignments, func(o seededAssignment) bool { return o.Key == sa.Key }) {
			b.assignments = append(b.assignments, sa) // the admin's User Access Administrator may be listed again
		}
	}
	return nil
}

func buildSubscription(az *tenant.Azure, sub SeedSubscription, where string) error {
	if !core.IsGUID(sub.ID) {
		return seedError(where+".id", "%q is not a GUID", sub.ID)
	}
	parent := ""
	if sub.ManagementGroup != "" {
		p, ok := az.Scope("/providers/Microsoft.Management/managementGroups/" + sub.ManagementGroup)
		if !ok {
			return seedError(where+".management_group", "%q is not a management group of the seed", sub.ManagementGroup)
		}
		parent = strings.ToLower(p.ID)
	}
	id := strings.ToLower(sub.ID)
	subPath := "/subscriptions/" + id
	az.AddScope(tenant.AzureScope{ID: subPath, DisplayName: or(sub.DisplayName, id), Type: tenant.ScopeSubscription, Parent: parent, Subscription: id})
	for j, rg := range sub.ResourceGroups {
		if rg.Name == "" || strings.ContainsAny(rg.Name, "/?#") {
			return seedError(fmt.Sprintf("%s.resource_groups[%d].name", where, j), "%q is not a resource group name", rg.Name)
		}
		rgPath := subPath + "/resourceGroups/" + rg.Name
		az.AddScope(tenant.AzureScope{ID: rgPath, DisplayName: rg.Name, Type: tenant.ScopeResourceGroup, Parent: strings.ToLower(subPath), Subscription: id})
		for k, res := range rg.Resources {
			if strings.Count(res.Type, "/") != 1 || res.Name == "" || strings.ContainsAny(res.Name, "/?#") {
				return seedError(fmt.Sprintf("%s.resource_groups[%d].resources[%d]", where, j, k), "want a type such as Microsoft.KeyVault/vaults and a name")
			}
			az.AddScope(tenant.AzureScope{ID: rgPath + "/providers/" + res.Type + "/" + res.Name, DisplayName: res.Name, Type: tenant.ScopeResource,
				Parent: strings.ToLower(rgPath), Subscription: id})
		}
	}
	return nil
}

func (s *Seed) buildAzureRole(b *Built, r SeedAzureRole, where string) error {
	id, err := s.id(r.ID, "azure-role", r.Name, where)
	if err != nil {
		return err
	}
	if r.Name == "" {
		return seedError(where+".name", "a custom role needs a name")
	}
	role := tenant.AzureRole{ID: id, Name: r.Name, Description: r.Description, Actions: r.Actions}
	for j, sc := range r.AssignableScopes {
		scope, ok := b.Dir.Azure.Scope(sc)
		if !ok {
			return seedError(fmt.Sprintf("%s.assignable_scopes[%d]", where, j), "%q is not a scope of the seed", sc)
		}
		role.AssignableScopes = append(role.AssignableScopes, strings.ToLower(scope.ID))
	}
	if len(role.AssignableScopes) == 0 {
		return seedError(where+".assignable_scopes", "a custom role needs at least one assignable scope")
	}
	b.Dir.Azure.AddRole(role)
	return nil
}

// resolveAzureAssignment is resolveAssignment for an Azure role at an ARM scope.
func (b *Built) resolveAzureAssignment(a SeedAssignment, where string) (seededAssignment, error) {
	scope, ok := b.Dir.Azure.Scope(a.Scope)
	if !ok {
		return seededAssignment{}, seedError(where+".scope", "%q is not a scope of the seed (a management group, subscription, resource group or resource path)", a.Scope)
	}
	role, ok := b.Dir.Azure.Roles[strings.ToLower(a.Role)]
	if !ok {
		if role, ok = b.Dir.Azure.RoleByName(a.Role); !ok {
			return seededAssignment{}, seedError(where+".role", "%q is not an Azure role (a name such as Contributor, or an id)", a.Role)
		}
	}
	inner := a
	inner.Role, inner.Scope = tenant.RoleGlobalReader, "/" // resolved above; the rest is checked as for directory roles
	sa, err := b.resolveAssignment(inner, where)
	if err != nil {
		return sa, err
	}
	sa.Key.Surface, sa.Key.Role, sa.Key.Scope = core.SurfaceAzure, role.ID, strings.ToLower(scope.ID)
	return sa, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
