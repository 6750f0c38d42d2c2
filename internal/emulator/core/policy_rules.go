package core

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
)

// Validation of rule PATCH bodies
// (https://learn.microsoft.com/graph/api/unifiedrolemanagementpolicyrule-update).
// Every field is checked before anything changes; a rule body names only
// the properties of its type. guess: invalid values are answered with
// 400 InvalidPolicyRule; Graph documents no code.

var claimRE = regexp.MustCompile(`^c([1-9][0-9]?)$`)

// applyRulePatch validates a PATCH body and applies the fields it carries
// (absent fields keep their value). principalExists, when set, checks
// approver ids against the directory.
func ApplyRulePatch(r *Rule, m map[string]any, principalExists func(user bool, id string) bool) *APIError {
	want := RuleType(r.ID)
	t, _ := m["@odata.type"].(string)
	if t == "" {
		return BadRequest("InvalidPolicyRule", "The rule %s must carry \"@odata.type\": \"#microsoft.graph.%s\".", r.ID, want)
	}
	if !strings.EqualFold(strings.TrimPrefix(strings.TrimPrefix(t, "#"), "microsoft.graph."), want) {
		return BadRequest("InvalidPolicyRule", "The rule %s is a %s; \"@odata.type\" %q does not match.", r.ID, want, t)
	}
	if e := checkRuleProperties(m, want); e != nil {
		return e
	}
	if id, ok := m["id"].(string); ok && id != r.ID {
		return BadRequest("InvalidPolicyRule", "The body's id %q does not match the rule %s.", id, r.ID)
	}
	if tgt, ok := m["target"].(map[string]any); ok {
		caller, level := RuleCallerLevel(r.ID)
		if c, ok := tgt["caller"].(string); ok && !strings.EqualFold(c, caller) {
			return BadRequest("InvalidPolicyRule", "target.caller of %s is %s and cannot be changed to %q.", r.ID, caller, c)
		}
		if l, ok := tgt["level"].(string); ok && !strings.EqualFold(l, level) {
			return BadRequest("InvalidPolicyRule", "target.level of %s is %s and cannot be changed to %q.", r.ID, level, l)
		}
	}
	next := *r
	var err *APIError
	switch want {
	case TypeExpiration:
		err = patchExpiration(&next, m)
	case TypeEnablement:
		err = patchEnablement(&next, m)
	case TypeApproval:
		err = patchApproval(&next, m, principalExists)
	case TypeAuthContext:
		err = patchAuthContext(&next, m)
	case TypeNotify:
		err = patchNotification(&next, m)
	}
	if err != nil {
		return err
	}
	*r = next
	return nil
}

var ruleProperties = map[string][]string{
	TypeExpiration:  {"isExpirationRequired", "maximumDuration"},
	TypeEnablement:  {"enabledRules"},
	TypeApproval:    {"setting"},
	TypeAuthContext: {"isEnabled", "claimValue"},
	TypeNotify:      {"notificationType", "recipientType", "notificationLevel", "isDefaultRecipientsEnabled", "notificationRecipients"},
}

func checkRuleProperties(m map[string]any, ruleType string) *APIError {
	for k := range m {
		if strings.Contains(k, "@") || strings.EqualFold(k, "id") || strings.EqualFold(k, "target") {
			continue
		}
		if _, ok := Canonical(k, ruleProperties[ruleType]); !ok {
			return BadRequest("BadRequest", "The property '%s' does not exist on type 'microsoft.graph.%s'. Make sure to only use property names that are defined by the type.", k, ruleType)
		}
	}
	return nil
}

func boolField(m map[string]any, key, rule string, dst *bool) *APIError {
	v, ok := m[key]
	if !ok {
		return nil
	}
	b, ok := v.(bool)
	if !ok {
		return BadRequest("InvalidPolicyRule", "%s.%s must be a boolean, got %v.", rule, key, v)
	}
	*dst = b
	return nil
}

func intField(m map[string]any, key, rule string, lo, hi int, dst *int) *APIError {
	v, ok := m[key]
	if !ok {
		return nil
	}
	f, ok := v.(float64)
	if !ok || f != float64(int(f)) || int(f) < lo || int(f) > hi {
		return BadRequest("InvalidPolicyRule", "%s.%s must be a whole number from %d to %d, got %v.", rule, key, lo, hi, v)
	}
	*dst = int(f)
	return nil
}

func stringList(v any, what string) ([]string, *APIError) {
	items, ok := v.([]any)
	if !ok {
		return nil, BadRequest("InvalidPolicyRule", "%s must be an array of strings.", what)
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, BadRequest("InvalidPolicyRule", "%s must be an array of strings.", what)
		}
		out = append(out, s)
	}
	return out, nil
}

