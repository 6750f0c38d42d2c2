data "pim_principal" "cloud_ops" {
  display_name = "Cloud Ops"
  type         = "group"
}

data "pim_group_eligible_assignments" "cloud_ops" {
  group_id = data.pim_principal.cloud_ops.id
}

# Who may become a member or owner of Cloud Ops, by name.
output "cloud_ops_eligible" {
  value = [for a in data.pim_group_eligible_assignments.cloud_ops.assignments : "${a.principal_display_name}: ${a.access_id}"]
}
