package emulator

// The seeded directory: one tenant, a few users and role-assignable groups,
// and built-in role definitions with their real template ids (identical in
// every tenant, so configurations written against the emulator work against
// Entra unchanged).

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
)

// Built-in role template ids used by the seed and tests.
const (
	RoleGlobalAdministrator         = "62e90394-69f5-4237-9190-012177145e10"
	RolePrivilegedRoleAdministrator = "e8611ab8-c189-46e8-94e1-60213ab1f814"
	RoleGlobalReader                = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
	RoleUserAdministrator           = "fe930be7-5e62-47db-91af-98c3a49a38b1"
	RoleSecurityAdministrator       = "194ae4cb-b126-40b2-bd5b-6091b380977d"
	RoleHelpdeskAdministrator       = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
)

type user struct {
	ID, DisplayName, UPN string
}

type group struct {
	ID, DisplayName string
	Members         []string
}

type roleDefinition struct {
	ID, DisplayName, Description string
}

func seedUsers(domain string) []user {
	return []user{
		{AdminID, "Avery Admin", "avery@" + domain},
		{AliceID, "Alice Analyst", "alice@" + domain},
		{BobID, "Bob Builder", "bob@" + domain},
		{CarolID, "Carol Compliance", "carol@" + domain},
		{DaveID, "Dave Devops", "dave@" + domain},
	}
}

func seedGroups() []group {
	return []group{
		{OpsGroupID, "Cloud Ops", []string{BobID, DaveID}},
		{SecGroupID, "Security Responders", []string{CarolID}},
	}
}

// builtInRoles are from the Entra built-in roles reference (pim-graph-api.md §6).
var builtInRoles = []roleDefinition{
	{RoleGlobalAdministrator, "Global Administrator", "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities."},
	{RolePrivilegedRoleAdministrator, "Privileged Role Administrator", "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management."},
	{RoleGlobalReader, "Global Reader", "Can read everything that a Global Administrator can, but not update anything."},
	{RoleUserAdministrator, "User Administrator", "Can manage all aspects of users and groups, including resetting passwords for limited admins."},
	{RoleSecurityAdministrator, "Security Administrator", "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365."},
	{"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "Application Administrator", "Can create and manage all aspects of app registrations and enterprise apps."},
	{"fdd7a751-b60b-444a-984c-02652fe8fa1c", "Groups Administrator", "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports."},
	{RoleHelpdeskAdministrator, "Helpdesk Administrator", "Can reset passwords for non-administrators and Helpdesk Administrators."},
	{"b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "Conditional Access Administrator", "Can manage Conditional Access capabilities."},
	{"c4e39bd9-1100-46d3-8c65-fb160da0071f", "Authentication Administrator", "Can access to view, set and reset authentication method information for any non-admin user."},
	{"7be44c8a-adaf-4e2a-84d6-ab2649e08a13", "Privileged Authentication Administrator", "Can access to view, set and reset authentication method information for any user (admin or non-admin)."},
	{"88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "Directory Readers", "Can read basic directory information. Commonly used to grant directory read access to applications and guests."},
	{"45d8d3c5-c802-45c6-b32a-1d70b5e1e86e", "Identity Governance Administrator", "Manage access using Microsoft Entra ID for identity governance scenarios."},
	{"8424c6f0-a189-499e-bbd0-26c1753c96d4", "Attribute Definition Administrator", "Define and manage the definition of custom security attributes."},
	{"29232cdf-9323-42fd-ade2-1d097af3e4de", "Exchange Administrator", "Can manage all aspects of the Exchange product."},
	{"f28a1f50-f6e7-4571-818b-6a12f2af6b6c", "SharePoint Administrator", "Can manage all aspects of the SharePoint service."},
	{"b0f54661-2d74-4c50-afa3-1ec803f12efe", "Billing Administrator", "Can perform common billing related tasks like updating payment information."},
}
