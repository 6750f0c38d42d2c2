# Owner of the production subscription: activation needs two approvals and
# lasts at most two hours; eligibility ends within 90 days.
resource "pim_azure_role_setting" "owner" {
  scope              = "/subscriptions/5b5c0000-0000-4000-8000-000000000001"
  role_definition_id = "/subscriptions/5b5c0000-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"

  activation = {
    maximum_duration = "PT2H"
    require_mfa      = true
    approval = {
      required = true
      stages = [
        { primary_approvers = [{ type = "group", id = "6e0c0000-0000-4000-8000-000000000002" }] },
        { primary_approvers = [{ type = "user", id = "a11ce000-0000-4000-8000-000000000004" }] },
      ]
    }
  }

  eligible_assignment = {
    maximum_duration = "P90D"
  }
}
