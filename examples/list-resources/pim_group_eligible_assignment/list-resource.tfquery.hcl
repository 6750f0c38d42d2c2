# Every eligible membership and ownership of one group, named; with
# -generate-config-out, the import blocks to adopt them.
list "pim_group_eligible_assignment" "cloud_ops" {
  provider         = pim
  include_resource = true

  config {
    group_id = "6e0c0000-0000-4000-8000-000000000001"
  }
}
