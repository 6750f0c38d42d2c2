package directory

// The application permissions (and roles) that let a caller through, from
// the Microsoft Learn page of each operation.
var (
	permRoleDefsRead = []string{"RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory", "Directory.Read.All", "Directory.ReadWrite.All"}
)
