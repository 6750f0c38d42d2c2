//go:build perf

package perf

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const header = "terraform {\n  required_providers {\n    pim   = { source = \"pim-as-code/pim\" }\n    floor = { source = \"perf/floor\" }\n  }\n}\nprovider \"pim\" {}\n"

// assignments is n eligible assignments, one per user, of one resource type.
func assignments(typ string, users []string) string {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("locals {\n  users = [\n")
	for _, u := range users {
		fmt.Fprintf(&b, "    %q,\n", u)
	}
	fmt.Fprintf(&b, "  ]\n}\nresource %q \"a\" {\n  count              = length(local.users)\n  principal_id       = local.users[count.index]\n  role_definition_id = %q\n}\n",
		typ, emulator.RoleGlobalReader)
	return b.String()
}

// medianPlan plans dir five times and returns the median wall time and
// the highest provider RSS seen.
func (e *env) medianPlan(dir string, sampleRSS bool) (time.Duration, int64) {
	var took []time.Duration
	var peak int64
	for range 5 {
		r := e.tf(dir, sampleRSS, "plan", "-input=false", "-detailed-exitcode")
		if r.code != 0 {
			e.t.Fatalf("plan of %s: exit %d\n%s", dir, r.code, tail(r.out))
		}
		took = append(took, r.took)
		peak = max(peak, r.peakRSS)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	return took[2], peak
}

func (e *env) mustApply(dir string) result {
	r := e.tf(dir, false, "apply", "-auto-approve", "-input=false")
	if r.code != 0 {
		e.t.Fatalf("apply of %s: exit %d\n%s", dir, r.code, tail(r.out))
	}
	return r
}

// TestBench measures what the targets name and prints one line.
func TestBench(t *testing.T) {
	e := newEnv(t, 1000)
	pim, data, floor := filepath.Join(e.dir, "pim"), filepath.Join(e.dir, "data"), filepath.Join(e.dir, "floor")
	e.write(pim, assignments("pim_eligible_assignment", e.users))
	e.control("DELETE", "requests", "")
	e.mustApply(pim)
	applyRequests := e.requests()
	e.control("DELETE", "requests", "")
	e.tf(pim, false, "plan", "-input=false") // warm the file cache before timing
	refreshRequests := e.requests()
	pimPlan, rss := e.medianPlan(pim, true)

	e.write(data, header+"resource \"terraform_data\" \"a\" {\n  count = 1000\n  input = \"x\"\n}\n")
	e.mustApply(data)
	dataPlan, _ := e.medianPlan(data, false)
	e.write(floor, assignments("floor_eligible_assignment", e.users))
	e.mustApply(floor)
	floorPlan, _ := e.medianPlan(floor, false)

	throttled := newEnv(t, 200)
	dir := filepath.Join(throttled.dir, "throttled")
	throttled.write(dir, assignments("pim_eligible_assignment", throttled.users))
	throttled.control("PUT", "faults", `{"throttle":{"rate":20,"burst":20}}`)
	r := throttled.tf(dir, false, "apply", "-auto-approve", "-input=false")
	if r.code != 0 || r.errCount != 0 {
		t.Errorf("throttled apply of 200: exit %d, %d errors\n%s", r.code, r.errCount, tail(r.out))
	}
	t.Logf("throttled apply: %s, requests %s", r.took, throttled.control("GET", "requests", "")[:200])

	line := fmt.Sprintf("bench: refresh_requests_1000=%d plan_ratio_1000=%.2f plan_floor_ratio_1000=%.2f apply_requests_1000=%d apply_200_throttled_ratio=%.2f rss_mb=%d",
		refreshRequests, pimPlan.Seconds()/dataPlan.Seconds(), pimPlan.Seconds()/floorPlan.Seconds(), applyRequests,
		r.took.Seconds()/10, rss/1024)
	t.Logf("plans of 1000: pim %s, terraform_data %s, floor provider %s", pimPlan, dataPlan, floorPlan)
	fmt.Println(line)
}
