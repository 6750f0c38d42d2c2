package emulator

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // a stable id, not a secret
	"encoding/json"
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

// policyID is stable per tenant and subject, as Graph's are:
// DirectoryRole_{tenant}_{guid} for a role, Group_{groupId}_{guid} for a
// group's membership or ownership.
func (tx *tx) policyID(s policySubject) string {
	sum := sha1.Sum([]byte(tx.st.TenantID + "/" + s.key())) //nolint:gosec // see import
	u, _ := uuid.FromBytes(sum[:16])
	if s.scopeType == scopeTypeGroup {
		return "Group_" + s.scopeID + "_" + u.String()
	}
	return "DirectoryRole_" + tx.st.TenantID + "_" + u.String()
}

// subjectForPolicyID finds the subject of a policy id.
func (tx *tx) subjectForPolicyID(id string) (policySubject, bool) {
	if rest, ok := strings.CutPrefix(id, "Group_"); ok {
		groupID, _, _ := strings.Cut(rest, "_")
		for _, s := range tx.groupSubjects(groupID) {
			if strings.EqualFold(tx.policyID(s), id) {
				return s, true
			}
		}
		return policySubject{}, false
	}
	for _, r := range tx.s.dir.roles {
		if s := directorySubject(r.ID); strings.EqualFold(tx.policyID(s), id) {
			return s, true
		}
	}
	return policySubject{}, false
}

// subjectsFor lists the subjects a scope filter names: every directory role,
// or a group's membership and ownership.
func (tx *tx) subjectsFor(q *odata.Query) []policySubject {
	eq := q.Filter.Equalities()
	if strings.EqualFold(eq["scopetype"][0], scopeTypeGroup) {
		return tx.groupSubjects(eq["scopeid"][0])
	}
	out := make([]policySubject, 0, len(tx.s.dir.roles))
	for _, r := range tx.s.dir.roles {
		out = append(out, directorySubject(r.ID))
	}
	return out
}

// groupSubjects are a PIM-manageable group's two policies.
func (tx *tx) groupSubjects(groupID string) []policySubject {
	g, ok := tx.s.dir.groups[strings.ToLower(groupID)]
	if !ok || g.MembershipRule != "" || g.OnPremisesSync {
		return nil
	}
	return []policySubject{{scopeTypeGroup, g.ID, accessMember}, {scopeTypeGroup, g.ID, accessOwner}}
}

func (tx *tx) policyObject(s policySubject) odata.Object {
	p := tx.policyOf(s)
	by := odata.Object{{"displayName", nil}, {"id", nil}}
	if p.LastModifiedByID != "" {
		by = odata.Object{{"displayName", tx.displayName(p.LastModifiedByID)}, {"id", p.LastModifiedByID}}
	}
	return odata.Object{{"id", tx.policyID(s)}, {"displayName", s.scopeType}, {"description", s.scopeType},
		{"isOrganizationDefault", false}, {"scopeId", s.scopeID}, {"scopeType", s.scopeType},
		{"lastModifiedDateTime", graphTimePtr(p.LastModified)}, {"lastModifiedBy", by}}
}

func (tx *tx) policyItem(s policySubject, i int) item {
	return item{cursor: seqCursor(uint64(i), 0), obj: tx.policyObject(s), expand: func(e odata.Expand) any {
		return tx.policyOf(s).rulesInOrder()
	}}
}

func (tx *tx) canReadPolicies() bool { return tx.allowed(permPolicyRead, pimReaderRoles) }
func (tx *tx) canWritePolicyOf(s policySubject) bool {
	if s.scopeType == scopeTypeGroup {
		return tx.allowed(permGroupPolicyWrite, pimWriterRoles)
	}
	return tx.allowed(permPolicyWrite, pimWriterRoles)
}

