package provider_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const setting = "pim_role_setting.test"

func settingConfig(env *acctest.Env, role, body string) string {
	return env.ProviderBlock() + fmt.Sprintf(`
resource "pim_role_setting" "test" {
  role_definition_id = %q
%s
}
`, role, body)
}

// checkDefaults fails unless the emulator holds the documented default policy.
func checkDefaults(env *acctest.Env, role string) func(*terraform.State) error {
	return func(*terraform.State) error {
		if !emulator.RulesEqual(env.Emulator.PolicyOf(role), emulator.DefaultPolicy()) {
			return fmt.Errorf("the PIM policy of %s is not the documented default", role)
		}
		return nil
	}
}

// Every setting differs from the default here: all 17 rules change.
const everything = `
  activation = {
    maximum_duration                   = "PT4H"
    require_mfa                        = false
    require_justification              = true
    require_ticket_info                = true
    authentication_context_claim_value = "c1"
    approval = {
      required               = true
      required_for_extension = true
      stages = [
        {
          timeout_in_days   = 2
          primary_approvers = [{ type = "user", id = "A11CE000-0000-4000-8000-000000000004" }, { type = "group", id = "6e0c0000-0000-4000-8000-000000000002" }]
        },
        {
          require_approver_justification = false
          escalation_enabled             = true
          escalation_time_in_minutes     = 120
          primary_approvers              = [{ type = "user", id = "a11ce000-0000-4000-8000-000000000001" }]
          escalation_approvers           = [{ type = "group", id = "6e0c0000-0000-4000-8000-000000000001" }]
        },
      ]
    }
  }
  eligible_assignment = {
    allow_permanent       = false
    maximum_duration      = "P90D"
    require_justification = true
    require_ticket_info   = true
  }
  active_assignment = {
    allow_permanent       = false
    maximum_duration      = "P30D"
    require_mfa           = true
    require_justification = false
  }
  notifications = {
    eligible_assignment = {
      admin     = { additional_recipients = ["SecOps@Contoso.example"], critical_only = true }
      requestor = { default_recipients = false }
      approver  = { critical_only = true }
    }
    active_assignment = {
      admin     = { default_recipients = false, additional_recipients = ["audit@contoso.example", "soc@contoso.example"] }
      requestor = { critical_only = true }
      approver  = { default_recipients = false }
    }
    activation = {
      admin     = { critical_only = true }
      requestor = { additional_recipients = ["me@contoso.example"] }
      approver  = { default_recipients = false, critical_only = true }
    }
  }
`

