package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

func TestAccRoleDefinitionDataSource(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				// Invalid configurations first: the last step's configuration is destroyed.
				Config:      env.ProviderBlock() + `data "pim_role_definition" "x" { display_name = "Global Admin" }`,
				ExpectError: regexp.MustCompile(`(?s)Role Definition Not Found.*No directory role is named "Global Admin"`),
			},
			{
				Config:      env.ProviderBlock() + `data "pim_role_definition" "x" {}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured: \[id,display_name\]`),
			},
			{
				Config: env.ProviderBlock() + `
data "pim_role_definition" "by_name" {
  display_name = "privileged role administrator"
}
data "pim_role_definition" "by_id" {
  id = "62e90394-69f5-4237-9190-012177145e10"
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.pim_role_definition.by_name", tfjsonpath.New("id"), knownvalue.StringExact(emulator.RolePrivilegedRoleAdministrator)),
					statecheck.ExpectKnownValue("data.pim_role_definition.by_name", tfjsonpath.New("display_name"), knownvalue.StringExact("Privileged Role Administrator")),
					statecheck.ExpectKnownValue("data.pim_role_definition.by_id", tfjsonpath.New("display_name"), knownvalue.StringExact("Global Administrator")),
					statecheck.ExpectKnownValue("data.pim_role_definition.by_id", tfjsonpath.New("is_built_in"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

// A check block flags principals that hold a privileged role but are not
// managed by this configuration.
func TestAccAssignmentsDataSource_unmanagedPrincipals(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.MakeEligible(t, emulator.BobID, emulator.RoleGlobalReader)            // outside Terraform
	env.MakeEligible(t, emulator.OpsGroupID, emulator.RoleGlobalReader)       // outside Terraform, via a group
	env.MakeEligible(t, emulator.CarolID, emulator.RoleHelpdeskAdministrator) // another role
	cfg := env.ProviderBlock() + fmt.Sprintf(`
locals {
  managed = [pim_eligible_assignment.alice.principal_id]
}
resource "pim_eligible_assignment" "alice" {
  principal_id       = %[1]q
  role_definition_id = %[2]q
}
data "pim_eligible_assignments" "readers" {
  role_definition_id = pim_eligible_assignment.alice.role_definition_id
}
data "pim_eligible_assignments" "readers_with_groups" {
  role_definition_id = pim_eligible_assignment.alice.role_definition_id
  include_inherited  = true
}
data "pim_active_assignments" "admin" {
  principal_id = %[3]q
}
data "pim_eligible_assignments" "in_an_administrative_unit" {
  directory_scope_id = "/administrativeUnits/0a0a0a0a-0000-4000-8000-000000000001"
}
output "unmanaged" {
  value = setsubtract(data.pim_eligible_assignments.readers.principal_ids, local.managed)
}
check "no_unmanaged_global_readers" {
  assert {
    condition     = length(setsubtract(data.pim_eligible_assignments.readers.principal_ids, local.managed)) == 0
    error_message = "Principals eligible for Global Reader outside this configuration."
  }
}
`, emulator.AliceID, emulator.RoleGlobalReader, emulator.AdminID)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			Config: cfg,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("unmanaged", knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact(emulator.OpsGroupID), knownvalue.StringExact(emulator.BobID),
				})),
				statecheck.ExpectKnownValue("data.pim_eligible_assignments.readers", tfjsonpath.New("assignments"), knownvalue.ListSizeExact(3)),
				// Bob and Dave inherit the group's eligibility (member_type Group).
				statecheck.ExpectKnownValue("data.pim_eligible_assignments.readers_with_groups", tfjsonpath.New("assignments"), knownvalue.ListSizeExact(5)),
				statecheck.ExpectKnownValue("data.pim_active_assignments.admin", tfjsonpath.New("principal_ids"), knownvalue.SetExact([]knownvalue.Check{
					knownvalue.StringExact(emulator.AdminID),
				})),
				statecheck.ExpectKnownValue("data.pim_active_assignments.admin", tfjsonpath.New("assignments").AtSliceIndex(0).AtMapKey("assignment_type"), knownvalue.StringExact("Assigned")),
				statecheck.ExpectKnownValue("data.pim_eligible_assignments.in_an_administrative_unit", tfjsonpath.New("assignments"), knownvalue.ListSizeExact(0)),
			},
		}},
	})
}

func TestAccActivationsDataSource(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.MakeEligible(t, emulator.AliceID, emulator.RoleHelpdeskAdministrator)
	env.MakeEligible(t, emulator.BobID, emulator.RoleGlobalReader)
	req := env.Activate(t, emulator.AliceID, emulator.RoleHelpdeskAdministrator, "PT2H", "INC-42 password resets")
	env.Activate(t, emulator.BobID, emulator.RoleGlobalReader, "PT8H", "quarterly review")
	config := func(extra string) string {
		return env.ProviderBlock() + fmt.Sprintf(`
data "pim_activations" "helpdesk" {
  role_definition_id = %[1]q
%[2]s
}
data "pim_activations" "all" {}
data "pim_activations" "bob" {
  principal_id = %[3]q
}
data "pim_activations" "bob_history" {
  principal_id = %[3]q
  since        = "2030-01-01T00:00:00Z"
}
data "pim_active_assignments" "alice_standing" {
  principal_id = %[4]q
}
data "pim_active_assignments" "alice_with_activations" {
  principal_id        = %[4]q
  include_activations = true
}
`, emulator.RoleHelpdeskAdministrator, extra, emulator.BobID, emulator.AliceID)
	}
	first := tfjsonpath.New("activations").AtSliceIndex(0)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config: config(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", tfjsonpath.New("activations"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", first.AtMapKey("principal_id"), knownvalue.StringExact(emulator.AliceID)),
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", first.AtMapKey("justification"), knownvalue.StringExact("INC-42 password resets")),
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", first.AtMapKey("request_id"), knownvalue.StringExact(req["id"].(string))),
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", first.AtMapKey("end_date_time"), knownvalue.StringExact("2030-01-01T11:00:00Z")),
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", first.AtMapKey("active"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", first.AtMapKey("principal_display_name"), knownvalue.StringExact("Alice Analyst")),
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", first.AtMapKey("principal_user_principal_name"), knownvalue.StringExact("alice@contoso.example")),
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", first.AtMapKey("principal_type"), knownvalue.StringExact("user")),
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", first.AtMapKey("role_display_name"), knownvalue.StringExact("Helpdesk Administrator")),
					statecheck.ExpectKnownValue("data.pim_activations.all", tfjsonpath.New("activations"), knownvalue.ListSizeExact(2)),
					statecheck.ExpectKnownValue("data.pim_activations.bob", tfjsonpath.New("activations"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue("data.pim_activations.bob", first.AtMapKey("role_definition_id"), knownvalue.StringExact(emulator.RoleGlobalReader)),
					statecheck.ExpectKnownValue("data.pim_activations.bob_history", first.AtMapKey("end_date_time"), knownvalue.StringExact("2030-01-01T17:00:00Z")),
					// An activation is not standing access unless asked for.
					statecheck.ExpectKnownValue("data.pim_active_assignments.alice_standing", tfjsonpath.New("assignments"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue("data.pim_active_assignments.alice_with_activations", tfjsonpath.New("assignments").AtSliceIndex(0).AtMapKey("assignment_type"),
						knownvalue.StringExact("Activated")),
				},
			},
			{
				// Three hours later Alice's activation has ended and Bob ends
				// his early: only a query with since still shows them, Bob's
				// with when it really ended, not its planned end.
				PreConfig: func() {
					env.Clock.Advance(3 * time.Hour)
					env.Call(t, "POST", "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests", acctest.UserToken(emulator.BobID), map[string]any{
						"action": "selfDeactivate", "principalId": emulator.BobID, "roleDefinitionId": emulator.RoleGlobalReader, "directoryScopeId": "/",
					}, http.StatusCreated)
				},
				Config: config(`  since = "2030-01-01T00:00:00Z"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", tfjsonpath.New("activations"), knownvalue.ListSizeExact(1)),
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", first.AtMapKey("active"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", first.AtMapKey("justification"), knownvalue.StringExact("INC-42 password resets")),
					statecheck.ExpectKnownValue("data.pim_activations.all", tfjsonpath.New("activations"), knownvalue.ListSizeExact(0)),
					statecheck.ExpectKnownValue("data.pim_activations.bob_history", first.AtMapKey("active"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.pim_activations.bob_history", first.AtMapKey("end_date_time"), knownvalue.StringExact("2030-01-01T12:00:00Z")),
				},
			},
			{
				Config: config(""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.pim_activations.helpdesk", tfjsonpath.New("activations"), knownvalue.ListSizeExact(0)),
				},
			},
		},
	})
}

