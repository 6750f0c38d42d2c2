package settings

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// The mapping between pim_role_setting's model and the 17 Graph rules of a
// role's PIM policy
// (https://learn.microsoft.com/graph/identity-governance-pim-rules-overview).

// sameRule compares two rules as Graph does: lists as sets, emails and
// object ids without regard to case.
func sameRule(a, b pimclient.PolicyRule) bool {
	ja, errA := json.Marshal(normalizeRule(a))
	jb, errB := json.Marshal(normalizeRule(b))
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// normalizeRule makes a rule read from Graph comparable with one built from
// the model: sorted lists, canonical casing.
func normalizeRule(r pimclient.PolicyRule) pimclient.PolicyRule {
	r.EnabledRules = canonicalEnablement(r.EnabledRules)
	r.NotificationRecipients = sortedLower(r.NotificationRecipients)
	if r.Setting != nil {
		s := *r.Setting
		s.ApprovalStages = slices.Clone(s.ApprovalStages)
		for i := range s.ApprovalStages {
			s.ApprovalStages[i].PrimaryApprovers = sortedSubjects(s.ApprovalStages[i].PrimaryApprovers)
			s.ApprovalStages[i].EscalationApprovers = sortedSubjects(s.ApprovalStages[i].EscalationApprovers)
		}
		r.Setting = &s
	}
	if r.ClaimValue != nil && *r.ClaimValue == "" {
		r.ClaimValue = nil
	}
	return r
}

func canonicalEnablement(in []string) []string {
	out := []string{}
	for _, want := range []string{"MultiFactorAuthentication", "Justification", "Ticketing"} {
		for _, v := range in {
			if strings.EqualFold(v, want) {
				out = append(out, want)
				break
			}
		}
	}
	return out
}

func sortedLower(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, strings.ToLower(s))
	}
	sort.Strings(out)
	return out
}

func sortedSubjects(in []pimclient.SubjectSet) []pimclient.SubjectSet {
	out := make([]pimclient.SubjectSet, 0, len(in))
	for _, s := range in {
		t := pimclient.SubjectSingleUser
		if strings.Contains(strings.ToLower(s.ODataType), "group") {
			t = pimclient.SubjectGroupMembers
		}
		out = append(out, pimclient.SubjectSet{ODataType: t, UserID: strings.ToLower(s.UserID), GroupID: strings.ToLower(s.GroupID)})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].ODataType+out[i].UserID+out[i].GroupID < out[j].ODataType+out[j].UserID+out[j].GroupID
	})
	return out
}

func enabledRules(mfa, justification, ticket bool) []string {
	out := []string{}
	if mfa {
		out = append(out, "MultiFactorAuthentication")
	}
	if justification {
		out = append(out, "Justification")
	}
	if ticket {
		out = append(out, "Ticketing")
	}
	return out
}

func hasRule(rules []string, name string) bool {
	return slices.ContainsFunc(rules, func(s string) bool { return strings.EqualFold(s, name) })
}

