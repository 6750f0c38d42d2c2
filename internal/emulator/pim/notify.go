package pim

import (
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// Notifications: the e-mails PIM would send under a role's notification rules
// (Notification_{Recipient}_{Caller}_{Level}), kept in memory and served at
// GET /_emulator/outbox, so a test can assert who is told of what.
// https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-email-notifications

// notification events.
const (
	eventEligibleAssigned   = "eligibleAssignmentAdded"
	eventActiveAssigned     = "activeAssignmentAdded"
	eventApprovalRequested  = "activationApprovalRequested"
	eventActivationComplete = "roleActivated"
)

var subjects = map[string]string{
	eventEligibleAssigned:   "PIM: {principal} is now eligible for the {role} role",
	eventActiveAssigned:     "PIM: {principal} has been assigned the {role} role",
	eventApprovalRequested:  "PIM: {principal} requests approval to activate the {role} role",
	eventActivationComplete: "PIM: {principal} activated the {role} role",
}

// notify records the e-mails of an event for each recipient type the
// event's rules address. guess: default recipients are the Privileged Role
// Administrators and Global Administrators (Admin), the assignee or
// requester (Requestor) and the stage's approvers (Approver); notification
// level None sends nothing, Critical and All are treated alike.
func (tx *tx) notify(event string, k core.Key, approvers []core.Approver) {
	caller, level := "Admin", "Eligibility"
	if k.Kind == core.Active {
		level = "Assignment"
	}
	if event == eventApprovalRequested || event == eventActivationComplete {
		caller = "EndUser"
	}
	p := tx.PolicyFor(k)
	for _, recipient := range []string{"Admin", "Requestor", "Approver"} {
		if event == eventApprovalRequested && recipient != "Approver" || event != eventApprovalRequested && recipient == "Approver" {
			continue
		}
		ruleID := "Notification_" + recipient + "_" + caller + "_" + level
		r := p.Rules[ruleID]
		if r == nil || r.NotificationLevel == "None" {
			continue
		}
		to := append([]string{}, r.NotificationRecipients...)
		if r.IsDefaultRecipientsEnabled {
			to = append(to, tx.defaultRecipients(recipient, k, approvers)...)
		}
		if len(to) > 0 {
			tx.mail(event, ruleID, recipient, to, k)
		}
	}
}

func (tx *tx) defaultRecipients(recipient string, k core.Key, approvers []core.Approver) []string {
	var ids []string
	switch recipient {
	case "Requestor":
		ids = []string{k.Principal}
	case "Approver":
		for _, a := range approvers {
			if a.UserID != "" {
				ids = append(ids, a.UserID)
			} else if g, ok := tx.Dir.Groups[a.GroupID]; ok {
				ids = append(ids, g.Members...)
			}
		}
		if len(approvers) > 0 {
			break
		}
		fallthrough
	default:
		for _, role := range core.PIMWriterRoles {
			for sc := range tx.St.SchedByRole[role] {
				if sc.Key.Kind == core.Active && sc.Key.Scope == "/" {
					ids = append(ids, sc.Key.Principal)
				}
			}
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, id := range ids {
		if u, ok := tx.Dir.Users[id]; ok && !seen[u.UPN] {
			seen[u.UPN] = true
			out = append(out, u.UPN)
		}
	}
	return out
}

func (tx *tx) mail(event, ruleID, recipient string, to []string, k core.Key) {
	role, _ := tx.Dir.Role(k.Role)
	name, _ := tx.Dir.DisplayName(k.Principal).(string)
	subject := strings.NewReplacer("{principal}", name, "{role}", role.DisplayName).Replace(subjects[event])
	addresses := make([]any, len(to))
	for i, a := range to {
		addresses[i] = a
	}
	tx.Mail(odata.Object{{"id", core.NewID()}, {"time", core.GraphTime(tx.Now)}, {"event", event}, {"rule", ruleID},
		{"recipient_type", recipient}, {"to", addresses}, {"role_definition_id", k.Role}, {"role", role.DisplayName},
		{"principal_id", k.Principal}, {"principal", name}, {"subject", subject}})
}
