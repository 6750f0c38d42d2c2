package assignments

import (
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// NewEligibleAssignmentResource is pim_eligible_assignment.
func NewEligibleAssignmentResource() resource.Resource {
	return &Resource{
		kind:     pimclient.Eligibility,
		target:   directoryRoleTarget,
		typeName: "eligible_assignment",
		description: "Makes a user or role-assignable group **eligible** for a Microsoft Entra directory role through PIM " +
			"(`roleEligibilityScheduleRequests`). An eligible principal holds no permissions until it activates the role " +
			"just in time, within the role setting's limits.\n\n" +
			"Eligibility can be permanent or time-bound (`end_date_time` or `duration`). Changing the schedule, justification " +
			"or ticket updates the eligibility in place (`adminUpdate`); only `principal_id`, `role_definition_id` and " +
			"`directory_scope_id` replace it. The resource is identified by its schedule, so it keeps working after Graph " +
			"purges the request (about 45 days). When a time-bound eligibility runs its course it stays in state as `Expired`, " +
			"and no apply grants it again unasked.\n\n" +
			"Graph permissions: `RoleEligibilitySchedule.ReadWrite.Directory` (or `RoleManagement.ReadWrite.Directory`).",
	}
}
