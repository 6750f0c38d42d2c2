data "pim_role_definition" "pra" {
  display_name = "Privileged Role Administrator"
}

output "privileged_role_administrator_id" {
  value = data.pim_role_definition.pra.id # e8611ab8-c189-46e8-94e1-60213ab1f814 in every tenant
}
