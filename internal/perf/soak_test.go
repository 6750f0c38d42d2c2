//go:build perf

package perf

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// soakFaults: about 10 % of calls fail, of every kind: throttling with
// Retry-After, transient 5xx, writes whose answer is lost (after_commit),
// cut connections, latency; and every new schedule lags three reads.
const soakFaults = `{
  "seed": 20261126,
  "rules": [
    {"match": {"method": "POST"}, "status": 500, "after_commit": true, "rate": 0.02},
    {"match": {"method": "POST"}, "reset_connection": true, "after_commit": true, "rate": 0.02},
    {"match": {"method": "POST"}, "status": 503, "rate": 0.02},
    {"match": {"method": "POST"}, "status": 429, "retry_after": "1s", "rate": 0.01},
    {"match": {"method": "GET"}, "status": 502, "rate": 0.01},
    {"match": {"method": "GET"}, "status": 429, "retry_after": "1s", "rate": 0.01},
    {"match": {}, "status": 504, "rate": 0.01},
    {"match": {}, "latency": "20ms", "rate": 0.05}
  ],
  "replication_lag_reads": 3
}`

// soakConfig: 25 eligible and 25 active assignments; changed, the first
// five of each get a longer duration (updated in place).
func soakConfig(users []string, changed bool) string {
	var b strings.Builder
	b.WriteString("terraform {\n  required_providers {\n    pim = { source = \"pim-as-code/pim\" }\n  }\n}\nprovider \"pim\" {}\n")
	for i, u := range users {
		kind, role, extra := "eligible", emulator.RoleGlobalReader, ""
		if i >= len(users)/2 {
			kind, role, extra = "active", emulator.RoleHelpdeskAdministrator, "  justification = \"soak\"\n"
		}
		duration := "P30D"
		if changed && i%(len(users)/2) < 5 {
			duration = "P60D"
		}
		fmt.Fprintf(&b, "resource \"pim_%s_assignment\" \"u%d\" {\n  principal_id       = %q\n  role_definition_id = %q\n  duration           = %q\n%s}\n",
			kind, i, u, role, duration, extra)
	}
	return b.String()
}

// TestSoak applies, plans, changes and destroys 50 assignments under faults
// and counts what went wrong from the emulator's own state.
func TestSoak(t *testing.T) {
	e := newEnv(t, 50)
	dir := filepath.Join(e.dir, "soak")
	e.control("PUT", "faults", soakFaults)
	errs := 0
	run := func(want int, args ...string) result {
		r := e.tf(dir, false, args...)
		if r.code != want {
			errs++
			t.Logf("terraform %s: exit %d, want %d\n%s", strings.Join(args, " "), r.code, want, tail(r.out))
		}
		return r
	}
	e.write(dir, soakConfig(e.users, false))
	run(0, "apply", "-auto-approve", "-input=false")
	run(0, "plan", "-detailed-exitcode", "-input=false")
	e.write(dir, soakConfig(e.users, true))
	run(0, "apply", "-auto-approve", "-input=false")
	final := run(0, "plan", "-detailed-exitcode", "-input=false")
	duplicates := e.extraSchedules()
	e.clock.Advance(6 * time.Minute) // past the five-minute minimum of active assignments
	run(0, "destroy", "-auto-approve", "-input=false")
	orphans := len(e.userSchedules())
	line := fmt.Sprintf("soak: errors=%d duplicates=%d orphans=%d final_plan_changes=%d", errs, duplicates, orphans, planChanges(final.out))
	t.Log(e.control("GET", "faults", ""))
	fmt.Println(line)
	if line != "soak: errors=0 duplicates=0 orphans=0 final_plan_changes=0" {
		t.Error(line)
	}
}

// userSchedules are the standing schedules of the soak's users.
func (e *env) userSchedules() []emulator.ScheduleView {
	mine := map[string]bool{}
	for _, u := range e.users {
		mine[u] = true
	}
	var out []emulator.ScheduleView
	for _, k := range []emulator.Kind{emulator.Eligible, emulator.Active} {
		for _, sc := range e.srv.Schedules(k) {
			if mine[sc.PrincipalID] && !sc.Activated {
				out = append(out, sc)
			}
		}
	}
	return out
}

// extraSchedules counts schedules beyond the one each user should have.
func (e *env) extraSchedules() int {
	return max(0, len(e.userSchedules())-len(e.users))
}

func tail(s string) string {
	if len(s) > 3000 {
		return "…" + s[len(s)-3000:]
	}
	return s
}
