data "pim_role_definition" "global_admin" {
  display_name = "Global Administrator"
}

# Who holds Global Administrator right now through just-in-time activation,
# plus the activations of the last day that have already ended.
data "pim_activations" "global_admin" {
  role_definition_id = data.pim_role_definition.global_admin.id
  since              = timeadd(plantimestamp(), "-24h")
}

output "global_admin_activations" {
  value = [for a in data.pim_activations.global_admin.activations : "${a.principal_id} until ${a.end_date_time}: ${coalesce(a.justification, "-")}"]
}
