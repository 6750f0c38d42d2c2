# By natural key: directory_scope_id|role_definition_id|principal_id
terraform import pim_eligible_assignment.alice_user_admin "/|fe930be7-5e62-47db-91af-98c3a49a38b1|a11ce000-0000-4000-8000-000000000002"

# Or by the id of the PIM eligibility schedule
terraform import pim_eligible_assignment.alice_user_admin 0afb0b38-ff3b-4ceb-b320-141fe78ab7be
