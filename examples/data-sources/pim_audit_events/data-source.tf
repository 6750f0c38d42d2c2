# Role activations of the last 24 hours, newest first.
data "pim_audit_events" "activations_last_day" {
  since    = timeadd(plantimestamp(), "-24h")
  activity = "Add member to role completed (PIM activation)"
  limit    = 500
}

output "activations_last_day" {
  value = [for e in data.pim_audit_events.activations_last_day.events : "${e.activity_date_time} ${e.initiated_by_user_principal_name}: ${e.result_reason}"]
}
