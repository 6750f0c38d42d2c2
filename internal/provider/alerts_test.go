package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

func alertSettingConfig(env *acctest.Env, count int, extra string) string {
	deps := "pim_alert_setting.ga"
	if extra != "" {
		deps += ", pim_eligible_assignment.ga_alice, pim_eligible_assignment.ga_bob"
	}
	return env.ProviderBlock() + fmt.Sprintf(`
resource "pim_alert_setting" "ga" {
  alert_type                        = "TooManyGlobalAdminsAssignedToTenantAlert"
  global_admin_count_threshold      = %d
  global_admin_percentage_threshold = 10
}

data "pim_alerts" "now" {
  refresh    = true
  depends_on = [%s]
}
%s`, count, deps, extra)
}

const gaEligibilities = `
resource "pim_eligible_assignment" "ga_alice" {
  principal_id       = "` + emulator.AliceID + `"
  role_definition_id = "` + emulator.RoleGlobalAdministrator + `"
  justification      = "break-glass rota"
}

resource "pim_eligible_assignment" "ga_bob" {
  principal_id       = "` + emulator.BobID + `"
  role_definition_id = "` + emulator.RoleGlobalAdministrator + `"
  justification      = "break-glass rota"
}`

// gaAlert finds the Global Administrator alert in pim_alerts' state.
func gaAlert(s *terraform.State) (map[string]string, error) {
	ds := s.RootModule().Resources["data.pim_alerts.now"]
	if ds == nil {
		return nil, fmt.Errorf("no data.pim_alerts.now")
	}
	a := ds.Primary.Attributes
	for i := 0; i < 7; i++ {
		if a[fmt.Sprintf("alerts.%d.alert_type", i)] == "TooManyGlobalAdminsAssignedToTenantAlert" {
			out := map[string]string{}
			prefix := fmt.Sprintf("alerts.%d.", i)
			for k, v := range a {
				if rest, ok := strings.CutPrefix(k, prefix); ok {
					out[rest] = v
				}
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("no Global Administrator alert in %v", a)
}

// The walk-through: pim_alert_setting lowers the threshold, the
// configuration adds eligible Global Administrators past it, a refresh
// shows one incident per administrator by name, and raising the threshold
// clears it; destroy restores the default thresholds.
func TestAccAlertSetting_globalAdministrators(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		CheckDestroy: func(*terraform.State) error {
			m := env.Call(t, "GET", "/beta/identityGovernance/roleManagementAlerts/alertConfigurations?$filter="+
				"scopeId%20eq%20'/'%20and%20scopeType%20eq%20'DirectoryRole'&$top=10", acctest.Token, nil, http.StatusOK)
			for _, c := range m["value"].([]any) {
				if c := c.(map[string]any); c["globalAdminCountThreshold"] != nil && c["globalAdminCountThreshold"] != 3.0 {
					return fmt.Errorf("destroy left the threshold at %v, want the default 3", c["globalAdminCountThreshold"])
				}
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: alertSettingConfig(env, 2, ""),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("pim_alert_setting.ga", "global_admin_count_threshold", "2"),
					resource.TestCheckResourceAttr("pim_alert_setting.ga", "enabled", "true"),
					func(s *terraform.State) error {
						a, err := gaAlert(s)
						if err == nil && (a["is_active"] != "false" || a["incident_count"] != "0") {
							err = fmt.Errorf("one Global Administrator raised the alert: %v", a)
						}
						return err
					}),
			},
			{
				Config: alertSettingConfig(env, 2, gaEligibilities),
				Check: func(s *terraform.State) error {
					a, err := gaAlert(s)
					if err != nil {
						return err
					}
					if a["is_active"] != "true" || a["incident_count"] != "3" || a["severity"] != "low" {
						return fmt.Errorf("three Global Administrators, threshold 2: %v", a)
					}
					names := map[string]bool{}
					for i := 0; i < 3; i++ {
						names[a[fmt.Sprintf("incidents.%d.principal_display_name", i)]] = true
					}
					if !names["Alice Analyst"] || !names["Bob Builder"] {
						return fmt.Errorf("incidents do not name the administrators: %v", a)
					}
					return nil
				},
			},
			{
				Config: alertSettingConfig(env, 10, gaEligibilities),
				Check: func(s *terraform.State) error {
					a, err := gaAlert(s)
					if err == nil && (a["is_active"] != "false" || a["incident_count"] != "0") {
						err = fmt.Errorf("raising the threshold did not clear the alert: %v", a)
					}
					return err
				},
			},
			{ResourceName: "pim_alert_setting.ga", ImportState: true, ImportStateId: "TooManyGlobalAdminsAssignedToTenantAlert", ImportStateVerify: true},
		},
	})
}

// A plan that makes the tenant cross the Global Administrator alert's
// thresholds says so before anything changes, naming the alert and its
// thresholds; under them, it says nothing.
func TestPlanForeseesTheGlobalAdministratorAlert(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	setCount := func(n int) {
		env.Call(t, "PATCH", "/beta/identityGovernance/roleManagementAlerts/alertConfigurations/DirectoryRole_"+emulator.DefaultTenantID+
			"_TooManyGlobalAdminsAssignedToTenantAlert", acctest.Token, map[string]any{
			"@odata.type":               "#microsoft.graph.tooManyGlobalAdminsAssignedToTenantAlertConfiguration",
			"globalAdminCountThreshold": n}, http.StatusNoContent)
	}
	plan := func() []*tfprotov6.Diagnostic {
		p := newProtocol(t, env, acctest.Token)
		return p.planCreate("pim_eligible_assignment", map[string]tftypes.Value{"principal_id": str(emulator.AliceID),
			"role_definition_id": str(emulator.RoleGlobalAdministrator), "justification": str("x")}).Diagnostics
	}
	setCount(2)
	var found *tfprotov6.Diagnostic
	for _, d := range plan() {
		if d.Summary == "This Plan Raises A PIM Alert" {
			found = d
		}
	}
	if found == nil || found.Severity != tfprotov6.DiagnosticSeverityWarning ||
		!strings.Contains(found.Detail, "There are too many global administrators") || !strings.Contains(found.Detail, "2 administrators and 10%") {
		t.Fatalf("warning %+v", found)
	}
	setCount(5)
	for _, d := range plan() {
		if d.Summary == "This Plan Raises A PIM Alert" {
			t.Errorf("a plan under the thresholds warned: %s", d.Detail)
		}
	}
}