func TestAccAuditEventsDataSource(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.MakeEligible(t, emulator.AliceID, emulator.RoleHelpdeskAdministrator) // 09:00 by the admin
	env.Clock.Advance(time.Hour)
	env.Activate(t, emulator.AliceID, emulator.RoleHelpdeskAdministrator, "PT1H", "INC-7") // 10:00 by Alice: requested + completed
	env.Clock.Advance(90 * time.Minute)                                                    // Alice's activation expires at 11:00
	env.MakeEligible(t, emulator.BobID, emulator.RoleGlobalReader)                         // 11:30 by the admin
	events := tfjsonpath.New("events")
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			Config: env.ProviderBlock() + fmt.Sprintf(`
data "pim_audit_events" "all" {}
data "pim_audit_events" "activations" {
  activity = "Add member to role completed (PIM activation)"
}
data "pim_audit_events" "by_alice" {
  initiated_by_user_id = %[1]q
}
data "pim_audit_events" "about_bob" {
  target_id = %[2]q
}
data "pim_audit_events" "window" {
  since           = "2030-01-01T09:30:00Z"
  until           = "2030-01-01T10:30:00Z"
  activity_prefix = "Add member to role"
}
data "pim_audit_events" "newest_three" {
  limit = 3
}
data "pim_audit_events" "failures" {
  result = "failure"
}
`, emulator.AliceID, emulator.BobID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.pim_audit_events.all", events, knownvalue.ListSizeExact(5)),
				statecheck.ExpectKnownValue("data.pim_audit_events.all", events.AtSliceIndex(0).AtMapKey("activity"), knownvalue.StringExact("Add eligible member to role in PIM completed (permanent)")),
				statecheck.ExpectKnownValue("data.pim_audit_events.all", events.AtSliceIndex(1).AtMapKey("activity"), knownvalue.StringExact("Remove member from role (PIM activation expired)")),
				statecheck.ExpectKnownValue("data.pim_audit_events.all", events.AtSliceIndex(1).AtMapKey("activity_date_time"), knownvalue.StringExact("2030-01-01T11:00:00Z")),
				statecheck.ExpectKnownValue("data.pim_audit_events.activations", events, knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue("data.pim_audit_events.activations", events.AtSliceIndex(0).AtMapKey("result_reason"), knownvalue.StringExact("INC-7")),
				statecheck.ExpectKnownValue("data.pim_audit_events.activations", events.AtSliceIndex(0).AtMapKey("additional_details").AtMapKey("ExpirationTime"),
					knownvalue.StringExact("2030-01-01T11:00:00.0000000Z")),
				statecheck.ExpectKnownValue("data.pim_audit_events.by_alice", events, knownvalue.ListSizeExact(2)),
				statecheck.ExpectKnownValue("data.pim_audit_events.by_alice", events.AtSliceIndex(0).AtMapKey("initiated_by_user_principal_name"), knownvalue.StringExact("alice@contoso.example")),
				statecheck.ExpectKnownValue("data.pim_audit_events.about_bob", events, knownvalue.ListSizeExact(1)),
				statecheck.ExpectKnownValue("data.pim_audit_events.window", events, knownvalue.ListSizeExact(2)),
				// Three entries over pages of two: the data source follows @odata.nextLink and stops.
				statecheck.ExpectKnownValue("data.pim_audit_events.newest_three", events, knownvalue.ListSizeExact(3)),
				statecheck.ExpectKnownValue("data.pim_audit_events.failures", events, knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.pim_audit_events.newest_three", events.AtSliceIndex(2).AtMapKey("activity"), knownvalue.StringExact("Add member to role completed (PIM activation)")),
			},
		}},
	})
}

