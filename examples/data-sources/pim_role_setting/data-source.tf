data "pim_role_definition" "global_admin" {
  display_name = "Global Administrator"
}

data "pim_role_setting" "global_admin" {
  role_definition_id = data.pim_role_definition.global_admin.id
}

# Assert the tenant's policy without managing it here.
check "global_admin_activation_is_guarded" {
  assert {
    condition     = data.pim_role_setting.global_admin.activation.approval.required
    error_message = "Activating Global Administrator must require approval."
  }
  assert {
    condition     = !data.pim_role_setting.global_admin.active_assignment.allow_permanent
    error_message = "Standing Global Administrator assignments must expire."
  }
}