// checkPolicyDuration accepts the durations Graph stores in rules: positive,
// in days and time (Graph refuses week designators such as P12W6D, which
// Microsoft's Go SDK itself produces), and not beyond year 9999.
func checkPolicyDuration(field, s string) *APIError {
	d, err := isoduration.Parse(s)
	switch {
	case err != nil || d.IsZero():
		return BadRequest("InvalidPolicyRule", "%s %q is not a positive ISO 8601 duration.", field, s)
	case d.Weeks != 0:
		return BadRequest("InvalidPolicyRule", "%s %q uses weeks (W), which Graph does not accept in policy rules: give days instead, for example P%dD.", field, s, d.Weeks*7+d.Days)
	}
	base := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if end := d.AddTo(base); !end.After(base) || end.After(MaxDateTime) {
		return BadRequest("InvalidPolicyRule", "%s %q is too long.", field, s)
	}
	return nil
}

func patchExpiration(r *Rule, m map[string]any) *APIError {
	if err := boolField(m, "isExpirationRequired", r.ID, &r.IsExpirationRequired); err != nil {
		return err
	}
	if v, ok := m["maximumDuration"]; ok {
		str, _ := v.(string)
		if e := checkPolicyDuration(r.ID+".maximumDuration", str); e != nil {
			return e
		}
		r.MaximumDuration = str
	}
	if r.ID == "Expiration_EndUser_Assignment" {
		// guess: activations are always time-bound, from 30 minutes to 24 hours, as the portal offers.
		if !r.IsExpirationRequired {
			return BadRequest("InvalidPolicyRule", "Expiration_EndUser_Assignment.isExpirationRequired must be true: activations are always time-bound.")
		}
		d, _ := isoduration.Parse(r.MaximumDuration)
		base := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
		if end := d.AddTo(base); end.Sub(base) > 24*time.Hour || end.Sub(base) < 30*time.Minute {
			return BadRequest("InvalidPolicyRule", "Expiration_EndUser_Assignment.maximumDuration %s is outside the allowed activation range PT30M to PT24H.", r.MaximumDuration)
		}
	}
	return nil
}

var enablementValues = map[string]string{
	"multifactorauthentication": "MultiFactorAuthentication", "justification": "Justification", "ticketing": "Ticketing",
}

func patchEnablement(r *Rule, m map[string]any) *APIError {
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
			return BadRequest("InvalidPolicyRule", "%s.enabledRules: %q is not one of MultiFactorAuthentication, Justification, Ticketing.", r.ID, s)
		}
		out = append(out, canon)
	}
	r.EnabledRules = out
	return nil
}

var approvalModes = map[string]string{"singlestage": "SingleStage", "serial": "Serial", "parallel": "Parallel", "noapproval": "NoApproval"}

func patchApproval(r *Rule, m map[string]any, principalExists func(bool, string) bool) *APIError {
	v, ok := m["setting"]
	if !ok {
		return nil
	}
	s, ok := v.(map[string]any)
	if !ok {
		return BadRequest("InvalidPolicyRule", "Approval_EndUser_Assignment.setting must be an approvalSettings object.")
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
			return BadRequest("InvalidPolicyRule", "setting.approvalMode %v is not one of SingleStage, Serial, Parallel, NoApproval.", mv)
		}
		a.ApprovalMode = canon
	}
	if sv, ok := s["approvalStages"]; ok {
		items, ok := sv.([]any)
		if !ok {
			return BadRequest("InvalidPolicyRule", "setting.approvalStages must be an array.")
		}
		a.Stages = nil
		for i, it := range items {
			sm, ok := it.(map[string]any)
			if !ok {
				return BadRequest("InvalidPolicyRule", "setting.approvalStages[%d] must be an object.", i)
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
			var err *APIError
			if st.PrimaryApprovers, err = parseApprovers(sm["primaryApprovers"], where+".primaryApprovers", principalExists); err != nil {
				return err
			}
			if st.EscalationApprovers, err = parseApprovers(sm["escalationApprovers"], where+".escalationApprovers", principalExists); err != nil {
				return err
			}
			if st.IsEscalationEnabled && (len(st.EscalationApprovers) == 0 || st.EscalationTimeInMinutes == 0) {
				return BadRequest("InvalidPolicyRule", "%s: isEscalationEnabled needs escalationApprovers and a positive escalationTimeInMinutes.", where)
			}
			a.Stages = append(a.Stages, st)
		}
	}
	switch {
	case len(a.Stages) > 2:
		return BadRequest("InvalidPolicyRule", "setting.approvalStages has %d stages; at most 2 are supported.", len(a.Stages))
	case a.IsApprovalRequired && len(a.Stages) == 0:
		return BadRequest("InvalidPolicyRule", "setting.isApprovalRequired is true but approvalStages is empty.")
	case a.IsApprovalRequired && a.ApprovalMode == "NoApproval":
		return BadRequest("InvalidPolicyRule", "setting.approvalMode NoApproval contradicts isApprovalRequired true.")
	case a.ApprovalMode == "SingleStage" && len(a.Stages) > 1:
		return BadRequest("InvalidPolicyRule", "setting.approvalMode SingleStage allows one stage, got %d; use Serial for multi-stage approval.", len(a.Stages))
	}
	r.Approval = a
	return nil
}

