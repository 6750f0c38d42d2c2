package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const groupSetting = "pim_group_setting.test"

// A group's membership policy: honest defaults (active assignments
// time-bound), two-stage approval, only changed rules sent, import, the
// planned setting used by an assignment in the same plan, and destroy
// restoring the defaults.
func TestAccGroupSetting(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	setting := func(body string) string {
		return env.ProviderBlock() + fmt.Sprintf(`
resource "pim_group_setting" "test" {
  group_id  = %q
  access_id = "member"
%s
}
`, emulator.OpsGroupID, body)
	}
	hardened := `
  activation = {
    maximum_duration = "PT2H"
    approval = {
      required = true
      stages = [
        { primary_approvers = [{ type = "user", id = "` + emulator.CarolID + `" }] },
        { primary_approvers = [{ type = "group", id = "` + emulator.SecGroupID + `" }] },
      ]
    }
  }
  active_assignment = { allow_permanent = true }
`
	withAssignment := setting(hardened) + fmt.Sprintf(`
resource "pim_group_active_assignment" "breakglass" {
  group_id      = pim_group_setting.test.group_id
  access_id     = "member"
  principal_id  = %q
  justification = "permanent, as the planned setting now allows"
}
`, emulator.CarolID)
	resetCounts := func() { env.Control(t, "DELETE", "requests", "", 204) }
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		CheckDestroy: func(*terraform.State) error {
			if !emulator.RulesEqual(env.Emulator.GroupPolicyOf(emulator.OpsGroupID, "member"), emulator.DefaultGroupPolicy()) {
				return fmt.Errorf("the group's membership policy is not back at the defaults")
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: setting(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(groupSetting, tfjsonpath.New("active_assignment").AtMapKey("allow_permanent"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(groupSetting, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^Group_`+emulator.OpsGroupID+`_`))),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				PreConfig: resetCounts,
				Config:    withAssignment,
				Check: resource.ComposeAggregateTestCheckFunc(patches(t, env, 3), func(*terraform.State) error {
					p := env.Emulator.GroupPolicyOf(emulator.OpsGroupID, "member")
					if a := p.Rule("Approval_EndUser_Assignment").Approval; !a.IsApprovalRequired || len(a.Stages) != 2 {
						return fmt.Errorf("approval not applied: %+v", a)
					}
					return nil
				}),
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{ResourceName: groupSetting, ImportState: true, ImportStateVerify: true, ImportStateId: emulator.OpsGroupID + "|member"},
			{
				// An assignment must be removed before the setting forbids it again.
				Config: setting(hardened),
			},
		},
	})
}
