package emulator

import (
	"fmt"
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
	MFARegistered        bool
}

type group struct {
	ID, DisplayName string
	RoleAssignable  bool
	Members         []string
	MembershipRule  string
	OnPremisesSync  bool
}

type servicePrincipal struct {
	ID, AppID, DisplayName string
	Permissions            []string
	// Managed marks a managed identity: the IMDS endpoint issues its tokens.
	Managed bool
}

type administrativeUnit struct {
	ID, DisplayName string
	Members         []string
}

type roleDefinition struct {
	ID, DisplayName, Description string
	BuiltIn                      bool
	Permissions                  []string
}

// directory is built from the seed and read-only afterwards, so it is
// read without locks. Maps are keyed by lower-case id; the order slices
// keep the seed's order for listing.
type directory struct {
	domain     string
	users      map[string]user
	upns       map[string]string // lower-case UPN -> id
	groups     map[string]group
	sps        map[string]servicePrincipal
	aus        map[string]administrativeUnit
	roles      []roleDefinition
	byRole     map[string]roleDefinition
	memberOf   map[string][]string // principal -> groups it belongs to
	userOrder  []string
	groupOrder []string
	spOrder    []string
	auOrder    []string
}

func newDirectory(domain string) *directory {
	d := &directory{domain: domain, users: map[string]user{}, upns: map[string]string{}, groups: map[string]group{},
		sps: map[string]servicePrincipal{}, aus: map[string]administrativeUnit{}, byRole: map[string]roleDefinition{}, memberOf: map[string][]string{}}
	for _, r := range builtInRoles {
		r.BuiltIn = true
		d.addRole(r)
	}
	return d
}

func (d *directory) addUser(u user) {
	u.ID = strings.ToLower(u.ID)
	d.users[u.ID] = u
	d.upns[strings.ToLower(u.UPN)] = u.ID
	d.userOrder = append(d.userOrder, u.ID)
}

func (d *directory) addGroup(g group) {
	g.ID = strings.ToLower(g.ID)
	members := g.Members
	g.Members = nil
	d.groups[g.ID] = g
	d.groupOrder = append(d.groupOrder, g.ID)
	for _, m := range members {
		d.addMember(g.ID, m)
	}
}

func (d *directory) addMember(groupID, principalID string) {
	g := d.groups[groupID]
	principalID = strings.ToLower(principalID)
	if slices.Contains(g.Members, principalID) {
		return
	}
	g.Members = append(g.Members, principalID)
	d.groups[groupID] = g
	d.memberOf[principalID] = append(d.memberOf[principalID], groupID)
}

func (d *directory) addServicePrincipal(sp servicePrincipal) {
	sp.ID = strings.ToLower(sp.ID)
	d.sps[sp.ID] = sp
	d.spOrder = append(d.spOrder, sp.ID)
}

func (d *directory) addUnit(au administrativeUnit) {
	au.ID = strings.ToLower(au.ID)
	d.aus[au.ID] = au
	d.auOrder = append(d.auOrder, au.ID)
}

func (d *directory) addRole(r roleDefinition) {
	r.ID = strings.ToLower(r.ID)
	d.roles = append(d.roles, r)
	d.byRole[r.ID] = r
}

// taken reports whether an object id is in use.
func (d *directory) taken(id string) bool {
	id = strings.ToLower(id)
	_, u := d.users[id]
	_, g := d.groups[id]
	_, sp := d.sps[id]
	_, au := d.aus[id]
	return u || g || sp || au
}

func (d *directory) userByUPN(upn string) *user {
	if id, ok := d.upns[strings.ToLower(upn)]; ok {
		u := d.users[id]
		return &u
	}
	return nil
}

