package pimclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// PolicyRule is one of a role policy's 17 rules. It is a union: only the
// fields of the rule's @odata.type are meaningful, and MarshalJSON sends only
// those, as the PATCH endpoint requires.
type PolicyRule struct {
	ODataType string `json:"@odata.type"`
	ID        string `json:"id"`

	// unifiedRoleManagementPolicyExpirationRule
	IsExpirationRequired bool   `json:"isExpirationRequired"`
	MaximumDuration      string `json:"maximumDuration"`
	// unifiedRoleManagementPolicyEnablementRule
	EnabledRules []string `json:"enabledRules"`
	// unifiedRoleManagementPolicyApprovalRule
	Setting *ApprovalSettings `json:"setting"`
	// unifiedRoleManagementPolicyAuthenticationContextRule
	IsEnabled  bool    `json:"isEnabled"`
	ClaimValue *string `json:"claimValue"`
	// unifiedRoleManagementPolicyNotificationRule
	NotificationType           string   `json:"notificationType"`
	RecipientType              string   `json:"recipientType"`
	NotificationLevel          string   `json:"notificationLevel"`
	IsDefaultRecipientsEnabled bool     `json:"isDefaultRecipientsEnabled"`
	NotificationRecipients     []string `json:"notificationRecipients"`
}

// Rule @odata.type values.
const (
	RuleTypeExpiration            = "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule"
	RuleTypeEnablement            = "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule"
	RuleTypeApproval              = "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule"
	RuleTypeAuthenticationContext = "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule"
	RuleTypeNotification          = "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule"
)

// MarshalJSON emits the rule's own fields plus its target.
func (r PolicyRule) MarshalJSON() ([]byte, error) {
	m := map[string]any{"@odata.type": r.ODataType, "id": r.ID}
	switch r.ODataType {
	case RuleTypeExpiration:
		m["isExpirationRequired"], m["maximumDuration"] = r.IsExpirationRequired, r.MaximumDuration
	case RuleTypeEnablement:
		m["enabledRules"] = nonNilStrings(r.EnabledRules)
	case RuleTypeApproval:
		m["setting"] = r.Setting
	case RuleTypeAuthenticationContext:
		m["isEnabled"], m["claimValue"] = r.IsEnabled, r.ClaimValue
	case RuleTypeNotification:
		m["notificationType"], m["recipientType"], m["notificationLevel"] = r.NotificationType, r.RecipientType, r.NotificationLevel
		m["isDefaultRecipientsEnabled"], m["notificationRecipients"] = r.IsDefaultRecipientsEnabled, nonNilStrings(r.NotificationRecipients)
	default:
		return nil, fmt.Errorf("rule %s has unknown @odata.type %q", r.ID, r.ODataType)
	}
	parts := strings.Split(r.ID, "_")
	if len(parts) >= 3 {
		m["target"] = map[string]any{
			"@odata.type": "microsoft.graph.unifiedRoleManagementPolicyRuleTarget",
			"caller":      parts[len(parts)-2], "operations": []string{"All"}, "level": parts[len(parts)-1],
			"inheritableSettings": []string{}, "enforcedSettings": []string{},
		}
	}
	return json.Marshal(m)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ApprovalSettings is Graph's approvalSettings.
type ApprovalSettings struct {
	IsApprovalRequired               bool            `json:"isApprovalRequired"`
	IsApprovalRequiredForExtension   bool            `json:"isApprovalRequiredForExtension"`
	IsRequestorJustificationRequired bool            `json:"isRequestorJustificationRequired"`
	ApprovalMode                     string          `json:"approvalMode"`
	ApprovalStages                   []ApprovalStage `json:"approvalStages"`
}

// ApprovalStage is Graph's unifiedApprovalStage.
type ApprovalStage struct {
	ApprovalStageTimeOutInDays      int          `json:"approvalStageTimeOutInDays"`
	IsApproverJustificationRequired bool         `json:"isApproverJustificationRequired"`
	EscalationTimeInMinutes         int          `json:"escalationTimeInMinutes"`
	IsEscalationEnabled             bool         `json:"isEscalationEnabled"`
	PrimaryApprovers                []SubjectSet `json:"primaryApprovers"`
	EscalationApprovers             []SubjectSet `json:"escalationApprovers"`
}

// SubjectSet is an approver: a single user or the members of a group.
type SubjectSet struct {
	ODataType string `json:"@odata.type"`
	UserID    string `json:"userId,omitempty"`
	GroupID   string `json:"groupId,omitempty"`
}

// SubjectSet @odata.type values.
const (
	SubjectSingleUser   = "#microsoft.graph.singleUser"
	SubjectGroupMembers = "#microsoft.graph.groupMembers"
)

// RolePolicy is a directory role's PIM policy with its rules by id.
type RolePolicy struct {
	PolicyID         string
	RoleDefinitionID string
	Rules            map[string]PolicyRule
}

// ErrNoPolicy is returned when Graph has no policy assignment for a role.
var ErrNoPolicy = fmt.Errorf("no PIM policy is assigned to this role")

// GetRolePolicy reads a directory role's policy and its rules through the
// documented policy-assignment lookup
// (https://learn.microsoft.com/graph/api/policyroot-list-rolemanagementpolicyassignments).
func (c *Client) GetRolePolicy(ctx context.Context, roleDefinitionID string) (*RolePolicy, error) {
	all, err := c.rolePolicies(ctx, "/", "DirectoryRole", Filter{}.Eq("roleDefinitionId", roleDefinitionID))
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if strings.EqualFold(p.RoleDefinitionID, roleDefinitionID) {
			return p, nil
		}
	}
	return nil, fmt.Errorf("role %s: %w", roleDefinitionID, ErrNoPolicy)
}

