# Nobody may hold Owner of production through activation during a freeze.
data "pim_azure_activations" "prod" {
  scope              = "/subscriptions/5b5c0000-0000-4000-8000-000000000001"
  role_definition_id = "/subscriptions/5b5c0000-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
}

check "no_owner_during_freeze" {
  assert {
    condition     = length(data.pim_azure_activations.prod.activations) == 0
    error_message = "Owner is active on production: ${join(", ", data.pim_azure_activations.prod.activations[*].principal_display_name)}"
  }
}
