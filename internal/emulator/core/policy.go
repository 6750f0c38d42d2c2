package core

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// A role's PIM policy ("role setting"): 17 rules with fixed ids, documented
// at https://learn.microsoft.com/graph/identity-governance-pim-rules-overview.
// The 17 fixed rule ids of a directory role's PIM policy, in the order of
// the documented GET response (List roleManagementPolicyAssignments with
// $expand=policy($expand=rules)). Tests compare this list with the client's.
var RuleIDList = []string{
	"Expiration_Admin_Eligibility", "Enablement_Admin_Eligibility",
	"Notification_Admin_Admin_Eligibility", "Notification_Requestor_Admin_Eligibility", "Notification_Approver_Admin_Eligibility",
	"Expiration_Admin_Assignment", "Enablement_Admin_Assignment",
	"Notification_Admin_Admin_Assignment", "Notification_Requestor_Admin_Assignment", "Notification_Approver_Admin_Assignment",
	"Expiration_EndUser_Assignment", "Enablement_EndUser_Assignment", "Approval_EndUser_Assignment",
	"AuthenticationContext_EndUser_Assignment",
	"Notification_Admin_EndUser_Assignment", "Notification_Requestor_EndUser_Assignment", "Notification_Approver_EndUser_Assignment",
}

// Rule types (the part after #microsoft.graph.).
const (
	TypeExpiration  = "unifiedRoleManagementPolicyExpirationRule"
	TypeEnablement  = "unifiedRoleManagementPolicyEnablementRule"
	TypeApproval    = "unifiedRoleManagementPolicyApprovalRule"
	TypeAuthContext = "unifiedRoleManagementPolicyAuthenticationContextRule"
	TypeNotify      = "unifiedRoleManagementPolicyNotificationRule"
)

// ruleType derives a rule's type from its fixed id.
func RuleType(id string) string {
	switch strings.SplitN(id, "_", 2)[0] {
	case "Expiration":
		return TypeExpiration
	case "Enablement":
		return TypeEnablement
	case "Approval":
		return TypeApproval
	case "AuthenticationContext":
		return TypeAuthContext
	}
	return TypeNotify
}

// ruleCallerLevel derives the target caller and level from the id's suffix.
func RuleCallerLevel(id string) (caller, level string) {
	parts := strings.Split(id, "_")
	return parts[len(parts)-2], parts[len(parts)-1]
}

// Rule is one of the 17 rules. Only the fields of its type are meaningful.
type Rule struct {
	ID string

	IsExpirationRequired bool
	MaximumDuration      string

	EnabledRules []string

	Approval ApprovalSettings

	IsEnabled  bool
	ClaimValue string

	NotificationLevel          string
	IsDefaultRecipientsEnabled bool
	NotificationRecipients     []string
}

// ApprovalSettings is Graph's approvalSettings.
type ApprovalSettings struct {
	IsApprovalRequired               bool
	IsApprovalRequiredForExtension   bool
	IsRequestorJustificationRequired bool
	ApprovalMode                     string
	Stages                           []ApprovalStage
}

// ApprovalStage is Graph's unifiedApprovalStage.
type ApprovalStage struct {
	TimeoutInDays                   int
	IsApproverJustificationRequired bool
	EscalationTimeInMinutes         int
	IsEscalationEnabled             bool
	PrimaryApprovers                []Approver
	EscalationApprovers             []Approver
}

// Approver is a subjectSet: a single user or the members of a group.
type Approver struct {
	UserID  string
	GroupID string
}

// Policy is a role's PIM policy: its 17 rules by id.
type Policy struct {
	// Key is the policy's scope: "directory/<role definition id>".
	Key              string
	Rules            map[string]*Rule
	LastModified     *time.Time
	LastModifiedByID string
}

// policySubject is what a PIM policy governs: a directory role (scope "/"),
// or a group's membership or ownership (PIM for Groups).
type PolicySubject struct {
	ScopeType string // scopeTypeDirectoryRole or scopeTypeGroup
	ScopeID   string // "/" or the group's id
	RoleID    string // a role definition id, or accessMember / accessOwner
}

const (
	ScopeTypeDirectoryRole = "DirectoryRole"
	ScopeTypeGroup         = "Group"
	// ScopeTypeAzure is an Azure role at an ARM scope (ScopeID the
	// lower-case path, RoleID the role definition's GUID).
	ScopeTypeAzure = "Azure"
	AccessMember   = "member"
	AccessOwner    = "owner"
)

