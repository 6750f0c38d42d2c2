// Package access records, operation by operation, what let the emulator's
// callers through, so that running a configuration against the emulator
// once tells what to grant its CI identity (GET /_emulator/permissions,
// the live dashboard).
package access

import (
	"slices"
	"sort"
	"strings"
	"sync"
)

// Log records, operation by operation, what let callers through:
// the least application permission among those the operation accepts, and
// the directory roles that grant it to a signed-in user. Running a
// configuration against the emulator once tells what to grant its CI
// identity (GET /_emulator/permissions).
type Log struct {
	mu  sync.Mutex
	ops map[string]*Operation
}

// OperationAccess is what one operation needed.
type Operation struct {
	Operation string `json:"operation"`
	// Permissions are the least permission of each kind of call the
	// operation served (one route can read a role's or a group's policy).
	Permissions    []string `json:"least_application_permissions"`
	Roles          []string `json:"directory_roles"`
	AppCalls       int      `json:"app_only_calls"`
	DelegatedCalls int      `json:"delegated_calls"`
}

// Record notes one authorization decision that let a caller through: an
// application (app) on one of perms, or a user on one of the roles, whose
// names roleNames gives (asked once per operation: calls are the hot path).
func (l *Log) Record(op string, app bool, perms []string, roleNames func() []string) {
	if op == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ops == nil {
		l.ops = map[string]*Operation{}
	}
	a := l.ops[op]
	if a == nil {
		a = &Operation{Operation: op, Roles: roleNames()}
		l.ops[op] = a
	}
	if p := leastPermission(op, perms); p != "" && !slices.Contains(a.Permissions, p) {
		a.Permissions = append(a.Permissions, p)
		sort.Strings(a.Permissions)
	}
	if app {
		a.AppCalls++
	} else {
		a.DelegatedCalls++
	}
}

// leastPermission picks, among the permissions an operation accepts, the
// narrowest: read before read-write, a permission named for what the
// operation touches before a broad one (RoleManagement.*, Directory.*).
func leastPermission(op string, perms []string) string {
	path := strings.ToLower(op)
	best, bestScore := "", 1<<30
	for _, p := range perms {
		resource := strings.ToLower(strings.SplitN(p, ".", 2)[0])
		score := 0
		if strings.Contains(strings.ToLower(p), ".readwrite.") {
			score += 4
		}
		if resource == "rolemanagement" || resource == "directory" || resource == "privilegedaccess" {
			score += 2
		}
		if !strings.Contains(path, strings.TrimSuffix(resource, "schedule")) {
			score++
		}
		if score < bestScore {
			best, bestScore = p, score
		}
	}
	return best
}

// Operations lists what was recorded, by operation.
func (l *Log) Operations() []Operation {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Operation, 0, len(l.ops))
	for _, a := range l.ops {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Operation < out[j].Operation })
	return out
}

// LeastPermissions is the smallest set of application permissions that
// covers every recorded operation: each operation's least, less those a
// read-write permission in the set covers.
func (l *Log) LeastPermissions() []string {
	set := map[string]bool{}
	for _, a := range l.Operations() {
		for _, p := range a.Permissions {
			set[p] = true
		}
	}
	out := []string{}
	for p := range set {
		coveredByReadWrite := strings.Contains(p, ".Read.") && set[strings.Replace(p, ".Read.", ".ReadWrite.", 1)]
		coveredByDirectory := set["Directory.Read.All"] && directoryReads[p]
		if !coveredByReadWrite && !coveredByDirectory {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// directoryReads are the reads Directory.Read.All includes.
var directoryReads = map[string]bool{"User.Read.All": true, "User.ReadBasic.All": true, "Group.Read.All": true, "GroupMember.Read.All": true,
	"Application.Read.All": true, "AdministrativeUnit.Read.All": true}

// Reset forgets what was recorded.
func (l *Log) Reset() {
	l.mu.Lock()
	l.ops = nil
	l.mu.Unlock()
}
