# Dismiss the "roles are being assigned outside of PIM" alert after
# reviewing its incidents; the next refresh scans it again:
#   terraform apply -invoke=action.pim_alert_dismiss.outside_pim
action "pim_alert_dismiss" "outside_pim" {
  config {
    alert_type = "RolesAssignedOutsidePimAlert"
  }
}
