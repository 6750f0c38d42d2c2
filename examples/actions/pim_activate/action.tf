# Break-glass runbook: the on-call user activates Global Administrator for an
# hour with `terraform apply -invoke=action.pim_activate.break_glass`,
# signed in as themselves (use_cli).
action "pim_activate" "break_glass" {
  config {
    role_definition_id = "62e90394-69f5-4237-9190-012177145e10"
    duration           = "PT1H"
    justification      = "INC-4711: tenant-wide sign-in failure"
    ticket_number      = "INC-4711"
    ticket_system      = "ServiceNow"
  }
}