// roleSettingToRules maps the model to the 17 rules as they are sent: values
// as configured (sameRule normalises for comparison).
func roleSettingToRules(m *roleSettingModel) map[string]pimclient.PolicyRule {
	rules := map[string]pimclient.PolicyRule{}
	exp := func(id string, required bool, limit string) {
		rules[id] = pimclient.PolicyRule{ODataType: pimclient.RuleTypeExpiration, ID: id, IsExpirationRequired: required, MaximumDuration: limit}
	}
	enable := func(id string, list []string) {
		rules[id] = pimclient.PolicyRule{ODataType: pimclient.RuleTypeEnablement, ID: id, EnabledRules: list}
	}
	exp("Expiration_Admin_Eligibility", !m.EligibleAssignment.AllowPermanent, m.EligibleAssignment.MaximumDuration)
	enable("Enablement_Admin_Eligibility", enabledRules(m.EligibleAssignment.RequireMFA, m.EligibleAssignment.RequireJustification, m.EligibleAssignment.RequireTicketInfo))
	exp("Expiration_Admin_Assignment", !m.ActiveAssignment.AllowPermanent, m.ActiveAssignment.MaximumDuration)
	enable("Enablement_Admin_Assignment", enabledRules(m.ActiveAssignment.RequireMFA, m.ActiveAssignment.RequireJustification, m.ActiveAssignment.RequireTicketInfo))
	a := m.Activation
	exp("Expiration_EndUser_Assignment", true, a.MaximumDuration)
	enable("Enablement_EndUser_Assignment", enabledRules(a.RequireMFA, a.RequireJustification, a.RequireTicketInfo))
	ctxRule := pimclient.PolicyRule{ODataType: pimclient.RuleTypeAuthenticationContext, ID: "AuthenticationContext_EndUser_Assignment"}
	if !a.AuthenticationContextClaimValue.IsNull() && a.AuthenticationContextClaimValue.ValueString() != "" {
		v := a.AuthenticationContextClaimValue.ValueString()
		ctxRule.IsEnabled, ctxRule.ClaimValue = true, &v
	}
	rules[ctxRule.ID] = ctxRule
	settings := &pimclient.ApprovalSettings{
		IsApprovalRequired: a.Approval.Required, IsApprovalRequiredForExtension: a.Approval.RequiredForExtension,
		IsRequestorJustificationRequired: a.Approval.RequireRequestorJustification, ApprovalMode: "SingleStage",
		ApprovalStages: []pimclient.ApprovalStage{},
	}
	if len(a.Approval.Stages) > 1 {
		settings.ApprovalMode = "Serial"
	}
	for _, st := range a.Approval.Stages {
		settings.ApprovalStages = append(settings.ApprovalStages, pimclient.ApprovalStage{
			ApprovalStageTimeOutInDays: int(st.TimeoutInDays), IsApproverJustificationRequired: st.RequireApproverJustification,
			EscalationTimeInMinutes: int(st.EscalationTimeInMinutes), IsEscalationEnabled: st.EscalationEnabled,
			PrimaryApprovers: subjectsFromModel(st.PrimaryApprovers), EscalationApprovers: subjectsFromModel(st.EscalationApprovers),
		})
	}
	rules["Approval_EndUser_Assignment"] = pimclient.PolicyRule{ODataType: pimclient.RuleTypeApproval, ID: "Approval_EndUser_Assignment", Setting: settings}
	notify := func(suffix string, g notificationGroupModel) {
		for recipient, n := range map[string]notificationModel{"Admin": g.Admin, "Requestor": g.Requestor, "Approver": g.Approver} {
			level := "All"
			if n.CriticalOnly {
				level = "Critical"
			}
			id := "Notification_" + recipient + "_" + suffix
			rules[id] = pimclient.PolicyRule{ODataType: pimclient.RuleTypeNotification, ID: id, NotificationType: "Email", RecipientType: recipient,
				NotificationLevel: level, IsDefaultRecipientsEnabled: n.DefaultRecipients, NotificationRecipients: nonNilStrings(n.AdditionalRecipients)}
		}
	}
	notify("Admin_Eligibility", m.Notifications.EligibleAssignment)
	notify("Admin_Assignment", m.Notifications.ActiveAssignment)
	notify("EndUser_Assignment", m.Notifications.Activation)
	return rules
}

func subjectsFromModel(in []approverModel) []pimclient.SubjectSet {
	out := make([]pimclient.SubjectSet, 0, len(in))
	for _, a := range in {
		if a.Type == "group" {
			out = append(out, pimclient.SubjectSet{ODataType: pimclient.SubjectGroupMembers, GroupID: a.ID})
		} else {
			out = append(out, pimclient.SubjectSet{ODataType: pimclient.SubjectSingleUser, UserID: a.ID})
		}
	}
	return sortedSubjects(out)
}

func subjectsToModel(in []pimclient.SubjectSet) []approverModel {
	out := []approverModel{}
	for _, s := range sortedSubjects(in) {
		if s.ODataType == pimclient.SubjectGroupMembers {
			out = append(out, approverModel{Type: "group", ID: s.GroupID})
		} else {
			out = append(out, approverModel{Type: "user", ID: s.UserID})
		}
	}
	return out
}

