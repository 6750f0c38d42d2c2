package arm

import (
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// Shapes of the Microsoft.Authorization PIM resources
// (https://learn.microsoft.com/rest/api/authorization/role-eligibility-schedule-requests/get):
// ARM's envelope {id, name, type, properties} around PascalCase enums and
// expandedProperties that name the principal, the role and the scope.

func armTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func armTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return armTime(*t)
}

func strPtr(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// pascal spells an action or an expiration type as ARM does.
func pascal(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// typeName is the resource type segment of a kind's collection.
func typeName(k core.Kind, what string) string {
	if k == core.Eligible {
		return "roleEligibility" + what
	}
	return "roleAssignment" + what
}

func (a *Area) scopeID(lower string) string {
	if s, ok := a.az.Scope(lower); ok {
		return s.ID
	}
	return lower
}

// principalType is the principal's kind as ARM spells it.
func (a *Area) principalType(id string) string {
	switch {
	case a.dir.Groups[id].ID != "":
		return "Group"
	case a.dir.SPs[id].ID != "":
		return "ServicePrincipal"
	}
	return "User"
}

// expanded is ARM's expandedProperties of a key.
func (a *Area) expanded(k core.Key) map[string]any {
	s, _ := a.az.Scope(k.Scope)
	role := a.az.Roles[k.Role]
	roleType := "CustomRole"
	if role.BuiltIn {
		roleType = "BuiltInRole"
	}
	principal := map[string]any{"id": k.Principal, "displayName": a.dir.DisplayName(k.Principal), "type": a.principalType(k.Principal)}
	if u, ok := a.dir.Users[k.Principal]; ok {
		principal["email"] = u.UPN
	}
	return map[string]any{"principal": principal, "scope": scopeObject(s),
		"roleDefinition": map[string]any{"id": a.roleDefinitionID(k.Scope, k.Role), "displayName": role.Name, "type": roleType}}
}

func scheduleInfo(spec *core.ScheduleSpec) any {
	if spec == nil {
		return nil
	}
	exp := map[string]any{"type": pascal(spec.ExpType), "endDateTime": armTimePtr(spec.End), "duration": orNil(spec.Duration)}
	var start any
	if !spec.Start.IsZero() {
		start = armTime(spec.Start)
	}
	return map[string]any{"startDateTime": start, "expiration": exp}
}

// requestObject renders a schedule request.
func (a *Area) requestObject(r *core.Request) map[string]any {
	scope := a.scopeID(r.Key.Scope)
	coll := typeName(r.Key.Kind, "ScheduleRequests")
	var ticket any
	if r.TicketNumber != nil || r.TicketSystem != nil {
		ticket = map[string]any{"ticketNumber": strPtr(r.TicketNumber), "ticketSystem": strPtr(r.TicketSystem)}
	}
	var target, approval any
	if r.TargetScheduleID != nil {
		target = scope + authzProvider + typeName(r.Key.Kind, "Schedules") + "/" + *r.TargetScheduleID
	}
	if r.ApprovalID != nil {
		approval = authzProvider + "roleAssignmentApprovals/" + *r.ApprovalID
	}
	props := map[string]any{"scope": scope, "roleDefinitionId": a.roleDefinitionID(r.Key.Scope, r.Key.Role), "principalId": r.Key.Principal,
		"principalType": a.principalType(r.Key.Principal), "requestType": pascal(r.Action), "status": r.Status, "approvalId": approval,
		"scheduleInfo": scheduleInfo(r.Schedule), "justification": strPtr(r.Justification), "ticketInfo": ticket,
		"condition": orNil(r.Condition), "conditionVersion": orNil(r.ConditionVersion), "createdOn": armTime(r.Created),
		"requestorId": r.CreatedBy, "expandedProperties": a.expanded(r.Key)}
	props["target"+pascal(typeName(r.Key.Kind, "ScheduleId"))] = target
	if r.ActivatedUsing != "" {
		props["linkedRoleEligibilityScheduleId"] = scope + authzProvider + "roleEligibilitySchedules/" + r.ActivatedUsing
	}
	return map[string]any{"id": scope + authzProvider + coll + "/" + r.ID, "name": r.ID, "type": "Microsoft.Authorization/" + coll, "properties": props}
}

// scheduleObject renders a schedule, or its instance in effect.
func (a *Area) scheduleObject(sc *core.Schedule, instance bool) map[string]any {
	scope := a.scopeID(sc.Key.Scope)
	coll := typeName(sc.Key.Kind, "Schedules")
	if instance {
		coll = typeName(sc.Key.Kind, "ScheduleInstances")
	}
	props := map[string]any{"scope": scope, "roleDefinitionId": a.roleDefinitionID(sc.Key.Scope, sc.Key.Role), "principalId": sc.Key.Principal,
		"principalType": a.principalType(sc.Key.Principal), "status": sc.Status, "startDateTime": armTime(sc.Spec.Start),
		"endDateTime": armTimePtr(sc.Spec.EffectiveEnd()), "memberType": "Direct", "createdOn": armTime(sc.Created),
		"condition": orNil(sc.Condition), "conditionVersion": orNil(sc.ConditionVersion), "expandedProperties": a.expanded(sc.Key)}
	if sc.Modified != nil {
		props["updatedOn"] = armTime(*sc.Modified)
	}
	if sc.Key.Kind == core.Active {
		props["assignmentType"] = sc.AssignmentType
		if sc.ActivatedUsing != "" {
			props["linkedRoleEligibilityScheduleId"] = scope + authzProvider + "roleEligibilitySchedules/" + sc.ActivatedUsing
		}
	}
	req := scope + authzProvider + typeName(sc.Key.Kind, "ScheduleRequests") + "/" + sc.CreatedUsing
	if instance {
		props[typeName(sc.Key.Kind, "ScheduleId")] = scope + authzProvider + typeName(sc.Key.Kind, "Schedules") + "/" + sc.ID
	} else {
		props[typeName(sc.Key.Kind, "ScheduleRequestId")] = req
	}
	return map[string]any{"id": scope + authzProvider + coll + "/" + sc.ID, "name": sc.ID, "type": "Microsoft.Authorization/" + coll, "properties": props}
}
