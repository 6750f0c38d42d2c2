package assignments

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// assignmentTarget is what an assignment resource grants: a directory role
// at a scope, or a group's membership or ownership (PIM for Groups). The
// shared implementation keeps either in assignmentModel's RoleDefinitionID
// (a role, or the access id member/owner) and DirectoryScopeID (a scope, or
// the group); this says how each surface names them to Terraform and Graph.
type assignmentTarget struct {
	groups bool
	// The attributes of the key's two parts and of the target's name.
	roleAttr, scopeAttr, nameAttr string
	// The setting resource that governs the target, and how an assignment
	// references it so that the plan uses the planned setting.
	settingType, settingRef, settingNoun string
	// importForm is the natural-key import id.
	importForm string
}

var (
	directoryRoleTarget = &assignmentTarget{roleAttr: "role_definition_id", scopeAttr: "directory_scope_id", nameAttr: "role_display_name",
		settingType: "pim_role_setting", settingRef: "role_definition_id = pim_role_setting.<name>.role_definition_id", settingNoun: "role setting",
		importForm: "directory_scope_id|role_definition_id|principal_id"}
	groupAccessTarget = &assignmentTarget{groups: true, roleAttr: "access_id", scopeAttr: "group_id", nameAttr: "group_display_name",
		settingType: "pim_group_setting", settingRef: "group_id = pim_group_setting.<name>.group_id", settingNoun: "group setting",
		importForm: "group_id|access_id|principal_id"}
)

// noun names what the resource manages: "eligible assignment", or "group
// eligible assignment".
func (r *assignmentResource) noun() string {
	if r.target.groups {
		return "group " + r.kind.String()
	}
	return r.kind.String()
}

func (r *assignmentResource) svc() *pimclient.ScheduleService {
	if r.target.groups {
		return r.data.Client.GroupSchedules(r.kind)
	}
	return r.data.Client.Schedules(r.kind)
}

// policyRef is the policy that governs an assignment.
func (r *assignmentResource) policyRef(m *assignmentModel) shared.PolicyRef {
	if r.target.groups {
		return shared.GroupPolicy(m.DirectoryScopeID.ValueString(), m.RoleDefinitionID.ValueString())
	}
	return shared.RolePolicy(m.RoleDefinitionID.ValueString())
}

// describeTarget names the target for messages: `role "User Administrator"
// (…)` or `membership of group "Cloud Ops" (id …)`.
func (r *assignmentResource) describeTarget(ctx context.Context, m *assignmentModel) string {
	if !r.target.groups {
		return r.data.Names.DescribeRole(ctx, m.RoleDefinitionID.ValueString())
	}
	access := "membership"
	if m.RoleDefinitionID.ValueString() == shared.AccessOwner {
		access = "ownership"
	}
	return access + " of " + r.data.Names.DescribePrincipal(ctx, m.DirectoryScopeID.ValueString())
}

// targetName is the role's or the group's display name ("" when unknown).
func (r *assignmentResource) targetName(ctx context.Context, m *assignmentModel) string {
	if !r.target.groups {
		return r.data.Names.RoleName(ctx, m.RoleDefinitionID.ValueString())
	}
	if obj, _, _ := r.data.Names.Lookup(ctx, m.DirectoryScopeID.ValueString()); obj != nil {
		return obj.DisplayName
	}
	return ""
}

// groupAssignmentModel is the Terraform shape of a group assignment; the
// shared implementation works on assignmentModel.
type groupAssignmentModel struct {
	ID            types.String      `tfsdk:"id"`
	GroupID       types.String      `tfsdk:"group_id"`
	AccessID      types.String      `tfsdk:"access_id"`
	PrincipalID   types.String      `tfsdk:"principal_id"`
	Justification types.String      `tfsdk:"justification"`
	TicketNumber  types.String      `tfsdk:"ticket_number"`
	TicketSystem  types.String      `tfsdk:"ticket_system"`
	StartDateTime timetypes.RFC3339 `tfsdk:"start_date_time"`
	EndDateTime   timetypes.RFC3339 `tfsdk:"end_date_time"`
	Duration      types.String      `tfsdk:"duration"`
	Status        types.String      `tfsdk:"status"`
	shared.PrincipalNames
	GroupDisplayName     types.String   `tfsdk:"group_display_name"`
	AllowProtectedChange types.Bool     `tfsdk:"allow_protected_principal_change"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
}

func (g *groupAssignmentModel) shared() assignmentModel {
	return assignmentModel{ID: g.ID, PrincipalID: g.PrincipalID, RoleDefinitionID: g.AccessID, DirectoryScopeID: g.GroupID,
		Justification: g.Justification, TicketNumber: g.TicketNumber, TicketSystem: g.TicketSystem, StartDateTime: g.StartDateTime,
		EndDateTime: g.EndDateTime, Duration: g.Duration, Status: g.Status, PrincipalNames: g.PrincipalNames, RoleDisplayName: g.GroupDisplayName,
		AllowProtectedChange: g.AllowProtectedChange, Timeouts: g.Timeouts}
}

func groupModelOf(m *assignmentModel) *groupAssignmentModel {
	return &groupAssignmentModel{ID: m.ID, PrincipalID: m.PrincipalID, AccessID: m.RoleDefinitionID, GroupID: m.DirectoryScopeID,
		Justification: m.Justification, TicketNumber: m.TicketNumber, TicketSystem: m.TicketSystem, StartDateTime: m.StartDateTime,
		EndDateTime: m.EndDateTime, Duration: m.Duration, Status: m.Status, PrincipalNames: m.PrincipalNames, GroupDisplayName: m.RoleDisplayName,
		AllowProtectedChange: m.AllowProtectedChange, Timeouts: m.Timeouts}
}

// get reads the resource's Terraform shape into the shared model.
func (r *assignmentResource) get(ctx context.Context, from shared.Getter, m *assignmentModel) diag.Diagnostics {
	if !r.target.groups {
		return from.Get(ctx, m)
	}
	var g groupAssignmentModel
	d := from.Get(ctx, &g)
	*m = g.shared()
	return d
}

// set writes the shared model in the resource's Terraform shape.
func (r *assignmentResource) set(ctx context.Context, to shared.Setter, m *assignmentModel) diag.Diagnostics {
	if !r.target.groups {
		return to.Set(ctx, m)
	}
	return to.Set(ctx, groupModelOf(m))
}

// describeKey names who holds what: `of user "Alice Analyst" (…) to role
// "User Administrator" (…) at scope "/"`, or `of user "Alice Analyst" (…)
// to membership of group "Cloud Ops" (…)`.
func (r *assignmentResource) describeKey(ctx context.Context, m *assignmentModel) string {
	who := r.data.Names.DescribePrincipal(ctx, m.PrincipalID.ValueString())
	if r.target.groups {
		return fmt.Sprintf("of %s to %s", who, r.describeTarget(ctx, m))
	}
	return fmt.Sprintf("of %s to %s at scope %q", who, r.describeTarget(ctx, m), m.DirectoryScopeID.ValueString())
}