// resolvePrincipal finds a user, group or service principal by id, UPN or
// display name; an ambiguous display name is an error listing the matches.
func (d *directory) resolvePrincipal(ref string) (string, error) {
	if id := strings.ToLower(ref); d.users[id].ID != "" || d.groups[id].ID != "" || d.sps[id].ID != "" {
		return id, nil
	}
	if u := d.userByUPN(ref); u != nil {
		return u.ID, nil
	}
	var matches []string
	for _, id := range d.userOrder {
		if strings.EqualFold(d.users[id].DisplayName, ref) {
			matches = append(matches, "user "+id)
		}
	}
	for _, id := range d.groupOrder {
		if strings.EqualFold(d.groups[id].DisplayName, ref) {
			matches = append(matches, "group "+id)
		}
	}
	for _, id := range d.spOrder {
		if strings.EqualFold(d.sps[id].DisplayName, ref) {
			matches = append(matches, "servicePrincipal "+id)
		}
	}
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("no user, group or service principal has the id, user principal name or display name %q", ref)
	case 1:
		_, id, _ := strings.Cut(matches[0], " ")
		return id, nil
	}
	return "", fmt.Errorf("%q names several principals (%s): use a user principal name or an id", ref, strings.Join(matches, ", "))
}

// resolveRole finds a role definition by id or display name.
func (d *directory) resolveRole(ref string) (string, error) {
	if r, ok := d.byRole[strings.ToLower(ref)]; ok {
		return r.ID, nil
	}
	for _, r := range d.roles {
		if strings.EqualFold(r.DisplayName, ref) {
			return r.ID, nil
		}
	}
	return "", fmt.Errorf("no role definition has the id or display name %q", ref)
}

// resolveScope turns "/", "" or "/administrativeUnits/{name or id}" into a
// directoryScopeId.
func (d *directory) resolveScope(ref string) (string, error) {
	if ref == "" || ref == "/" {
		return "/", nil
	}
	unit, ok := strings.CutPrefix(ref, "/administrativeUnits/")
	if !ok {
		return "", fmt.Errorf("%q: want / or /administrativeUnits/{display name or id}", ref)
	}
	if au, found := d.aus[strings.ToLower(unit)]; found {
		return "/administrativeUnits/" + au.ID, nil
	}
	for _, id := range d.auOrder {
		if strings.EqualFold(d.aus[id].DisplayName, unit) {
			return "/administrativeUnits/" + id, nil
		}
	}
	return "", fmt.Errorf("no administrative unit has the id or display name %q", unit)
}

func (d *directory) spByAppID(appID string) (servicePrincipal, bool) {
	for _, sp := range d.sps {
		if strings.EqualFold(sp.AppID, appID) {
			return sp, true
		}
	}
	return servicePrincipal{}, false
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
	perms := []any{}
	if len(r.Permissions) > 0 {
		perms = append(perms, odata.Object{{"allowedResourceActions", r.Permissions}, {"condition", nil}})
	}
	return odata.Object{{"id", r.ID}, {"description", r.Description}, {"displayName", r.DisplayName}, {"isBuiltIn", r.BuiltIn},
		{"isEnabled", true}, {"templateId", r.ID}, {"version", "1"}, {"rolePermissions", perms}, {"inheritsPermissionsFrom", []any{}}}
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

// canHoldRoles refuses principals Microsoft Entra does not give directory
// roles to: groups that are not role-assignable, and service principals as
// eligible (principalId on unifiedRoleEligibilityScheduleRequest: "a user
// or a role-assignable group. You can grant only active assignments service
// principals"). guess: the codes and wording are not documented.
func (d *directory) canHoldRoles(principalID string, k Kind) *apiError {
	id := strings.ToLower(principalID)
	if g, ok := d.groups[id]; ok && !g.RoleAssignable {
		return badRequest("InvalidPrincipal", "The group '%s' is not role-assignable: directory roles can be assigned only to groups created with isAssignableToRole set to true.", principalID)
	}
	if _, ok := d.sps[id]; ok && k == Eligible {
		return badRequest("InvalidPrincipal", "The service principal '%s' cannot be made eligible for a role: service principals can only be given active assignments.", principalID)
	}
	return nil
}
