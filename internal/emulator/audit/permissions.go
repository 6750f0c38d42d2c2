package audit

import "github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"

// The application permissions (and roles) that let a caller through, from
// the Microsoft Learn page of each operation.
var (
	permAuditRead = []string{"AuditLog.Read.All"}
	// directoryAudits: Reports Reader, Security Reader, Security Administrator,
	// Global Reader (and Global Administrator).
	auditReaderRoles = []string{tenant.RoleReportsReader, tenant.RoleSecurityReader, tenant.RoleSecurityAdministrator, tenant.RoleSecurityOperator,
		tenant.RoleGlobalReader, tenant.RoleGlobalAdministrator}
)
