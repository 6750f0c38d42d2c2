package emulator

import (
	"fmt"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
)

// AddUsers adds n users to the directory, before the server serves (the
// benchmarks need thousands of principals), and returns their ids.
func (s *Server) AddUsers(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		id := fmt.Sprintf("b0000000-0000-4000-8000-%012d", i)
		s.dir.Users[id] = tenant.User{ID: id, DisplayName: fmt.Sprintf("Bench User %d", i), UPN: fmt.Sprintf("bench%d@%s", i, s.dir.Domain)}
		ids[i] = id
	}
	return ids
}
