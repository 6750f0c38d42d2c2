package pimclient

// PrivilegedRoles are built-in directory roles the Microsoft Entra built-in
// roles reference labels PRIVILEGED, by template id
// (https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
var PrivilegedRoles = map[string]bool{
	RoleGlobalAdministrator:                true,
	"e8611ab8-c189-46e8-94e1-60213ab1f814": true, // Privileged Role Administrator
	"7be44c8a-adaf-4e2a-84d6-ab2649e08a13": true, // Privileged Authentication Administrator
	"c4e39bd9-1100-46d3-8c65-fb160da0071f": true, // Authentication Administrator
	"b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": true, // Conditional Access Administrator
	"194ae4cb-b126-40b2-bd5b-6091b380977d": true, // Security Administrator
	"fe930be7-5e62-47db-91af-98c3a49a38b1": true, // User Administrator
	"729827e3-9c14-49f7-bb1b-9608f156bbb8": true, // Helpdesk Administrator
	"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": true, // Application Administrator
}
