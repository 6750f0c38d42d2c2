# End the break-glass activation as soon as the incident is over:
#   terraform apply -invoke=action.pim_deactivate.break_glass
action "pim_deactivate" "break_glass" {
  config {
    role_definition_id = "62e90394-69f5-4237-9190-012177145e10"
  }
}
