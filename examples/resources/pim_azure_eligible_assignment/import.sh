# By natural key, the id azurerm_pim_eligible_role_assignment imports by: scope|role_definition_id|principal_id
terraform import pim_azure_eligible_assignment.alice_rg_app "/subscriptions/5b5c0000-0000-4000-8000-000000000001/resourceGroups/rg-app|/subscriptions/5b5c0000-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c|a11ce000-0000-4000-8000-000000000002"

# Or by the schedule's ARM id
terraform import pim_azure_eligible_assignment.alice_rg_app "/subscriptions/5b5c0000-0000-4000-8000-000000000001/resourceGroups/rg-app/providers/Microsoft.Authorization/roleEligibilitySchedules/2f1b7a1e-0000-4000-8000-000000000000"
