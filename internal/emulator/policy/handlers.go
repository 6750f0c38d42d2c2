package policy

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // a stable id, not a secret
	"encoding/json"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Role settings over HTTP: policies, their rules and policy assignments.
// https://learn.microsoft.com/graph/api/policyroot-list-rolemanagementpolicies,
// .../unifiedrolemanagementpolicy-update, .../unifiedrolemanagementpolicyrule-update,
// .../policyroot-list-rolemanagementpolicyassignments.

var (
	policyType = &wire.EntityType{Name: "unifiedRoleManagementPolicy",
		Props: []string{"id", "displayName", "description", "isOrganizationDefault", "scopeId", "scopeType", "lastModifiedDateTime", "lastModifiedBy"},
		Navs:  []string{"rules", "effectiveRules"}}
	ruleEntityType   = &wire.EntityType{Name: "unifiedRoleManagementPolicyRule", Props: []string{"id", "target"}}
	policyAssignType = &wire.EntityType{Name: "unifiedRoleManagementPolicyAssignment",
		Props: []string{"id", "policyId", "scopeId", "scopeType", "roleDefinitionId"}, Navs: []string{"policy"}}
)

const scopeFilterRequired = "The $filter on scopeId and scopeType is required, e.g. scopeId eq '/' and scopeType eq 'DirectoryRole'."

// policyID is stable per tenant and subject, as Graph's are:
// DirectoryRole_{tenant}_{guid} for a role, Group_{groupId}_{guid} for a
// group's membership or ownership.
func (tx *tx) policyID(s core.PolicySubject) string {
	sum := sha1.Sum([]byte(tx.St.TenantID + "/" + s.Key())) //nolint:gosec // see import
	u, _ := uuid.FromBytes(sum[:16])
	if s.ScopeType == core.ScopeTypeGroup {
		return "Group_" + s.ScopeID + "_" + u.String()
	}
	return "DirectoryRole_" + tx.St.TenantID + "_" + u.String()
}

// subjectForPolicyID finds the subject of a policy id.
func (tx *tx) subjectForPolicyID(id string) (core.PolicySubject, bool) {
	if rest, ok := strings.CutPrefix(id, "Group_"); ok {
		groupID, _, _ := strings.Cut(rest, "_")
		for _, s := range tx.groupSubjects(groupID) {
			if strings.EqualFold(tx.policyID(s), id) {
				return s, true
			}
		}
		return core.PolicySubject{}, false
	}
	for _, r := range tx.Dir.Roles {
		if s := core.DirectorySubject(r.ID); strings.EqualFold(tx.policyID(s), id) {
			return s, true
		}
	}
	return core.PolicySubject{}, false
}

// subjectsFor lists the subjects a scope filter names: every directory role,
// or a group's membership and ownership.
func (tx *tx) subjectsFor(q *odata.Query) []core.PolicySubject {
	eq := q.Filter.Equalities()
	if strings.EqualFold(eq["scopetype"][0], core.ScopeTypeGroup) {
		return tx.groupSubjects(eq["scopeid"][0])
	}
	out := make([]core.PolicySubject, 0, len(tx.Dir.Roles))
	for _, r := range tx.Dir.Roles {
		out = append(out, core.DirectorySubject(r.ID))
	}
	return out
}

// groupSubjects are a PIM-manageable group's two policies.
func (tx *tx) groupSubjects(groupID string) []core.PolicySubject {
	g, ok := tx.Dir.Groups[strings.ToLower(groupID)]
	if !ok || g.MembershipRule != "" || g.OnPremisesSync {
		return nil
	}
	return []core.PolicySubject{{core.ScopeTypeGroup, g.ID, core.AccessMember}, {core.ScopeTypeGroup, g.ID, core.AccessOwner}}
}

