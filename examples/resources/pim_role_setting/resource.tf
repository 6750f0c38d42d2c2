data "pim_role_definition" "global_admin" {
  display_name = "Global Administrator"
}

# Global Administrator: short activations, two-stage approval, no standing access.
resource "pim_role_setting" "global_admin" {
  role_definition_id = data.pim_role_definition.global_admin.id

  activation = {
    maximum_duration    = "PT2H"
    require_ticket_info = true
    approval = {
      required = true
      stages = [
        {
          primary_approvers = [{ type = "group", id = "6e0c0000-0000-4000-8000-000000000002" }] # Security Responders
        },
        {
          timeout_in_days   = 1
          primary_approvers = [{ type = "user", id = "a11ce000-0000-4000-8000-000000000001" }]
        },
      ]
    }
  }

  eligible_assignment = {
    allow_permanent  = false
    maximum_duration = "P180D"
  }

  active_assignment = {
    allow_permanent  = false
    maximum_duration = "P14D"
  }

  notifications = {
    activation = {
      admin = { additional_recipients = ["secops@contoso.example"] }
    }
  }
}

# Everything not set above keeps the documented Entra default, and
# `terraform destroy` restores the defaults.
