# Rescan, then read the alerts of medium severity or higher that have
# incidents, with the principals and roles in them by name.
data "pim_alerts" "serious" {
  refresh      = true
  active_only  = true
  min_severity = "medium"
}

output "serious_alerts" {
  value = {
    for a in data.pim_alerts.serious.alerts : a.display_name => [
      for i in a.incidents : "${coalesce(i.principal_display_name, i.principal_id, "tenant")} ${coalesce(i.role_display_name, "")}"
    ]
  }
}