func (tx *tx) policyObject(s core.PolicySubject) odata.Object {
	p := tx.PolicyOf(s)
	by := odata.Object{{"displayName", nil}, {"id", nil}}
	if p.LastModifiedByID != "" {
		by = odata.Object{{"displayName", tx.Dir.DisplayName(p.LastModifiedByID)}, {"id", p.LastModifiedByID}}
	}
	return odata.Object{{"id", tx.policyID(s)}, {"displayName", s.ScopeType}, {"description", s.ScopeType},
		{"isOrganizationDefault", false}, {"scopeId", s.ScopeID}, {"scopeType", s.ScopeType},
		{"lastModifiedDateTime", core.GraphTimePtr(p.LastModified)}, {"lastModifiedBy", by}}
}

func (tx *tx) policyItem(s core.PolicySubject, i int) wire.Item {
	return wire.Item{Cursor: wire.SeqCursor(uint64(i), 0), Obj: tx.policyObject(s), Expand: func(e odata.Expand) any {
		return tx.PolicyOf(s).RulesInOrder()
	}}
}

func (tx *tx) canReadPolicies() bool { return tx.Allowed(permPolicyRead, core.PIMReaderRoles) }
func (tx *tx) canWritePolicyOf(s core.PolicySubject) bool {
	if s.ScopeType == core.ScopeTypeGroup {
		return tx.Allowed(permGroupPolicyWrite, core.PIMWriterRoles)
	}
	return tx.Allowed(permPolicyWrite, core.PIMWriterRoles)
}

// canReadPoliciesOf: the scope type's read permission (group policies have
// their own).
func (tx *tx) canReadPoliciesOf(scopeType string) bool {
	if strings.EqualFold(scopeType, core.ScopeTypeGroup) {
		return tx.Allowed(permGroupPolicyRead, core.PIMReaderRoles)
	}
	return tx.canReadPolicies()
}

var errPolicyRead = core.Forbidden("Reading role settings needs RoleManagementPolicy.Read.Directory (app-only) or a role such as Global Reader, Security Reader or Privileged Role Administrator.")

// scopeFiltered enforces the documented required $filter on scopeId and
// scopeType and accepts scopeType 'Directory' as a synonym of 'DirectoryRole'.
func scopeFiltered(q *odata.Query) *core.APIError {
	eq := q.Filter.Equalities()
	if q.Filter == nil || len(eq["scopeid"]) == 0 || len(eq["scopetype"]) == 0 {
		return core.BadRequest("BadRequest", scopeFilterRequired)
	}
	q.Filter.ReplaceEquality("scopeType", "Directory", "DirectoryRole")
	return nil
}

// listPolicies and listPolicyAssignments list one item per policy
// subject the required scope filter selects.
var (
	listPolicies          = listSubjects("policies/roleManagementPolicies", policyType, (*tx).policyItem)
	listPolicyAssignments = listSubjects("policies/roleManagementPolicyAssignments", policyAssignType, (*tx).policyAssignmentItem)
)

func listSubjects(set string, typ *wire.EntityType, item func(*tx, core.PolicySubject, int) wire.Item) func(*call) {
	return func(c *call) {
		q, ok := c.Query("$filter", "$select", "$expand", "$top", "$skiptoken")
		if !ok {
			return
		}
		if e := scopeFiltered(q); e != nil {
			c.Fail(e)
			return
		}
		c.a.view(c.Caller, func(tx *tx) {
			if !tx.canReadPoliciesOf(q.Filter.Equalities()["scopetype"][0]) {
				c.Fail(errPolicyRead)
				return
			}
			c.WriteCollection(wire.Listing{Set: set, Typ: typ, Each: func(after string, yield func(wire.Item) bool) {
				for i, subj := range tx.subjectsFor(q) {
					if it := item(tx, subj, i+1); it.Cursor > after && !yield(it) {
						return
					}
				}
			}}, q)
		})
	}
}

