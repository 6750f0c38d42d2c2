# Access reviews of Global Administrator made in the portal: adopt them with
# terraform query -generate-config-out=reviews.tf
list "pim_access_review" "global_admins" {
  provider         = pim
  include_resource = true

  config {
    role_definition_id = "62e90394-69f5-4237-9190-012177145e10"
  }
}
