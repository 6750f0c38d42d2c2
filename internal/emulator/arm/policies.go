package arm

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// Role management policies: one per role at each scope
// (https://learn.microsoft.com/rest/api/authorization/role-management-policies/update).
// ARM's differences from Graph: rules name their type in ruleType, not
// @odata.type; approvers are {id, userType: "User"|"Group", isBackup};
// PATCH takes some rules and answers with the whole policy and its
// effectiveRules; PUT is not implemented; a maximum duration without an
// expiration being required is refused. The rules themselves, and how the
// engine applies them, are the directory roles' own.

var policyNS = uuid.MustParse("6ba7b811-9dad-11d1-80b4-00c04fd430c8") // the URL namespace

// policyName is the stable name of the policy of a role at a scope.
func policyName(scope, roleID string) string {
	return uuid.NewSHA1(policyNS, []byte("pim-emulator:azure-policy:"+strings.ToLower(scope)+"|"+roleID)).String()
}

func subject(scope, roleID string) core.PolicySubject {
	return core.PolicySubject{ScopeType: core.ScopeTypeAzure, ScopeID: strings.ToLower(scope), RoleID: roleID}
}

// policyByName finds the role whose policy at the scope has the name.
func (a *Area) policyByName(scope, name string) (string, bool) {
	for _, id := range a.az.RoleOrder {
		if strings.EqualFold(policyName(scope, id), name) && a.az.AssignableAt(a.az.Roles[id], scope) {
			return id, true
		}
	}
	return "", false
}

// armRule restates a rule in ARM's spelling.
func armRule(r *core.Rule) map[string]any {
	m, _ := plain(r.Object()).(map[string]any)
	delete(m, "@odata.type")
	m["ruleType"] = "RoleManagementPolicy" + strings.TrimPrefix(core.RuleType(r.ID), "unifiedRoleManagementPolicy")
	if t, ok := m["target"].(map[string]any); ok {
		t["targetObjects"] = nil
	}
	if s, ok := m["setting"].(map[string]any); ok {
		for _, st := range asList(s["approvalStages"]) {
			stage, _ := st.(map[string]any)
			for _, key := range []string{"primaryApprovers", "escalationApprovers"} {
				stage[key] = armApprovers(asList(stage[key]))
			}
		}
	}
	return m
}

func armApprovers(in []any) []any {
	out := []any{}
	for _, v := range in {
		ap, _ := v.(map[string]any)
		if id, ok := ap["groupId"]; ok {
			out = append(out, map[string]any{"id": id, "description": ap["description"], "isBackup": false, "userType": "Group"})
		} else {
			out = append(out, map[string]any{"id": ap["userId"], "description": ap["description"], "isBackup": false, "userType": "User"})
		}
	}
	return out
}

// plain turns an odata.Object tree into maps and slices.
func plain(v any) any {
	switch x := v.(type) {
	case odata.Object:
		m := make(map[string]any, len(x))
		for _, p := range x {
			m[p.Name] = plain(p.Value)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = plain(x[i])
		}
		return out
	}
	return v
}

func (a *Area) policyObject(tx *core.Tx, scope, roleID string) map[string]any {
	p := tx.PolicyOf(subject(scope, roleID))
	rules := make([]any, 0, len(core.RuleIDList))
	for _, id := range core.RuleIDList {
		rules = append(rules, armRule(p.Rules[id]))
	}
	s, _ := a.az.Scope(scope)
	name := policyName(scope, roleID)
	var by any
	if p.LastModifiedByID != "" {
		by = map[string]any{"id": p.LastModifiedByID, "displayName": a.dir.DisplayName(p.LastModifiedByID), "type": a.principalType(p.LastModifiedByID)}
	}
	return map[string]any{"id": s.ID + authzProvider + "roleManagementPolicies/" + name, "name": name, "type": "Microsoft.Authorization/RoleManagementPolicies",
		"properties": map[string]any{"scope": s.ID, "displayName": "Default", "description": "", "isOrganizationDefault": false,
			"lastModifiedBy": by, "lastModifiedDateTime": armTimePtr(p.LastModified), "rules": rules, "effectiveRules": rules,
			"policyProperties": map[string]any{"scope": scopeObject(s)}}}
}

