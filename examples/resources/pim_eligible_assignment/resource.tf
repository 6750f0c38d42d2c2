data "pim_role_definition" "user_admin" {
  display_name = "User Administrator"
}

# Permanent eligibility: Alice can activate User Administrator when needed.
resource "pim_eligible_assignment" "alice_user_admin" {
  principal_id       = "a11ce000-0000-4000-8000-000000000002"
  role_definition_id = data.pim_role_definition.user_admin.id
  justification      = "Tier-1 identity operations"
}

# Time-bound eligibility for a contractor: 90 days from creation.
resource "pim_eligible_assignment" "bob_helpdesk" {
  principal_id       = "a11ce000-0000-4000-8000-000000000003"
  role_definition_id = "729827e3-9c14-49f7-bb1b-9608f156bbb8" # Helpdesk Administrator
  duration           = "P90D"
  justification      = "Contract CW-2291"
  ticket_number      = "CHG-1042"
  ticket_system      = "ServiceNow"
}
