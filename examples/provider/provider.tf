# In CI with GitHub Actions and workload identity federation (no secret):
# ARM_TENANT_ID, ARM_CLIENT_ID and ARM_USE_OIDC=true in the environment, and
# `permissions: id-token: write` in the workflow.
provider "pim" {}

# With a client secret (from a variable marked sensitive):
# provider "pim" {
#   tenant_id     = "00000000-0000-0000-0000-000000000000"
#   client_id     = "00000000-0000-0000-0000-000000000000"
#   client_secret = var.client_secret
# }

# Against the local emulator (make emulator prints both values):
# provider "pim" {
#   endpoint     = "http://127.0.0.1:8080/v1.0"
#   access_token = var.emulator_token
# }