// Bad input fails at plan, naming the attribute: a threshold the alert
// type does not take, one out of Graph's range, an unknown alert type.
func TestAccAlertSetting_badInput(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cases := map[string]string{
		`alert_type = "StaleSignInAlert"` + "\n  global_admin_count_threshold = 4":                         `(?s)Threshold Not Taken By This Alert.*global_admin_count_threshold`,
		`alert_type = "StaleSignInAlert"` + "\n  duration_in_days = 400":                                   `(?s)duration_in_days.*1 to 365`,
		`alert_type = "RedundantAssignmentAlert"` + "\n  duration_in_days = 101":                           `(?s)duration_in_days.*0 to 100`,
		`alert_type = "TooManyGlobalAdminsAssignedToTenantAlert"` + "\n  global_admin_count_threshold = 1": `(?s)global_admin_count_threshold.*between 2 and 100`,
		`alert_type = "NoSuchAlert"`: `(?s)alert_type.*TooManyGlobalAdminsAssignedToTenantAlert`,
	}
	var steps []resource.TestStep
	for body, want := range cases {
		steps = append(steps, resource.TestStep{Config: env.ProviderBlock() + "resource \"pim_alert_setting\" \"x\" {\n  " + body + "\n}\n",
			PlanOnly: true, ExpectError: regexp.MustCompile(want)})
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(env), Steps: steps})
}

// pim_alert_dismiss stops an active alert; pim_alert_refresh rescans and
// brings it back, saying which alerts are active.
func TestAlertActions(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.Call(t, "POST", "/v1.0/roleManagement/directory/roleAssignments", acctest.Token, map[string]any{"principalId": emulator.CarolID,
		"roleDefinitionId": emulator.RoleUserAdministrator, "directoryScopeId": "/"}, http.StatusCreated)
	p := newProtocol(t, env, acctest.Token)
	outside := map[string]tftypes.Value{"alert_type": str("RolesAssignedOutsidePimAlert")}
	progress, diags := p.invoke("pim_alert_refresh", outside)
	if hasErrors(diags) || !strings.Contains(strings.Join(progress, "\n"), "Active: Roles are being assigned outside of Privileged Identity Management (1 incidents)") {
		t.Fatalf("refresh: %v %v", progress, summaries(diags))
	}
	if _, diags := p.invoke("pim_alert_dismiss", outside); hasErrors(diags) {
		t.Fatalf("dismiss: %v", summaries(diags))
	}
	alert := env.Call(t, "GET", "/beta/identityGovernance/roleManagementAlerts/alerts/DirectoryRole_"+emulator.DefaultTenantID+
		"_RolesAssignedOutsidePimAlert", acctest.Token, nil, http.StatusOK)
	if alert["isActive"] != false {
		t.Errorf("after dismiss: %v", alert)
	}
	if progress, _ := p.invoke("pim_alert_refresh", map[string]tftypes.Value{}); !strings.Contains(strings.Join(progress, "\n"), "assigned outside") {
		t.Errorf("a refresh of all did not reactivate the dismissed alert: %v", progress)
	}
}

// A role setting that lets a privileged role be activated without MFA
// warns in the plan that PIM will raise its alert; one that keeps MFA, or
// a role that is not privileged, does not.
func TestPlanForeseesTheNoMfaAlert(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	warned := func(role string, mfa bool) bool {
		p := newProtocol(t, env, acctest.Token)
		resp := p.planCreate("pim_role_setting", map[string]tftypes.Value{"role_definition_id": str(role),
			"activation": p.object("pim_role_setting", "activation", map[string]tftypes.Value{"maximum_duration": str("PT8H"),
				"require_mfa": tftypes.NewValue(tftypes.Bool, mfa), "require_justification": tftypes.NewValue(tftypes.Bool, true)})})
		for _, d := range resp.Diagnostics {
			if d.Summary == "This Plan Raises A PIM Alert" && strings.Contains(d.Detail, "NoMfaOnRoleActivationAlert") {
				return true
			}
		}
		return false
	}
	if !warned(emulator.RoleUserAdministrator, false) {
		t.Error("dropping MFA on User Administrator did not warn")
	}
	if warned(emulator.RoleUserAdministrator, true) || warned(emulator.RoleGlobalReader, false) {
		t.Error("warned although MFA stays, or the role is not privileged")
	}
}

// object is a value of a resource's nested object attribute: the values
// given, null for the others.
func (p *protocol) object(typeName, attr string, vals map[string]tftypes.Value) tftypes.Value {
	p.t.Helper()
	for _, a := range p.schemas.ResourceSchemas[typeName].Block.Attributes {
		if a.Name != attr {
			continue
		}
		typ, _ := a.ValueType().(tftypes.Object)
		all := map[string]tftypes.Value{}
		for name, at := range typ.AttributeTypes {
			all[name] = tftypes.NewValue(at, nil)
			if v, ok := vals[name]; ok {
				all[name] = v
			}
		}
		return tftypes.NewValue(typ, all)
	}
	p.t.Fatalf("%s has no attribute %s", typeName, attr)
	return tftypes.Value{}
}
