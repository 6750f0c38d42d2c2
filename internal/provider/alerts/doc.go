// Package alerts is the family of PIM's security alerts for Microsoft
// Entra roles (Graph beta roleManagementAlerts): pim_alert_setting
// configures one alert type, data source pim_alerts reads the alerts and
// their incidents by name, and the actions pim_alert_refresh and
// pim_alert_dismiss rescan and dismiss. Plans of assignments foresee the
// alerts they would raise through shared.AlertWatch.
package alerts
