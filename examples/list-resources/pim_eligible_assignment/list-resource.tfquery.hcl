# Every direct eligibility for Global Administrator, named by principal:
#   terraform query
# and, to review and adopt them in a pull request:
#   terraform query -generate-config-out=unmanaged.tf
list "pim_eligible_assignment" "global_admins" {
  provider         = pim
  include_resource = true

  config {
    role_definition_id = "62e90394-69f5-4237-9190-012177145e10"
  }
}

# Eligibilities given to groups, across all roles.
list "pim_eligible_assignment" "groups" {
  provider = pim

  config {
    principal_type = "group"
  }
}
