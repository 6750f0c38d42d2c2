data "pim_role_definition" "security_admin" {
  display_name = "Security Administrator"
}

data "pim_principal" "carol" {
  user_principal_name = "carol@contoso.example"
}

# A standing, time-bound active assignment for incident response. The plan
# shows principal_display_name and role_display_name next to the ids.
resource "pim_active_assignment" "carol_security_admin" {
  principal_id       = data.pim_principal.carol.id
  role_definition_id = data.pim_role_definition.security_admin.id
  end_date_time      = "2031-01-01T00:00:00Z"
  justification      = "Incident IR-7 response lead"

  timeouts = {
    delete = "15m" # Graph refuses removal in the first 5 minutes; destroy waits.
  }
}
