data "pim_role_definition" "global_admin" {
  display_name = "Global Administrator"
}

# Approvers by name: the plan shows the ids, the configuration says who.
data "pim_principal" "responders" {
  display_name = "Security Responders"
  type         = "group"
}

data "pim_principal" "avery" {
  user_principal_name = "avery@contoso.example"
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
          primary_approvers = [{ type = "group", id = data.pim_principal.responders.id }]
        },
        {
          timeout_in_days   = 1
          primary_approvers = [{ type = "user", id = data.pim_principal.avery.id }]
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