// ListRolePolicies reads the PIM policy of every directory role, rules
// included, in one paged list.
func (c *Client) ListRolePolicies(ctx context.Context) ([]*RolePolicy, error) {
	return c.rolePolicies(ctx, "/", "DirectoryRole", Filter{})
}

// GetGroupPolicy reads the PIM policy of a group's membership or ownership
// (accessID member or owner), rules included: the same rules as a role's.
func (c *Client) GetGroupPolicy(ctx context.Context, groupID, accessID string) (*RolePolicy, error) {
	all, err := c.rolePolicies(ctx, groupID, "Group", Filter{}.Eq("roleDefinitionId", accessID))
	if err != nil {
		return nil, err
	}
	for _, p := range all {
		if strings.EqualFold(p.RoleDefinitionID, accessID) {
			return p, nil
		}
	}
	return nil, fmt.Errorf("group %s (%s): %w", groupID, accessID, ErrNoPolicy)
}

// rolePolicies lists the policy assignments of a scope matching f, each
// with its policy and rules expanded.
func (c *Client) rolePolicies(ctx context.Context, scopeID, scopeType string, f Filter) ([]*RolePolicy, error) {
	q := Filter{clauses: append([]string{"scopeId eq " + quote(scopeID), "scopeType eq " + quote(scopeType)}, f.clauses...)}.query()
	q.Set("$expand", "policy($expand=rules)")
	type assignment struct {
		PolicyID         string `json:"policyId"`
		RoleDefinitionID string `json:"roleDefinitionId"`
		Policy           struct {
			ID    string       `json:"id"`
			Rules []PolicyRule `json:"rules"`
		} `json:"policy"`
	}
	all, err := list[assignment](ctx, c, "/policies/roleManagementPolicyAssignments", q)
	if err != nil {
		return nil, err
	}
	out := make([]*RolePolicy, 0, len(all))
	for _, a := range all {
		p := &RolePolicy{PolicyID: firstNonEmpty(a.Policy.ID, a.PolicyID), RoleDefinitionID: a.RoleDefinitionID, Rules: map[string]PolicyRule{}}
		for _, r := range a.Policy.Rules {
			p.Rules[r.ID] = r
		}
		out = append(out, p)
	}
	return out, nil
}

// UpdatePolicyRule PATCHes one rule of a policy.
func (c *Client) UpdatePolicyRule(ctx context.Context, policyID string, rule PolicyRule) error {
	path := "/policies/roleManagementPolicies/" + url.PathEscape(policyID) + "/rules/" + url.PathEscape(rule.ID)
	return c.do(ctx, http.MethodPatch, path, nil, rule, nil)
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// ruleIDs are the 17 rules of a directory role's PIM policy in Graph's
// order (https://learn.microsoft.com/graph/identity-governance-pim-rules-overview).
var ruleIDs = []string{
	"Expiration_Admin_Eligibility", "Enablement_Admin_Eligibility",
	"Notification_Admin_Admin_Eligibility", "Notification_Requestor_Admin_Eligibility", "Notification_Approver_Admin_Eligibility",
	"Expiration_Admin_Assignment", "Enablement_Admin_Assignment",
	"Notification_Admin_Admin_Assignment", "Notification_Requestor_Admin_Assignment", "Notification_Approver_Admin_Assignment",
	"Expiration_EndUser_Assignment", "Enablement_EndUser_Assignment", "Approval_EndUser_Assignment",
	"AuthenticationContext_EndUser_Assignment",
	"Notification_Admin_EndUser_Assignment", "Notification_Requestor_EndUser_Assignment", "Notification_Approver_EndUser_Assignment",
}

// RuleIDs returns the 17 rule ids in Graph's order.
func RuleIDs() []string { return slices.Clone(ruleIDs) }
