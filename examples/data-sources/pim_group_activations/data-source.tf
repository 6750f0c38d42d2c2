data "pim_principal" "cloud_ops" {
  display_name = "Cloud Ops"
  type         = "group"
}

# Who is a member of Cloud Ops right now because they activated, and why.
data "pim_group_activations" "cloud_ops" {
  group_id = data.pim_principal.cloud_ops.id
}

output "cloud_ops_now" {
  value = [for a in data.pim_group_activations.cloud_ops.assignments : "${a.principal_display_name} until ${a.end_date_time}: ${a.justification}"]
}