func (a *Area) assignmentObject(tx *core.Tx, scope, roleID string) map[string]any {
	s, _ := a.az.Scope(scope)
	name := policyName(scope, roleID)
	policy := a.policyObject(tx, scope, roleID)
	props, _ := policy["properties"].(map[string]any)
	role := a.az.Roles[roleID]
	return map[string]any{"id": s.ID + authzProvider + "roleManagementPolicyAssignments/" + name + "_" + roleID, "name": name + "_" + roleID,
		"type": "Microsoft.Authorization/RoleManagementPolicyAssignment",
		"properties": map[string]any{"scope": s.ID, "roleDefinitionId": a.roleDefinitionID(scope, roleID), "policyId": policy["id"],
			"effectiveRules": props["effectiveRules"], "policyAssignmentProperties": map[string]any{"scope": scopeObject(s),
				"roleDefinition": map[string]any{"id": a.roleDefinitionID(scope, roleID), "displayName": role.Name, "type": map[bool]string{true: "BuiltInRole", false: "CustomRole"}[role.BuiltIn]},
				"policy":         map[string]any{"id": policy["id"], "lastModifiedBy": props["lastModifiedBy"], "lastModifiedDateTime": props["lastModifiedDateTime"]}}}}
}

// listPolicies lists the policies (or their assignments) of the roles
// assignable at the scope; $filter=roleDefinitionId eq '{full id}' picks one.
func (a *Area) listPolicies(assignments bool) func(*call) {
	return func(c *call) {
		f, e := parseFilter(c.query().Get("$filter"), "roleDefinitionId")
		if e != nil {
			c.Fail(e)
			return
		}
		var only string
		if id := f.eq["roledefinitionid"]; id != "" {
			if only, e = a.roleAt(c.scope, id); e != nil {
				c.Fail(e)
				return
			}
		}
		a.view(c, func(tx *core.Tx) {
			if e := a.authorize(tx, c.scope, opPolicyRead); e != nil {
				c.Fail(e)
				return
			}
			var out []any
			for _, id := range a.az.RoleOrder {
				if (only != "" && id != only) || !a.az.AssignableAt(a.az.Roles[id], c.scope) {
					continue
				}
				if assignments {
					out = append(out, a.assignmentObject(tx, c.scope, id))
				} else {
					out = append(out, a.policyObject(tx, c.scope, id))
				}
			}
			c.page(out)
		})
	}
}

func (a *Area) getPolicy(name string, assignment bool) func(*call) {
	return func(c *call) {
		a.view(c, func(tx *core.Tx) {
			policy, _, _ := strings.Cut(name, "_")
			role, ok := a.policyByName(c.scope, policy)
			switch {
			case !ok:
				c.fail(http.StatusNotFound, "InputPolicyNotFound", "The policy '%s' was not found at scope '%s'.", truncate(name, 80), c.scope)
			case a.authorize(tx, c.scope, opPolicyRead) != nil:
				c.Fail(a.authorize(tx, c.scope, opPolicyRead))
			case assignment:
				c.W.JSON(http.StatusOK, a.assignmentObject(tx, c.scope, role))
			default:
				c.W.JSON(http.StatusOK, a.policyObject(tx, c.scope, role))
			}
		})
	}
}

// patchPolicy changes the rules a body names and answers the whole policy.
func (a *Area) patchPolicy(name string) func(*call) {
	return func(c *call) {
		var body struct {
			Properties struct {
				Rules []map[string]any `json:"rules"`
			} `json:"properties"`
		}
		if err := json.Unmarshal(c.Body, &body); err != nil {
			c.Fail(&core.APIError{Status: http.StatusBadRequest, Code: "InvalidRequestContent", Message: "The request content was invalid and could not be deserialized: " + truncate(err.Error(), 200) + "."})
			return
		}
		var out map[string]any
		if !a.update(c, func(tx *core.Tx) *core.APIError {
			role, ok := a.policyByName(c.scope, name)
			if !ok {
				return &core.APIError{Status: http.StatusNotFound, Code: "InputPolicyNotFound", Message: "The policy '" + truncate(name, 80) + "' was not found at scope '" + c.scope + "'."}
			}
			if e := a.authorize(tx, c.scope, opPolicyWrite); e != nil {
				return e
			}
			if e := a.applyRules(tx, c.scope, role, body.Properties.Rules); e != nil {
				return e
			}
			out = a.policyObject(tx, c.scope, role)
			return nil
		}) {
			return
		}
		c.W.JSON(http.StatusOK, out)
	}
}

