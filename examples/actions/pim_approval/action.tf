# An approver approves Bob's pending activation of Global Reader:
#   terraform apply -invoke=action.pim_approval.bob_reader
action "pim_approval" "bob_reader" {
  config {
    principal_id       = "a11ce000-0000-4000-8000-000000000003"
    role_definition_id = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
    decision           = "approve"
    justification      = "Quarterly access review, ticket CHG-1042"
  }
}
