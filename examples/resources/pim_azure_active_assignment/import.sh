# scope|role_definition_id|principal_id (azurerm_pim_active_role_assignment's import id)
terraform import pim_azure_active_assignment.bob_audit "/subscriptions/5b5c0000-0000-4000-8000-000000000001|/subscriptions/5b5c0000-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7|a11ce000-0000-4000-8000-000000000003"
