package settings

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

// Every setting is Optional+Computed with a static Default equal to the
// documented Entra default: omitting a setting means "the default", shown as
// such in the plan, never "keep whatever is there" (azurerm#26377, #28439).

var (
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	claimRE = regexp.MustCompile(`^c([1-9][0-9]?)$`)
)

func boolAttr(desc string, def bool) schema.BoolAttribute {
	return schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(def), MarkdownDescription: desc}
}

func durationAttr(desc, def string, extra ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString(def), MarkdownDescription: desc,
		Validators: append([]validator.String{validators.ISO8601Duration()}, extra...)}
}

func approverAttrs() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"type": schema.StringAttribute{Required: true, MarkdownDescription: "`user` for one user, `group` for the members of a group.",
			Validators: []validator.String{stringvalidator.OneOf("user", "group")}},
		"id": schema.StringAttribute{Required: true, MarkdownDescription: "Object id of the user or group.",
			Validators: []validator.String{validators.GUID()}},
	}
}

func approverSet(desc string) schema.SetNestedAttribute {
	nested := schema.NestedAttributeObject{Attributes: approverAttrs()}
	return schema.SetNestedAttribute{
		Optional: true, Computed: true, MarkdownDescription: desc, NestedObject: nested,
		Default: setdefault.StaticValue(types.SetValueMust(nested.Type(), []attr.Value{})),
	}
}

func stageAttrs() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"timeout_in_days": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(1),
			MarkdownDescription: "Days approvers have before the request is denied automatically (1 to 7). Default `1`.",
			Validators:          []validator.Int64{int64validator.Between(1, 7)}},
		"require_approver_justification": boolAttr("Whether approvers must give a justification. Default `true`.", true),
		"escalation_enabled":             boolAttr("Whether the request escalates to `escalation_approvers` after `escalation_time_in_minutes`. Default `false`.", false),
		"escalation_time_in_minutes": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(0),
			MarkdownDescription: "Minutes before escalation. Default `0`.", Validators: []validator.Int64{int64validator.Between(0, 10080)}},
		"primary_approvers": approverSet("Who approves this stage. Empty (default) means Entra's default approvers " +
			"(Privileged Role Administrators and Global Administrators)."),
		"escalation_approvers": approverSet("Who approves when the stage escalates. Default empty."),
	}
}

// MaxNotificationRecipients bounds a notification's additional recipients.
// guess: Graph documents no limit; the emulator refuses more too.
const MaxNotificationRecipients = 100

func notificationAttrs() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"default_recipients": boolAttr("Whether Entra's default recipients get the email. Default `true`.", true),
		"additional_recipients": schema.SetAttribute{
			ElementType: types.StringType, Optional: true, Computed: true, MarkdownDescription: "Further email addresses, at most 100. Default empty.",
			Default: setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{})),
			Validators: []validator.Set{setvalidator.SizeAtMost(MaxNotificationRecipients),
				setvalidator.ValueStringsAre(stringvalidator.RegexMatches(emailRE, "must be an email address"))},
		},
		"critical_only": boolAttr("Send only critical emails. Default `false` (all emails).", false),
	}
}

// nestedObject makes an Optional+Computed single nested attribute whose
// default is the object of its attributes' defaults.
func nestedObject(ctx context.Context, desc string, attrs map[string]schema.Attribute, def any) schema.SingleNestedAttribute {
	a := schema.SingleNestedAttribute{Optional: true, Computed: true, MarkdownDescription: desc, Attributes: attrs}
	objType, ok := a.GetType().(types.ObjectType)
	if !ok {
		panic("pim_role_setting: a single nested attribute is not an object")
	}
	v, diags := types.ObjectValueFrom(ctx, objType.AttrTypes, def)
	if diags.HasError() {
		panic("pim_role_setting: default does not match schema: " + diags[0].Detail())
	}
	a.Default = objectdefault.StaticValue(v)
	return a
}

func notificationGroup(ctx context.Context, event string, def notificationGroupModel) schema.SingleNestedAttribute {
	return nestedObject(ctx, "Emails sent "+event+".", map[string]schema.Attribute{
		"admin":     nestedObject(ctx, "Emails to administrators (rule `Notification_Admin_*`).", notificationAttrs(), def.Admin),
		"requestor": nestedObject(ctx, "Emails to the assignee or requestor (rule `Notification_Requestor_*`).", notificationAttrs(), def.Requestor),
		"approver":  nestedObject(ctx, "Emails to approvers (rule `Notification_Approver_*`).", notificationAttrs(), def.Approver),
	}, def)
}

func roleSettingSchema(ctx context.Context) schema.Schema {
	attrs := settingAttributes(ctx, defaultRoleSetting())
	attrs["keep_on_destroy"] = keepOnDestroyAttribute()
	attrs["id"] = schema.StringAttribute{Computed: true, MarkdownDescription: "Id of the role's PIM policy (`DirectoryRole_{tenantId}_{guid}`).",
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
	attrs["role_definition_id"] = schema.StringAttribute{Required: true,
		MarkdownDescription: "Directory role whose PIM setting this is. Changing it replaces the resource (the old role returns to defaults).",
		Validators:          []validator.String{validators.GUID()},
		PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()}}
	return schema.Schema{
		MarkdownDescription: "The PIM policy (role setting) of one Microsoft Entra directory role: activation limits and " +
			"requirements, approval, assignment expiration and requirements, and notifications — all 17 Graph rules.\n\n" +
			"Every setting has the documented Entra default: an omitted setting *is* the default and the plan shows it. " +
			"One apply sets everything; the next plan is empty. Changes are made in place, rule by rule; if one rule fails, " +
			"the rules already changed in that apply are rolled back. **Destroying this resource restores the documented " +
			"defaults** (there is no policy to delete: every role always has one), and its plan warns what that resets; " +
			"`keep_on_destroy` keeps the policy as it is instead. Manage each role's setting in one resource " +
			"only: two resources for the same role would undo each other on every apply.\n\n" +
			"Graph permissions: `RoleManagementPolicy.ReadWrite.Directory` (application or delegated; a delegated caller also needs the Privileged Role Administrator role).",
		Attributes: attrs,
	}
}

