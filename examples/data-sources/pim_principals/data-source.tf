variable "on_call" {
  description = "Sign-in names of the on-call team."
  type        = set(string)
  default     = ["alice@contoso.example", "bob@contoso.example", "dave@contoso.example"]
}

# One lookup for the whole team, 15 names to a Graph request.
data "pim_principals" "on_call" {
  user_principal_names = var.on_call
}

data "pim_role_definition" "helpdesk_admin" {
  display_name = "Helpdesk Administrator"
}

# Everyone on call is eligible for Helpdesk Administrator for 30 days.
resource "pim_eligible_assignment" "on_call" {
  for_each           = data.pim_principals.on_call.ids
  principal_id       = each.value
  role_definition_id = data.pim_role_definition.helpdesk_admin.id
  duration           = "P30D"
  justification      = "On-call rota"
}
