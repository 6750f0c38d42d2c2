data "pim_principal" "cloud_ops" {
  display_name = "Cloud Ops"
  type         = "group"
}

data "pim_principal" "responders" {
  display_name = "Security Responders"
  type         = "group"
}

# Membership of Cloud Ops: two-hour activations, approved by a Security
# Responder, then by Avery.
resource "pim_group_setting" "cloud_ops_members" {
  group_id  = data.pim_principal.cloud_ops.id
  access_id = "member"

  activation = {
    maximum_duration = "PT2H"
    approval = {
      required = true
      stages = [
        { primary_approvers = [{ type = "group", id = data.pim_principal.responders.id }] },
        { primary_approvers = [{ type = "user", id = "a11ce000-0000-4000-8000-000000000001" }] },
      ]
    }
  }

  eligible_assignment = {
    allow_permanent  = false
    maximum_duration = "P180D"
  }
}