func getPolicy(c *call) {
	q, ok := c.Query("$select", "$expand")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		subj, found := tx.subjectForPolicyID(c.Params[0])
		switch {
		case !tx.canReadPolicies():
			c.Fail(errPolicyRead)
		case !found:
			c.Fail(core.NotFound("roleManagementPolicies", c.Params[0]))
		default:
			c.WriteEntity("policies/roleManagementPolicies", policyType, tx.policyItem(subj, 0), q)
		}
	})
}

func listRules(c *call) {
	q, ok := c.Query("$filter", "$select", "$top", "$skiptoken")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		subj, found := tx.subjectForPolicyID(c.Params[0])
		switch {
		case !tx.canReadPolicies():
			c.Fail(errPolicyRead)
		case !found:
			c.Fail(core.NotFound("roleManagementPolicies", c.Params[0]))
		default:
			p := tx.PolicyOf(subj)
			c.WriteCollection(wire.Listing{Set: "policies/roleManagementPolicies('" + c.Params[0] + "')/rules", Typ: ruleEntityType,
				Each: func(after string, yield func(wire.Item) bool) {
					for i, id := range core.RuleIDList {
						if it := (wire.Item{Cursor: wire.SeqCursor(uint64(i+1), 0), Obj: p.Rules[id].Object()}); it.Cursor > after && !yield(it) {
							return
						}
					}
				}}, q)
		}
	})
}

func getRule(c *call) {
	q, ok := c.Query("$select")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		subj, found := tx.subjectForPolicyID(c.Params[0])
		switch {
		case !tx.canReadPolicies():
			c.Fail(errPolicyRead)
		case !found:
			c.Fail(core.NotFound("roleManagementPolicies", c.Params[0]))
		case tx.PolicyOf(subj).Rule(c.Params[1]) == nil:
			c.Fail(core.NotFound("rules", c.Params[1]))
		default:
			r := tx.PolicyOf(subj).Rule(c.Params[1])
			c.WriteEntity("policies/roleManagementPolicies('"+c.Params[0]+"')/rules", ruleEntityType, wire.Item{Obj: r.Object()}, q)
		}
	})
}

// decodeObject decodes a JSON object keeping annotations (rules are told
// apart by their @odata.type).
func decodeObject(data []byte) (map[string]any, *core.APIError) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		return nil, core.BadRequest("BadRequest", "%s", wire.InvalidJSON)
	}
	return m, nil
}

func patchRule(c *call) {
	body, e := decodeObject(c.Body)
	if e != nil {
		c.Fail(e)
		return
	}
	e = c.a.update(c.Caller, func(tx *tx) *core.APIError {
		return tx.patchRules(c.Params[0], []map[string]any{body}, c.Params[1])
	})
	if e != nil {
		c.Fail(e)
		return
	}
	c.W.NoContent()
}

// patchPolicy updates several rules at once: all or none.
func patchPolicy(c *call) {
	var body struct {
		Rules []map[string]any `json:"rules"`
	}
	if err := json.Unmarshal(c.Body, &body); err != nil || len(body.Rules) == 0 {
		c.Fail(core.BadRequest("BadRequest", "The body must be {\"rules\": [ ... ]} with at least one rule; the policy's other properties are read-only."))
		return
	}
	var obj odata.Object
	e := c.a.update(c.Caller, func(tx *tx) *core.APIError {
		if err := tx.patchRules(c.Params[0], body.Rules, ""); err != nil {
			return err
		}
		subj, _ := tx.subjectForPolicyID(c.Params[0])
		obj = tx.policyObject(subj)
		return nil
	})
	if e != nil {
		c.Fail(e)
		return
	}
	c.W.JSON(http.StatusOK, obj.Prepend("@odata.context", c.Metadata()+"#policies/roleManagementPolicies/$entity"))
}

