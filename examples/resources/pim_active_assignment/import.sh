# By natural key: directory_scope_id|role_definition_id|principal_id
terraform import pim_active_assignment.carol_security_admin "/|194ae4cb-b126-40b2-bd5b-6091b380977d|a11ce000-0000-4000-8000-000000000004"