// canReadPoliciesOf: the scope type's read permission (group policies have
// their own).
func (tx *tx) canReadPoliciesOf(scopeType string) bool {
	if strings.EqualFold(scopeType, scopeTypeGroup) {
		return tx.allowed(permGroupPolicyRead, pimReaderRoles)
	}
	return tx.canReadPolicies()
}

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
		if !tx.canReadPoliciesOf(q.Filter.Equalities()["scopetype"][0]) {
			c.fail(errPolicyRead)
			return
		}
		c.writeCollection(listing{set: "policies/roleManagementPolicies", typ: policyType, each: func(after string, yield func(item) bool) {
			for i, subj := range tx.subjectsFor(q) {
				if it := tx.policyItem(subj, i+1); it.cursor > after && !yield(it) {
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
		subj, found := tx.subjectForPolicyID(c.params[0])
		switch {
		case !tx.canReadPolicies():
			c.fail(errPolicyRead)
		case !found:
			c.fail(notFound("roleManagementPolicies", c.params[0]))
		default:
			c.writeEntity("policies/roleManagementPolicies", policyType, tx.policyItem(subj, 0), q)
		}
	})
}

func listRules(c *call) {
	q, ok := c.query("$filter", "$select", "$top", "$skiptoken")
	if !ok {
		return
	}
	c.s.view(c.caller, func(tx *tx) {
		subj, found := tx.subjectForPolicyID(c.params[0])
		switch {
		case !tx.canReadPolicies():
			c.fail(errPolicyRead)
		case !found:
			c.fail(notFound("roleManagementPolicies", c.params[0]))
		default:
			p := tx.policyOf(subj)
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
		subj, found := tx.subjectForPolicyID(c.params[0])
		switch {
		case !tx.canReadPolicies():
			c.fail(errPolicyRead)
		case !found:
			c.fail(notFound("roleManagementPolicies", c.params[0]))
		case tx.policyOf(subj).Rule(c.params[1]) == nil:
			c.fail(notFound("rules", c.params[1]))
		default:
			r := tx.policyOf(subj).Rule(c.params[1])
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
		subj, _ := tx.subjectForPolicyID(c.params[0])
		obj = tx.policyObject(subj)
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
	subj, found := tx.subjectForPolicyID(policyID)
	switch {
	case !found:
		return notFound("roleManagementPolicies", policyID)
	case !tx.canWritePolicyOf(subj):
		return forbidden("Changing PIM settings needs RoleManagementPolicy.ReadWrite.Directory (app-only; RoleManagementPolicy.ReadWrite.AzureADGroup " +
			"for groups) or the Privileged Role Administrator or Global Administrator role.")
	}
	p := tx.policyOf(subj).clone()
	p.Key = subj.key()
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
		tx.auditSetting(subj.roleID, id)
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

func (tx *tx) policyAssignmentItem(s policySubject, i int) item {
	pid := tx.policyID(s)
	obj := odata.Object{{"id", pid + "_" + s.roleID}, {"policyId", pid}, {"scopeId", s.scopeID}, {"scopeType", s.scopeType}, {"roleDefinitionId", s.roleID}}
	return item{cursor: seqCursor(uint64(i), 0), obj: obj, expand: func(e odata.Expand) any {
		pol := tx.policyObject(s)
		for _, inner := range e.Expand {
			if strings.EqualFold(inner.Name, "rules") || strings.EqualFold(inner.Name, "effectiveRules") {
				pol = pol.With(inner.Name, tx.policyOf(s).rulesInOrder())
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
		if !tx.canReadPoliciesOf(q.Filter.Equalities()["scopetype"][0]) {
			c.fail(errPolicyRead)
			return
		}
		c.writeCollection(listing{set: "policies/roleManagementPolicyAssignments", typ: policyAssignType, each: func(after string, yield func(item) bool) {
			for i, subj := range tx.subjectsFor(q) {
				if it := tx.policyAssignmentItem(subj, i+1); it.cursor > after && !yield(it) {
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
		if subj, ok := tx.subjectForAssignmentID(c.params[0]); ok {
			c.writeEntity("policies/roleManagementPolicyAssignments", policyAssignType, tx.policyAssignmentItem(subj, 1), q)
			return
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

// subjectForAssignmentID finds the subject of a policy assignment id
// ({policyId}_{roleDefinitionId}).
func (tx *tx) subjectForAssignmentID(id string) (policySubject, bool) {
	i := strings.LastIndex(id, "_")
	if i < 0 {
		return policySubject{}, false
	}
	s, ok := tx.subjectForPolicyID(id[:i])
	return s, ok && strings.EqualFold(s.roleID, id[i+1:])
}
