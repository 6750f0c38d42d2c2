package emulator

import (
	"slices"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// The directory: users, groups, service principals, administrative units and
// role definitions. Built-in roles carry their real template ids (identical
// in every tenant), so configurations written against the emulator work
// against Microsoft Entra unchanged.

// DefaultTenantID is the seeded tenant.
const DefaultTenantID = "c0ffee00-0000-4000-8000-000000000001"

// Well-known seeded principals. AdminID holds standing Privileged Role
// Administrator and Global Administrator assignments, as the account that
// runs Terraform does in a real tenant.
const (
	AdminID    = "a11ce000-0000-4000-8000-000000000001" // Avery Admin
	AliceID    = "a11ce000-0000-4000-8000-000000000002" // Alice Analyst
	BobID      = "a11ce000-0000-4000-8000-000000000003" // Bob Builder
	CarolID    = "a11ce000-0000-4000-8000-000000000004" // Carol Compliance
	DaveID     = "a11ce000-0000-4000-8000-000000000005" // Dave Devops
	OpsGroupID = "6e0c0000-0000-4000-8000-000000000001" // Cloud Ops (role-assignable)
	SecGroupID = "6e0c0000-0000-4000-8000-000000000002" // Security Responders (role-assignable)
	// EuropeUnitID is an administrative unit, for assignments scoped to
	// /administrativeUnits/{id}.
	EuropeUnitID = "0a0a0a0a-0000-4000-8000-000000000001" // Europe
)

// The seeded app registration Terraform runs as in CI.
const (
	AppClientID           = "7e77a000-0000-4000-8000-000000000001"
	AppServicePrincipalID = "5e1f0000-0000-4000-8000-000000000001"
)

// Built-in role template ids used by the seed and tests.
const (
	RoleGlobalAdministrator         = "62e90394-69f5-4237-9190-012177145e10"
	RolePrivilegedRoleAdministrator = "e8611ab8-c189-46e8-94e1-60213ab1f814"
	RoleGlobalReader                = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
	RoleUserAdministrator           = "fe930be7-5e62-47db-91af-98c3a49a38b1"
	RoleSecurityAdministrator       = "194ae4cb-b126-40b2-bd5b-6091b380977d"
	RoleHelpdeskAdministrator       = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
	RoleSecurityReader              = "5d6b6bb7-de71-4623-b4af-96380a352509"
	RoleSecurityOperator            = "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f"
	RoleReportsReader               = "4a5d8f65-41da-4de4-8968-e035b65339cf"
)

type user struct {
	ID, DisplayName, UPN string
}

type group struct {
	ID, DisplayName string
	RoleAssignable  bool
	Members         []string
}

type servicePrincipal struct {
	ID, AppID, DisplayName string
}

type administrativeUnit struct {
	ID, DisplayName string
}

type roleDefinition struct {
	ID, DisplayName, Description string
	BuiltIn                      bool
}

// directory is read-only once built, so it is read without locks.
type directory struct {
	domain string
	users  map[string]user
	groups map[string]group
	sps    map[string]servicePrincipal
	aus    map[string]administrativeUnit
	roles  []roleDefinition
	byRole map[string]roleDefinition
	// memberOf lists the groups each principal belongs to.
	memberOf map[string][]string
}

func seedDirectory(domain string) *directory {
	d := &directory{domain: domain, users: map[string]user{}, groups: map[string]group{}, sps: map[string]servicePrincipal{},
		aus: map[string]administrativeUnit{}, byRole: map[string]roleDefinition{}, memberOf: map[string][]string{}}
	for _, u := range []user{
		{AdminID, "Avery Admin", "avery@" + domain},
		{AliceID, "Alice Analyst", "alice@" + domain},
		{BobID, "Bob Builder", "bob@" + domain},
		{CarolID, "Carol Compliance", "carol@" + domain},
		{DaveID, "Dave Devops", "dave@" + domain},
	} {
		d.users[u.ID] = u
	}
	d.addGroup(group{OpsGroupID, "Cloud Ops", true, []string{BobID, DaveID}})
	d.addGroup(group{SecGroupID, "Security Responders", true, []string{CarolID}})
	d.sps[AppServicePrincipalID] = servicePrincipal{AppServicePrincipalID, AppClientID, "terraform-ci"}
	d.aus[EuropeUnitID] = administrativeUnit{EuropeUnitID, "Europe"}
	for _, r := range builtInRoles {
		r.BuiltIn = true
		d.roles = append(d.roles, r)
		d.byRole[r.ID] = r
	}
	return d
}

func (d *directory) addGroup(g group) {
	d.groups[g.ID] = g
	for _, m := range g.Members {
		d.memberOf[m] = append(d.memberOf[m], g.ID)
	}
}

func (d *directory) role(id string) (roleDefinition, bool) {
	r, ok := d.byRole[strings.ToLower(id)]
	return r, ok
}

func (d *directory) principalExists(id string) bool {
	id = strings.ToLower(id)
	_, u := d.users[id]
	_, g := d.groups[id]
	_, sp := d.sps[id]
	return u || g || sp
}

func (d *directory) isMember(groupID, principalID string) bool {
	g, ok := d.groups[groupID]
	return ok && slices.Contains(g.Members, principalID)
}

// scopeExists reports whether a directoryScopeId names the tenant or an
// existing administrative unit or directory object.
func (d *directory) scopeExists(scope string) bool {
	if scope == "/" {
		return true
	}
	if id, ok := strings.CutPrefix(strings.ToLower(scope), "/administrativeunits/"); ok {
		_, found := d.aus[id]
		return found
	}
	return d.principalExists(strings.TrimPrefix(scope, "/"))
}

// principalObject renders a directory object as $expand=principal shows it.
func (d *directory) principalObject(id string) any {
	id = strings.ToLower(id)
	if u, ok := d.users[id]; ok {
		return odata.Object{{"@odata.type", "#microsoft.graph.user"}, {"id", u.ID}, {"displayName", u.DisplayName},
			{"userPrincipalName", u.UPN}, {"mail", u.UPN}, {"businessPhones", []any{}}, {"givenName", nil}, {"jobTitle", nil},
			{"mobilePhone", nil}, {"officeLocation", nil}, {"preferredLanguage", nil}, {"surname", nil}}
	}
	if g, ok := d.groups[id]; ok {
		return odata.Object{{"@odata.type", "#microsoft.graph.group"}, {"id", g.ID}, {"displayName", g.DisplayName},
			{"description", nil}, {"isAssignableToRole", g.RoleAssignable}, {"mail", nil}, {"mailEnabled", false},
			{"securityEnabled", true}, {"groupTypes", []any{}}}
	}
	if sp, ok := d.sps[id]; ok {
		return odata.Object{{"@odata.type", "#microsoft.graph.servicePrincipal"}, {"id", sp.ID}, {"appId", sp.AppID},
			{"displayName", sp.DisplayName}, {"servicePrincipalType", "Application"}}
	}
	return nil
}

// scopeObject renders $expand=directoryScope. guess: the tenant scope "/"
// expands to null, an administrative unit to the unit.
func (d *directory) scopeObject(scope string) any {
	if id, ok := strings.CutPrefix(strings.ToLower(scope), "/administrativeunits/"); ok {
		if au, found := d.aus[id]; found {
			return odata.Object{{"@odata.type", "#microsoft.graph.administrativeUnit"}, {"id", au.ID}, {"displayName", au.DisplayName}}
		}
	}
	return nil
}

func (r roleDefinition) object() odata.Object {
	return odata.Object{{"id", r.ID}, {"description", r.Description}, {"displayName", r.DisplayName}, {"isBuiltIn", r.BuiltIn},
		{"isEnabled", true}, {"templateId", r.ID}, {"version", "1"}, {"rolePermissions", []any{}}, {"inheritsPermissionsFrom", []any{}}}
}

// builtInRoles are from the Microsoft Entra built-in roles reference
// (https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
var builtInRoles = []roleDefinition{
	{ID: RoleGlobalAdministrator, DisplayName: "Global Administrator", Description: "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities."},
	{ID: RolePrivilegedRoleAdministrator, DisplayName: "Privileged Role Administrator", Description: "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management."},
	{ID: RoleGlobalReader, DisplayName: "Global Reader", Description: "Can read everything that a Global Administrator can, but not update anything."},
	{ID: RoleUserAdministrator, DisplayName: "User Administrator", Description: "Can manage all aspects of users and groups, including resetting passwords for limited admins."},
	{ID: RoleSecurityAdministrator, DisplayName: "Security Administrator", Description: "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365."},
	{ID: RoleSecurityReader, DisplayName: "Security Reader", Description: "Can read security information and reports in Microsoft Entra ID and Office 365."},
	{ID: RoleSecurityOperator, DisplayName: "Security Operator", Description: "Creates and manages security events."},
	{ID: RoleReportsReader, DisplayName: "Reports Reader", Description: "Can read sign-in and audit reports."},
	{ID: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", DisplayName: "Application Administrator", Description: "Can create and manage all aspects of app registrations and enterprise apps."},
	{ID: "fdd7a751-b60b-444a-984c-02652fe8fa1c", DisplayName: "Groups Administrator", Description: "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports."},
	{ID: RoleHelpdeskAdministrator, DisplayName: "Helpdesk Administrator", Description: "Can reset passwords for non-administrators and Helpdesk Administrators."},
	{ID: "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", DisplayName: "Conditional Access Administrator", Description: "Can manage Conditional Access capabilities."},
	{ID: "c4e39bd9-1100-46d3-8c65-fb160da0071f", DisplayName: "Authentication Administrator", Description: "Can access to view, set and reset authentication method information for any non-admin user."},
	{ID: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", DisplayName: "Privileged Authentication Administrator", Description: "Can access to view, set and reset authentication method information for any user (admin or non-admin)."},
	{ID: "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", DisplayName: "Directory Readers", Description: "Can read basic directory information. Commonly used to grant directory read access to applications and guests."},
	{ID: "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e", DisplayName: "Identity Governance Administrator", Description: "Manage access using Microsoft Entra ID for identity governance scenarios."},
	{ID: "8424c6f0-a189-499e-bbd0-26c1753c96d4", DisplayName: "Attribute Definition Administrator", Description: "Define and manage the definition of custom security attributes."},
	{ID: "29232cdf-9323-42fd-ade2-1d097af3e4de", DisplayName: "Exchange Administrator", Description: "Can manage all aspects of the Exchange product."},
	{ID: "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", DisplayName: "SharePoint Administrator", Description: "Can manage all aspects of the SharePoint service."},
	{ID: "b0f54661-2d74-4c50-afa3-1ec803f12efe", DisplayName: "Billing Administrator", Description: "Can perform common billing related tasks like updating payment information."},
}
