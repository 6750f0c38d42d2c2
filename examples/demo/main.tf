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

# People by sign-in name and groups by display name, looked up in the
# directory: the plan shows who gets which role, and a name that matches
# nobody fails the plan.
data "pim_principals" "people" {
  user_principal_names = ["alice@contoso.example", "bob@contoso.example", "carol@contoso.example", "dave@contoso.example"]
}

data "pim_principal" "cloud_ops" {
  display_name = "Cloud Ops"
  type         = "group"
}

locals {
  alice     = data.pim_principals.people.ids["alice@contoso.example"]
  bob       = data.pim_principals.people.ids["bob@contoso.example"]
  carol     = data.pim_principals.people.ids["carol@contoso.example"]
  dave      = data.pim_principals.people.ids["dave@contoso.example"]
  cloud_ops = data.pim_principal.cloud_ops.id
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

# Helpdesk Administrator's PIM setting: 4-hour activations with a ticket, and
# no permanent eligibility. Everything else keeps the documented default;
# destroy restores the defaults.
resource "pim_role_setting" "helpdesk" {
  role_definition_id = data.pim_role_definition.helpdesk_admin.id

  activation = {
    maximum_duration    = "PT4H"
    require_ticket_info = true
  }

  eligible_assignment = {
    allow_permanent  = false
    maximum_duration = "P180D"
  }
}

# Referencing the role setting makes this eligibility checked at plan time
# against the *planned* setting (at most P180D here).
resource "pim_eligible_assignment" "bob_helpdesk" {
  principal_id       = local.bob
  role_definition_id = pim_role_setting.helpdesk.role_definition_id
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

# PIM for Groups: Carol may become a member of Cloud Ops just in time.
resource "pim_group_eligible_assignment" "carol_cloud_ops" {
  group_id      = local.cloud_ops
  access_id     = "member"
  principal_id  = local.carol
  duration      = "P30D"
  justification = "Covers the Cloud Ops on-call rota"
}

data "pim_group_activations" "cloud_ops" {
  group_id   = local.cloud_ops
  depends_on = [pim_group_eligible_assignment.carol_cloud_ops]
}

output "cloud_ops_members_now" {
  value = [for a in data.pim_group_activations.cloud_ops.assignments : "${a.principal_display_name} is a ${a.access_id} of ${a.group_display_name} until ${a.end_date_time} (${a.justification})"]
}

# Just-in-time access: who holds a role right now through activation.
data "pim_activations" "now" {
  depends_on = [pim_eligible_assignment.alice_user_admin]
}

output "activations" {
  value = [for a in data.pim_activations.now.activations : "${a.principal_display_name} (${a.principal_user_principal_name}) holds ${a.role_display_name} until ${a.end_date_time} (${a.justification})"]
}

# Alice's trail in the PIM audit log, newest first.
data "pim_audit_events" "alice" {
  target_id  = local.alice
  since      = timeadd(plantimestamp(), "-1h")
  limit      = 10
  depends_on = [pim_eligible_assignment.alice_user_admin]
}

output "audit_alice" {
  value = [for e in data.pim_audit_events.alice.events : "${e.activity} (${coalesce(e.initiated_by_user_principal_name, e.initiated_by_app, "?")}) ${e.result_reason}"]
}

# Flags principals made eligible for Global Reader outside this configuration.
data "pim_eligible_assignments" "global_readers" {
  role_definition_id = data.pim_role_definition.global_reader.id
  depends_on         = [pim_eligible_assignment.cloud_ops_reader]
}

locals {
  unmanaged_global_readers = [
    for a in data.pim_eligible_assignments.global_readers.assignments :
    "${a.principal_display_name} (${coalesce(a.principal_user_principal_name, a.principal_type)})" if a.principal_id != local.cloud_ops
  ]
}

check "no_unmanaged_global_readers" {
  assert {
    condition     = length(local.unmanaged_global_readers) == 0
    error_message = "Eligible for Global Reader outside Terraform: ${join(", ", local.unmanaged_global_readers)}"
  }
}

# PIM for Azure resources, over Azure Resource Manager (the emulator serves
# it beside Graph): Dave may activate Contributor on the application's
# resource group for 30 days; activating it takes at most four hours.
locals {
  rg_app = "/subscriptions/5b5c0000-0000-4000-8000-000000000001/resourceGroups/rg-app"
}

data "pim_azure_role_definition" "contributor" {
  scope     = local.rg_app
  role_name = "Contributor"
}

resource "pim_azure_role_setting" "rg_app_contributor" {
  scope              = local.rg_app
  role_definition_id = data.pim_azure_role_definition.contributor.id
  activation = {
    maximum_duration = "PT4H"
  }
  eligible_assignment = {
    maximum_duration = "P90D"
  }
}

resource "pim_azure_eligible_assignment" "dave_rg_app" {
  scope              = pim_azure_role_setting.rg_app_contributor.scope
  role_definition_id = pim_azure_role_setting.rg_app_contributor.role_definition_id
  principal_id       = local.dave
  duration           = "P30D"
  justification      = "Deploys the application"
}
