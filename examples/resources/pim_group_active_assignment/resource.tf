data "pim_principal" "responders" {
  display_name = "Security Responders"
  type         = "group"
}

data "pim_principal" "carol" {
  user_principal_name = "carol@contoso.example"
}

# Carol is an owner of Security Responders for the incident (a group's
# default setting allows no permanent active assignment).
resource "pim_group_active_assignment" "carol_owner" {
  group_id      = data.pim_principal.responders.id
  access_id     = "owner"
  principal_id  = data.pim_principal.carol.id
  duration      = "P14D"
  justification = "Incident IR-7"
}
