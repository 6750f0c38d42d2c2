data "pim_role_definition" "pra" {
  display_name = "Privileged Role Administrator"
}

# Standing (not just-in-time) Privileged Role Administrators.
data "pim_active_assignments" "pra" {
  role_definition_id = data.pim_role_definition.pra.id
}

check "at_most_two_standing_privileged_role_admins" {
  assert {
    condition     = length(data.pim_active_assignments.pra.principal_ids) <= 2
    error_message = "More than two standing Privileged Role Administrators."
  }
}
