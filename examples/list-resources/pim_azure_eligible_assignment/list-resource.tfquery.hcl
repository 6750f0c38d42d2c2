# Every eligible Azure role assignment reaching a resource group, named;
# with -generate-config-out, the import blocks to adopt them.
list "pim_azure_eligible_assignment" "rg_app" {
  provider         = pim
  include_resource = true

  config {
    scope = "/subscriptions/5b5c0000-0000-4000-8000-000000000001/resourceGroups/rg-app"
  }
}
