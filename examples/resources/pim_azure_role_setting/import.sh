# scope|role_definition_id
terraform import pim_azure_role_setting.owner "/subscriptions/5b5c0000-0000-4000-8000-000000000001|/subscriptions/5b5c0000-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
