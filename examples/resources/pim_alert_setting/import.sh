# Import by alert type (or by Graph's configuration id).
terraform import pim_alert_setting.too_many_global_admins TooManyGlobalAdminsAssignedToTenantAlert