// A check block asserts policy without managing it.
func TestAccRoleSettingDataSource(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	p := emulator.DefaultPolicy()
	p.Rule("Approval_EndUser_Assignment").Approval.IsApprovalRequired = true
	p.Rule("Approval_EndUser_Assignment").Approval.Stages[0].PrimaryApprovers = []emulator.Approver{{GroupID: emulator.SecGroupID}}
	p.Rule("Expiration_EndUser_Assignment").MaximumDuration = "PT2H"
	env.Emulator.SetPolicy(emulator.RoleGlobalAdministrator, p)
	ds := "data.pim_role_setting.ga"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			Config: env.ProviderBlock() + fmt.Sprintf(`
data "pim_role_setting" "ga" {
  role_definition_id = %q
}
data "pim_role_setting" "reader" {
  role_definition_id = %q
}
check "global_admin_needs_approval" {
  assert {
    condition     = data.pim_role_setting.ga.activation.approval.required
    error_message = "Global Administrator activation must require approval."
  }
}
`, emulator.RoleGlobalAdministrator, emulator.RoleGlobalReader),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("activation").AtMapKey("approval").AtMapKey("required"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("activation").AtMapKey("maximum_duration"), knownvalue.StringExact("PT2H")),
				statecheck.ExpectKnownValue(ds, tfjsonpath.New("activation").AtMapKey("approval").AtMapKey("stages").AtSliceIndex(0).AtMapKey("primary_approvers"),
					knownvalue.SetExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
						"type": knownvalue.StringExact("group"), "id": knownvalue.StringExact(emulator.SecGroupID),
					})})),
				statecheck.ExpectKnownValue("data.pim_role_setting.reader", tfjsonpath.New("activation").AtMapKey("approval").AtMapKey("required"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.pim_role_setting.reader", tfjsonpath.New("eligible_assignment").AtMapKey("maximum_duration"), knownvalue.StringExact("P365D")),
			},
		}},
	})
}
