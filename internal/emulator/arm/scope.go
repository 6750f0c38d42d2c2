package arm

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
)

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// API versions each resource type accepts (the ARM REST reference lists
// them; older previews are left out).
var (
	pimVersions       = []string{"2020-10-01", "2020-10-01-preview", "2022-04-01-preview", "2024-02-01-preview", "2024-09-01-preview"}
	validateVersions  = pimVersions // Microsoft's SDK (armauthorization v2) validates at 2020-10-01, the notes say 2022-04-01-preview
	roleDefVersions   = []string{"2015-07-01", "2018-01-01-preview", "2022-04-01", "2022-05-01-preview"}
	approvalVersions  = []string{"2021-01-01-preview"}
	subVersions       = []string{"2016-06-01", "2020-01-01", "2021-01-01", "2022-12-01"}
	rgVersions        = []string{"2019-10-01", "2020-06-01", "2021-04-01", "2022-09-01", "2024-03-01"}
	mgVersions        = []string{"2020-05-01", "2021-04-01", "2023-04-01"}
	genericResVersion = []string{"2021-04-01", "2022-09-01"}
)

// apiVersion checks the call's api-version against a resource type's.
func (c *call) apiVersion(typ string, supported []string) bool {
	v := c.R.URL.Query().Get("api-version")
	switch {
	case v == "":
		c.fail(http.StatusBadRequest, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.")
		return false
	case !slices.Contains(supported, v):
		c.fail(http.StatusBadRequest, "NoRegisteredProviderFound", "No registered resource provider found for location 'global' and API version '%s' for type '%s'. "+
			"The supported api-versions are '%s'.", v, typ, strings.Join(supported, ", "))
		return false
	}
	return true
}

// resolveScope makes c.scope canonical, or answers ARM's not-found error
// for the kind of scope it names.
func (c *call) resolveScope() bool {
	if c.scope == "" {
		return true
	}
	s, ok := c.a.az.Scope(c.scope)
	if ok {
		c.scope = s.ID
		return true
	}
	c.Fail(scopeNotFound(c.scope))
	return false
}

// scopeNotFound is ARM's answer for a scope that does not exist.
func scopeNotFound(p string) *core.APIError {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case len(segs) >= 2 && strings.EqualFold(segs[0], "subscriptions") && len(segs) < 4:
		return &core.APIError{http.StatusNotFound, "SubscriptionNotFound", fmt.Sprintf("The subscription '%s' could not be found.", segs[1])}
	case len(segs) >= 4 && strings.EqualFold(segs[2], "resourceGroups") && len(segs) < 6:
		return &core.APIError{http.StatusNotFound, "ResourceGroupNotFound", fmt.Sprintf("Resource group '%s' could not be found.", segs[3])}
	case len(segs) >= 4 && strings.EqualFold(segs[1], "Microsoft.Management"):
		return &core.APIError{http.StatusNotFound, "ManagementGroupNotFound", fmt.Sprintf("The management group '%s' could not be found.", segs[len(segs)-1])}
	}
	return &core.APIError{http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The Resource '%s' was not found.", p)}
}

// scopeObject is ARM's expandedProperties.scope.
func scopeObject(s tenant.AzureScope) map[string]any {
	return map[string]any{"id": s.ID, "displayName": s.DisplayName, "type": s.Type}
}
