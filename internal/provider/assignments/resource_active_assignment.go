package assignments

import (
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// NewActiveAssignmentResource is pim_active_assignment.
func NewActiveAssignmentResource() resource.Resource {
	return &Resource{
		kind:     pimclient.Assignment,
		target:   directoryRoleTarget,
		typeName: "active_assignment",
		description: "Gives a user, role-assignable group or service principal a standing **active** assignment of a " +
			"Microsoft Entra directory role through PIM (`roleAssignmentScheduleRequests`, `adminAssign`). Prefer " +
			"`pim_eligible_assignment` plus just-in-time activation for people; use active assignments for break-glass " +
			"accounts and workloads.\n\n" +
			"By default a role's setting requires a `justification` for active assignments. Changing the schedule, " +
			"justification or ticket updates the assignment in place (`adminUpdate`); only `principal_id`, " +
			"`role_definition_id` and `directory_scope_id` replace it. Graph refuses to remove an active assignment in its " +
			"first five minutes (`ActiveDurationTooShort`): destroy waits for that, logging progress, within `timeouts.delete`.\n\n" +
			"Graph permissions: `RoleAssignmentSchedule.ReadWrite.Directory` (or `RoleManagement.ReadWrite.Directory`).",
	}
}
