# Rescan the tenant for every PIM alert now (PIM otherwise scans on its own
# schedule):
#   terraform apply -invoke=action.pim_alert_refresh.all
action "pim_alert_refresh" "all" {
  config {}
}
