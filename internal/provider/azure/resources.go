package azure

import (
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/assignments"
)

// PIM for Azure resources: just-in-time Azure roles at management groups,
// subscriptions, resource groups and resources, over Azure Resource
// Manager, with the directory roles' behaviour (schedule identity,
// in-place updates, expiry, exact write resolution, plan-time checks)
// through the shared assignment implementation.

const azureAssignmentNotes = "Changing the schedule, justification, ticket or ABAC `condition` updates it in place (`AdminUpdate`) where " +
	"azurerm's `azurerm_pim_*_role_assignment` replaces it; only `scope`, `role_definition_id` and `principal_id` replace it. The " +
	"resource is identified by its schedule, so it keeps working after ARM purges the request; when a time-bound one runs its course it " +
	"stays in state as `Expired` and no apply grants it again unasked. Each request is PUT under a name chosen before it is sent, so an " +
	"answer lost to a timeout is read back by that name, never sent twice. Import by `scope|role_definition_id|principal_id` (azurerm's " +
	"import id) or by the schedule's ARM id.\n\n"

// NewEligibleAssignmentResource is pim_azure_eligible_assignment.
func NewEligibleAssignmentResource() resource.Resource {
	return assignments.NewResource(pimclient.Eligibility, azureRoleTarget, "azure_eligible_assignment",
		"Makes a user, group or service principal **eligible** for an Azure role (Owner, Contributor, any built-in or custom "+
			"role) at a management group, subscription, resource group or resource, through PIM for Azure resources "+
			"(`roleEligibilityScheduleRequests` of Azure Resource Manager). The principal holds the role only once it activates. "+
			azureAssignmentNotes+"Azure permissions: Owner or User Access Administrator at the scope (or above).")
}

// NewActiveAssignmentResource is pim_azure_active_assignment.
func NewActiveAssignmentResource() resource.Resource {
	return assignments.NewResource(pimclient.Assignment, azureRoleTarget, "azure_active_assignment",
		"Gives a user, group or service principal an **active** Azure role at a management group, subscription, resource "+
			"group or resource through PIM for Azure resources (`roleAssignmentScheduleRequests`, `AdminAssign`): it holds the role while "+
			"the assignment lasts. By default an Azure role's setting allows no permanent active assignment. "+azureAssignmentNotes+
			"Azure permissions: Owner or User Access Administrator at the scope (or above).")
}

// NewEligibleAssignmentList lists pim_azure_eligible_assignment.
func NewEligibleAssignmentList() list.ListResource {
	return assignments.NewLister(pimclient.Eligibility, azureRoleTarget, "azure_eligible_assignment")
}

// NewActiveAssignmentList lists pim_azure_active_assignment.
func NewActiveAssignmentList() list.ListResource {
	return assignments.NewLister(pimclient.Assignment, azureRoleTarget, "azure_active_assignment")
}
