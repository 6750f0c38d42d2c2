package emulator

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // a stable id, not a secret
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// Role settings over HTTP: policies, their rules and policy assignments.
// https://learn.microsoft.com/graph/api/policyroot-list-rolemanagementpolicies,
// .../unifiedrolemanagementpolicy-update, .../unifiedrolemanagementpolicyrule-update,
// .../policyroot-list-rolemanagementpolicyassignments.

var (
	policyType = &entityType{name: "unifiedRoleManagementPolicy",
		props: []string{"id", "displayName", "description", "isOrganizationDefault", "scopeId", "scopeType", "lastModifiedDateTime", "lastModifiedBy"},
		navs:  []string{"rules", "effectiveRules"}}
	ruleEntityType   = &entityType{name: "unifiedRoleManagementPolicyRule", props: []string{"id", "target"}}
	policyAssignType = &entityType{name: "unifiedRoleManagementPolicyAssignment",
		props: []string{"id", "policyId", "scopeId", "scopeType", "roleDefinitionId"}, navs: []string{"policy"}}
)

const scopeFilterRequired = "The $filter on scopeId and scopeType is required, e.g. scopeId eq '/' and scopeType eq 'DirectoryRole'."

// policyID is stable per tenant and role, as Graph's are.
func (tx *tx) policyID(roleID string) string {
	sum := sha1.Sum([]byte(tx.st.TenantID + "/" + strings.ToLower(roleID))) //nolint:gosec // see import
	u, _ := uuid.FromBytes(sum[:16])
	return "DirectoryRole_" + tx.st.TenantID + "_" + u.String()
}

func (tx *tx) roleForPolicyID(id string) (roleDefinition, bool) {
	for _, r := range tx.s.dir.roles {
		if strings.EqualFold(tx.policyID(r.ID), id) {
			return r, true
		}
	}
	return roleDefinition{}, false
}

func (tx *tx) policyObject(roleID string) odata.Object {
	p := tx.policyFor(key{Role: strings.ToLower(roleID)})
	by := odata.Object{{"displayName", nil}, {"id", nil}}
	if p.LastModifiedByID != "" {
		by = odata.Object{{"displayName", tx.displayName(p.LastModifiedByID)}, {"id", p.LastModifiedByID}}
	}
	return odata.Object{{"id", tx.policyID(roleID)}, {"displayName", "DirectoryRole"}, {"description", "DirectoryRole"},
		{"isOrganizationDefault", false}, {"scopeId", "/"}, {"scopeType", "DirectoryRole"},
		{"lastModifiedDateTime", graphTimePtr(p.LastModified)}, {"lastModifiedBy", by}}
}

func (tx *tx) policyItem(roleID string, i int) item {
	return item{cursor: seqCursor(uint64(i), 0), obj: tx.policyObject(roleID), expand: func(e odata.Expand) any {
		return tx.policyFor(key{Role: strings.ToLower(roleID)}).rulesInOrder()
	}}
}

func (tx *tx) canReadPolicies() bool  { return tx.allowed(permPolicyRead, pimReaderRoles) }
func (tx *tx) canWritePolicies() bool { return tx.allowed(permPolicyWrite, pimWriterRoles) }

var errPolicyRead = forbidden("Reading role settings needs RoleManagementPolicy.Read.Directory (app-only) or a role such as Global Reader, Security Reader or Privileged Role Administrator.")

// scopeFiltered enforces the documented required $filter on scopeId and
// scopeType and accepts scopeType 'Directory' as a synonym of 'DirectoryRole'.
func scopeFiltered(q *odata.Query) *apiError {
	eq := q.Filter.Equalities()
	if q.Filter == nil || len(eq["scopeid"]) == 0 || len(eq["scopetype"]) == 0 {
		return badRequest("BadRequest", scopeFilterRequired)
	}
	q.Filter.ReplaceEquality("scopeType", "Directory", "DirectoryRole")
	return nil
}

