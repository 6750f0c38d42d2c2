data "pim_role_definition" "global_admin" {
  display_name = "Global Administrator"
}

locals {
  # The principals this configuration makes eligible for Global Administrator.
  managed_global_admins = ["a11ce000-0000-4000-8000-000000000002"]
}

data "pim_eligible_assignments" "global_admins" {
  role_definition_id = data.pim_role_definition.global_admin.id
}

# Fails the plan's checks (a warning in `terraform plan`, an error in
# `terraform test`) when someone is eligible outside this configuration.
check "no_unmanaged_global_admins" {
  assert {
    condition = length(setsubtract(data.pim_eligible_assignments.global_admins.principal_ids, local.managed_global_admins)) == 0
    error_message = format("Eligible for Global Administrator outside Terraform: %s",
    join(", ", setsubtract(data.pim_eligible_assignments.global_admins.principal_ids, local.managed_global_admins)))
  }
}
