# A user by sign-in name.
data "pim_principal" "alice" {
  user_principal_name = "alice@contoso.example"
}

# A role-assignable group by display name; type narrows a name that a user
# or an application could share.
data "pim_principal" "responders" {
  display_name = "Security Responders"
  type         = "group"
}

# An application's service principal by its application (client) id.
data "pim_principal" "ci" {
  app_id = "7e77a000-0000-4000-8000-000000000001"
}

output "alice" {
  value = "${data.pim_principal.alice.display_name} (${data.pim_principal.alice.id})"
}