func DirectorySubject(roleID string) PolicySubject {
	return PolicySubject{ScopeTypeDirectoryRole, "/", strings.ToLower(roleID)}
}

// key is where the policy is stored: "directory/<role>" or
// "group/<group>/<access>".
func (s PolicySubject) Key() string {
	switch s.ScopeType {
	case ScopeTypeGroup:
		return "group/" + strings.ToLower(s.ScopeID) + "/" + s.RoleID
	case ScopeTypeAzure:
		return "azure" + strings.ToLower(s.ScopeID) + "|" + strings.ToLower(s.RoleID)
	}
	return "directory/" + strings.ToLower(s.RoleID)
}

func DirectoryPolicyKey(roleID string) string { return DirectorySubject(roleID).Key() }

// DefaultGroupPolicy is the documented default of a group's membership or
// ownership: as a role's, except that active assignments must end, within
// six months (privilegedidentitymanagement-for-groups-api-overview).
func DefaultGroupPolicy() *Policy {
	p := DefaultPolicy()
	p.Rule("Expiration_Admin_Assignment").IsExpirationRequired = true
	p.Rule("Expiration_Admin_Assignment").MaximumDuration = "P180D"
	return p
}

// DefaultAzurePolicy is an Azure role's default at a scope: as a
// directory role's, except that eligible and active assignments must end
// (the portal's "Allow permanent eligible/active assignment" are off).
// guess: Learn documents the settings, not their defaults; these are what
// a new subscription shows.
func DefaultAzurePolicy() *Policy {
	p := DefaultPolicy()
	p.Rule("Expiration_Admin_Eligibility").IsExpirationRequired = true
	p.Rule("Expiration_Admin_Assignment").IsExpirationRequired = true
	p.Rule("Enablement_EndUser_Assignment").EnabledRules = []string{"Justification"}
	return p
}

// DefaultPolicy is the documented default of a directory role
// (the example of https://learn.microsoft.com/graph/api/policyroot-list-rolemanagementpolicyassignments;
// internal/emulator/testdata/graph-examples holds it and a test compares).
func DefaultPolicy() *Policy {
	p := &Policy{Rules: map[string]*Rule{}}
	for _, id := range RuleIDList {
		r := &Rule{ID: id}
		switch RuleType(id) {
		case TypeNotify:
			r.NotificationLevel, r.IsDefaultRecipientsEnabled, r.NotificationRecipients = "All", true, []string{}
		case TypeEnablement:
			r.EnabledRules = []string{}
		case TypeApproval:
			r.Approval = ApprovalSettings{IsRequestorJustificationRequired: true, ApprovalMode: "SingleStage",
				Stages: []ApprovalStage{{TimeoutInDays: 1, IsApproverJustificationRequired: true, PrimaryApprovers: []Approver{}, EscalationApprovers: []Approver{}}}}
		}
		p.Rules[id] = r
	}
	p.Rules["Expiration_Admin_Eligibility"].MaximumDuration = "P365D"
	p.Rules["Expiration_Admin_Assignment"].MaximumDuration = "P180D"
	p.Rules["Enablement_Admin_Assignment"].EnabledRules = []string{"Justification"}
	p.Rules["Expiration_EndUser_Assignment"].IsExpirationRequired = true
	p.Rules["Expiration_EndUser_Assignment"].MaximumDuration = "PT8H"
	p.Rules["Enablement_EndUser_Assignment"].EnabledRules = []string{"MultiFactorAuthentication", "Justification"}
	return p
}

// Rule returns the rule with the given id (nil if the id is not one of the 17).
func (p *Policy) Rule(id string) *Rule { return p.Rules[id] }

// RuleIDs returns the 17 rule ids in Graph's order.
func RuleIDs() []string { return append([]string(nil), RuleIDList...) }

func (p *Policy) Clone() *Policy {
	data, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("emulator: cloning a policy: %v", err))
	}
	var out Policy
	if err := json.Unmarshal(data, &out); err != nil {
		panic(fmt.Sprintf("emulator: cloning a policy: %v", err))
	}
	return &out
}