// patchRules validates every rule body against a copy of the policy, then
// stores it and audits each changed rule. ruleID, when set, is the rule the
// path names.
func (tx *tx) patchRules(policyID string, bodies []map[string]any, ruleID string) *core.APIError {
	subj, found := tx.subjectForPolicyID(policyID)
	switch {
	case !found:
		return core.NotFound("roleManagementPolicies", policyID)
	case !tx.canWritePolicyOf(subj):
		return core.Forbidden("Changing PIM settings needs RoleManagementPolicy.ReadWrite.Directory (app-only; RoleManagementPolicy.ReadWrite.AzureADGroup " +
			"for groups) or the Privileged Role Administrator or Global Administrator role.")
	}
	p := tx.PolicyOf(subj).Clone()
	p.Key = subj.Key()
	var changed []string
	for _, b := range bodies {
		id := ruleID
		if id == "" {
			id, _ = b["id"].(string)
		}
		r := p.Rule(id)
		if r == nil {
			return core.NotFound("rules", id)
		}
		if err := core.ApplyRulePatch(r, b, tx.directoryHas); err != nil {
			return err
		}
		changed = append(changed, id)
	}
	now := tx.Now
	p.LastModified, p.LastModifiedByID = &now, strings.ToLower(tx.Caller.PrincipalID)
	tx.St.Policies[p.Key] = p
	tx.Touch(core.EntPolicy, p.Key)
	for _, id := range changed {
		tx.auditSetting(subj.RoleID, id)
	}
	return nil
}

func (tx *tx) directoryHas(user bool, id string) bool {
	id = strings.ToLower(id)
	if user {
		_, ok := tx.Dir.Users[id]
		return ok
	}
	_, ok := tx.Dir.Groups[id]
	return ok
}

func (tx *tx) policyAssignmentItem(s core.PolicySubject, i int) wire.Item {
	pid := tx.policyID(s)
	obj := odata.Object{{"id", pid + "_" + s.RoleID}, {"policyId", pid}, {"scopeId", s.ScopeID}, {"scopeType", s.ScopeType}, {"roleDefinitionId", s.RoleID}}
	return wire.Item{Cursor: wire.SeqCursor(uint64(i), 0), Obj: obj, Expand: func(e odata.Expand) any {
		pol := tx.policyObject(s)
		for _, inner := range e.Expand {
			if strings.EqualFold(inner.Name, "rules") || strings.EqualFold(inner.Name, "effectiveRules") {
				pol = pol.With(inner.Name, tx.PolicyOf(s).RulesInOrder())
			}
		}
		return pol
	}}
}

func getPolicyAssignment(c *call) {
	q, ok := c.Query("$select", "$expand")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		if !tx.canReadPolicies() {
			c.Fail(errPolicyRead)
			return
		}
		if subj, ok := tx.subjectForAssignmentID(c.Params[0]); ok {
			c.WriteEntity("policies/roleManagementPolicyAssignments", policyAssignType, tx.policyAssignmentItem(subj, 1), q)
			return
		}
		c.Fail(core.NotFound("roleManagementPolicyAssignments", c.Params[0]))
	})
}

// displayName names a principal for policy and audit records.

// subjectForAssignmentID finds the subject of a policy assignment id
// ({policyId}_{roleDefinitionId}).
func (tx *tx) subjectForAssignmentID(id string) (core.PolicySubject, bool) {
	i := strings.LastIndex(id, "_")
	if i < 0 {
		return core.PolicySubject{}, false
	}
	s, ok := tx.subjectForPolicyID(id[:i])
	return s, ok && strings.EqualFold(s.RoleID, id[i+1:])
}

// auditSetting records a changed rule.
func (tx *tx) auditSetting(roleID, ruleID string) {
	tx.Audit(core.AuditEntry{Activity: "Update role setting in PIM", Op: "Update", Initiator: tx.Caller.PrincipalID, Reason: ruleID,
		Key: core.Key{Role: strings.ToLower(roleID)}, Spec: core.ScheduleSpec{Start: tx.Now}})
}
