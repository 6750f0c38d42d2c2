# Bob reads the whole subscription for a one-week audit.
resource "pim_azure_active_assignment" "bob_audit" {
  scope              = "/subscriptions/5b5c0000-0000-4000-8000-000000000001"
  role_definition_id = "/subscriptions/5b5c0000-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7" # Reader
  principal_id       = "a11ce000-0000-4000-8000-000000000003"
  justification      = "External audit, AUD-7"
  duration           = "P7D"
}
