# The demo configuration `make demo` applies against the local emulator.
# The provider reads PIM_ENDPOINT and PIM_ACCESS_TOKEN from the environment.
terraform {
  required_providers {
    pim = {
      source = "pim-as-code/pim"
    }
  }
}

provider "pim" {}

locals {
  # Seeded principals of the emulator's tenant.
  alice     = "a11ce000-0000-4000-8000-000000000002"
  bob       = "a11ce000-0000-4000-8000-000000000003"
  carol     = "a11ce000-0000-4000-8000-000000000004"
  cloud_ops = "6e0c0000-0000-4000-8000-000000000001"
}

data "pim_role_definition" "user_admin" {
  display_name = "User Administrator"
}

data "pim_role_definition" "helpdesk_admin" {
  display_name = "Helpdesk Administrator"
}

data "pim_role_definition" "security_admin" {
  display_name = "Security Administrator"
}

data "pim_role_definition" "global_reader" {
  display_name = "Global Reader"
}

resource "pim_eligible_assignment" "alice_user_admin" {
  principal_id       = local.alice
  role_definition_id = data.pim_role_definition.user_admin.id
  justification      = "Tier-1 identity operations"
}

resource "pim_eligible_assignment" "bob_helpdesk" {
  principal_id       = local.bob
  role_definition_id = data.pim_role_definition.helpdesk_admin.id
  duration           = "P90D"
  justification      = "Contract CW-2291"
  ticket_number      = "CHG-1042"
  ticket_system      = "ServiceNow"
}

resource "pim_eligible_assignment" "cloud_ops_reader" {
  principal_id       = local.cloud_ops
  role_definition_id = data.pim_role_definition.global_reader.id
  justification      = "Cloud Ops can read the tenant on demand"
}

resource "pim_active_assignment" "carol_security_admin" {
  principal_id       = local.carol
  role_definition_id = data.pim_role_definition.security_admin.id
  duration           = "P30D"
  justification      = "Incident IR-7 response lead"
}
