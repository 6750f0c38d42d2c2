# A reviewer, signed in as themselves, denies Alice's access in the running
# instance of the review:
#   terraform apply -invoke=action.pim_review_decision.alice
action "pim_review_decision" "alice" {
  config {
    access_review_id = "2b83a7c1-0c6e-4c6a-9d3e-9b1f0a6e2f11"
    principal_id     = "a11ce000-0000-4000-8000-000000000002"
    decision         = "Deny"
    justification    = "Moved to the data team; no longer on call"
  }
}
