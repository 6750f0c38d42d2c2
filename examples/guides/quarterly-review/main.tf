provider "pim" {
  # Fail any plan that would grant again what a review removed, unless the
  # resource says so explicitly (allow_undoing_review = true).
  access_review_decisions = "enforce"
}

data "pim_role_definition" "global_admin" {
  display_name = "Global Administrator"
}

resource "pim_access_review" "global_admins" {
  display_name = "Quarterly review: Global Administrator eligibility"
  scope = {
    role_definition_id = data.pim_role_definition.global_admin.id
    assignment_type    = "eligible"
  }
  reviewers          = ["manager"]
  fallback_reviewers = ["a11ce000-0000-4000-8000-000000000004"] # the security lead
  recurrence         = "quarterly"
  duration_in_days   = 14
  default_decision   = "Recommendation"
  auto_apply         = true
}

data "pim_access_review_instances" "global_admins" {
  access_review_id = pim_access_review.global_admins.id
}

check "last_review_completed" {
  assert {
    condition = alltrue([
      for i in data.pim_access_review_instances.global_admins.instances :
      i.status != "InProgress" || timecmp(i.end_date_time, plantimestamp()) > 0
    ])
    error_message = "An instance of the Global Administrator review is overdue."
  }
}