func listPolicies(c *call) {
	q, ok := c.query("$filter", "$select", "$expand", "$top", "$skiptoken")
	if !ok {
		return
	}
	if e := scopeFiltered(q); e != nil {
		c.fail(e)
		return
	}
	c.s.view(c.caller, func(tx *tx) {
		if !tx.canReadPolicies() {
			c.fail(errPolicyRead)
			return
		}
		c.writeCollection(listing{set: "policies/roleManagementPolicies", typ: policyType, each: func(after string, yield func(item) bool) {
			for i, r := range tx.s.dir.roles {
				if it := tx.policyItem(r.ID, i+1); it.cursor > after && !yield(it) {
					return
				}
			}
		}}, q)
	})
}

func getPolicy(c *call) {
	q, ok := c.query("$select", "$expand")
	if !ok {
		return
	}
	c.s.view(c.caller, func(tx *tx) {
		role, found := tx.roleForPolicyID(c.params[0])
		switch {
		case !tx.canReadPolicies():
			c.fail(errPolicyRead)
		case !found:
			c.fail(notFound("roleManagementPolicies", c.params[0]))
		default:
			c.writeEntity("policies/roleManagementPolicies", policyType, tx.policyItem(role.ID, 0), q)
		}
	})
}

func listRules(c *call) {
	q, ok := c.query("$filter", "$select", "$top", "$skiptoken")
	if !ok {
		return
	}
	c.s.view(c.caller, func(tx *tx) {
		role, found := tx.roleForPolicyID(c.params[0])
		switch {
		case !tx.canReadPolicies():
			c.fail(errPolicyRead)
		case !found:
			c.fail(notFound("roleManagementPolicies", c.params[0]))
		default:
			p := tx.policyFor(key{Role: role.ID})
			c.writeCollection(listing{set: "policies/roleManagementPolicies('" + c.params[0] + "')/rules", typ: ruleEntityType,
				each: func(after string, yield func(item) bool) {
					for i, id := range ruleIDs {
						if it := (item{cursor: seqCursor(uint64(i+1), 0), obj: p.Rules[id].object()}); it.cursor > after && !yield(it) {
							return
						}
					}
				}}, q)
		}
	})
}

func getRule(c *call) {
	q, ok := c.query("$select")
	if !ok {
		return
	}
	c.s.view(c.caller, func(tx *tx) {
		role, found := tx.roleForPolicyID(c.params[0])
		switch {
		case !tx.canReadPolicies():
			c.fail(errPolicyRead)
		case !found:
			c.fail(notFound("roleManagementPolicies", c.params[0]))
		case tx.policyFor(key{Role: role.ID}).Rule(c.params[1]) == nil:
			c.fail(notFound("rules", c.params[1]))
		default:
			r := tx.policyFor(key{Role: role.ID}).Rule(c.params[1])
			c.writeEntity("policies/roleManagementPolicies('"+c.params[0]+"')/rules", ruleEntityType, item{obj: r.object()}, q)
		}
	})
}

// decodeObject decodes a JSON object keeping annotations (rules are told
// apart by their @odata.type).
func decodeObject(data []byte) (map[string]any, *apiError) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		return nil, badRequest("BadRequest", "%s", invalidJSON)
	}
	return m, nil
}

