data "pim_role_definition" "user_admin" {
  display_name = "User Administrator"
}

data "pim_role_definition" "helpdesk_admin" {
  display_name = "Helpdesk Administrator"
}

# People by sign-in name: a principal that does not exist fails the plan.
data "pim_principals" "staff" {
  user_principal_names = ["alice@contoso.example", "bob@contoso.example"]
}

# Permanent eligibility: Alice can activate User Administrator when needed.
resource "pim_eligible_assignment" "alice_user_admin" {
  principal_id       = data.pim_principals.staff.ids["alice@contoso.example"]
  role_definition_id = data.pim_role_definition.user_admin.id
  justification      = "Tier-1 identity operations"
}

# Time-bound eligibility for a contractor: 90 days from creation.
resource "pim_eligible_assignment" "bob_helpdesk" {
  principal_id       = data.pim_principals.staff.ids["bob@contoso.example"]
  role_definition_id = data.pim_role_definition.helpdesk_admin.id
  duration           = "P90D"
  justification      = "Contract CW-2291"
  ticket_number      = "CHG-1042"
  ticket_system      = "ServiceNow"
}

# A role-assignable group by name: its members inherit the eligibility.
data "pim_principal" "cloud_ops" {
  display_name = "Cloud Ops"
  type         = "group"
}

data "pim_role_definition" "global_reader" {
  display_name = "Global Reader"
}

resource "pim_eligible_assignment" "cloud_ops_reader" {
  principal_id       = data.pim_principal.cloud_ops.id
  role_definition_id = data.pim_role_definition.global_reader.id
  justification      = "Cloud Ops can read the tenant on demand"
}
