package provider_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// A setting tightened after the fact does not revoke assignments; every
// refresh says which ones break it, by name, and what to change.
func TestReadWarnsAboutAssignmentsThatBreakTheirRoleSetting(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.MakeEligible(t, emulator.AliceID, emulator.RoleHelpdeskAdministrator) // permanent
	env.Call(t, http.MethodPost, "/v1.0/roleManagement/directory/roleEligibilityScheduleRequests", acctest.Token, map[string]any{
		"action": "adminAssign", "principalId": emulator.BobID, "roleDefinitionId": emulator.RoleHelpdeskAdministrator, "directoryScopeId": "/",
		"justification": "long", "scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": "P200D"}},
	}, http.StatusCreated)
	env.MakeEligible(t, emulator.CarolID, emulator.RoleGlobalReader) // a role whose setting stays default

	strict := emulator.DefaultPolicy()
	strict.Rule("Expiration_Admin_Eligibility").IsExpirationRequired = true
	strict.Rule("Expiration_Admin_Eligibility").MaximumDuration = "P90D"
	env.Emulator.SetPolicy(emulator.RoleHelpdeskAdministrator, strict)

	p := newProtocol(t, env, acctest.Token)
	read := func(principal, role string) string {
		resp := p.read("pim_eligible_assignment", map[string]tftypes.Value{"id": str("x"), "principal_id": str(principal),
			"role_definition_id": str(role), "directory_scope_id": str("/"), "status": str("Provisioned")})
		if hasErrors(resp.Diagnostics) {
			t.Fatalf("read: %v", summaries(resp.Diagnostics))
		}
		return warning(resp.Diagnostics, "Eligible Assignment Breaks Its Role Setting")
	}
	if w := read(emulator.AliceID, emulator.RoleHelpdeskAdministrator); !strings.Contains(w, `user "Alice Analyst" (alice@contoso.example`) ||
		!strings.Contains(w, `role "Helpdesk Administrator"`) || !strings.Contains(w, "is permanent") ||
		!strings.Contains(w, "eligible_assignment.allow_permanent = false") || !strings.Contains(w, "Set duration (at most P90D)") {
		t.Errorf("permanent eligibility under a setting that forbids it: warning = %q", w)
	}
	if w := read(emulator.BobID, emulator.RoleHelpdeskAdministrator); !strings.Contains(w, "longer than its PIM setting allows") ||
		!strings.Contains(w, "maximum_duration = P90D") || !strings.Contains(w, "2030-07-20T09:00:00Z") {
		t.Errorf("eligibility longer than the maximum: warning = %q", w)
	}
	if w := read(emulator.CarolID, emulator.RoleGlobalReader); w != "" {
		t.Errorf("a compliant assignment got a warning: %q", w)
	}
}

// Making the tenant's last permanent active Global Administrator time-bound
// is allowed, and warned about at plan time.
func TestPlanWarnsWhenTheLastPermanentGlobalAdministratorBecomesTimeBound(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	p := newProtocol(t, env, acctest.Token)
	prior := map[string]tftypes.Value{"id": str("x"), "principal_id": str(emulator.AdminID), "role_definition_id": str(emulator.RoleGlobalAdministrator),
		"directory_scope_id": str("/"), "status": str("Provisioned"), "start_date_time": str("2030-01-01T09:00:00Z")}
	config := map[string]tftypes.Value{"principal_id": str(emulator.AdminID), "role_definition_id": str(emulator.RoleGlobalAdministrator),
		"duration": str("P30D"), "justification": str("rotate")}
	const summary = "Last Permanent Global Administrator Made Time-Bound"
	// A permanent Global Administrator that starts next month does not count:
	// until it starts, no one else holds the role.
	env.Call(t, http.MethodPost, "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests", acctest.Token, map[string]any{
		"action": "adminAssign", "principalId": emulator.BobID, "roleDefinitionId": emulator.RoleGlobalAdministrator, "directoryScopeId": "/",
		"justification": "later", "scheduleInfo": map[string]any{"startDateTime": "2030-02-01T00:00:00Z", "expiration": map[string]any{"type": "noExpiration"}},
	}, http.StatusCreated)
	resp := p.planUpdate("pim_active_assignment", prior, config)
	if w := warning(resp.Diagnostics, summary); !strings.Contains(w, `user "Avery Admin"`) || !strings.Contains(w, "break-glass") {
		t.Fatalf("diagnostics %v; warning = %q", summaries(resp.Diagnostics), w)
	}
	// With a second permanent Global Administrator there is nothing to warn about.
	env.Call(t, http.MethodPost, "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests", acctest.Token, map[string]any{
		"action": "adminAssign", "principalId": emulator.CarolID, "roleDefinitionId": emulator.RoleGlobalAdministrator, "directoryScopeId": "/",
		"justification": "break-glass", "scheduleInfo": map[string]any{"expiration": map[string]any{"type": "noExpiration"}},
	}, http.StatusCreated)
	q := newProtocol(t, env, acctest.Token)
	if w := warning(q.planUpdate("pim_active_assignment", prior, config).Diagnostics, summary); w != "" {
		t.Fatalf("warned although another permanent Global Administrator remains: %q", w)
	}
}
