package alerts

import (
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

var (
	alertEntity = &wire.EntityType{Name: "unifiedRoleManagementAlert", Props: []string{"id", "alertDefinitionId", "scopeId", "scopeType",
		"incidentCount", "isActive", "lastModifiedDateTime", "lastScannedDateTime"}, Navs: []string{"alertDefinition", "alertConfiguration", "alertIncidents"}}
	definitionEntity = &wire.EntityType{Name: "unifiedRoleManagementAlertDefinition", Props: []string{"id", "displayName", "description",
		"severityLevel", "securityImpact", "mitigationSteps", "howToPrevent", "isRemediatable", "isConfigurable", "scopeId", "scopeType"}}
	configurationEntity = &wire.EntityType{Name: "unifiedRoleManagementAlertConfiguration", Props: []string{"id", "alertDefinitionId",
		"isEnabled", "scopeId", "scopeType", "globalAdminCountThreshold", "percentageOfGlobalAdminsOutOfRolesThreshold",
		"sequentialActivationCounterThreshold", "timeIntervalBetweenActivations", "duration"}, Navs: []string{"alertDefinition"}}
	incidentEntity = &wire.EntityType{Name: "unifiedRoleManagementAlertIncident", Props: []string{"id", "assigneeId", "assigneeDisplayName",
		"assigneeUserPrincipalName", "roleDefinitionId", "roleDisplayName", "roleTemplateId", "assignmentCreatedDateTime",
		"lastActivationDateTime", "lastSignInDateTime", "activationCount", "sequenceStartDateTime", "sequenceEndDateTime", "tenantLicenseStatus"}}
)

// neverModified is what Graph shows for an alert never modified (the
// how-to's example), rather than null.
const neverModified = "0001-01-01T08:00:00Z"

func (tx *tx) alertObject(t *alertType, a *alert) odata.Object {
	modified := any(neverModified)
	if a.Modified != nil {
		modified = core.GraphTime(*a.Modified)
	}
	id := tx.alertID(t)
	return odata.Object{{"id", id}, {"alertDefinitionId", id}, {"scopeId", "/"}, {"scopeType", "DirectoryRole"},
		{"incidentCount", len(a.Incidents)}, {"isActive", a.active()}, {"lastModifiedDateTime", modified}, {"lastScannedDateTime", core.GraphTimePtr(a.Scanned)}}
}

// alertItem is an alert with its navigations for $expand.
func (tx *tx) alertItem(t *alertType, a *alert) wire.Item {
	return wire.Item{Cursor: t.name, Obj: tx.alertObject(t, a), Expand: func(e odata.Expand) any {
		switch e.Name {
		case "alertDefinition":
			return tx.definitionObject(t)
		case "alertConfiguration":
			return tx.configurationObject(t, &a.Config)
		}
		out := make([]any, 0, len(a.Incidents))
		for i := range a.Incidents {
			out = append(out, tx.incidentObject(t, &a.Incidents[i]))
		}
		return out
	}}
}

func (tx *tx) definitionObject(t *alertType) odata.Object {
	return odata.Object{{"id", tx.alertID(t)}, {"displayName", t.display}, {"scopeType", "DirectoryRole"}, {"scopeId", "/"},
		{"description", t.description}, {"severityLevel", t.severity}, {"securityImpact", t.impact}, {"mitigationSteps", t.mitigate},
		{"howToPrevent", t.prevent}, {"isRemediatable", t.remediatable}, {"isConfigurable", true}}
}

func (tx *tx) configurationObject(t *alertType, c *config) odata.Object {
	id := tx.alertID(t)
	o := odata.Object{{"@odata.type", "#microsoft.graph." + t.configType}, {"id", id}, {"alertDefinitionId", id},
		{"scopeType", "DirectoryRole"}, {"scopeId", "/"}, {"isEnabled", c.Enabled}}
	switch t.name {
	case TooManyGlobalAdmins:
		o = append(o, odata.Property{Name: "globalAdminCountThreshold", Value: *c.GlobalAdminCount},
			odata.Property{Name: "percentageOfGlobalAdminsOutOfRolesThreshold", Value: *c.GlobalAdminPercent})
	case SequentialRenewals:
		o = append(o, odata.Property{Name: "sequentialActivationCounterThreshold", Value: *c.ActivationCount},
			odata.Property{Name: "timeIntervalBetweenActivations", Value: c.Interval})
	case Redundant, StaleSignIn:
		o = append(o, odata.Property{Name: "duration", Value: c.Duration})
	}
	return o
}

// incidentObject renders an incident with the properties of its type, and
// the principal and role by name.
func (tx *tx) incidentObject(t *alertType, in *incident) odata.Object {
	o := odata.Object{{"@odata.type", "#microsoft.graph." + t.incidentType}, {"id", in.ID}}
	add := func(name string, v any) { o = append(o, odata.Property{Name: name, Value: v}) }
	if t.name == InvalidLicense {
		add("tenantLicenseStatus", in.License)
		return o
	}
	if in.Assignee != "" {
		var upn any
		if u, ok := tx.Dir.Users[in.Assignee]; ok {
			upn = u.UPN
		}
		add("assigneeId", in.Assignee)
		add("assigneeDisplayName", tx.Dir.DisplayName(in.Assignee))
		add("assigneeUserPrincipalName", upn)
	}
	if in.Role != "" {
		var name any
		if r, ok := tx.Dir.Role(in.Role); ok {
			name = r.DisplayName
		}
		add("roleDefinitionId", in.Role)
		add("roleDisplayName", name)
		add("roleTemplateId", in.Role)
	}
	switch t.name {
	case OutsidePim:
		add("assignmentCreatedDateTime", core.GraphTimePtr(in.AssignmentCreated))
	case Redundant:
		add("lastActivationDateTime", core.GraphTimePtr(in.LastActivation))
	case StaleSignIn:
		add("assignmentCreatedDateTime", core.GraphTimePtr(in.AssignmentCreated))
		add("lastSignInDateTime", core.GraphTimePtr(in.LastSignIn))
	case SequentialRenewals:
		add("activationCount", in.ActivationCount)
		add("sequenceStartDateTime", core.GraphTimePtr(in.SequenceStart))
		add("sequenceEndDateTime", core.GraphTimePtr(in.SequenceEnd))
	}
	return o
}
