package core

import (
	"slices"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
)

// Identity is what a bearer token stands for.
type Identity struct {
	PrincipalID string
	// MFA marks a token whose amr claim contains "mfa".
	MFA bool
	// ACRS lists the Conditional Access authentication contexts the token
	// satisfied (its acrs claim), e.g. "c1".
	ACRS []string
	// App marks an app-only token (client credentials): no signed-in user.
	App bool
	// Permissions are an app-only token's application permissions (its
	// roles claim). Nil grants DefaultAppPermissions.
	Permissions []string
	// Operation is the call being served ("GET /v1.0/{pattern}"), for the
	// record of what each operation needed (access.Log).
	Operation string
	// Audience is the API a token was issued for: AudienceGraph or
	// AudienceARM from the token endpoints; empty (the emulator's own
	// tokens) for both.
	Audience string
}

// Token audiences.
const (
	AudienceGraph = "graph"
	AudienceARM   = "arm"
)

// DefaultAppPermissions are what the seeded app registration is consented
// for: everything the provider calls.
var DefaultAppPermissions = []string{
	"RoleManagement.ReadWrite.Directory", "RoleManagementPolicy.ReadWrite.Directory",
	"AuditLog.Read.All", "Directory.Read.All",
	"PrivilegedAccess.ReadWrite.AzureADGroup", "RoleManagementPolicy.ReadWrite.AzureADGroup",
	"RoleManagementAlert.ReadWrite.Directory",
}

func (id Identity) HasPermission(anyOf ...string) bool {
	perms := id.Permissions
	if perms == nil {
		perms = DefaultAppPermissions
	}
	for _, p := range anyOf {
		if slices.ContainsFunc(perms, func(q string) bool { return strings.EqualFold(p, q) }) {
			return true
		}
	}
	return false
}

// tokens maps bearer tokens to identities. It has its own lock: the token
// Roles that grant PIM's delegated operations (the Microsoft Learn pages of
// each PIM API, "For read operations" and "For write operations").
var (
	PIMReaderRoles = []string{tenant.RoleGlobalReader, tenant.RoleSecurityOperator, tenant.RoleSecurityReader, tenant.RoleSecurityAdministrator,
		tenant.RolePrivilegedRoleAdministrator, tenant.RoleGlobalAdministrator}
	PIMWriterRoles = []string{tenant.RolePrivilegedRoleAdministrator, tenant.RoleGlobalAdministrator}
)

// holdsRole reports whether the principal holds one of the roles through an
// effective tenant-wide active assignment, directly or through a group.
func (tx *Tx) HoldsRole(principalID string, roles []string) bool {
	principalID = strings.ToLower(principalID)
	candidates := append([]string{principalID}, tx.Dir.MemberOf[principalID]...)
	for _, p := range candidates {
		for _, role := range roles {
			for _, assignmentType := range []bool{false, true} {
				k := Key{Surface: SurfaceDirectory, Kind: Active, Principal: p, Role: role, Scope: "/"}
				sc := tx.St.Standing[k]
				if assignmentType {
					sc = tx.St.Activations[k]
				}
				if sc != nil && !sc.Spec.Start.After(tx.Now) {
					return true
				}
			}
		}
	}
	return false
}

// allowed decides an operation: app-only callers by their permissions,
// signed-in users by their directory roles.
func (tx *Tx) Allowed(perms, roles []string) bool {
	var ok bool
	if tx.Caller.App {
		ok = tx.Caller.HasPermission(perms...)
	} else {
		ok = tx.HoldsRole(tx.Caller.PrincipalID, roles)
	}
	if ok {
		tx.RecordAccess(perms, roles)
	}
	return ok
}

// RecordAccess notes that the call got through on one of perms (an
// application) or roles (a user), for areas that decide access their own
// way (a member user reads the directory without a role).
func (tx *Tx) RecordAccess(perms, roles []string) {
	tx.state.Access.Record(tx.Caller.Operation, tx.Caller.App, perms, func() []string {
		names := make([]string, 0, len(roles))
		for _, id := range roles {
			if r, ok := tx.Dir.Role(id); ok {
				names = append(names, r.DisplayName)
			}
		}
		return names
	})
}