func TestAccRoleSetting_defaultsImportAndDestroy(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	role := emulator.RoleUserAdministrator
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		CheckDestroy:             checkDefaults(env, role),
		Steps: []resource.TestStep{
			{
				Config: settingConfig(env, role, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(setting, tfjsonpath.New("activation").AtMapKey("maximum_duration"), knownvalue.StringExact("PT8H")),
					statecheck.ExpectKnownValue(setting, tfjsonpath.New("activation").AtMapKey("require_mfa"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(setting, tfjsonpath.New("activation").AtMapKey("approval").AtMapKey("stages"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue(setting, tfjsonpath.New("eligible_assignment").AtMapKey("maximum_duration"), knownvalue.StringExact("P365D")),
					statecheck.ExpectKnownValue(setting, tfjsonpath.New("active_assignment").AtMapKey("require_justification"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(setting, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^DirectoryRole_`))),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            checkDefaults(env, role),
			},
			{ResourceName: setting, ImportState: true, ImportStateVerify: true, ImportStateId: role},
		},
	})
}

func TestAccRoleSetting_everyRuleRoundTripsAndReturnsToDefaults(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	role := emulator.RoleSecurityAdministrator
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		CheckDestroy:             checkDefaults(env, role),
		Steps: []resource.TestStep{
			{
				// One apply sets all 17 rules; the next plan is empty.
				Config:           settingConfig(env, role, everything),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: func(*terraform.State) error {
					p, def := env.Emulator.PolicyOf(role), emulator.DefaultPolicy()
					for id := range def.Rules {
						if emulator.RuleEqual(p.Rule(id), def.Rule(id)) {
							return fmt.Errorf("rule %s still has its default value", id)
						}
					}
					a := p.Rule("Approval_EndUser_Assignment").Approval
					if !a.IsApprovalRequired || a.ApprovalMode != "Serial" || len(a.Stages) != 2 || len(a.Stages[0].PrimaryApprovers) != 2 ||
						a.Stages[1].EscalationTimeInMinutes != 120 || a.Stages[1].EscalationApprovers[0].GroupID != emulator.OpsGroupID {
						return fmt.Errorf("approval rule in the emulator: %+v", a)
					}
					if r := p.Rule("AuthenticationContext_EndUser_Assignment"); !r.IsEnabled || r.ClaimValue != "c1" {
						return fmt.Errorf("authentication context rule: %+v", r)
					}
					if r := p.Rule("Notification_Admin_Admin_Assignment"); r.IsDefaultRecipientsEnabled || len(r.NotificationRecipients) != 2 {
						return fmt.Errorf("notification rule: %+v", r)
					}
					return nil
				},
			},
			{
				ResourceName: setting, ImportState: true, ImportStateVerify: true, ImportStateId: role,
				// Graph returns object ids in lower case; the configuration's upper-case
				// approver id is kept in state (no diff) but cannot be recovered by import.
				ImportStateVerifyIgnore: []string{"activation.approval.stages.0.primary_approvers"},
			},
			{
				// Turning approval off gives no diff afterwards.
				Config: settingConfig(env, role, `
  activation = {
    require_mfa = false
    authentication_context_claim_value = "c1"
    approval = { required = false }
  }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(setting, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(setting, tfjsonpath.New("activation").AtMapKey("approval").AtMapKey("required"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(setting, tfjsonpath.New("activation").AtMapKey("approval").AtMapKey("stages"), knownvalue.ListSizeExact(1)),
				},
			},
			{
				// Removing every setting means the documented defaults, and a
				// second plan is empty (no stale Optional+Computed values).
				Config:           settingConfig(env, role, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check:            checkDefaults(env, role),
			},
		},
	})
}

func TestAccRoleSetting_driftIsReverted(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	role := emulator.RoleHelpdeskAdministrator
	cfg := settingConfig(env, role, `  activation = { maximum_duration = "PT2H" }`)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() {
					p := env.Emulator.PolicyOf(role)
					p.Rule("Expiration_EndUser_Assignment").MaximumDuration = "PT12H"
					p.Rule("Enablement_Admin_Eligibility").EnabledRules = []string{"Ticketing"}
					env.Emulator.SetPolicy(role, p)
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(setting, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					p := env.Emulator.PolicyOf(role)
					if got := p.Rule("Expiration_EndUser_Assignment").MaximumDuration; got != "PT2H" {
						return fmt.Errorf("activation maximum after apply: %s", got)
					}
					if got := p.Rule("Enablement_Admin_Eligibility").EnabledRules; len(got) != 0 {
						return fmt.Errorf("eligibility requirements after apply: %v", got)
					}
					return nil
				},
			},
		},
	})
}

func TestAccRoleSetting_invalidCombinationsAtPlanTime(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	role := emulator.RoleGlobalReader
	cases := map[string]string{
		`(?s)Conflicting Activation Requirements`:                         `  activation = { authentication_context_claim_value = "c2" }`,
		`(?s)Escalation Without Approvers`:                                `  activation = { approval = { required = true, stages = [{ escalation_enabled = true, escalation_time_in_minutes = 60 }] } }`,
		`(?s)Escalation Without Delay`:                                    `  activation = { approval = { stages = [{ escalation_enabled = true, escalation_approvers = [{ type = "user", id = "a11ce000-0000-4000-8000-000000000001" }] }] } }`,
		`(?s)stages.*list must contain at least 1 elements and at most 2`: `  activation = { approval = { stages = [{}, {}, {}] } }`,
		`(?s)Duration Out Of Range.*PT25H`:                                `  activation = { maximum_duration = "PT25H" }`,
		`(?s)must be an authentication context id`:                        `  activation = { require_mfa = false, authentication_context_claim_value = "strong" }`,
		`(?s)must be an email address`:                                    `  notifications = { activation = { admin = { additional_recipients = ["nobody"] } } }`,
		`(?s)value must be one of.*"user".*"group"`:                       `  activation = { approval = { stages = [{ primary_approvers = [{ type = "robot", id = "a11ce000-0000-4000-8000-000000000001" }] }] } }`,
	}
	var steps []resource.TestStep
	for re, body := range cases {
		// Terraform wraps long messages: any space may become a line break.
		re = strings.ReplaceAll(re, " ", `\s+`)
		steps = append(steps, resource.TestStep{Config: settingConfig(env, role, body), PlanOnly: true, ExpectError: regexp.MustCompile(re)})
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(env), Steps: steps})
}

// A rule Graph refuses (here: an approver who does not exist) fails the
// apply, and the rules already changed in that apply are restored: no
// half-applied policy (azuread#1517, azurerm#28913).
func TestAccRoleSetting_failedApplyRollsBack(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	role := emulator.RoleGlobalReader
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config: settingConfig(env, role, `
  eligible_assignment = { allow_permanent = false, maximum_duration = "P30D" }
  active_assignment   = { require_ticket_info = true }
  activation = {
    approval = {
      required = true
      stages   = [{ primary_approvers = [{ type = "user", id = "00000000-0000-4000-8000-00000000dead" }] }]
    }
  }`),
				ExpectError: regexp.MustCompile(`(?s)Unable to Update Role Setting.*Approval_EndUser_Assignment.*InvalidPolicyRule.*does not exist in this tenant.*were\s+restored`),
			},
		},
	})
	// Asserted after the run: a Check on a plan-only step would never execute.
	if !emulator.RulesEqual(env.Emulator.PolicyOf(role), emulator.DefaultPolicy()) {
		t.Error("a failed apply left part of the role setting changed")
	}
}

// An assignment planned together with the role setting it depends on is
// checked against the planned setting, not the current one.
func TestAccRoleSetting_assignmentCheckedAgainstPlannedSetting(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	role := emulator.RoleHelpdeskAdministrator
	withAssignment := func(extra string) string {
		return settingConfig(env, role, `  eligible_assignment = { allow_permanent = false, maximum_duration = "P30D" }`) + fmt.Sprintf(`
resource "pim_eligible_assignment" "test" {
  principal_id       = %q
  role_definition_id = pim_role_setting.test.role_definition_id
%s
}
`, emulator.AliceID, extra)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config:      withAssignment(""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Permanent Eligible Assignment Not Allowed.*planned\s+pim_role_setting\s+of\s+role`),
			},
			{
				Config:      withAssignment(`  duration = "P60D"`),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Eligible Assignment Longer Than Allowed.*P30D`),
			},
			{
				Config:           withAssignment(`  duration = "P30D"`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// Destroying a role setting restores the defaults, and its plan says,
// setting by setting, what that resets; keep_on_destroy keeps the policy as
// it is instead, and then the plan has nothing to warn about.
func TestRoleSettingDestroyWarnsOrKeeps(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	hardened := emulator.DefaultPolicy()
	hardened.Rule("Approval_EndUser_Assignment").Approval.IsApprovalRequired = true
	hardened.Rule("Approval_EndUser_Assignment").Approval.ApprovalMode = "SingleStage"
	hardened.Rule("Approval_EndUser_Assignment").Approval.Stages = []emulator.ApprovalStage{{TimeoutInDays: 1,
		PrimaryApprovers: []emulator.Approver{{UserID: emulator.CarolID}}}}
	env.Emulator.SetPolicy(emulator.RoleHelpdeskAdministrator, hardened)
	p := newProtocol(t, env, acctest.Token)
	const summary = "Destroying Resets The PIM Setting"
	read := p.importAndRead("pim_role_setting", emulator.RoleHelpdeskAdministrator)
	if w := warning(p.planDestroy("pim_role_setting", read.NewState).Diagnostics, summary); !strings.Contains(w, "activation.approval.required: true → false") ||
		!strings.Contains(w, "keep_on_destroy") {
		t.Fatalf("destroy plan warning = %q", w)
	}
	typ := p.schemas.ResourceSchemas["pim_role_setting"].ValueType()
	state := p.decode(read.NewState, typ)
	state["keep_on_destroy"] = tftypes.NewValue(tftypes.Bool, true)
	kept := p.value(p.schemas.ResourceSchemas["pim_role_setting"], state)
	if w := warning(p.planDestroy("pim_role_setting", kept).Diagnostics, summary); w != "" {
		t.Errorf("keep_on_destroy still warns: %q", w)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				ResourceName: "pim_role_setting.test", ImportState: true, ImportStatePersist: true, ImportStateId: emulator.RoleHelpdeskAdministrator,
				Config: settingConfig(env, emulator.RoleHelpdeskAdministrator, "  keep_on_destroy = true"),
			},
			{Config: settingConfig(env, emulator.RoleHelpdeskAdministrator, `  keep_on_destroy = true
  activation = {
    approval = {
      required = true
      stages   = [{ primary_approvers = [{ type = "user", id = "`+emulator.CarolID+`" }] }]
    }
  }`)},
			{
				Config: env.ProviderBlock(),
				Check: func(*terraform.State) error {
					if !env.Emulator.PolicyOf(emulator.RoleHelpdeskAdministrator).Rule("Approval_EndUser_Assignment").Approval.IsApprovalRequired {
						return fmt.Errorf("destroy with keep_on_destroy restored the defaults")
					}
					return nil
				},
			},
		},
	})
}

// A notification with 10,000 recipients fails at plan, on the attribute, in
// moments (it used to hang the plan for minutes).
func TestAccRoleSetting_tooManyRecipientsFailsThePlan(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	addrs := make([]string, 10000)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("%q", fmt.Sprintf("person%d@contoso.example", i))
	}
	body := fmt.Sprintf("  notifications = {\n    activation = {\n      admin = { additional_recipients = [%s] }\n    }\n  }", strings.Join(addrs, ", "))
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			Config:      settingConfig(env, emulator.RoleHelpdeskAdministrator, body),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)additional_recipients.*at most 100`),
		}},
	})
}
