// Package tenant is the model of the emulated tenant's directory: users,
// groups, service principals, administrative units and role definitions,
// built from the seed and read-only afterwards, so every area reads it
// without locks.
package tenant

import (
	"fmt"
	"slices"
	"strings"
	"time"

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

// The seeded app registration Terraform runs as in CI, and a user-assigned
// managed identity (an Azure VM's runner) that the IMDS endpoint signs in.
const (
	AppClientID                = "7e77a000-0000-4000-8000-000000000001"
	AppServicePrincipalID      = "5e1f0000-0000-4000-8000-000000000001"
	ManagedIdentityClientID    = "7e77a000-0000-4000-8000-000000000002"
	ManagedIdentityPrincipalID = "5e1f0000-0000-4000-8000-000000000002"
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

type User struct {
	ID, DisplayName, UPN string
	MFARegistered        bool
	// LastSignIn is when the user last signed in (nil: unknown), for the
	// stale sign-in alert.
	LastSignIn *time.Time
	// Manager is the user's manager's id (access reviews by managers).
	Manager string
}

type Group struct {
	ID, DisplayName string
	RoleAssignable  bool
	Members         []string
	MembershipRule  string
	OnPremisesSync  bool
}

type ServicePrincipal struct {
	ID, AppID, DisplayName string
	// Permissions are its application permissions: none unless granted.
	Permissions []string
	// Managed marks a managed identity: the IMDS endpoint issues its tokens,
	// by client id, and without one for the (first) system-assigned one.
	Managed, UserAssigned bool
	// Credentials are what signs in as this app, and nothing else: a client
	// secret, a certificate (PEM), federated identity credentials.
	Secret      string
	Certificate []byte
	Federated   []FederatedCredential
}

// FederatedCredential trusts tokens of an issuer for a subject.
type FederatedCredential struct{ Issuer, Subject string }

// SetCredentials adds credentials to the app with the app id (empty ones
// leave what the seed gave it).
func (d *Directory) SetCredentials(appID, secret string, certificate []byte, federated []FederatedCredential) bool {
	for id, sp := range d.SPs {
		if strings.EqualFold(sp.AppID, appID) {
			if secret != "" {
				sp.Secret = secret
			}
			if len(certificate) > 0 {
				sp.Certificate = certificate
			}
			sp.Federated = append(sp.Federated, federated...)
			d.SPs[id] = sp
			return true
		}
	}
	return false
}

type AdministrativeUnit struct {
	ID, DisplayName string
	Members         []string
}

type RoleDefinition struct {
	ID, DisplayName, Description string
	BuiltIn                      bool
	Permissions                  []string
	// Privileged is Graph's isPrivileged: the built-in roles reference
	// labels the role PRIVILEGED. PIM's alerts watch these roles.
	Privileged bool
}

// directory is built from the seed and read-only afterwards, so it is
// read without locks. Maps are keyed by lower-case id; the order slices
// keep the seed's order for listing.
type Directory struct {
	Domain string
	// License is the tenant's Microsoft Entra ID plan: "P2" or
	// "Governance" (PIM's requirement), "P1" or "Free".
	License string
	// Azure is the Azure estate PIM for Azure resources governs.
	Azure      *Azure
	Users      map[string]User
	UPNs       map[string]string // lower-case UPN -> id
	Groups     map[string]Group
	SPs        map[string]ServicePrincipal
	Units      map[string]AdministrativeUnit
	Roles      []RoleDefinition
	ByRole     map[string]RoleDefinition
	MemberOf   map[string][]string // principal -> groups it belongs to
	UserOrder  []string
	GroupOrder []string
	SPOrder    []string
	UnitOrder  []string
}

func NewDirectory(domain string) *Directory {
	d := &Directory{Domain: domain, License: "P2", Azure: newAzure(), Users: map[string]User{}, UPNs: map[string]string{}, Groups: map[string]Group{},
		SPs: map[string]ServicePrincipal{}, Units: map[string]AdministrativeUnit{}, ByRole: map[string]RoleDefinition{}, MemberOf: map[string][]string{}}
	for _, r := range builtInRoles {
		r.BuiltIn = true
		d.AddRole(r)
	}
	return d
}

func (d *Directory) AddUser(u User) {
	u.ID = strings.ToLower(u.ID)
	d.Users[u.ID] = u
	d.UPNs[strings.ToLower(u.UPN)] = u.ID
	d.UserOrder = append(d.UserOrder, u.ID)
}

// SetManager records a user's manager.
func (d *Directory) SetManager(userID, managerID string) {
	u := d.Users[userID]
	u.Manager = managerID
	d.Users[userID] = u
}

func (d *Directory) AddGroup(g Group) {
	g.ID = strings.ToLower(g.ID)
	members := g.Members
	g.Members = nil
	d.Groups[g.ID] = g
	d.GroupOrder = append(d.GroupOrder, g.ID)
	for _, m := range members {
		d.AddMember(g.ID, m)
	}
}

func (d *Directory) AddMember(groupID, principalID string) {
	g := d.Groups[groupID]
	principalID = strings.ToLower(principalID)
	if slices.Contains(g.Members, principalID) {
		return
	}
	g.Members = append(g.Members, principalID)
	d.Groups[groupID] = g
	d.MemberOf[principalID] = append(d.MemberOf[principalID], groupID)
}

func (d *Directory) AddServicePrincipal(sp ServicePrincipal) {
	sp.ID = strings.ToLower(sp.ID)
	d.SPs[sp.ID] = sp
	d.SPOrder = append(d.SPOrder, sp.ID)
}

func (d *Directory) AddUnit(au AdministrativeUnit) {
	au.ID = strings.ToLower(au.ID)
	d.Units[au.ID] = au
	d.UnitOrder = append(d.UnitOrder, au.ID)
}

func (d *Directory) AddRole(r RoleDefinition) {
	r.ID = strings.ToLower(r.ID)
	d.Roles = append(d.Roles, r)
	d.ByRole[r.ID] = r
}

// taken reports whether an object id is in use.
func (d *Directory) Taken(id string) bool {
	id = strings.ToLower(id)
	_, u := d.Users[id]
	_, g := d.Groups[id]
	_, sp := d.SPs[id]
	_, au := d.Units[id]
	return u || g || sp || au
}

func (d *Directory) UserByUPN(upn string) *User {
	if id, ok := d.UPNs[strings.ToLower(upn)]; ok {
		u := d.Users[id]
		return &u
	}
	return nil
}

// resolvePrincipal finds a user, group or service principal by id, UPN or
// display name; an ambiguous display name is an error listing the matches.
func (d *Directory) ResolvePrincipal(ref string) (string, error) {
	if id := strings.ToLower(ref); d.Users[id].ID != "" || d.Groups[id].ID != "" || d.SPs[id].ID != "" {
		return id, nil
	}
	if u := d.UserByUPN(ref); u != nil {
		return u.ID, nil
	}
	var matches []string
	for _, id := range d.UserOrder {
		if strings.EqualFold(d.Users[id].DisplayName, ref) {
			matches = append(matches, "user "+id)
		}
	}
	for _, id := range d.GroupOrder {
		if strings.EqualFold(d.Groups[id].DisplayName, ref) {
			matches = append(matches, "group "+id)
		}
	}
	for _, id := range d.SPOrder {
		if strings.EqualFold(d.SPs[id].DisplayName, ref) {
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
func (d *Directory) ResolveRole(ref string) (string, error) {
	if r, ok := d.ByRole[strings.ToLower(ref)]; ok {
		return r.ID, nil
	}
	for _, r := range d.Roles {
		if strings.EqualFold(r.DisplayName, ref) {
			return r.ID, nil
		}
	}
	return "", fmt.Errorf("no role definition has the id or display name %q", ref)
}

// resolveScope turns "/", "" or "/administrativeUnits/{name or id}" into a
// directoryScopeId.
func (d *Directory) ResolveScope(ref string) (string, error) {
	if ref == "" || ref == "/" {
		return "/", nil
	}
	unit, ok := strings.CutPrefix(ref, "/administrativeUnits/")
	if !ok {
		return "", fmt.Errorf("%q: want / or /administrativeUnits/{display name or id}", ref)
	}
	if au, found := d.Units[strings.ToLower(unit)]; found {
		return "/administrativeUnits/" + au.ID, nil
	}
	for _, id := range d.UnitOrder {
		if strings.EqualFold(d.Units[id].DisplayName, unit) {
			return "/administrativeUnits/" + id, nil
		}
	}
	return "", fmt.Errorf("no administrative unit has the id or display name %q", unit)
}

func (d *Directory) SPByAppID(appID string) (ServicePrincipal, bool) {
	for _, sp := range d.SPs {
		if strings.EqualFold(sp.AppID, appID) {
			return sp, true
		}
	}
	return ServicePrincipal{}, false
}

func (d *Directory) Role(id string) (RoleDefinition, bool) {
	r, ok := d.ByRole[strings.ToLower(id)]
	return r, ok
}

func (d *Directory) PrincipalExists(id string) bool {
	id = strings.ToLower(id)
	_, u := d.Users[id]
	_, g := d.Groups[id]
	_, sp := d.SPs[id]
	return u || g || sp
}

func (d *Directory) IsMember(groupID, principalID string) bool {
	g, ok := d.Groups[groupID]
	return ok && slices.Contains(g.Members, principalID)
}

// scopeExists reports whether a directoryScopeId names the tenant or an
// existing administrative unit or directory object.
func (d *Directory) ScopeExists(scope string) bool {
	if scope == "/" {
		return true
	}
	if id, ok := strings.CutPrefix(strings.ToLower(scope), "/administrativeunits/"); ok {
		_, found := d.Units[id]
		return found
	}
	return d.PrincipalExists(strings.TrimPrefix(scope, "/"))
}

// principalObject renders a directory object as $expand=principal shows it.
func (d *Directory) PrincipalObject(id string) any {
	id = strings.ToLower(id)
	if u, ok := d.Users[id]; ok {
		return odata.Object{{"@odata.type", "#microsoft.graph.user"}, {"id", u.ID}, {"displayName", u.DisplayName},
			{"userPrincipalName", u.UPN}, {"mail", u.UPN}, {"businessPhones", []any{}}, {"givenName", nil}, {"jobTitle", nil},
			{"mobilePhone", nil}, {"officeLocation", nil}, {"preferredLanguage", nil}, {"surname", nil}}
	}
	if g, ok := d.Groups[id]; ok {
		return odata.Object{{"@odata.type", "#microsoft.graph.group"}, {"id", g.ID}, {"displayName", g.DisplayName},
			{"description", nil}, {"isAssignableToRole", g.RoleAssignable}, {"mail", nil}, {"mailEnabled", false},
			{"securityEnabled", true}, {"groupTypes", []any{}}}
	}
	if sp, ok := d.SPs[id]; ok {
		return odata.Object{{"@odata.type", "#microsoft.graph.servicePrincipal"}, {"id", sp.ID}, {"appId", sp.AppID},
			{"displayName", sp.DisplayName}, {"servicePrincipalType", "Application"}}
	}
	return nil
}

// scopeObject renders $expand=directoryScope. guess: the tenant scope "/"
// expands to null, an administrative unit to the unit.
func (d *Directory) ScopeObject(scope string) any {
	if id, ok := strings.CutPrefix(strings.ToLower(scope), "/administrativeunits/"); ok {
		if au, found := d.Units[id]; found {
			return odata.Object{{"@odata.type", "#microsoft.graph.administrativeUnit"}, {"id", au.ID}, {"displayName", au.DisplayName}}
		}
	}
	return nil
}

// builtInRoles are from the Microsoft Entra built-in roles reference
// (https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
var builtInRoles = []RoleDefinition{
	{ID: RoleGlobalAdministrator, DisplayName: "Global Administrator", Description: "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.", Privileged: true},
	{ID: RolePrivilegedRoleAdministrator, DisplayName: "Privileged Role Administrator", Description: "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.", Privileged: true},
	{ID: RoleGlobalReader, DisplayName: "Global Reader", Description: "Can read everything that a Global Administrator can, but not update anything."},
	{ID: RoleUserAdministrator, DisplayName: "User Administrator", Description: "Can manage all aspects of users and groups, including resetting passwords for limited admins.", Privileged: true},
	{ID: RoleSecurityAdministrator, DisplayName: "Security Administrator", Description: "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.", Privileged: true},
	{ID: RoleSecurityReader, DisplayName: "Security Reader", Description: "Can read security information and reports in Microsoft Entra ID and Office 365."},
	{ID: RoleSecurityOperator, DisplayName: "Security Operator", Description: "Creates and manages security events."},
	{ID: RoleReportsReader, DisplayName: "Reports Reader", Description: "Can read sign-in and audit reports."},
	{ID: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", DisplayName: "Application Administrator", Description: "Can create and manage all aspects of app registrations and enterprise apps.", Privileged: true},
	{ID: "fdd7a751-b60b-444a-984c-02652fe8fa1c", DisplayName: "Groups Administrator", Description: "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports."},
	{ID: RoleHelpdeskAdministrator, DisplayName: "Helpdesk Administrator", Description: "Can reset passwords for non-administrators and Helpdesk Administrators.", Privileged: true},
	{ID: "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", DisplayName: "Conditional Access Administrator", Description: "Can manage Conditional Access capabilities.", Privileged: true},
	{ID: "c4e39bd9-1100-46d3-8c65-fb160da0071f", DisplayName: "Authentication Administrator", Description: "Can access to view, set and reset authentication method information for any non-admin user.", Privileged: true},
	{ID: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", DisplayName: "Privileged Authentication Administrator", Description: "Can access to view, set and reset authentication method information for any user (admin or non-admin).", Privileged: true},
	{ID: "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", DisplayName: "Directory Readers", Description: "Can read basic directory information. Commonly used to grant directory read access to applications and guests."},
	{ID: "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e", DisplayName: "Identity Governance Administrator", Description: "Manage access using Microsoft Entra ID for identity governance scenarios."},
	{ID: "8424c6f0-a189-499e-bbd0-26c1753c96d4", DisplayName: "Attribute Definition Administrator", Description: "Define and manage the definition of custom security attributes."},
	{ID: "29232cdf-9323-42fd-ade2-1d097af3e4de", DisplayName: "Exchange Administrator", Description: "Can manage all aspects of the Exchange product."},
	{ID: "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", DisplayName: "SharePoint Administrator", Description: "Can manage all aspects of the SharePoint service."},
	{ID: "b0f54661-2d74-4c50-afa3-1ec803f12efe", DisplayName: "Billing Administrator", Description: "Can perform common billing related tasks like updating payment information."},
}

// DisplayName is an object's display name, or nil when it is unknown.
func (d *Directory) DisplayName(id string) any {
	id = strings.ToLower(id)
	if u, ok := d.Users[id]; ok {
		return u.DisplayName
	}
	if sp, ok := d.SPs[id]; ok {
		return sp.DisplayName
	}
	if g, ok := d.Groups[id]; ok {
		return g.DisplayName
	}
	return nil
}

// Object renders the definition as Graph does.
func (r RoleDefinition) Object() odata.Object {
	perms := []any{}
	if len(r.Permissions) > 0 {
		perms = append(perms, odata.Object{{"allowedResourceActions", r.Permissions}, {"condition", nil}})
	}
	return odata.Object{{"id", r.ID}, {"description", r.Description}, {"displayName", r.DisplayName}, {"isBuiltIn", r.BuiltIn},
		{"isEnabled", true}, {"templateId", r.ID}, {"version", "1"}, {"rolePermissions", perms}, {"inheritsPermissionsFrom", []any{}}}
}
