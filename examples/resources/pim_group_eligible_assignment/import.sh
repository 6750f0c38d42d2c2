# By natural key: group_id|access_id|principal_id
terraform import pim_group_eligible_assignment.alice_cloud_ops "6e0c0000-0000-4000-8000-000000000001|member|a11ce000-0000-4000-8000-000000000002"

# Or by schedule id ({groupId}_{accessId}_{requestId})
terraform import pim_group_eligible_assignment.alice_cloud_ops "6e0c0000-0000-4000-8000-000000000001_member_2f1b7a1e-0000-4000-8000-000000000000"
