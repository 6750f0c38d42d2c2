# Contributor, named as the resource group's PIM requests want it.
data "pim_azure_role_definition" "contributor" {
  scope     = "/subscriptions/5b5c0000-0000-4000-8000-000000000001/resourceGroups/rg-app"
  role_name = "Contributor"
}

output "contributor_id" {
  value = data.pim_azure_role_definition.contributor.id
}
