data "pim_principal" "cloud_ops" {
  display_name = "Cloud Ops"
  type         = "group"
}

data "pim_principal" "alice" {
  user_principal_name = "alice@contoso.example"
}

# Alice may become a member of Cloud Ops (and get whatever the group grants:
# app roles, Azure RBAC, directory roles) just in time, for 90 days.
resource "pim_group_eligible_assignment" "alice_cloud_ops" {
  group_id      = data.pim_principal.cloud_ops.id
  access_id     = "member"
  principal_id  = data.pim_principal.alice.id
  duration      = "P90D"
  justification = "On-call rota Q1"
}
