data "pim_role_definition" "security_admin" {
  display_name = "Security Administrator"
}

# A standing, time-bound active assignment for incident response.
resource "pim_active_assignment" "carol_security_admin" {
  principal_id       = "a11ce000-0000-4000-8000-000000000004"
  role_definition_id = data.pim_role_definition.security_admin.id
  end_date_time      = "2031-01-01T00:00:00Z"
  justification      = "Incident IR-7 response lead"

  timeouts = {
    delete = "15m" # Graph refuses removal in the first 5 minutes; destroy waits.
  }
}
