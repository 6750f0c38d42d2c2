package reviews

import (
	"regexp"
	"sort"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// The scope queries Learn documents for reviews of privileged access
// (https://learn.microsoft.com/graph/accessreviews-scope-concept), and the
// group queries for PIM groups.
var (
	reRole      = regexp.MustCompile(`(?i)^/roleManagement/directory/roleDefinitions/([0-9a-f-]{36})$`)
	reEligible  = regexp.MustCompile(`(?i)^/roleManagement/directory/roleEligibilityScheduleInstances\?\$expand=principal&\$filter=\(isof\(principal,'microsoft\.graph\.(user|servicePrincipal)'\) and roleDefinitionId eq '([0-9a-f-]{36})'\)$`)
	reActive    = regexp.MustCompile(`(?i)^/roleManagement/directory/roleAssignmentScheduleInstances\?\$expand=principal&\$filter=\(assignmentType eq 'Assigned' and isof\(principal,'microsoft\.graph\.(user|servicePrincipal)'\) and roleDefinitionId eq '([0-9a-f-]{36})'\)$`)
	reGroup     = regexp.MustCompile(`(?i)^/groups/([0-9a-f-]{36})/(transitiveMembers|members|owners)$`)
	reUser      = regexp.MustCompile(`(?i)^/users/([0-9a-f-]{36})$`)
	reGroupRevs = regexp.MustCompile(`(?i)^/groups/([0-9a-f-]{36})/(transitiveMembers|members)$`)
)

// target is what a scope query reviews.
type target struct {
	kinds        []core.Kind
	surface      core.SurfaceID
	principal    string // "", "user" or "servicePrincipal"
	resource     string // role id, or group id
	access       string // a group's member or owner
	resourceType string
}

// parseScope recognises a scope query, or reports it unsupported.
func parseScope(q string) (target, bool) {
	both := []core.Kind{core.Eligible, core.Active}
	if m := reRole.FindStringSubmatch(q); m != nil {
		return target{kinds: both, surface: core.SurfaceDirectory, resource: strings.ToLower(m[1]), resourceType: "directoryRole"}, true
	}
	if m := reEligible.FindStringSubmatch(q); m != nil {
		return target{kinds: []core.Kind{core.Eligible}, surface: core.SurfaceDirectory, principal: lowerFirst(m[1]), resource: strings.ToLower(m[2]),
			resourceType: "directoryRole"}, true
	}
	if m := reActive.FindStringSubmatch(q); m != nil {
		return target{kinds: []core.Kind{core.Active}, surface: core.SurfaceDirectory, principal: lowerFirst(m[1]), resource: strings.ToLower(m[2]),
			resourceType: "directoryRole"}, true
	}
	if m := reGroup.FindStringSubmatch(q); m != nil {
		access := "member"
		if strings.EqualFold(m[2], "owners") {
			access = "owner"
		}
		return target{kinds: both, surface: core.SurfaceGroup, resource: strings.ToLower(m[1]), access: access, resourceType: "group"}, true
	}
	return target{}, false
}

func lowerFirst(s string) string {
	if strings.EqualFold(s, "servicePrincipal") {
		return "servicePrincipal"
	}
	return "user"
}

// subject is one principal in scope, with the schedules a Deny removes.
type subject struct {
	principal, resource, resourceType string
	eligible                          bool
	schedules                         []string
}

// inScope lists the principals the definition's scope selects now, by
// their standing eligibilities and assignments (activations rest on an
// eligibility and go with it).
func (tx *tx) inScope(d *definition) []subject {
	t, ok := parseScope(d.Scope.Query)
	if !ok {
		return nil
	}
	byPrincipal := map[string]*subject{}
	for sc := range tx.St.SchedByRole[t.roleKey()] {
		k := sc.Key
		if k.Surface != t.surface || sc.Activated() || sc.Spec.Start.After(tx.Now) || !containsKind(t.kinds, k.Kind) ||
			(t.surface == core.SurfaceGroup && k.Scope != t.resource) || (t.surface == core.SurfaceDirectory && k.Scope != "/") ||
			!tx.principalIs(k.Principal, t.principal) {
			continue
		}
		s := byPrincipal[k.Principal]
		if s == nil {
			s = &subject{principal: k.Principal, resource: t.resource, resourceType: t.resourceType}
			byPrincipal[k.Principal] = s
		}
		s.eligible = s.eligible || k.Kind == core.Eligible
		s.schedules = append(s.schedules, sc.ID)
	}
	out := make([]subject, 0, len(byPrincipal))
	for _, s := range byPrincipal {
		sort.Strings(s.schedules)
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].principal < out[j].principal })
	return out
}

