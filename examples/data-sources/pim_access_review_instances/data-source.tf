# Who decided what in each instance of a review, by name.
data "pim_access_review_instances" "global_admins" {
  access_review_id = "2b83a7c1-0c6e-4c6a-9d3e-9b1f0a6e2f11"
}

output "denied" {
  value = flatten([
    for i in data.pim_access_review_instances.global_admins.instances : [
      for d in i.decisions : "${d.principal_display_name}: denied by ${d.reviewed_by_display_name} (${d.justification})"
      if d.decision == "Deny"
    ]
  ])
}
