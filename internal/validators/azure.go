package validators

import (
	"regexp"
	"strings"
)

// ARM paths of PIM for Azure resources: AzureScopeRE a scope, AzureRoleRE a
// role definition's full id.
var (
	AzureScopeRE = regexp.MustCompile(`(?i)^/(subscriptions/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}` +
		`(/resourceGroups/[-\w._()]+(/providers/[\w.]+/[^/|]+/[^/|]+)*)?|providers/Microsoft\.Management/managementGroups/[^/|]+)$`)
	AzureRoleRE = regexp.MustCompile(`(?i)^(/subscriptions/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))?` +
		`/providers/Microsoft\.Authorization/roleDefinitions/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// ValidAzureScope reports whether s is an ARM scope: a management group,
// subscription, resource group or resource path.
func ValidAzureScope(s string) bool { return AzureScopeRE.MatchString(s) }

// ValidAzureRoleID reports whether s is a role definition's full ARM id.
func ValidAzureRoleID(s string) bool { return AzureRoleRE.MatchString(s) }

// AzureRoleSubscription is the subscription a role definition id names
// ("" for the tenant-wide form /providers/Microsoft.Authorization/…).
func AzureRoleSubscription(id string) string {
	if m := AzureRoleRE.FindStringSubmatch(id); m != nil {
		return strings.ToLower(m[2])
	}
	return ""
}

// AzureScopeSubscription is the subscription a scope is in ("" for a
// management group).
func AzureScopeSubscription(scope string) string {
	parts := strings.Split(strings.Trim(scope, "/"), "/")
	if len(parts) >= 2 && strings.EqualFold(parts[0], "subscriptions") {
		return strings.ToLower(parts[1])
	}
	return ""
}
