package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"sync"
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
}

// DefaultAppPermissions are what the seeded app registration is consented
// for: everything the provider calls.
var DefaultAppPermissions = []string{
	"RoleManagement.ReadWrite.Directory", "RoleManagementPolicy.ReadWrite.Directory",
	"AuditLog.Read.All", "Directory.Read.All",
	"PrivilegedAccess.ReadWrite.AzureADGroup", "RoleManagementPolicy.ReadWrite.AzureADGroup",
}

func (id Identity) hasPermission(anyOf ...string) bool {
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
// endpoint adds tokens while calls are being served.
type tokens struct {
	mu sync.RWMutex
	m  map[string]Identity
}

func (t *tokens) get(tok string) (Identity, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	id, ok := t.m[tok]
	return id, ok
}

func (t *tokens) add(tok string, id Identity) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m[tok] = id
}

func (t *tokens) all() map[string]Identity {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make(map[string]Identity, len(t.m))
	for k, v := range t.m {
		out[k] = v
	}
	return out
}

func randomToken(prefix string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// Roles that grant PIM's delegated operations (the Microsoft Learn pages of
// each PIM API, "For read operations" and "For write operations").
var (
	pimReaderRoles = []string{RoleGlobalReader, RoleSecurityOperator, RoleSecurityReader, RoleSecurityAdministrator,
		RolePrivilegedRoleAdministrator, RoleGlobalAdministrator}
	pimWriterRoles = []string{RolePrivilegedRoleAdministrator, RoleGlobalAdministrator}
	// directoryAudits: Reports Reader, Security Reader, Security Administrator,
	// Global Reader (and Global Administrator).
	auditReaderRoles = []string{RoleReportsReader, RoleSecurityReader, RoleSecurityAdministrator, RoleSecurityOperator,
		RoleGlobalReader, RoleGlobalAdministrator}
)

// Application permissions per operation.
var (
	permPIMRead = []string{"RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory",
		"RoleEligibilitySchedule.Read.Directory", "RoleEligibilitySchedule.ReadWrite.Directory",
		"RoleAssignmentSchedule.Read.Directory", "RoleAssignmentSchedule.ReadWrite.Directory"}
	permPIMWrite    = []string{"RoleManagement.ReadWrite.Directory", "RoleEligibilitySchedule.ReadWrite.Directory", "RoleAssignmentSchedule.ReadWrite.Directory"}
	permPolicyRead  = []string{"RoleManagementPolicy.Read.Directory", "RoleManagementPolicy.ReadWrite.Directory", "RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory"}
	permPolicyWrite = []string{"RoleManagementPolicy.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory"}
	permAuditRead   = []string{"AuditLog.Read.All"}
	// PIM for Groups (privilegedidentitymanagement-for-groups-api-overview).
	permGroupPIMRead = []string{"PrivilegedEligibilitySchedule.Read.AzureADGroup", "PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup",
		"PrivilegedAssignmentSchedule.Read.AzureADGroup", "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
		"PrivilegedAccess.Read.AzureADGroup", "PrivilegedAccess.ReadWrite.AzureADGroup"}
	permGroupEligibilityWrite = []string{"PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup", "PrivilegedAccess.ReadWrite.AzureADGroup"}
	permGroupAssignmentWrite  = []string{"PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup", "PrivilegedAccess.ReadWrite.AzureADGroup"}
	permGroupPolicyRead       = []string{"RoleManagementPolicy.Read.AzureADGroup", "RoleManagementPolicy.ReadWrite.AzureADGroup"}
	permGroupPolicyWrite      = []string{"RoleManagementPolicy.ReadWrite.AzureADGroup"}
	permRoleDefsRead          = []string{"RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory", "Directory.Read.All", "Directory.ReadWrite.All"}
)

// holdsRole reports whether the principal holds one of the roles through an
// effective tenant-wide active assignment, directly or through a group.
func (tx *tx) holdsRole(principalID string, roles []string) bool {
	principalID = strings.ToLower(principalID)
	candidates := append([]string{principalID}, tx.s.dir.memberOf[principalID]...)
	for _, p := range candidates {
		for _, role := range roles {
			for _, assignmentType := range []bool{false, true} {
				k := key{Surface: surfaceDirectory, Kind: Active, Principal: p, Role: role, Scope: "/"}
				sc := tx.st.standing[k]
				if assignmentType {
					sc = tx.st.activations[k]
				}
				if sc != nil && !sc.Spec.Start.After(tx.now) {
					return true
				}
			}
		}
	}
	return false
}

// allowed decides an operation: app-only callers by their permissions,
// signed-in users by their directory roles.
func (tx *tx) allowed(perms, roles []string) bool {
	if tx.caller.App {
		return tx.caller.hasPermission(perms...)
	}
	return tx.holdsRole(tx.caller.PrincipalID, roles)
}
