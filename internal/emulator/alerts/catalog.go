package alerts

// The seven PIM security alerts for Microsoft Entra roles, as Graph beta
// defines them (https://learn.microsoft.com/graph/api/resources/unifiedrolemanagementalertdefinition)
// and the portal describes them
// (https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-how-to-configure-security-alerts).

// Alert type names: the suffix of every id (DirectoryRole_{tenant}_{Name}).
const (
	InvalidLicense      = "InvalidLicenseAlert"
	NoMfaOnActivation   = "NoMfaOnRoleActivationAlert"
	Redundant           = "RedundantAssignmentAlert"
	OutsidePim          = "RolesAssignedOutsidePimAlert"
	SequentialRenewals  = "SequentialActivationRenewalsAlert"
	StaleSignIn         = "StaleSignInAlert"
	TooManyGlobalAdmins = "TooManyGlobalAdminsAssignedToTenantAlert"
)

// alertType is one alert's definition, the OData types of its
// configuration and incidents, and its default configuration.
type alertType struct {
	name, configType, incidentType         string
	display, description, impact, mitigate string
	prevent, severity                      string
	remediatable                           bool
	defaults                               config
	// thresholds are the configuration properties this type takes, with
	// their ranges (Learn's alert settings page).
	thresholds []threshold
}

// threshold is a configurable property and the values Graph takes.
type threshold struct {
	prop    string
	lo, hi  int    // an Int32's range, or a duration's in days
	days    bool   // a duration in whole days (P{n}D)
	minimum string // a duration of any unit at least this long
}

// guess: Learn documents the ranges but not the defaults of a new tenant,
// except the Global Administrator thresholds (3 and 10 %, in the how-to's
// example). The others are the portal's usual values.
var catalog = []*alertType{
	{name: InvalidLicense, configType: "invalidLicenseAlertConfiguration", incidentType: "invalidLicenseAlertIncident",
		display:     "The organization doesn't have Microsoft Entra ID P2 or Microsoft Entra ID Governance",
		description: "The current Microsoft Entra organization doesn't have Microsoft Entra ID P2 or Microsoft Entra ID Governance.",
		impact:      "Privileged Identity Management features stop working when the license expires.",
		mitigate:    "Review information about Microsoft Entra editions. Upgrade to Microsoft Entra ID P2 or Microsoft Entra ID Governance.",
		prevent:     "Keep a Microsoft Entra ID P2 or Microsoft Entra ID Governance license.", severity: "low",
		defaults: config{Enabled: true}},
	{name: NoMfaOnActivation, configType: "noMfaOnRoleActivationAlertConfiguration", incidentType: "noMfaOnRoleActivationAlertIncident",
		display:     "Roles don't require multi-factor authentication for activation",
		description: "There are privileged roles whose activation does not require multifactor authentication.",
		impact:      "Without multifactor authentication, compromised users can activate privileged roles.",
		mitigate:    "Review the list of roles and require multifactor authentication for every role.",
		prevent:     "Require MFA for every role.", severity: "low", remediatable: true,
		defaults: config{Enabled: true}},
	{name: Redundant, configType: "redundantAssignmentAlertConfiguration", incidentType: "redundantAssignmentAlertIncident",
		display:     "Administrators aren't using their privileged roles",
		description: "There are eligible administrators that haven't activated their roles recently.",
		impact:      "Users that have been assigned privileged roles they don't need increases the chance of an attack.",
		mitigate:    "Review the users in the list and remove them from privileged roles that they don't need.",
		prevent:     "Assign privileged roles only to users who have a business justification; schedule regular access reviews.",
		severity:    "low", remediatable: true, defaults: config{Enabled: true, Duration: "P30D"},
		thresholds: []threshold{{prop: "duration", lo: 0, hi: 100, days: true}}},
	{name: OutsidePim, configType: "rolesAssignedOutsidePrivilegedIdentityManagementAlertConfiguration",
		incidentType: "rolesAssignedOutsidePrivilegedIdentityManagementAlertIncident",
		display:      "Roles are being assigned outside of Privileged Identity Management",
		description:  "Privileged role assignments were made outside of Privileged Identity Management in the last 30 days.",
		impact:       "Privileged role assignments made outside of Privileged Identity Management aren't properly monitored and may indicate an active attack.",
		mitigate:     "Review the users in the list and remove them from privileged roles assigned outside of Privileged Identity Management.",
		prevent:      "Investigate where users are being assigned privileged roles outside of Privileged Identity Management and prohibit future assignments from there.",
		severity:     "high", remediatable: true, defaults: config{Enabled: true}},
	{name: SequentialRenewals, configType: "sequentialActivationRenewalsAlertConfiguration", incidentType: "sequentialActivationRenewalsAlertIncident",
		display:     "Roles are being activated too frequently",
		description: "Users activated the same privileged role multiple times within the configured period.",
		impact:      "Multiple activations to the same privileged role by the same user is a sign of an attack.",
		mitigate:    "Review the users in the list and ensure that the activation duration for their privileged role is set long enough for them to perform their tasks.",
		prevent:     "Set the activation duration of privileged roles long enough for users to perform their tasks.",
		severity:    "low", defaults: config{Enabled: true, ActivationCount: ptr(10), Interval: "PT1H"},
		thresholds: []threshold{{prop: "sequentialActivationCounterThreshold", lo: 2, hi: 100}, {prop: "timeIntervalBetweenActivations", minimum: "PT1M"}}},
	{name: StaleSignIn, configType: "staleSignInAlertConfiguration", incidentType: "staleSignInAlertIncident",
		display:     "Potential stale accounts in a privileged role",
		description: "Accounts in a privileged role haven't signed in during the configured number of days.",
		impact:      "Accounts that aren't being used might be service or shared accounts that aren't being maintained and are vulnerable to attackers.",
		mitigate:    "Review the accounts in the list. If they no longer need access, remove them from their privileged roles.",
		prevent:     "Regularly review accounts with privileged roles using access reviews and remove role assignments that are no longer needed.",
		severity:    "medium", remediatable: true, defaults: config{Enabled: true, Duration: "P30D"},
		thresholds: []threshold{{prop: "duration", lo: 1, hi: 365, days: true}}},
	{name: TooManyGlobalAdmins, configType: "tooManyGlobalAdminsAssignedToTenantAlertConfiguration",
		incidentType: "tooManyGlobalAdminsAssignedToTenantAlertIncident",
		display:      "There are too many global administrators",
		description:  "The percentage of global administrators is high, relative to other privileged roles. It is recommended to use least privileged roles, with just enough privileges to perform the required tasks.",
		impact:       "Global administrator is the highest privileged role. If a Global Administrator is compromised, the attacker gains access to all of their permissions, which puts your whole system at risk.",
		mitigate:     "·Review the users in the list and remove any that do not absolutely need the Global Administrator role.·Assign lower privileged roles to these users instead.",
		prevent:      "Assign users the least privileged role they need.", severity: "low", remediatable: true,
		defaults:   config{Enabled: true, GlobalAdminCount: ptr(3), GlobalAdminPercent: ptr(10)},
		thresholds: []threshold{{prop: "globalAdminCountThreshold", lo: 2, hi: 100}, {prop: "percentageOfGlobalAdminsOutOfRolesThreshold", lo: 0, hi: 100}}},
}

func ptr[T any](v T) *T { return &v }
