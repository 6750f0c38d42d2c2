# group_id|access_id
terraform import pim_group_setting.cloud_ops_members "6e0c0000-0000-4000-8000-000000000001|member"
