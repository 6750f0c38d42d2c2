package policy

// The application permissions (and roles) that let a caller through, from
// the Microsoft Learn page of each operation.
var (
	permPolicyRead       = []string{"RoleManagementPolicy.Read.Directory", "RoleManagementPolicy.ReadWrite.Directory", "RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory"}
	permPolicyWrite      = []string{"RoleManagementPolicy.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory"}
	permGroupPolicyRead  = []string{"RoleManagementPolicy.Read.AzureADGroup", "RoleManagementPolicy.ReadWrite.AzureADGroup"}
	permGroupPolicyWrite = []string{"RoleManagementPolicy.ReadWrite.AzureADGroup"}
)
