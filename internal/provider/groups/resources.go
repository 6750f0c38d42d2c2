package groups

import (
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/assignments"
)

// PIM for Groups: just-in-time membership or ownership of a group, with the
// role resources' behaviour (schedule identity, in-place updates, expiry,
// plan-time policy checks) through the shared assignment implementation.

const groupAssignmentNotes = "Changing the schedule, justification or ticket updates it in place (`adminUpdate`); only `group_id`, " +
	"`access_id` and `principal_id` replace it. The resource is identified by its schedule (`{groupId}_{accessId}_{requestId}`), so it " +
	"keeps working after Graph purges the request (about 45 days); when a time-bound one runs its course it stays in state as " +
	"`Expired` and no apply grants it again unasked. Import by `group_id|access_id|principal_id` or by schedule id.\n\n"

// NewEligibleAssignmentResource is pim_group_eligible_assignment.
func NewEligibleAssignmentResource() resource.Resource {
	return assignments.NewResource(pimclient.Eligibility, groupAccessTarget, "group_eligible_assignment",
		"Makes a user or group **eligible** for membership or ownership of a group through PIM for Groups "+
			"(`eligibilityScheduleRequests`): the principal becomes member or owner only when it activates, just in time, within "+
			"the group setting's limits. "+groupAssignmentNotes+
			"Graph permissions: `PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup`.")
}

// NewActiveAssignmentResource is pim_group_active_assignment.
func NewActiveAssignmentResource() resource.Resource {
	return assignments.NewResource(pimclient.Assignment, groupAccessTarget, "group_active_assignment",
		"Makes a user or group an **active** member or owner of a group through PIM for Groups "+
			"(`assignmentScheduleRequests`, `adminAssign`): it shows in the group's members or owners while it lasts. By default "+
			"a group's setting allows no permanent active assignment and at most six months. "+groupAssignmentNotes+
			"Graph permissions: `PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup`.")
}

// NewEligibleAssignmentList lists pim_group_eligible_assignment.
func NewEligibleAssignmentList() list.ListResource {
	return assignments.NewLister(pimclient.Eligibility, groupAccessTarget, "group_eligible_assignment")
}

// NewActiveAssignmentList lists pim_group_active_assignment.
func NewActiveAssignmentList() list.ListResource {
	return assignments.NewLister(pimclient.Assignment, groupAccessTarget, "group_active_assignment")
}
