package pimclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Role management policies of Azure roles
// (https://learn.microsoft.com/rest/api/authorization/role-management-policies/update):
// one per role at each scope, found through its policy assignment. The
// rules are Graph's 17 in ARM's spelling — ruleType for @odata.type,
// approvers {id, userType: "User"|"Group"} — and a change is a PATCH of
// the rules it names (ARM does not implement PUT).

type armApprovalSettings struct {
	IsApprovalRequired               bool               `json:"isApprovalRequired"`
	IsApprovalRequiredForExtension   bool               `json:"isApprovalRequiredForExtension"`
	IsRequestorJustificationRequired bool               `json:"isRequestorJustificationRequired"`
	ApprovalMode                     string             `json:"approvalMode"`
	ApprovalStages                   []armApprovalStage `json:"approvalStages"`
}

type armApprovalStage struct {
	ApprovalStageTimeOutInDays      int           `json:"approvalStageTimeOutInDays"`
	IsApproverJustificationRequired bool          `json:"isApproverJustificationRequired"`
	EscalationTimeInMinutes         int           `json:"escalationTimeInMinutes"`
	IsEscalationEnabled             bool          `json:"isEscalationEnabled"`
	PrimaryApprovers                []armApprover `json:"primaryApprovers"`
	EscalationApprovers             []armApprover `json:"escalationApprovers"`
}

type armApprover struct {
	ID       string `json:"id"`
	UserType string `json:"userType"` // "User" or "Group", exactly so: ARM refuses other casings
	IsBackup bool   `json:"isBackup"`
}

// GetAzureRolePolicy reads the policy of an Azure role (its full ARM id)
// at a scope, rules included. PolicyID is the policy's full ARM id.
func (c *Client) GetAzureRolePolicy(ctx context.Context, scope, roleDefinitionID string) (*RolePolicy, error) {
	q := url.Values{"$filter": {"roleDefinitionId eq " + quote(roleDefinitionID)}}
	type assignment struct {
		Properties struct {
			PolicyID         string `json:"policyId"`
			RoleDefinitionID string `json:"roleDefinitionId"`
		} `json:"properties"`
	}
	all, err := armList[assignment](ctx, c, strings.TrimRight(scope, "/")+authzProvider+"roleManagementPolicyAssignments", armPIMVersion, q)
	if err != nil {
		return nil, err
	}
	for _, a := range all {
		if strings.EqualFold(a.Properties.RoleDefinitionID, roleDefinitionID) {
			return c.getAzurePolicy(ctx, a.Properties.PolicyID, roleDefinitionID)
		}
	}
	return nil, fmt.Errorf("azure role %s at %s: %w", roleDefinitionID, scope, ErrNoPolicy)
}

func (c *Client) getAzurePolicy(ctx context.Context, policyID, roleDefinitionID string) (*RolePolicy, error) {
	var out struct {
		ID         string `json:"id"`
		Properties struct {
			Rules []map[string]any `json:"rules"`
		} `json:"properties"`
	}
	if err := c.armDo(ctx, http.MethodGet, policyID, armPIMVersion, nil, nil, &out); err != nil {
		return nil, err
	}
	p := &RolePolicy{PolicyID: out.ID, RoleDefinitionID: roleDefinitionID, Rules: map[string]PolicyRule{}}
	for _, m := range out.Properties.Rules {
		r, err := fromARMRule(m)
		if err != nil {
			return nil, err
		}
		p.Rules[r.ID] = r
	}
	return p, nil
}

// fromARMRule restates an ARM rule in Graph's spelling.
func fromARMRule(m map[string]any) (PolicyRule, error) {
	t, _ := m["ruleType"].(string)
	delete(m, "ruleType")
	m["@odata.type"] = "#microsoft.graph.unified" + t
	if s, ok := m["setting"].(map[string]any); ok {
		for _, st := range asAnyList(s["approvalStages"]) {
			stage, _ := st.(map[string]any)
			for _, key := range []string{"primaryApprovers", "escalationApprovers"} {
				var out []any
				for _, v := range asAnyList(stage[key]) {
					ap, _ := v.(map[string]any)
					if ut, _ := ap["userType"].(string); strings.EqualFold(ut, "Group") {
						out = append(out, map[string]any{"@odata.type": SubjectGroupMembers, "groupId": ap["id"]})
					} else {
						out = append(out, map[string]any{"@odata.type": SubjectSingleUser, "userId": ap["id"]})
					}
				}
				stage[key] = out
			}
		}
	}
	var r PolicyRule
	return r, remarshal(m, &r)
}

func asAnyList(v any) []any { l, _ := v.([]any); return l }

// UpdateAzurePolicyRules PATCHes rules of an Azure role's policy (its full
// ARM id) in one call, in ARM's spelling: a maximum duration goes only
// with an expiration that is required, as ARM refuses the pair otherwise.
func (c *Client) UpdateAzurePolicyRules(ctx context.Context, policyID string, rules []PolicyRule) error {
	body := make([]any, 0, len(rules))
	for _, r := range rules {
		m, err := toARMRule(r)
		if err != nil {
			return err
		}
		body = append(body, m)
	}
	return c.armDo(ctx, http.MethodPatch, policyID, armPIMVersion, nil, map[string]any{"properties": map[string]any{"rules": body}}, nil)
}

func toARMRule(r PolicyRule) (map[string]any, error) {
	var m map[string]any
	if err := remarshal(r, &m); err != nil {
		return nil, err
	}
	delete(m, "@odata.type")
	m["ruleType"] = "RoleManagementPolicy" + strings.TrimPrefix(r.ODataType, "#microsoft.graph.unifiedRoleManagementPolicy")
	if t, ok := m["target"].(map[string]any); ok {
		delete(t, "@odata.type")
	}
	if r.ODataType == RuleTypeExpiration && !r.IsExpirationRequired {
		delete(m, "maximumDuration")
	}
	if r.Setting != nil {
		s := armApprovalSettings{IsApprovalRequired: r.Setting.IsApprovalRequired, IsApprovalRequiredForExtension: r.Setting.IsApprovalRequiredForExtension,
			IsRequestorJustificationRequired: r.Setting.IsRequestorJustificationRequired, ApprovalMode: r.Setting.ApprovalMode, ApprovalStages: []armApprovalStage{}}
		for _, st := range r.Setting.ApprovalStages {
			s.ApprovalStages = append(s.ApprovalStages, armApprovalStage{ApprovalStageTimeOutInDays: st.ApprovalStageTimeOutInDays,
				IsApproverJustificationRequired: st.IsApproverJustificationRequired, EscalationTimeInMinutes: st.EscalationTimeInMinutes,
				IsEscalationEnabled: st.IsEscalationEnabled, PrimaryApprovers: armApprovers(st.PrimaryApprovers), EscalationApprovers: armApprovers(st.EscalationApprovers)})
		}
		m["setting"] = s
	}
	return m, nil
}

func armApprovers(in []SubjectSet) []armApprover {
	out := []armApprover{}
	for _, s := range in {
		if s.GroupID != "" {
			out = append(out, armApprover{ID: s.GroupID, UserType: "Group"})
		} else {
			out = append(out, armApprover{ID: s.UserID, UserType: "User"})
		}
	}
	return out
}

// remarshal converts between shapes through JSON.
func remarshal(in, out any) error {
	data, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, out)
}