func (a *Area) applyRules(tx *core.Tx, scope, role string, rules []map[string]any) *core.APIError {
	subj := subject(scope, role)
	p := tx.PolicyOf(subj).Clone()
	p.Key = subj.Key()
	for i, m := range rules {
		id, _ := m["id"].(string)
		r := p.Rule(id)
		if r == nil {
			return core.BadRequest("InvalidPolicy", "rules[%d]: '%s' is not a rule of a role management policy.", i, truncate(id, 80))
		}
		g, e := graphRule(id, m)
		if e != nil {
			return e
		}
		if e := core.ApplyRulePatch(r, g, a.principalKnown); e != nil {
			return e
		}
	}
	now := tx.Now
	p.LastModified, p.LastModifiedByID = &now, strings.ToLower(tx.Caller.PrincipalID)
	tx.St.Policies[p.Key] = p
	tx.Touch(core.EntPolicy, p.Key)
	tx.Audit(core.AuditEntry{Activity: "Update role setting in PIM", Op: "Update", Initiator: tx.Caller.PrincipalID,
		Key: core.Key{Surface: core.SurfaceAzure, Role: role, Scope: strings.ToLower(scope)}, Spec: core.ScheduleSpec{Start: tx.Now}})
	return nil
}

func (a *Area) principalKnown(user bool, id string) bool {
	id = strings.ToLower(id)
	if user {
		return a.dir.Users[id].ID != ""
	}
	return a.dir.Groups[id].ID != ""
}

// graphRule restates an ARM rule in Graph's spelling, refusing what ARM
// refuses: a wrong ruleType, an approver's userType in another case, and
// a maximum duration on an expiration that is not required.
func graphRule(id string, m map[string]any) (map[string]any, *core.APIError) {
	want := "RoleManagementPolicy" + strings.TrimPrefix(core.RuleType(id), "unifiedRoleManagementPolicy")
	if t, _ := m["ruleType"].(string); t != want {
		return nil, core.BadRequest("InvalidPolicy", "The rule %s must carry \"ruleType\": \"%s\" (got %q).", id, want, t)
	}
	g := make(map[string]any, len(m))
	for k, v := range m {
		g[k] = v
	}
	delete(g, "ruleType")
	g["@odata.type"] = "#microsoft.graph." + core.RuleType(id)
	if v, ok := g["exceptionMembers"]; ok && (v == nil || len(asList(v)) == 0) {
		delete(g, "exceptionMembers")
	}
	if t, ok := g["target"].(map[string]any); ok {
		delete(t, "targetObjects")
	}
	if req, ok := g["isExpirationRequired"].(bool); ok && !req {
		if d, _ := g["maximumDuration"].(string); d != "" {
			return nil, core.BadRequest("InvalidPolicy", "The rule %s sets maximumDuration %s while isExpirationRequired is false: ARM refuses the pair. "+
				"Leave maximumDuration out when assignments may be permanent.", id, d)
		}
	}
	if s, ok := g["setting"].(map[string]any); ok {
		if e := graphApprovers(id, s); e != nil {
			return nil, e
		}
	}
	return g, nil
}

func asList(v any) []any { l, _ := v.([]any); return l }

func graphApprovers(id string, s map[string]any) *core.APIError {
	for i, st := range asList(s["approvalStages"]) {
		stage, _ := st.(map[string]any)
		for _, key := range []string{"primaryApprovers", "escalationApprovers"} {
			var out []any
			for j, v := range asList(stage[key]) {
				ap, _ := v.(map[string]any)
				t, _ := ap["userType"].(string)
				if !slices.Contains([]string{"User", "Group"}, t) {
					return core.BadRequest("InvalidPolicy", "The rule %s: approvalStages[%d].%s[%d].userType must be \"User\" or \"Group\", exactly so (got %q).", id, i, key, j, t)
				}
				if t == "User" {
					out = append(out, map[string]any{"@odata.type": "#microsoft.graph.singleUser", "userId": ap["id"]})
				} else {
					out = append(out, map[string]any{"@odata.type": "#microsoft.graph.groupMembers", "groupId": ap["id"]})
				}
			}
			if stage != nil && stage[key] != nil {
				stage[key] = out
			}
		}
	}
	return nil
}
