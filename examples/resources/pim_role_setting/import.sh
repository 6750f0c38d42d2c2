# Import by role definition id (the template id for built-in roles).
terraform import pim_role_setting.global_admin 62e90394-69f5-4237-9190-012177145e10