// settingAttributes are the 17 rules' settings, with def's values as defaults.
// keepOnDestroyAttribute chooses what a destroy does to the policy.
func keepOnDestroyAttribute() schema.BoolAttribute {
	return schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
		MarkdownDescription: "Keep the policy as it is when this resource is destroyed, instead of restoring the documented defaults " +
			"(`false`, the default: the destroy plan then warns, setting by setting, what it resets). Set it and apply before a destroy " +
			"or a `removed` block to hand the policy over unchanged."}
}

func settingAttributes(ctx context.Context, def roleSettingModel) map[string]schema.Attribute {
	stages := schema.ListNestedAttribute{
		Optional: true, Computed: true, NestedObject: schema.NestedAttributeObject{Attributes: stageAttrs()},
		MarkdownDescription: "Approval stages in order: one stage, or two for serial (multi-stage) approval. Default: one stage with " +
			"Entra's default approvers.",
		Validators: []validator.List{listvalidator.SizeBetween(1, 2)},
	}
	stageList, diags := types.ListValueFrom(ctx, stages.NestedObject.Type(), def.Activation.Approval.Stages)
	if diags.HasError() {
		panic("pim_role_setting: default stages do not match schema")
	}
	stages.Default = listdefault.StaticValue(stageList)

	return map[string]schema.Attribute{
		"activation": nestedObject(ctx, "What an eligible user must do to activate the role (the `*_EndUser_Assignment` rules).", map[string]schema.Attribute{
			"maximum_duration": durationAttr("Longest activation, `PT30M` to `PT24H`. Default `PT8H`.", "PT8H", validators.DurationBetween(30*time.Minute, 24*time.Hour)),
			"require_mfa": boolAttr(fmt.Sprintf("Require multi-factor authentication on activation. Default `%t`. Conflicts with `authentication_context_claim_value`.",
				def.Activation.RequireMFA), def.Activation.RequireMFA),
			"require_justification": boolAttr("Require a justification on activation. Default `true`.", true),
			"require_ticket_info":   boolAttr("Require ticket information on activation. Default `false`.", false),
			"authentication_context_claim_value": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Conditional Access authentication context (`c1` … `c99`) required on activation. Unset (default) disables it.",
				Validators:          []validator.String{stringvalidator.RegexMatches(claimRE, "must be an authentication context id such as c1")}},
			"approval": nestedObject(ctx, "Approval of activations (rule `Approval_EndUser_Assignment`).", map[string]schema.Attribute{
				"required":                        boolAttr("Require approval to activate. Default `false`.", false),
				"required_for_extension":          boolAttr("Require approval to extend an activation. Default `false`.", false),
				"require_requestor_justification": boolAttr("Require the requestor's justification for approval. Default `true`.", true),
				"stages":                          stages,
			}, def.Activation.Approval),
		}, def.Activation),
		"eligible_assignment": nestedObject(ctx, "Limits on making principals eligible (rules `*_Admin_Eligibility`).", map[string]schema.Attribute{
			"allow_permanent":  boolAttr(fmt.Sprintf("Allow permanent eligibility. Default `%t`.", def.EligibleAssignment.AllowPermanent), def.EligibleAssignment.AllowPermanent),
			"maximum_duration": durationAttr("Longest eligibility when `allow_permanent` is `false`. Default `P365D`.", "P365D"),
			"require_mfa": boolAttr("Require multi-factor authentication of the admin making a principal eligible (rule `Enablement_Admin_Eligibility`). "+
				"Default `false`. An application signing in app-only cannot pass MFA, so it can no longer make principals eligible for this role; "+
				"plans warn about that.", false),
			"require_justification": boolAttr("Require a justification when assigning eligibility. Default `false`.", false),
			"require_ticket_info":   boolAttr("Require ticket information when assigning eligibility. Default `false`.", false),
		}, def.EligibleAssignment),
		"active_assignment": nestedObject(ctx, "Limits on active assignments (rules `*_Admin_Assignment`).", map[string]schema.Attribute{
			"allow_permanent": boolAttr(fmt.Sprintf("Allow permanent active assignments. Default `%t`.", def.ActiveAssignment.AllowPermanent),
				def.ActiveAssignment.AllowPermanent),
			"maximum_duration":      durationAttr("Longest active assignment when `allow_permanent` is `false`. Default `P180D`.", "P180D"),
			"require_mfa":           boolAttr("Require multi-factor authentication of the admin making the assignment. Default `false`.", false),
			"require_justification": boolAttr("Require a justification on active assignments. Default `true`.", true),
			"require_ticket_info":   boolAttr("Require ticket information on active assignments. Default `false`.", false),
		}, def.ActiveAssignment),
		"notifications": nestedObject(ctx, "Email notifications for the three PIM events × admin, requestor and approver (the nine `Notification_*` rules).", map[string]schema.Attribute{
			"eligible_assignment": notificationGroup(ctx, "when a principal is made eligible", def.Notifications.EligibleAssignment),
			"active_assignment":   notificationGroup(ctx, "when a principal gets an active assignment", def.Notifications.ActiveAssignment),
			"activation":          notificationGroup(ctx, "when an eligible principal activates the role", def.Notifications.Activation),
		}, def.Notifications),
	}
}