func parseApprovers(v any, where string, principalExists func(bool, string) bool) ([]Approver, *APIError) {
	out := []Approver{}
	if v == nil {
		return out, nil
	}
	items, ok := v.([]any)
	if !ok {
		return nil, BadRequest("InvalidPolicyRule", "%s must be an array of subjectSet objects.", where)
	}
	for i, it := range items {
		m, _ := it.(map[string]any)
		t, _ := m["@odata.type"].(string)
		switch strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(t, "#"), "microsoft.graph.")) {
		case "singleuser":
			id, _ := m["userId"].(string)
			if id == "" {
				id, _ = m["id"].(string) // the groups example sends id
			}
			if principalExists != nil && !principalExists(true, id) {
				return nil, BadRequest("InvalidPolicyRule", "%s[%d]: user %q does not exist in this tenant.", where, i, id)
			}
			out = append(out, Approver{UserID: strings.ToLower(id)})
		case "groupmembers":
			id, _ := m["groupId"].(string)
			if principalExists != nil && !principalExists(false, id) {
				return nil, BadRequest("InvalidPolicyRule", "%s[%d]: group %q does not exist in this tenant.", where, i, id)
			}
			out = append(out, Approver{GroupID: strings.ToLower(id)})
		default:
			return nil, BadRequest("InvalidPolicyRule", "%s[%d]: @odata.type %q is not #microsoft.graph.singleUser or #microsoft.graph.groupMembers.", where, i, t)
		}
	}
	return out, nil
}

func patchAuthContext(r *Rule, m map[string]any) *APIError {
	if err := boolField(m, "isEnabled", r.ID, &r.IsEnabled); err != nil {
		return err
	}
	if v, ok := m["claimValue"]; ok {
		s, _ := v.(string)
		if v != nil && s != "" && !claimRE.MatchString(s) {
			return BadRequest("InvalidPolicyRule", "%s.claimValue %v is not an authentication context id (c1 to c99).", r.ID, v)
		}
		r.ClaimValue = s
	}
	if r.IsEnabled && r.ClaimValue == "" {
		return BadRequest("InvalidPolicyRule", "%s.isEnabled is true but claimValue is empty.", r.ID)
	}
	if !r.IsEnabled {
		r.ClaimValue = ""
	}
	return nil
}

var notificationLevels = map[string]string{"none": "None", "critical": "Critical", "all": "All"}

// maxRecipients bounds a notification rule's additional recipients.
const maxRecipients = 100

func patchNotification(r *Rule, m map[string]any) *APIError {
	recipient := NotificationRecipient(r.ID)
	if v, ok := m["notificationType"]; ok && !strings.EqualFold(fmt.Sprint(v), "Email") {
		return BadRequest("InvalidPolicyRule", "%s.notificationType must be Email, got %v.", r.ID, v)
	}
	if v, ok := m["recipientType"]; ok && !strings.EqualFold(fmt.Sprint(v), recipient) {
		return BadRequest("InvalidPolicyRule", "%s.recipientType is %s and cannot be %v.", r.ID, recipient, v)
	}
	if v, ok := m["notificationLevel"]; ok {
		canon, ok := notificationLevels[strings.ToLower(fmt.Sprint(v))]
		if !ok {
			return BadRequest("InvalidPolicyRule", "%s.notificationLevel %v is not one of None, Critical, All.", r.ID, v)
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
		if len(list) > maxRecipients {
			// guess: Graph documents no limit; the provider refuses more at plan time.
			return BadRequest("InvalidPolicyRule", "%s.notificationRecipients has %d addresses; at most %d are allowed.", r.ID, len(list), maxRecipients)
		}
		for _, addr := range list {
			if at := strings.Index(addr, "@"); at < 1 || at == len(addr)-1 {
				return BadRequest("InvalidPolicyRule", "%s.notificationRecipients: %q is not an email address.", r.ID, addr)
			}
		}
		r.NotificationRecipients = list
	}
	return nil
}

// Canonical finds name in the lists, ignoring case, and returns the
// spelling of the list (Graph matches property names case-insensitively).
func Canonical(name string, lists ...[]string) (string, bool) {
	for _, l := range lists {
		for _, p := range l {
			if strings.EqualFold(p, name) {
				return p, true
			}
		}
	}
	return "", false
}

// ContainsFold reports whether list holds s, ignoring case.
func ContainsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(v string) bool { return strings.EqualFold(v, s) })
}
