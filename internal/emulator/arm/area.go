// Package arm serves PIM for Azure resources the way Azure Resource Manager
// does (https://learn.microsoft.com/rest/api/authorization/privileged-role-eligibility-rest-sample):
// ARM's own paths at the emulator's root (/subscriptions/…,
// /providers/Microsoft.Management/managementGroups/…), the scope tree of
// the seed's Azure estate, Azure role definitions, and under
// {scope}/providers/Microsoft.Authorization/ the eligibility and assignment
// schedule requests (PUT with a client-chosen name), schedules and
// instances inherited down the tree, role management policies and their
// assignments, and approvals. Callers are authorized by Azure RBAC: the
// roles they hold at or above the scope. Writes go through the PIM engine,
// so policies, approvals, expiry and audit are the directory roles' own.
package arm

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/pim"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Area is ARM's surface.
type Area struct {
	st  *core.State
	dir *tenant.Directory
	az  *tenant.Azure
	en  *pim.Engine
}

// New returns the area and registers Azure roles with the engine.
func New(st *core.State, dir *tenant.Directory, en *pim.Engine) *Area {
	a := &Area{st: st, dir: dir, az: dir.Azure, en: en}
	en.AddSurface(core.SurfaceAzure, pim.SurfaceRules{MayWrite: func(t *core.Tx, k core.Key) *core.APIError {
		return a.authorize(t, k.Scope, requestsOf(k.Kind)+"/write")
	}})
	return a
}

// Owns reports whether a path is ARM's rather than Graph's.
func Owns(p string) bool {
	l := strings.ToLower(p)
	return l == "/subscriptions" || strings.HasPrefix(l, "/subscriptions/") || strings.HasPrefix(l, "/providers/")
}

// call is one ARM request being served.
type call struct {
	*wire.Call
	a *Area
	// scope is the canonical scope ("" for the tenant's root) and rest the
	// segments after /providers/Microsoft.Authorization/ (nil when the
	// path names a scope itself).
	scope string
	rest  []string
}

// Serve answers an authenticated call.
func (a *Area) Serve(wc *wire.Call) {
	c := &call{Call: wc, a: a}
	p := strings.TrimRight(wc.R.URL.Path, "/")
	if i := indexFold(p, authzProvider); i >= 0 {
		c.scope, c.rest = p[:i], strings.Split(strings.Trim(p[i+len(authzProvider):], "/"), "/")
		if c.rest[0] == "" {
			c.rest = nil
		}
	} else {
		c.scope = p
	}
	if h := a.route(c); h != nil {
		h(c)
	}
}

const authzProvider = "/providers/Microsoft.Authorization/"

func indexFold(s, sub string) int { return strings.Index(strings.ToLower(s), strings.ToLower(sub)) }

// route picks the handler, or answers the error of a path ARM does not have.
func (a *Area) route(c *call) func(*call) {
	if c.rest == nil {
		return a.routeScope(c)
	}
	coll, name, action := c.rest[0], "", ""
	if len(c.rest) > 1 {
		name = c.rest[1]
	}
	if len(c.rest) > 2 {
		action = c.rest[2]
	}
	if len(c.rest) > 4 || (len(c.rest) == 4 && !strings.EqualFold(coll, "roleAssignmentApprovals")) {
		c.fail(http.StatusNotFound, "InvalidResourceType", "The resource type '%s' could not be found in the namespace 'Microsoft.Authorization'.", strings.Join(c.rest, "/"))
		return nil
	}
	h, version := a.authzHandler(c, strings.ToLower(coll), name, strings.ToLower(action))
	if h == nil {
		return nil
	}
	if !c.apiVersion(coll, version) {
		return nil
	}
	if strings.EqualFold(coll, "roleAssignmentApprovals") {
		return h // approvals are tenant-wide: /providers/Microsoft.Authorization/roleAssignmentApprovals
	}
	if !c.resolveScope() {
		return nil
	}
	return h
}

// fail answers with ARM's error envelope.
func (c *call) fail(status int, code, format string, args ...any) {
	c.Fail(&core.APIError{Status: status, Code: code, Message: sprintf(format, args...)})
}

// query is the call's query string (parsed leniently, as ARM does).
func (c *call) query() url.Values { return c.R.URL.Query() }

// Pattern is a path with its names replaced, for the request statistics.
func Pattern(p string) string {
	i := indexFold(p, authzProvider)
	if i < 0 {
		segs := strings.Split(strings.Trim(p, "/"), "/")
		for j := 1; j < len(segs); j += 2 {
			segs[j] = "{name}"
		}
		return "/" + strings.Join(segs, "/")
	}
	rest := strings.Split(strings.Trim(p[i+len(authzProvider):], "/"), "/")
	for j := 1; j < len(rest); j += 2 {
		rest[j] = "{name}"
	}
	return "{scope}" + authzProvider + strings.Join(rest, "/")
}
