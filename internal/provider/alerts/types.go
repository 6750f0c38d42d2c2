package alerts

import "github.com/pim-as-code/terraform-provider-pim/internal/pimclient/rolealerts"

// alertKind is what the provider knows of an alert type: its Graph name,
// its configuration's derived type, which thresholds it takes and their
// ranges (Learn: security alerts for Microsoft Entra roles in PIM), and
// the configuration a destroy restores.
type alertKind struct {
	name, configType, display string
	// thresholds the type takes, by attribute name.
	thresholds map[string]bounds
	defaults   settingModel
}

// bounds is an integer threshold's range (days for duration_in_days).
type bounds struct{ lo, hi int64 }

// Attribute names of the typed thresholds.
const (
	attrGACount    = "global_admin_count_threshold"
	attrGAPercent  = "global_admin_percentage_threshold"
	attrActCount   = "activation_count_threshold"
	attrActWindow  = "activation_window"
	attrDurationIn = "duration_in_days"
)

// kinds are the seven alert types. guess: Learn gives the ranges but not
// a new tenant's values except the Global Administrator thresholds (3 and
// 10 %, the how-to's example); destroy restores these.
var kinds = []*alertKind{
	{name: "InvalidLicenseAlert", configType: "invalidLicenseAlertConfiguration",
		display: "The organization doesn't have Microsoft Entra ID P2 or Microsoft Entra ID Governance"},
	{name: "NoMfaOnRoleActivationAlert", configType: "noMfaOnRoleActivationAlertConfiguration",
		display: "Roles don't require multi-factor authentication for activation"},
	{name: "RedundantAssignmentAlert", configType: "redundantAssignmentAlertConfiguration",
		display: "Administrators aren't using their privileged roles", thresholds: map[string]bounds{attrDurationIn: {0, 100}},
		defaults: settingModel{DurationInDays: i64(30)}},
	{name: "RolesAssignedOutsidePimAlert", configType: "rolesAssignedOutsidePrivilegedIdentityManagementAlertConfiguration",
		display: "Roles are being assigned outside of Privileged Identity Management"},
	{name: "SequentialActivationRenewalsAlert", configType: "sequentialActivationRenewalsAlertConfiguration",
		display: "Roles are being activated too frequently", thresholds: map[string]bounds{attrActCount: {2, 100}, attrActWindow: {}},
		defaults: settingModel{ActivationCount: i64(10), ActivationWindow: str("PT1H")}},
	{name: "StaleSignInAlert", configType: "staleSignInAlertConfiguration",
		display: "Potential stale accounts in a privileged role", thresholds: map[string]bounds{attrDurationIn: {1, 365}},
		defaults: settingModel{DurationInDays: i64(30)}},
	{name: "TooManyGlobalAdminsAssignedToTenantAlert", configType: "tooManyGlobalAdminsAssignedToTenantAlertConfiguration",
		display: "There are too many global administrators", thresholds: map[string]bounds{attrGACount: {2, 100}, attrGAPercent: {0, 100}},
		defaults: settingModel{GACount: i64(3), GAPercent: i64(10)}},
}

// kindNames are the alert type names, for validation and docs.
func kindNames() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.name
	}
	return out
}

func kindNamed(name string) *alertKind {
	for _, k := range kinds {
		if k.name == name {
			return k
		}
	}
	return nil
}

// configOf finds a type's configuration in a list read from Graph.
func configOf(list []rolealerts.AlertConfiguration, name string) *rolealerts.AlertConfiguration {
	for i := range list {
		if rolealerts.AlertType(list[i].ID) == name {
			return &list[i]
		}
	}
	return nil
}
