# Against Microsoft Entra: a Graph token in PIM_ACCESS_TOKEN, nothing else.
provider "pim" {}

# Against the local emulator (make emulator prints both values):
# provider "pim" {
#   endpoint     = "http://127.0.0.1:8080/v1.0"
#   access_token = var.emulator_token
# }
