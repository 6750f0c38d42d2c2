# Alert when more than 4 principals hold Global Administrator (eligible
# ones count) and they are at least 10 % of all directory role assignments.
resource "pim_alert_setting" "too_many_global_admins" {
  alert_type                        = "TooManyGlobalAdminsAssignedToTenantAlert"
  global_admin_count_threshold      = 4
  global_admin_percentage_threshold = 10
}

# Eligible administrators who have not activated their role in 60 days.
resource "pim_alert_setting" "unused_eligibility" {
  alert_type       = "RedundantAssignmentAlert"
  duration_in_days = 60
}

# Five activations of the same role within two hours.
resource "pim_alert_setting" "frequent_activations" {
  alert_type                 = "SequentialActivationRenewalsAlert"
  activation_count_threshold = 5
  activation_window          = "PT2H"
}

# An alert without thresholds can only be turned off.
resource "pim_alert_setting" "license" {
  alert_type = "InvalidLicenseAlert"
  enabled    = false
}
