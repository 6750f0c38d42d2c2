# Roles whose PIM setting was changed from the documented defaults (in the
# portal, by another tool): the settings worth managing as code.
list "pim_role_setting" "changed" {
  provider         = pim
  include_resource = true

  config {}
}
