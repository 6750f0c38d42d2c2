# Every quarter, each eligible Global Administrator's manager reviews
# whether they still need the role; a security lead reviews those without
# a manager. What is denied, or not reviewed in 14 days, is removed.
resource "pim_access_review" "global_admins" {
  display_name              = "Quarterly review: Global Administrator eligibility"
  description_for_reviewers = "Does this person still need to be able to become Global Administrator?"

  scope = {
    role_definition_id = "62e90394-69f5-4237-9190-012177145e10"
    assignment_type    = "eligible"
  }

  reviewers          = ["manager"]
  fallback_reviewers = ["a11ce000-0000-4000-8000-000000000004"]

  recurrence       = "quarterly"
  start_date       = "2027-01-04"
  duration_in_days = 14
  default_decision = "Deny"
  auto_apply       = true
}

# Members of a PIM group review their own membership every month.
resource "pim_access_review" "tier1_self_review" {
  display_name = "Monthly self-review: Tier 1 Support membership"
  scope = {
    group_id     = "6f1b2c3d-0000-4000-8000-000000000010"
    group_access = "member"
  }
  reviewers        = ["self"]
  recurrence       = "monthly"
  duration_in_days = 7
}