// object renders a rule as Graph does.
func (r *Rule) Object() odata.Object {
	caller, level := RuleCallerLevel(r.ID)
	o := odata.Object{{"@odata.type", "#microsoft.graph." + RuleType(r.ID)}, {"id", r.ID}}
	switch RuleType(r.ID) {
	case TypeExpiration:
		o = append(o, odata.Property{Name: "isExpirationRequired", Value: r.IsExpirationRequired}, odata.Property{Name: "maximumDuration", Value: r.MaximumDuration})
	case TypeEnablement:
		o = append(o, odata.Property{Name: "enabledRules", Value: NonNil(r.EnabledRules)})
	case TypeApproval:
		o = append(o, odata.Property{Name: "setting", Value: r.Approval.Object()})
	case TypeAuthContext:
		var claim any
		if r.ClaimValue != "" {
			claim = r.ClaimValue
		}
		o = append(o, odata.Property{Name: "isEnabled", Value: r.IsEnabled}, odata.Property{Name: "claimValue", Value: claim})
	case TypeNotify:
		o = append(o, odata.Object{{"notificationType", "Email"}, {"recipientType", NotificationRecipient(r.ID)},
			{"notificationLevel", r.NotificationLevel}, {"isDefaultRecipientsEnabled", r.IsDefaultRecipientsEnabled},
			{"notificationRecipients", NonNil(r.NotificationRecipients)}}...)
	}
	return append(o, odata.Property{Name: "target", Value: odata.Object{{"caller", caller}, {"operations", []string{"all"}}, {"level", level},
		{"inheritableSettings", []string{}}, {"enforcedSettings", []string{}}}})
}

func (a ApprovalSettings) Object() odata.Object {
	stages := make([]any, 0, len(a.Stages))
	for _, st := range a.Stages {
		stages = append(stages, odata.Object{{"approvalStageTimeOutInDays", st.TimeoutInDays},
			{"isApproverJustificationRequired", st.IsApproverJustificationRequired}, {"escalationTimeInMinutes", st.EscalationTimeInMinutes},
			{"isEscalationEnabled", st.IsEscalationEnabled}, {"primaryApprovers", ApproverObjects(st.PrimaryApprovers)},
			{"escalationApprovers", ApproverObjects(st.EscalationApprovers)}})
	}
	return odata.Object{{"isApprovalRequired", a.IsApprovalRequired}, {"isApprovalRequiredForExtension", a.IsApprovalRequiredForExtension},
		{"isRequestorJustificationRequired", a.IsRequestorJustificationRequired}, {"approvalMode", a.ApprovalMode}, {"approvalStages", stages}}
}

func NonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func ApproverObjects(as []Approver) []any {
	out := make([]any, 0, len(as))
	for _, a := range as {
		if a.GroupID != "" {
			out = append(out, odata.Object{{"@odata.type", "#microsoft.graph.groupMembers"}, {"groupId", a.GroupID}, {"description", nil}})
		} else {
			out = append(out, odata.Object{{"@odata.type", "#microsoft.graph.singleUser"}, {"userId", a.UserID}, {"description", nil}})
		}
	}
	return out
}

// notificationRecipient is the {Recipient} of Notification_{Recipient}_{Caller}_{Level}.
func NotificationRecipient(id string) string { return strings.Split(id, "_")[1] }

// rulesInOrder renders the 17 rules.
func (p *Policy) RulesInOrder() []any {
	out := make([]any, 0, len(RuleIDList))
	for _, id := range RuleIDList {
		out = append(out, p.Rules[id].Object())
	}
	return out
}

// MarshalJSON stores a policy as Graph-shaped rules.
func (p *Policy) MarshalJSON() ([]byte, error) {
	return json.Marshal(odata.Object{{"key", p.Key}, {"rules", p.RulesInOrder()}, {"lastModified", p.LastModified}, {"lastModifiedBy", p.LastModifiedByID}})
}

// UnmarshalJSON loads a stored policy through the same parser PATCH uses.
func (p *Policy) UnmarshalJSON(data []byte) error {
	var raw struct {
		Key            string           `json:"key"`
		Rules          []map[string]any `json:"rules"`
		LastModified   *time.Time       `json:"lastModified"`
		LastModifiedBy string           `json:"lastModifiedBy"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	def := DefaultPolicy()
	for _, m := range raw.Rules {
		id, _ := m["id"].(string)
		r, ok := def.Rules[id]
		if !ok {
			return fmt.Errorf("unknown rule %q in stored policy", id)
		}
		if err := ApplyRulePatch(r, m, nil); err != nil {
			return fmt.Errorf("rule %s in stored policy: %s", id, err.Message)
		}
	}
	p.Key, p.Rules, p.LastModified, p.LastModifiedByID = raw.Key, def.Rules, raw.LastModified, raw.LastModifiedBy
	return nil
}
