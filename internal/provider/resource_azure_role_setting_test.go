package provider_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const azureSetting = "pim_azure_role_setting.contributor"

// azureApprovalRule reads the emulator's Approval_EndUser_Assignment of
// Contributor at rg-app.
func azureApprovalRule(t *testing.T, env *acctest.Env) map[string]any {
	t.Helper()
	q := "&$filter=" + url.QueryEscape("roleDefinitionId eq '"+azureRole(emulator.AzureContributor)+"'")
	body := env.Call(t, http.MethodGet, azureRG+armAuthz+"roleManagementPolicyAssignments"+armPIM+q, acctest.Token, nil, http.StatusOK)
	for _, r := range body["value"].([]any)[0].(map[string]any)["properties"].(map[string]any)["effectiveRules"].([]any) {
		if rule := r.(map[string]any); rule["id"] == "Approval_EndUser_Assignment" {
			return rule["setting"].(map[string]any)
		}
	}
	t.Fatal("no approval rule")
	return nil
}

// A pim_azure_role_setting that requires approval makes an activation wait
// for the approver; the eligibility in the same configuration is checked
// against the planned setting; destroy restores the default.
func TestAccAzureRoleSetting_approvalMakesActivationWait(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := env.ProviderBlock() + fmt.Sprintf(`
resource "pim_azure_role_setting" "contributor" {
  scope              = %[1]q
  role_definition_id = %[2]q
  activation = {
    maximum_duration = "PT4H"
    approval = {
      required = true
      stages   = [{ primary_approvers = [{ type = "user", id = %[3]q }] }]
    }
  }
  eligible_assignment = {
    maximum_duration = "P90D"
  }
}

resource "pim_azure_eligible_assignment" "alice" {
  scope              = pim_azure_role_setting.contributor.scope
  role_definition_id = pim_azure_role_setting.contributor.role_definition_id
  principal_id       = %[4]q
  justification      = "on call"
  duration           = "P60D"
}
`, azureRG, azureRole(emulator.AzureContributor), emulator.CarolID, emulator.AliceID)
	activate := func(name string) map[string]any {
		return env.Call(t, http.MethodPut, azureRG+armAuthz+"roleAssignmentScheduleRequests/"+name+armPIM, acctest.UserToken(emulator.AliceID),
			map[string]any{"properties": map[string]any{"principalId": emulator.AliceID, "roleDefinitionId": azureRole(emulator.AzureContributor),
				"requestType": "SelfActivate", "justification": "deploy", "scheduleInfo": map[string]any{"expiration": map[string]any{"type": "AfterDuration", "duration": "PT2H"}}}},
			http.StatusCreated)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config: env.ProviderBlock() + fmt.Sprintf(`
resource "pim_azure_role_setting" "contributor" {
  scope               = %q
  role_definition_id  = %q
  eligible_assignment = { allow_permanent = true, maximum_duration = "P90D" }
}
`, azureRG, azureRole(emulator.AzureContributor)),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Maximum Duration With Permanent Assignments`),
			},
			{
				Config:           cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(*terraform.State) error {
					if a := azureApprovalRule(t, env); a["isApprovalRequired"] != true {
						return fmt.Errorf("approval rule at ARM: %v", a)
					}
					req := activate("33333333-0000-4000-8000-000000000001")
					if st := req["properties"].(map[string]any)["status"]; st != "PendingApproval" {
						return fmt.Errorf("Alice's activation is %v, want PendingApproval", st)
					}
					pending := env.Call(t, http.MethodGet, armAuthz+"roleAssignmentApprovals?api-version=2021-01-01-preview&$filter=asApprover()",
						acctest.UserToken(emulator.CarolID), nil, http.StatusOK)
					stages := pending["value"].([]any)[0].(map[string]any)["properties"].(map[string]any)["stages"].([]any)
					stageID := stages[0].(map[string]any)["id"].(string)
					env.Call(t, http.MethodPatch, stageID+"?api-version=2021-01-01-preview", acctest.UserToken(emulator.CarolID),
						map[string]any{"properties": map[string]any{"reviewResult": "Approve", "justification": "ok"}}, http.StatusOK)
					inst := env.Call(t, http.MethodGet, azureRG+armAuthz+"roleAssignmentScheduleInstances"+armPIM+"&$filter=asTarget()",
						acctest.UserToken(emulator.AliceID), nil, http.StatusOK)
					if len(inst["value"].([]any)) != 1 {
						return fmt.Errorf("after Carol's approval, Alice's activations: %v", inst)
					}
					return nil
				},
			},
			{ResourceName: azureSetting, ImportState: true, ImportStateVerify: true, ImportStateId: azureRG + "|" + azureRole(emulator.AzureContributor),
				ImportStateVerifyIdentifierAttribute: "scope"},
			{
				Config: cfg + `
resource "pim_azure_eligible_assignment" "too_long" {
  scope              = pim_azure_role_setting.contributor.scope
  role_definition_id = pim_azure_role_setting.contributor.role_definition_id
  principal_id       = "` + emulator.BobID + `"
  justification      = "x"
  duration           = "P120D"
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Longer Than Allowed.*P90D`),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if a := azureApprovalRule(t, env); a["isApprovalRequired"] != false {
				return fmt.Errorf("after destroy the approval rule is %v, want the default (no approval)", a)
			}
			return nil
		},
	})
}

// pim_activate, pim_approval and pim_deactivate act on Azure roles with
// scope: the activation waits for the approver the Azure role setting
// names, the approver decides it through ARM's approvals, the user ends it.
func TestActivateApproveDeactivateAnAzureRole(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	role := azureRole(emulator.AzureContributor)
	env.Call(t, http.MethodPut, azureRG+armAuthz+"roleEligibilityScheduleRequests/44444444-0000-4000-8000-000000000001"+armPIM, acctest.Token,
		map[string]any{"properties": map[string]any{"principalId": emulator.AliceID, "roleDefinitionId": role, "requestType": "AdminAssign",
			"justification": "rota", "scheduleInfo": map[string]any{"expiration": map[string]any{"type": "AfterDuration", "duration": "P30D"}}}}, http.StatusCreated)
	q := "&$filter=" + url.QueryEscape("roleDefinitionId eq '"+role+"'")
	policyID := env.Call(t, http.MethodGet, azureRG+armAuthz+"roleManagementPolicyAssignments"+armPIM+q, acctest.Token, nil, http.StatusOK)["value"].([]any)[0].(map[string]any)["properties"].(map[string]any)["policyId"].(string)
	env.Call(t, http.MethodPatch, policyID+armPIM, acctest.Token, map[string]any{"properties": map[string]any{"rules": []any{map[string]any{
		"id": "Approval_EndUser_Assignment", "ruleType": "RoleManagementPolicyApprovalRule", "setting": map[string]any{"isApprovalRequired": true,
			"approvalMode": "SingleStage", "approvalStages": []any{map[string]any{"approvalStageTimeOutInDays": 1, "primaryApprovers": []any{
				map[string]any{"id": emulator.CarolID, "userType": "User"}}}}}}}}}, http.StatusOK)

	alice, carol := newProtocol(t, env, acctest.UserToken(emulator.AliceID)), newProtocol(t, env, acctest.UserToken(emulator.CarolID))
	target := map[string]tftypes.Value{"role_definition_id": str(role), "scope": str(azureRG)}
	activate := map[string]tftypes.Value{"role_definition_id": str(role), "scope": str(azureRG), "duration": str("PT2H"), "justification": str("deploy")}
	if _, diags := alice.invoke("pim_activate", map[string]tftypes.Value{"role_definition_id": str(emulator.AzureContributor), "scope": str(azureRG),
		"duration": str("PT2H")}); len(diags) != 1 || diags[0].Summary != "Role And Scope Do Not Match" {
		t.Fatalf("a bare GUID with scope: %v", summaries(diags))
	}
	_, diags := alice.invoke("pim_activate", activate)
	if len(diags) != 1 || diags[0].Summary != "Activation Requires Approval" || !strings.Contains(diags[0].Detail, `Azure role "Contributor"`) {
		t.Fatalf("pending activation: %v %s", summaries(diags), diags[0].Detail)
	}
	decide := map[string]tftypes.Value{"principal_id": str(emulator.AliceID), "role_definition_id": str(role), "scope": str(azureRG),
		"decision": str("approve"), "justification": str("ok")}
	msgs, diags := carol.invoke("pim_approval", decide)
	if hasErrors(diags) || len(msgs) != 2 || !strings.HasSuffix(msgs[1], "approved: the activation takes effect") {
		t.Fatalf("Carol's approval: %v %v", msgs, summaries(diags))
	}
	env.Clock.Advance(6 * time.Minute)
	if msgs, diags := alice.invoke("pim_deactivate", target); hasErrors(diags) || len(msgs) != 2 {
		t.Fatalf("deactivation: %v %v", msgs, summaries(diags))
	}
	inst := env.Call(t, http.MethodGet, azureRG+armAuthz+"roleAssignmentScheduleInstances"+armPIM+"&$filter=asTarget()", acctest.UserToken(emulator.AliceID), nil, http.StatusOK)
	if len(inst["value"].([]any)) != 0 {
		t.Fatalf("after deactivation: %v", inst)
	}
}

// Every rule family of an Azure role setting — two-stage approval with
// escalation, an authentication context, every limit and notification —
// goes through ARM's spelling and back: applied, read back with an empty
// plan, imported.
func TestAccAzureRoleSetting_everyRule(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	cfg := env.ProviderBlock() + fmt.Sprintf(`
resource "pim_azure_role_setting" "contributor" {
  scope              = %q
  role_definition_id = %q
%s}
`, azureRG, azureRole(emulator.AzureContributor), everything)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(*terraform.State) error {
					if a := azureApprovalRule(t, env); len(a["approvalStages"].([]any)) != 2 {
						return fmt.Errorf("ARM holds %v", a)
					}
					return nil
				}},
			{ResourceName: azureSetting, ImportState: true, ImportStateVerify: true, ImportStateId: azureRG + "|" + azureRole(emulator.AzureContributor),
				ImportStateVerifyIdentifierAttribute: "scope",
				// An approver's id is kept in the configuration's spelling (upper case here), as for directory roles.
				ImportStateVerifyIgnore: []string{"activation.approval.stages.0.primary_approvers"}},
		},
	})
}