// roleKey is the index key of the schedules in scope: the role, or a
// group's access (member, owner).
func (t target) roleKey() string {
	if t.surface == core.SurfaceGroup {
		return t.access
	}
	return t.resource
}

func containsKind(ks []core.Kind, k core.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func (tx *tx) principalIs(id, kind string) bool {
	switch kind {
	case "user":
		_, ok := tx.Dir.Users[id]
		return ok
	case "servicePrincipal":
		_, ok := tx.Dir.SPs[id]
		return ok
	}
	return true
}

// reviewersOf resolves who reviews a principal: the reviewer scopes (a
// user, a group's members, the principal's manager), the principal itself
// when there are none (a self-review), and the fallback reviewers when
// the scopes name nobody (a principal without a manager).
func (tx *tx) reviewersOf(d *definition, principal string) []string {
	if len(d.Reviewers) == 0 {
		return []string{principal}
	}
	out := tx.resolveReviewers(d.Reviewers, principal)
	if len(out) == 0 {
		out = tx.resolveReviewers(d.FallbackReviewers, principal)
	}
	return out
}

func (tx *tx) resolveReviewers(scopes []queryScope, principal string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, s := range scopes {
		switch {
		case isManager(s):
			if u, ok := tx.Dir.Users[principal]; ok {
				add(u.Manager)
			}
		case reUser.MatchString(s.Query):
			add(strings.ToLower(reUser.FindStringSubmatch(s.Query)[1]))
		case reGroupRevs.MatchString(s.Query):
			g := tx.Dir.Groups[strings.ToLower(reGroupRevs.FindStringSubmatch(s.Query)[1])]
			for _, m := range g.Members {
				if _, isUser := tx.Dir.Users[m]; isUser {
					add(m)
				}
			}
		}
	}
	return out
}

// isManager is the reviewer scope "the principal's manager"
// (query ./manager on the decisions' principals).
func isManager(s queryScope) bool {
	return strings.EqualFold(strings.TrimSpace(s.Query), "./manager")
}

// checkReviewerScope refuses a reviewer scope the emulator cannot resolve,
// or that names nobody in the directory.
func (tx *tx) checkReviewerScope(s queryScope, field string) *core.APIError {
	switch {
	case isManager(s):
		return nil
	case reUser.MatchString(s.Query):
		if _, ok := tx.Dir.Users[strings.ToLower(reUser.FindStringSubmatch(s.Query)[1])]; !ok {
			return core.BadRequest("InvalidReviewer", "%s: the user %s does not exist.", field, s.Query)
		}
		return nil
	case reGroupRevs.MatchString(s.Query):
		if _, ok := tx.Dir.Groups[strings.ToLower(reGroupRevs.FindStringSubmatch(s.Query)[1])]; !ok {
			return core.BadRequest("InvalidReviewer", "%s: the group %s does not exist.", field, s.Query)
		}
		return nil
	}
	return core.BadRequest("InvalidReviewer", "%s: unsupported reviewer query %q (use /users/{id}, /groups/{id}/transitiveMembers or ./manager).", field, s.Query)
}
