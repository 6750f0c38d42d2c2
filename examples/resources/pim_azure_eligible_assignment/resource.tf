locals {
  subscription = "/subscriptions/5b5c0000-0000-4000-8000-000000000001"
}

data "pim_azure_role_definition" "contributor" {
  scope     = "${local.subscription}/resourceGroups/rg-app"
  role_name = "Contributor"
}

# Alice may activate Contributor on the application's resource group, for
# the next 90 days. Changing the duration or justification updates it in place.
resource "pim_azure_eligible_assignment" "alice_rg_app" {
  scope              = "${local.subscription}/resourceGroups/rg-app"
  role_definition_id = data.pim_azure_role_definition.contributor.id
  principal_id       = "a11ce000-0000-4000-8000-000000000002"
  justification      = "On-call rota, CHG-1042"
  duration           = "P90D"
}
