# Terraform 1.12 and later: import by identity.
import {
  to = pim_eligible_assignment.bob_helpdesk
  identity = {
    role_definition_id = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
    principal_id       = "a11ce000-0000-4000-8000-000000000003"
    directory_scope_id = "/"
  }
}
