# Standing (not just-in-time) active assignments of service principals.
list "pim_active_assignment" "apps" {
  provider         = pim
  include_resource = true

  config {
    principal_type = "servicePrincipal"
  }
}
