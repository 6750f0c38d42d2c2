package emulator

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
)

// The 17 fixed rule ids of a directory role's PIM policy, in the order of
// the documented GET response (pim-graph-api.md §5.5).
var ruleIDs = []string{
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
	typeExpiration  = "unifiedRoleManagementPolicyExpirationRule"
	typeEnablement  = "unifiedRoleManagementPolicyEnablementRule"
	typeApproval    = "unifiedRoleManagementPolicyApprovalRule"
	typeAuthContext = "unifiedRoleManagementPolicyAuthenticationContextRule"
	typeNotify      = "unifiedRoleManagementPolicyNotificationRule"
)

// ruleType derives a rule's type from its fixed id.
func ruleType(id string) string {
	switch strings.SplitN(id, "_", 2)[0] {
	case "Expiration":
		return typeExpiration
	case "Enablement":
		return typeEnablement
	case "Approval":
		return typeApproval
	case "AuthenticationContext":
		return typeAuthContext
	}
	return typeNotify
}

// ruleCallerLevel derives the target caller and level from the id's suffix.
func ruleCallerLevel(id string) (caller, level string) {
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

// Policy is a directory role's PIM policy: its 17 rules by id.
type Policy struct {
	Rules            map[string]*Rule
	LastModified     *time.Time
	LastModifiedByID string
}

// DefaultPolicy is the documented default of a directory role
// (graph-examples/unifiedrolemanagementpolicyassignment-list-expand-policy-rules-response.json).
func DefaultPolicy() *Policy {
	p := &Policy{Rules: map[string]*Rule{}}
	for _, id := range ruleIDs {
		r := &Rule{ID: id}
		switch ruleType(id) {
		case typeNotify:
			r.NotificationLevel, r.IsDefaultRecipientsEnabled, r.NotificationRecipients = "All", true, []string{}
		case typeEnablement:
			r.EnabledRules = []string{}
		case typeApproval:
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

func (p *Policy) clone() *Policy {
	data, _ := json.Marshal(p)
	var out Policy
	_ = json.Unmarshal(data, &out)
	return &out
}

// expirationAndEnablement returns the admin rules that govern requests of kind k.
func (p *Policy) expirationAndEnablement(k kind) (*Rule, *Rule) {
	if k == kindAssignment {
		return p.Rules["Expiration_Admin_Assignment"], p.Rules["Enablement_Admin_Assignment"]
	}
	return p.Rules["Expiration_Admin_Eligibility"], p.Rules["Enablement_Admin_Eligibility"]
}

// wire renders a rule as Graph does.
func (r *Rule) wire() map[string]any {
	caller, level := ruleCallerLevel(r.ID)
	m := map[string]any{
		"@odata.type": "#microsoft.graph." + ruleType(r.ID),
		"id":          r.ID,
		"target": map[string]any{"caller": caller, "operations": []string{"all"}, "level": level,
			"inheritableSettings": []string{}, "enforcedSettings": []string{}},
	}
	switch ruleType(r.ID) {
	case typeExpiration:
		m["isExpirationRequired"], m["maximumDuration"] = r.IsExpirationRequired, r.MaximumDuration
	case typeEnablement:
		m["enabledRules"] = nonNil(r.EnabledRules)
	case typeApproval:
		stages := make([]any, 0, len(r.Approval.Stages))
		for _, st := range r.Approval.Stages {
			stages = append(stages, map[string]any{
				"approvalStageTimeOutInDays": st.TimeoutInDays, "isApproverJustificationRequired": st.IsApproverJustificationRequired,
				"escalationTimeInMinutes": st.EscalationTimeInMinutes, "isEscalationEnabled": st.IsEscalationEnabled,
				"primaryApprovers": wireApprovers(st.PrimaryApprovers), "escalationApprovers": wireApprovers(st.EscalationApprovers),
			})
		}
		m["setting"] = map[string]any{
			"isApprovalRequired": r.Approval.IsApprovalRequired, "isApprovalRequiredForExtension": r.Approval.IsApprovalRequiredForExtension,
			"isRequestorJustificationRequired": r.Approval.IsRequestorJustificationRequired, "approvalMode": r.Approval.ApprovalMode,
			"approvalStages": stages,
		}
	case typeAuthContext:
		m["isEnabled"] = r.IsEnabled
		m["claimValue"] = nil
		if r.ClaimValue != "" {
			m["claimValue"] = r.ClaimValue
		}
	case typeNotify:
		recipient := notificationRecipient(r.ID)
		m["notificationType"], m["recipientType"], m["notificationLevel"] = "Email", recipient, r.NotificationLevel
		m["isDefaultRecipientsEnabled"], m["notificationRecipients"] = r.IsDefaultRecipientsEnabled, nonNil(r.NotificationRecipients)
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func wireApprovers(as []Approver) []any {
	out := make([]any, 0, len(as))
	for _, a := range as {
		if a.GroupID != "" {
			out = append(out, map[string]any{"@odata.type": "#microsoft.graph.groupMembers", "groupId": a.GroupID, "description": nil})
		} else {
			out = append(out, map[string]any{"@odata.type": "#microsoft.graph.singleUser", "userId": a.UserID, "description": nil})
		}
	}
	return out
}

// notificationRecipient is the {Recipient} of Notification_{Recipient}_{Caller}_{Level}.
func notificationRecipient(id string) string { return strings.Split(id, "_")[1] }

// MarshalJSON stores a policy in the snapshot as Graph-shaped rules.
func (p *Policy) MarshalJSON() ([]byte, error) {
	rules := make([]any, 0, len(ruleIDs))
	for _, id := range ruleIDs {
		rules = append(rules, p.Rules[id].wire())
	}
	return json.Marshal(map[string]any{"rules": rules, "lastModified": p.LastModified, "lastModifiedBy": p.LastModifiedByID})
}

// UnmarshalJSON loads a snapshot through the same parser PATCH uses.
func (p *Policy) UnmarshalJSON(data []byte) error {
	var raw struct {
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
			return fmt.Errorf("unknown rule %q in snapshot", id)
		}
		if err := applyRulePatch(r, m, nil); err != nil {
			return fmt.Errorf("rule %s in snapshot: %s", id, err.message)
		}
	}
	p.Rules, p.LastModified, p.LastModifiedByID = def.Rules, raw.LastModified, raw.LastModifiedBy
	return nil
}

var claimRE = regexp.MustCompile(`^c([1-9][0-9]?)$`)

// applyRulePatch validates a PATCH body and applies the fields it carries
// (absent fields keep their value). principalExists, when set, checks
// approver ids against the directory.
func applyRulePatch(r *Rule, m map[string]any, principalExists func(user bool, id string) bool) *apiError {
	want := ruleType(r.ID)
	t, _ := m["@odata.type"].(string)
	if t == "" {
		return badRequest("InvalidPolicyRule", "The rule %s must carry \"@odata.type\": \"#microsoft.graph.%s\".", r.ID, want)
	}
	if !strings.EqualFold(strings.TrimPrefix(strings.TrimPrefix(t, "#"), "microsoft.graph."), want) {
		return badRequest("InvalidPolicyRule", "The rule %s is a %s; \"@odata.type\" %q does not match.", r.ID, want, t)
	}
	if id, ok := m["id"].(string); ok && id != r.ID {
		return badRequest("InvalidPolicyRule", "The body's id %q does not match the rule %s.", id, r.ID)
	}
	if tgt, ok := m["target"].(map[string]any); ok {
		caller, level := ruleCallerLevel(r.ID)
		if c, ok := tgt["caller"].(string); ok && !strings.EqualFold(c, caller) {
			return badRequest("InvalidPolicyRule", "target.caller of %s is %s and cannot be changed to %q.", r.ID, caller, c)
		}
		if l, ok := tgt["level"].(string); ok && !strings.EqualFold(l, level) {
			return badRequest("InvalidPolicyRule", "target.level of %s is %s and cannot be changed to %q.", r.ID, level, l)
		}
	}
	next := *r
	var err *apiError
	switch want {
	case typeExpiration:
		err = patchExpiration(&next, m)
	case typeEnablement:
		err = patchEnablement(&next, m)
	case typeApproval:
		err = patchApproval(&next, m, principalExists)
	case typeAuthContext:
		err = patchAuthContext(&next, m)
	case typeNotify:
		err = patchNotification(&next, m)
	}
	if err != nil {
		return err
	}
	*r = next
	return nil
}

func boolField(m map[string]any, key, rule string, dst *bool) *apiError {
	v, ok := m[key]
	if !ok {
		return nil
	}
	b, ok := v.(bool)
	if !ok {
		return badRequest("InvalidPolicyRule", "%s.%s must be a boolean, got %v.", rule, key, v)
	}
	*dst = b
	return nil
}

func intField(m map[string]any, key, rule string, lo, hi int, dst *int) *apiError {
	v, ok := m[key]
	if !ok {
		return nil
	}
	f, ok := v.(float64)
	if !ok || f != float64(int(f)) || int(f) < lo || int(f) > hi {
		return badRequest("InvalidPolicyRule", "%s.%s must be a whole number from %d to %d, got %v.", rule, key, lo, hi, v)
	}
	*dst = int(f)
	return nil
}

func stringList(v any, what string) ([]string, *apiError) {
	items, ok := v.([]any)
	if !ok {
		return nil, badRequest("InvalidPolicyRule", "%s must be an array of strings.", what)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, badRequest("InvalidPolicyRule", "%s must be an array of strings.", what)
		}
		out = append(out, s)
	}
	return out, nil
}

func patchExpiration(r *Rule, m map[string]any) *apiError {
	if err := boolField(m, "isExpirationRequired", r.ID, &r.IsExpirationRequired); err != nil {
		return err
	}
	if v, ok := m["maximumDuration"]; ok {
		s, _ := v.(string)
		d, perr := isoduration.Parse(s)
		if perr != nil || d.IsZero() {
			return badRequest("InvalidPolicyRule", "%s.maximumDuration %v is not a positive ISO 8601 duration.", r.ID, v)
		}
		r.MaximumDuration = s
	}
	if r.ID == "Expiration_EndUser_Assignment" {
		// Activations are always time-bound, for at most 24 hours.
		if !r.IsExpirationRequired {
			return badRequest("InvalidPolicyRule", "Expiration_EndUser_Assignment.isExpirationRequired must be true: activations are always time-bound.")
		}
		d, _ := isoduration.Parse(r.MaximumDuration)
		base := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
		if end := d.AddTo(base); end.Sub(base) > 24*time.Hour || end.Sub(base) < 30*time.Minute {
			return badRequest("InvalidPolicyRule", "Expiration_EndUser_Assignment.maximumDuration %s is outside the allowed activation range PT30M to PT24H.", r.MaximumDuration)
		}
	}
	return nil
}

var enablementValues = map[string]string{
	"multifactorauthentication": "MultiFactorAuthentication", "justification": "Justification", "ticketing": "Ticketing",
}

func patchEnablement(r *Rule, m map[string]any) *apiError {
	v, ok := m["enabledRules"]
	if !ok {
		return nil
	}
	list, err := stringList(v, r.ID+".enabledRules")
	if err != nil {
		return err
	}
	out := []string{}
	for _, s := range list {
		canon, ok := enablementValues[strings.ToLower(s)]
		if !ok {
			return badRequest("InvalidPolicyRule", "%s.enabledRules: %q is not one of MultiFactorAuthentication, Justification, Ticketing.", r.ID, s)
		}
		if r.ID == "Enablement_Admin_Eligibility" && canon == "MultiFactorAuthentication" {
			// guess: the portal offers no MFA requirement for making someone eligible.
			return badRequest("InvalidPolicyRule", "Enablement_Admin_Eligibility.enabledRules: MultiFactorAuthentication is not supported for eligible assignments.")
		}
		out = append(out, canon)
	}
	r.EnabledRules = out
	return nil
}

var approvalModes = map[string]string{"singlestage": "SingleStage", "serial": "Serial", "parallel": "Parallel", "noapproval": "NoApproval"}

func patchApproval(r *Rule, m map[string]any, principalExists func(bool, string) bool) *apiError {
	v, ok := m["setting"]
	if !ok {
		return nil
	}
	s, ok := v.(map[string]any)
	if !ok {
		return badRequest("InvalidPolicyRule", "Approval_EndUser_Assignment.setting must be an approvalSettings object.")
	}
	a := r.Approval
	for key, dst := range map[string]*bool{
		"isApprovalRequired": &a.IsApprovalRequired, "isApprovalRequiredForExtension": &a.IsApprovalRequiredForExtension,
		"isRequestorJustificationRequired": &a.IsRequestorJustificationRequired,
	} {
		if err := boolField(s, key, "setting", dst); err != nil {
			return err
		}
	}
	if mv, ok := s["approvalMode"]; ok {
		ms, _ := mv.(string)
		canon, ok := approvalModes[strings.ToLower(ms)]
		if !ok {
			return badRequest("InvalidPolicyRule", "setting.approvalMode %v is not one of SingleStage, Serial, Parallel, NoApproval.", mv)
		}
		a.ApprovalMode = canon
	}
	if sv, ok := s["approvalStages"]; ok {
		items, ok := sv.([]any)
		if !ok {
			return badRequest("InvalidPolicyRule", "setting.approvalStages must be an array.")
		}
		a.Stages = nil
		for i, it := range items {
			sm, ok := it.(map[string]any)
			if !ok {
				return badRequest("InvalidPolicyRule", "setting.approvalStages[%d] must be an object.", i)
			}
			st := ApprovalStage{TimeoutInDays: 1}
			where := fmt.Sprintf("setting.approvalStages[%d]", i)
			if err := intField(sm, "approvalStageTimeOutInDays", where, 1, 7, &st.TimeoutInDays); err != nil {
				return err
			}
			if err := intField(sm, "escalationTimeInMinutes", where, 0, 7*24*60, &st.EscalationTimeInMinutes); err != nil {
				return err
			}
			if err := boolField(sm, "isApproverJustificationRequired", where, &st.IsApproverJustificationRequired); err != nil {
				return err
			}
			if err := boolField(sm, "isEscalationEnabled", where, &st.IsEscalationEnabled); err != nil {
				return err
			}
			var err *apiError
			if st.PrimaryApprovers, err = parseApprovers(sm["primaryApprovers"], where+".primaryApprovers", principalExists); err != nil {
				return err
			}
			if st.EscalationApprovers, err = parseApprovers(sm["escalationApprovers"], where+".escalationApprovers", principalExists); err != nil {
				return err
			}
			if st.IsEscalationEnabled && (len(st.EscalationApprovers) == 0 || st.EscalationTimeInMinutes == 0) {
				return badRequest("InvalidPolicyRule", "%s: isEscalationEnabled needs escalationApprovers and a positive escalationTimeInMinutes.", where)
			}
			a.Stages = append(a.Stages, st)
		}
	}
	switch {
	case len(a.Stages) > 2:
		return badRequest("InvalidPolicyRule", "setting.approvalStages has %d stages; at most 2 are supported.", len(a.Stages))
	case a.IsApprovalRequired && len(a.Stages) == 0:
		return badRequest("InvalidPolicyRule", "setting.isApprovalRequired is true but approvalStages is empty.")
	case a.IsApprovalRequired && a.ApprovalMode == "NoApproval":
		return badRequest("InvalidPolicyRule", "setting.approvalMode NoApproval contradicts isApprovalRequired true.")
	case a.ApprovalMode == "SingleStage" && len(a.Stages) > 1:
		return badRequest("InvalidPolicyRule", "setting.approvalMode SingleStage allows one stage, got %d; use Serial for multi-stage approval.", len(a.Stages))
	}
	r.Approval = a
	return nil
}

func parseApprovers(v any, where string, principalExists func(bool, string) bool) ([]Approver, *apiError) {
	out := []Approver{}
	if v == nil {
		return out, nil
	}
	items, ok := v.([]any)
	if !ok {
		return nil, badRequest("InvalidPolicyRule", "%s must be an array of subjectSet objects.", where)
	}
	for i, it := range items {
		m, _ := it.(map[string]any)
		t, _ := m["@odata.type"].(string)
		switch strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(t, "#"), "microsoft.graph.")) {
		case "singleuser":
			id, _ := m["userId"].(string)
			if principalExists != nil && !principalExists(true, id) {
				return nil, badRequest("InvalidPolicyRule", "%s[%d]: user %q does not exist in this tenant.", where, i, id)
			}
			out = append(out, Approver{UserID: strings.ToLower(id)})
		case "groupmembers":
			id, _ := m["groupId"].(string)
			if principalExists != nil && !principalExists(false, id) {
				return nil, badRequest("InvalidPolicyRule", "%s[%d]: group %q does not exist in this tenant.", where, i, id)
			}
			out = append(out, Approver{GroupID: strings.ToLower(id)})
		default:
			return nil, badRequest("InvalidPolicyRule", "%s[%d]: @odata.type %q is not #microsoft.graph.singleUser or #microsoft.graph.groupMembers.", where, i, t)
		}
	}
	return out, nil
}

func patchAuthContext(r *Rule, m map[string]any) *apiError {
	if err := boolField(m, "isEnabled", r.ID, &r.IsEnabled); err != nil {
		return err
	}
	if v, ok := m["claimValue"]; ok {
		s, _ := v.(string)
		if v != nil && !claimRE.MatchString(s) {
			return badRequest("InvalidPolicyRule", "%s.claimValue %v is not an authentication context id (c1 to c99).", r.ID, v)
		}
		r.ClaimValue = s
	}
	if r.IsEnabled && r.ClaimValue == "" {
		return badRequest("InvalidPolicyRule", "%s.isEnabled is true but claimValue is empty.", r.ID)
	}
	if !r.IsEnabled {
		r.ClaimValue = ""
	}
	return nil
}

var notificationLevels = map[string]string{"none": "None", "critical": "Critical", "all": "All"}

func patchNotification(r *Rule, m map[string]any) *apiError {
	recipient := notificationRecipient(r.ID)
	if v, ok := m["notificationType"]; ok && !strings.EqualFold(fmt.Sprint(v), "Email") {
		return badRequest("InvalidPolicyRule", "%s.notificationType must be Email, got %v.", r.ID, v)
	}
	if v, ok := m["recipientType"]; ok && !strings.EqualFold(fmt.Sprint(v), recipient) {
		return badRequest("InvalidPolicyRule", "%s.recipientType is %s and cannot be %v.", r.ID, recipient, v)
	}
	if v, ok := m["notificationLevel"]; ok {
		canon, ok := notificationLevels[strings.ToLower(fmt.Sprint(v))]
		if !ok {
			return badRequest("InvalidPolicyRule", "%s.notificationLevel %v is not one of None, Critical, All.", r.ID, v)
		}
		r.NotificationLevel = canon
	}
	if err := boolField(m, "isDefaultRecipientsEnabled", r.ID, &r.IsDefaultRecipientsEnabled); err != nil {
		return err
	}
	if v, ok := m["notificationRecipients"]; ok {
		list, err := stringList(v, r.ID+".notificationRecipients")
		if err != nil {
			return err
		}
		for _, addr := range list {
			if at := strings.Index(addr, "@"); at < 1 || at == len(addr)-1 {
				return badRequest("InvalidPolicyRule", "%s.notificationRecipients: %q is not an email address.", r.ID, addr)
			}
		}
		r.NotificationRecipients = list
	}
	return nil
}

// policyID is stable per tenant and role, as Graph's are.
func (s *Server) policyID(roleID string) string {
	sum := sha1.Sum([]byte(s.st.TenantID + "/" + strings.ToLower(roleID)))
	u, _ := uuid.FromBytes(sum[:16])
	return "DirectoryRole_" + s.st.TenantID + "_" + u.String()
}

func (s *Server) roleForPolicyID(id string) (roleDefinition, bool) {
	for _, r := range s.roles {
		if strings.EqualFold(s.policyID(r.ID), id) {
			return r, true
		}
	}
	return roleDefinition{}, false
}

func (s *Server) wirePolicy(roleID string, withRules bool) map[string]any {
	p := s.policy(roleID)
	m := map[string]any{
		"id": s.policyID(roleID), "displayName": "DirectoryRole", "description": "DirectoryRole", "isOrganizationDefault": false,
		"scopeId": "/", "scopeType": "DirectoryRole", "lastModifiedDateTime": graphTimePtr(p.LastModified),
		"lastModifiedBy": map[string]any{"displayName": nil, "id": nil},
	}
	if p.LastModifiedByID != "" {
		m["lastModifiedBy"] = map[string]any{"displayName": s.users[p.LastModifiedByID].DisplayName, "id": p.LastModifiedByID}
	}
	if withRules {
		rules := make([]any, 0, len(ruleIDs))
		for _, id := range ruleIDs {
			rules = append(rules, p.Rules[id].wire())
		}
		m["rules"] = rules
	}
	return m
}

// requireScopeFilter enforces the documented required $filter on scopeId and
// scopeType and normalises scopeType 'Directory' to 'DirectoryRole', which
// the service accepts as a synonym (pim-graph-api.md §5.1).
func (c *call) requireScopeFilter() bool {
	q := c.r.URL.Query()
	f := q.Get("$filter")
	expr, err := parseFilter(f)
	if f == "" || err != nil {
		c.w.error(http.StatusBadRequest, "BadRequest", "The $filter on scopeId and scopeType is required, e.g. scopeId eq '/' and scopeType eq 'DirectoryRole'.")
		return false
	}
	var scope, scopeType bool
	for i, cl := range expr {
		switch strings.ToLower(strings.Join(cl.path, "/")) {
		case "scopeid":
			scope = true
		case "scopetype":
			scopeType = true
			if s, _ := cl.lit.(string); strings.EqualFold(s, "Directory") {
				expr[i].lit = "DirectoryRole"
			}
		}
	}
	if !scope || !scopeType {
		c.w.error(http.StatusBadRequest, "BadRequest", "The $filter on scopeId and scopeType is required, e.g. scopeId eq '/' and scopeType eq 'DirectoryRole'.")
		return false
	}
	c.filterOverride = expr
	return true
}

func expands(q string, what string) bool {
	return strings.Contains(strings.ToLower(q), strings.ToLower(what))
}

func (c *call) listPolicies() {
	if !c.requireScopeFilter() {
		return
	}
	withRules := expands(c.r.URL.Query().Get("$expand"), "rules")
	items := make([]any, 0, len(c.s.roles))
	for _, r := range c.s.roles {
		items = append(items, c.s.wirePolicy(r.ID, withRules))
	}
	c.writeCollection("policies/roleManagementPolicies", items, 0)
}

func (c *call) getPolicy(id string, rest []string) {
	role, ok := c.s.roleForPolicyID(id)
	if !ok {
		c.notFound("roleManagementPolicies", id)
		return
	}
	switch {
	case len(rest) == 0:
		m := c.s.wirePolicy(role.ID, expands(c.r.URL.Query().Get("$expand"), "rules"))
		m["@odata.context"] = c.context("policies/roleManagementPolicies", true)
		c.w.json(http.StatusOK, m)
	case len(rest) == 1 && rest[0] == "rules":
		p := c.s.policy(role.ID)
		items := make([]any, 0, len(ruleIDs))
		for _, rid := range ruleIDs {
			items = append(items, p.Rules[rid].wire())
		}
		c.writeCollection("policies/roleManagementPolicies('"+id+"')/rules", items, 0)
	case len(rest) == 2 && rest[0] == "rules":
		r := c.s.policy(role.ID).Rule(rest[1])
		if r == nil {
			c.notFound("rules", rest[1])
			return
		}
		m := r.wire()
		m["@odata.context"] = c.context("policies/roleManagementPolicies('"+id+"')/rules", true)
		c.w.json(http.StatusOK, m)
	default:
		c.w.error(http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+strings.Join(rest, "/")+"'.")
	}
}

func (c *call) patchRule(policyID, ruleID string) {
	role, ok := c.s.roleForPolicyID(policyID)
	if !ok {
		c.notFound("roleManagementPolicies", policyID)
		return
	}
	if c.caller.App {
		// Graph documents no application permission for this call (pim-graph-api.md §5.7, §10).
		c.w.error(http.StatusForbidden, "accessDenied",
			"Updating role management policy rules is not supported with application permissions; call with a delegated (signed-in user) token.")
		return
	}
	if !c.s.isPrivilegedRoleAdmin(c.caller.PrincipalID) {
		c.w.error(http.StatusForbidden, "accessDenied", "The caller needs an active Privileged Role Administrator or Global Administrator assignment to change role settings.")
		return
	}
	var body map[string]any
	if !c.decode(&body) {
		return
	}
	p := c.s.policy(role.ID).clone()
	r := p.Rule(ruleID)
	if r == nil {
		c.notFound("rules", ruleID)
		return
	}
	if err := applyRulePatch(r, body, c.s.directoryHas); err != nil {
		c.w.error(err.status, err.code, err.message)
		return
	}
	now := c.s.clock.Now()
	p.LastModified, p.LastModifiedByID = &now, c.caller.PrincipalID
	c.s.st.Policies[strings.ToLower(role.ID)] = p
	c.s.audit("Update role setting in PIM", "Update", c.caller.PrincipalID, ruleID, "", role.ID, scheduleSpec{Start: now}, "")
	c.s.mustPersist()
	c.w.WriteHeader(http.StatusNoContent)
}

func (s *Server) directoryHas(user bool, id string) bool {
	id = strings.ToLower(id)
	if user {
		_, ok := s.users[id]
		return ok
	}
	_, ok := s.groups[id]
	return ok
}

func (s *Server) wirePolicyAssignment(roleID string, withPolicy bool) map[string]any {
	pid := s.policyID(roleID)
	m := map[string]any{"id": pid + "_" + roleID, "policyId": pid, "scopeId": "/", "scopeType": "DirectoryRole", "roleDefinitionId": roleID}
	if withPolicy {
		m["policy"] = s.wirePolicy(roleID, true)
	}
	return m
}

func (c *call) listPolicyAssignments() {
	if !c.requireScopeFilter() {
		return
	}
	withPolicy := expands(c.r.URL.Query().Get("$expand"), "policy")
	items := make([]any, 0, len(c.s.roles))
	for _, r := range c.s.roles {
		items = append(items, c.s.wirePolicyAssignment(r.ID, withPolicy))
	}
	set := "policies/roleManagementPolicyAssignments"
	if withPolicy {
		set += "(policy(rules()))"
	}
	c.writeCollection(set, items, 0)
}

func (c *call) getPolicyAssignment(id string) {
	for _, r := range c.s.roles {
		if strings.EqualFold(c.s.policyID(r.ID)+"_"+r.ID, id) {
			m := c.s.wirePolicyAssignment(r.ID, expands(c.r.URL.Query().Get("$expand"), "policy"))
			m["@odata.context"] = c.context("policies/roleManagementPolicyAssignments", true)
			c.w.json(http.StatusOK, m)
			return
		}
	}
	c.notFound("roleManagementPolicyAssignments", id)
}
