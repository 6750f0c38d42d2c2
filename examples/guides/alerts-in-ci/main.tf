# PIM's alerts as a CI gate: the thresholds live in code, and the plan fails
# when PIM reports a high-severity alert (for example a role assigned
# outside PIM) or too many Global Administrators.
resource "pim_alert_setting" "global_admins" {
  alert_type                        = "TooManyGlobalAdminsAssignedToTenantAlert"
  global_admin_count_threshold      = 4
  global_admin_percentage_threshold = 10
}

resource "pim_alert_setting" "outside_pim" {
  alert_type = "RolesAssignedOutsidePimAlert"
}

data "pim_alerts" "now" {
  refresh     = true
  active_only = true
  depends_on  = [pim_alert_setting.global_admins, pim_alert_setting.outside_pim]
}

check "no_high_severity_pim_alerts" {
  assert {
    condition = length([for a in data.pim_alerts.now.alerts : a if a.severity == "high"]) == 0
    error_message = join("\n", flatten([
      for a in data.pim_alerts.now.alerts : [
        for i in a.incidents : "${a.display_name}: ${coalesce(i.principal_display_name, i.principal_id, "?")} as ${coalesce(i.role_display_name, "?")}"
      ] if a.severity == "high"
    ]))
  }
}

check "global_administrators_within_limits" {
  assert {
    condition     = !contains([for a in data.pim_alerts.now.alerts : a.alert_type], "TooManyGlobalAdminsAssignedToTenantAlert")
    error_message = "PIM reports too many Global Administrators: reduce them, or raise the thresholds in pim_alert_setting.global_admins."
  }
}