func patchRule(c *call) {
	body, e := decodeObject(c.body)
	if e != nil {
		c.fail(e)
		return
	}
	e = c.s.update(c.caller, func(tx *tx) *apiError {
		return tx.patchRules(c.params[0], []map[string]any{body}, c.params[1])
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.w.noContent()
}

// patchPolicy updates several rules at once: all or none.
func patchPolicy(c *call) {
	var body struct {
		Rules []map[string]any `json:"rules"`
	}
	if err := json.Unmarshal(c.body, &body); err != nil || len(body.Rules) == 0 {
		c.fail(badRequest("BadRequest", "The body must be {\"rules\": [ ... ]} with at least one rule; the policy's other properties are read-only."))
		return
	}
	var obj odata.Object
	e := c.s.update(c.caller, func(tx *tx) *apiError {
		if err := tx.patchRules(c.params[0], body.Rules, ""); err != nil {
			return err
		}
		role, _ := tx.roleForPolicyID(c.params[0])
		obj = tx.policyObject(role.ID)
		return nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.w.json(http.StatusOK, obj.Prepend("@odata.context", c.metadata()+"#policies/roleManagementPolicies/$entity"))
}

// patchRules validates every rule body against a copy of the policy, then
// stores it and audits each changed rule. ruleID, when set, is the rule the
// path names.
func (tx *tx) patchRules(policyID string, bodies []map[string]any, ruleID string) *apiError {
	role, found := tx.roleForPolicyID(policyID)
	switch {
	case !tx.canWritePolicies():
		return forbidden("Changing role settings needs RoleManagementPolicy.ReadWrite.Directory (app-only) or the Privileged Role Administrator or Global Administrator role.")
	case !found:
		return notFound("roleManagementPolicies", policyID)
	}
	p := tx.policyFor(key{Role: role.ID}).clone()
	p.Key = directoryPolicyKey(role.ID)
	var changed []string
	for _, b := range bodies {
		id := ruleID
		if id == "" {
			id, _ = b["id"].(string)
		}
		r := p.Rule(id)
		if r == nil {
			return notFound("rules", id)
		}
		if err := applyRulePatch(r, b, tx.directoryHas); err != nil {
			return err
		}
		changed = append(changed, id)
	}
	now := tx.now
	p.LastModified, p.LastModifiedByID = &now, strings.ToLower(tx.caller.PrincipalID)
	tx.st.policies[p.Key] = p
	tx.touch(entPolicy, p.Key)
	for _, id := range changed {
		tx.auditSetting(role.ID, id)
	}
	return nil
}

func (tx *tx) directoryHas(user bool, id string) bool {
	id = strings.ToLower(id)
	if user {
		_, ok := tx.s.dir.users[id]
		return ok
	}
	_, ok := tx.s.dir.groups[id]
	return ok
}

func (tx *tx) policyAssignmentItem(roleID string, i int) item {
	pid := tx.policyID(roleID)
	obj := odata.Object{{"id", pid + "_" + roleID}, {"policyId", pid}, {"scopeId", "/"}, {"scopeType", "DirectoryRole"}, {"roleDefinitionId", roleID}}
	return item{cursor: seqCursor(uint64(i), 0), obj: obj, expand: func(e odata.Expand) any {
		pol := tx.policyObject(roleID)
		for _, inner := range e.Expand {
			if strings.EqualFold(inner.Name, "rules") || strings.EqualFold(inner.Name, "effectiveRules") {
				pol = pol.With(inner.Name, tx.policyFor(key{Role: strings.ToLower(roleID)}).rulesInOrder())
			}
		}
		return pol
	}}
}

func listPolicyAssignments(c *call) {
	q, ok := c.query("$filter", "$select", "$expand", "$top", "$skiptoken")
	if !ok {
		return
	}
	if e := scopeFiltered(q); e != nil {
		c.fail(e)
		return
	}
	c.s.view(c.caller, func(tx *tx) {
		if !tx.canReadPolicies() {
			c.fail(errPolicyRead)
			return
		}
		c.writeCollection(listing{set: "policies/roleManagementPolicyAssignments", typ: policyAssignType, each: func(after string, yield func(item) bool) {
			for i, r := range tx.s.dir.roles {
				if it := tx.policyAssignmentItem(r.ID, i+1); it.cursor > after && !yield(it) {
					return
				}
			}
		}}, q)
	})
}

func getPolicyAssignment(c *call) {
	q, ok := c.query("$select", "$expand")
	if !ok {
		return
	}
	c.s.view(c.caller, func(tx *tx) {
		if !tx.canReadPolicies() {
			c.fail(errPolicyRead)
			return
		}
		for i, r := range tx.s.dir.roles {
			if strings.EqualFold(tx.policyID(r.ID)+"_"+r.ID, c.params[0]) {
				c.writeEntity("policies/roleManagementPolicyAssignments", policyAssignType, tx.policyAssignmentItem(r.ID, i+1), q)
				return
			}
		}
		c.fail(notFound("roleManagementPolicyAssignments", c.params[0]))
	})
}

// displayName names a principal for policy and audit records.
func (tx *tx) displayName(id string) any {
	id = strings.ToLower(id)
	if u, ok := tx.s.dir.users[id]; ok {
		return u.DisplayName
	}
	if sp, ok := tx.s.dir.sps[id]; ok {
		return sp.DisplayName
	}
	if g, ok := tx.s.dir.groups[id]; ok {
		return g.DisplayName
	}
	return nil
}

var _ = fmt.Sprintf