// roleSettingFromRules maps a policy read from Graph to the model.
func roleSettingFromRules(p *pimclient.RolePolicy) (*roleSettingModel, error) {
	for _, id := range pimclient.RuleIDs() {
		if _, ok := p.Rules[id]; !ok {
			return nil, fmt.Errorf("the PIM policy %s has no rule %s", p.PolicyID, id)
		}
	}
	// Canonical enablement order and sorted approvers; recipients keep Graph's
	// spelling (keepPriorSpelling reconciles case with the prior state).
	rule := func(id string) pimclient.PolicyRule {
		r := normalizeRule(p.Rules[id])
		r.NotificationRecipients = nonNilStrings(p.Rules[id].NotificationRecipients)
		return r
	}
	m := &roleSettingModel{ID: types.StringValue(p.PolicyID), KeepOnDestroy: types.BoolValue(false)}

	elig, eligEn := rule("Expiration_Admin_Eligibility"), rule("Enablement_Admin_Eligibility")
	m.EligibleAssignment = &eligibleSettingModel{AllowPermanent: !elig.IsExpirationRequired, MaximumDuration: elig.MaximumDuration,
		RequireMFA:           hasRule(eligEn.EnabledRules, "MultiFactorAuthentication"),
		RequireJustification: hasRule(eligEn.EnabledRules, "Justification"), RequireTicketInfo: hasRule(eligEn.EnabledRules, "Ticketing")}
	act, actEn := rule("Expiration_Admin_Assignment"), rule("Enablement_Admin_Assignment")
	m.ActiveAssignment = &activeSettingModel{AllowPermanent: !act.IsExpirationRequired, MaximumDuration: act.MaximumDuration,
		RequireMFA: hasRule(actEn.EnabledRules, "MultiFactorAuthentication"), RequireJustification: hasRule(actEn.EnabledRules, "Justification"),
		RequireTicketInfo: hasRule(actEn.EnabledRules, "Ticketing")}

	user, userEn, ctxRule, approval := rule("Expiration_EndUser_Assignment"), rule("Enablement_EndUser_Assignment"),
		rule("AuthenticationContext_EndUser_Assignment"), rule("Approval_EndUser_Assignment")
	m.Activation = &activationModel{MaximumDuration: user.MaximumDuration,
		RequireMFA: hasRule(userEn.EnabledRules, "MultiFactorAuthentication"), RequireJustification: hasRule(userEn.EnabledRules, "Justification"),
		RequireTicketInfo: hasRule(userEn.EnabledRules, "Ticketing"), AuthenticationContextClaimValue: types.StringNull()}
	if ctxRule.IsEnabled && ctxRule.ClaimValue != nil {
		m.Activation.AuthenticationContextClaimValue = types.StringValue(*ctxRule.ClaimValue)
	}
	if s := approval.Setting; s != nil {
		m.Activation.Approval = approvalModel{Required: s.IsApprovalRequired, RequiredForExtension: s.IsApprovalRequiredForExtension,
			RequireRequestorJustification: s.IsRequestorJustificationRequired, Stages: []stageModel{}}
		for _, st := range s.ApprovalStages {
			m.Activation.Approval.Stages = append(m.Activation.Approval.Stages, stageModel{
				TimeoutInDays: int64(st.ApprovalStageTimeOutInDays), RequireApproverJustification: st.IsApproverJustificationRequired,
				EscalationEnabled: st.IsEscalationEnabled, EscalationTimeInMinutes: int64(st.EscalationTimeInMinutes),
				PrimaryApprovers: subjectsToModel(st.PrimaryApprovers), EscalationApprovers: subjectsToModel(st.EscalationApprovers),
			})
		}
	}
	group := func(suffix string) notificationGroupModel {
		n := func(recipient string) notificationModel {
			r := rule("Notification_" + recipient + "_" + suffix)
			return notificationModel{DefaultRecipients: r.IsDefaultRecipientsEnabled, AdditionalRecipients: r.NotificationRecipients,
				CriticalOnly: strings.EqualFold(r.NotificationLevel, "Critical")}
		}
		return notificationGroupModel{Admin: n("Admin"), Requestor: n("Requestor"), Approver: n("Approver")}
	}
	m.Notifications = &notificationsModel{EligibleAssignment: group("Admin_Eligibility"), ActiveAssignment: group("Admin_Assignment"), Activation: group("EndUser_Assignment")}
	return m, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
