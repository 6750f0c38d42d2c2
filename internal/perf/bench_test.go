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

// spreadAssignments is n eligible assignments, one per user, spread over
// the roles (and the tenant and an administrative unit as scopes).
func spreadAssignments(users, roles []string) string {
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("locals {\n  users = [\n")
	for _, u := range users {
		fmt.Fprintf(&b, "    %q,\n", u)
	}
	b.WriteString("  ]\n  roles = [\n")
	for _, r := range roles {
		fmt.Fprintf(&b, "    %q,\n", r)
	}
	fmt.Fprintf(&b, "  ]\n}\nresource \"pim_eligible_assignment\" \"a\" {\n  count              = length(local.users)\n  principal_id       = local.users[count.index]\n"+
		"  role_definition_id = local.roles[count.index %% length(local.roles)]\n  directory_scope_id = count.index %% 2 == 0 ? \"/\" : \"/administrativeUnits/%s\"\n}\n",
		emulator.EuropeUnitID)
	return b.String()
}

// manyRoles are 17 built-in roles.
var manyRoles = []string{emulator.RoleGlobalReader, emulator.RoleUserAdministrator, emulator.RoleHelpdeskAdministrator,
	emulator.RoleSecurityAdministrator, emulator.RoleSecurityReader, emulator.RoleSecurityOperator, emulator.RoleReportsReader,
	"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "fdd7a751-b60b-444a-984c-02652fe8fa1c", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
	"c4e39bd9-1100-46d3-8c65-fb160da0071f", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e",
	"8424c6f0-a189-499e-bbd0-26c1753c96d4", "29232cdf-9323-42fd-ade2-1d097af3e4de", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
	"b0f54661-2d74-4c50-afa3-1ec803f12efe"}

// tier measures a plan of a pim resource's configuration for a tenant of n
// users, and of the floor provider's same configuration: the requests the
// plan sends, its wall time against the floor's, and the provider's peak RSS.
// With apply, the configuration is applied first and the plan is a refresh
// (a plan of 10,000 creates instead spares the bench an apply that takes
// Terraform itself the better part of an hour on two cores).
func tier(t *testing.T, n int, apply bool, pimHCL, floorHCL func(users []string) string) (requests int, floorRatio float64, rssKiB int64) {
	e := newEnv(t, n)
	pim, floor := filepath.Join(e.dir, "pim"), filepath.Join(e.dir, "floor")
	e.write(pim, pimHCL(e.users))
	e.write(floor, floorHCL(e.users))
	if apply {
		e.mustApply(pim, "-parallelism=30")
		e.mustApply(floor, "-parallelism=30")
	}
	e.tf(pim, false, "plan", "-input=false") // warm the file cache before timing
	e.control("DELETE", "requests", "")
	pimPlan, rss := e.medianPlanN(pim, true, 3)
	requests = e.requests() / 3
	floorPlan, _ := e.medianPlanN(floor, false, 3)
	t.Logf("tier of %d (applied %v): plan %d requests, plans pim %s, floor %s, rss %d MiB", n, apply, requests, pimPlan, floorPlan, rss/1024)
	return requests, pimPlan.Seconds() / floorPlan.Seconds(), rss
}

// medianPlan plans dir five times and returns the median wall time and
// the highest provider RSS seen.
func (e *env) medianPlan(dir string, sampleRSS bool) (time.Duration, int64) {
	return e.medianPlanN(dir, sampleRSS, 5)
}

// medianPlanN is medianPlan over n plans (n odd).
func (e *env) medianPlanN(dir string, sampleRSS bool, n int) (time.Duration, int64) {
	var took []time.Duration
	var peak int64
	for range n {
		r := e.tf(dir, sampleRSS, "plan", "-input=false", "-detailed-exitcode")
		if r.code != 0 && r.code != 2 { // 2: a plan with changes (a tier of new assignments)
			e.t.Fatalf("plan of %s: exit %d\n%s", dir, r.code, tail(r.out))
		}
		took = append(took, r.took)
		peak = max(peak, r.peakRSS)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	return took[n/2], peak
}

func (e *env) mustApply(dir string, args ...string) result {
	r := e.tf(dir, false, append([]string{"apply", "-auto-approve", "-input=false"}, args...)...)
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

	rolesReq, rolesRatio, rolesRSS := tier(t, 1000, true, func(u []string) string { return spreadAssignments(u, manyRoles) },
		func(u []string) string {
			return strings.Replace(spreadAssignments(u, manyRoles), "pim_eligible_assignment", "floor_eligible_assignment", 1)
		})
	bigReq, bigRatio, bigRSS := tier(t, 10000, false, func(u []string) string { return assignments("pim_eligible_assignment", u) },
		func(u []string) string { return assignments("floor_eligible_assignment", u) })

	line := fmt.Sprintf("bench: refresh_requests_1000=%d plan_ratio_1000=%.2f plan_floor_ratio_1000=%.2f apply_requests_1000=%d "+
		"apply_200_throttled_ratio=%.2f rss_mb=%d refresh_requests_1000_17_roles=%d plan_floor_ratio_1000_17_roles=%.2f "+
		"rss_mb_1000_17_roles=%d plan_requests_10000_new=%d plan_floor_ratio_10000_new=%.2f rss_mb_10000_new=%d",
		refreshRequests, pimPlan.Seconds()/dataPlan.Seconds(), pimPlan.Seconds()/floorPlan.Seconds(), applyRequests,
		r.took.Seconds()/10, rss/1024, rolesReq, rolesRatio, rolesRSS/1024, bigReq, bigRatio, bigRSS/1024)
	t.Logf("plans of 1000: pim %s, terraform_data %s, floor provider %s", pimPlan, dataPlan, floorPlan)
	fmt.Println(line)
}
