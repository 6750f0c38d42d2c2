# Import by the access review definition's id.
terraform import pim_access_review.global_admins 2b83a7c1-0c6e-4c6a-9d3e-9b1f0a6e2f11
