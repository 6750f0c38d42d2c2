package assignments

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

// assignmentSchema is shared by pim_eligible_assignment and
// pim_active_assignment: the two differ only in what the assignment grants.
func assignmentSchema(ctx context.Context, kind pimclient.Kind, target Surface, description string) schema.Schema {
	noun := "eligibility"
	if kind == pimclient.Assignment {
		noun = "active assignment"
	}
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "Id of the PIM schedule that holds this " + noun + ". The schedule, not the request that created it, " +
				"is the assignment's identity: Graph purges requests after about 45 days, schedules live as long as the assignment.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"justification": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Reason recorded with the request and in the PIM audit log. Required when the role setting " +
				"demands a justification (by default for active assignments). Updated in place. Graph stores it on the request, " +
				"not the schedule, so a change made outside Terraform is not detected.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"ticket_number": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Ticket number recorded with the request; required when the role setting demands ticket information. Updated in place.",
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"ticket_system": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Name of the ticket system of `ticket_number`. Updated in place.",
			Validators: []validator.String{
				stringvalidator.LengthAtLeast(1),
				stringvalidator.AlsoRequires(path.MatchRoot("ticket_number")),
			},
		},
		"start_date_time": schema.StringAttribute{
			CustomType: timetypes.RFC3339Type{},
			Optional:   true,
			Computed:   true,
			MarkdownDescription: "When the " + noun + " starts (RFC 3339). Omit it to start at creation. A start in the past " +
				"is moved to the processing time by Graph; the configured value is kept so no diff follows. " +
				"A future start leaves `status` at `Granted` until then. Updated in place.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"end_date_time": schema.StringAttribute{
			CustomType: timetypes.RFC3339Type{},
			Optional:   true,
			MarkdownDescription: "When the " + noun + " ends (RFC 3339). Conflicts with `duration`; with neither, the " + noun +
				" is permanent (if the role setting allows it). Must be after the start and in the future. Updated in place. " +
				"When it passes, PIM removes the " + noun + "; the resource stays in state with `status = \"Expired\"`, a warning " +
				"and an empty plan, so no apply grants it again unasked. A new `end_date_time` or `duration` (or `terraform apply -replace`) grants it again.",
			Validators: []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("duration"))},
		},
		"duration": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "How long the " + noun + " lasts from its start, as an ISO 8601 duration (`P90D`, `PT8H`, `P1Y`). " +
				"Conflicts with `end_date_time`. Updated in place. When it has run out, the resource stays in state as `Expired` (see `status`).",
			Validators: []validator.String{validators.ISO8601Duration()},
		},
		"status": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "Status of the schedule: `Provisioned` when in effect, `Granted` when it starts in the future, `Expired` when it " +
				"ran to its end (kept in state so it is not granted again; destroying it sends nothing to Graph).",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"principal_display_name": NameAttribute("Display name of the principal, looked up in the directory at plan time so that a " +
			"reviewer of the plan sees who gets the role. Null when the credentials cannot read the directory."),
		"principal_type": NameAttribute("`user`, `group` or `servicePrincipal`."),
		"principal_user_principal_name": NameAttribute("Sign-in name (UPN) of a user principal, which unlike a display name is unique; " +
			"null for groups and service principals."),
		"allow_protected_principal_change": schema.BoolAttribute{Optional: true,
			MarkdownDescription: "Set to `true` to let a plan remove, replace, shorten or make time-bound this " + noun + " although its " +
				"principal is in the provider's `protected_principal_ids`. To destroy a protected " + noun + ", apply this first."},
		"allow_undoing_review": schema.BoolAttribute{Optional: true,
			MarkdownDescription: "Set to `true` to let a plan grant this " + noun + " again although an access review removed it in the " +
				"last 30 days, when the provider's `access_review_decisions` is `enforce`. Without it, such a plan warns (or fails) naming " +
				"the review and the reviewer."},
		"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
	}
	for k, v := range keyAttributes(kind, target, noun) {
		attrs[k] = v
	}
	return schema.Schema{MarkdownDescription: description, Attributes: attrs}
}

// nameAttribute is a name the provider looks up: shown in the plan, refreshed
// by every read.
func NameAttribute(desc string) schema.StringAttribute {
	return schema.StringAttribute{Computed: true, MarkdownDescription: desc,
		PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
}

// keyAttributes are the attributes of the key: who, and which role at which
// scope, or which access to which group. Changing any replaces the resource.
func keyAttributes(kind pimclient.Kind, target Surface, noun string) map[string]schema.Attribute {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	attrs := target.KeyAttributes(replace)
	attrs["principal_id"] = schema.StringAttribute{
		Required: true,
		MarkdownDescription: target.PrincipalDescription(kind, noun) + " A principal that does not exist fails the plan on this attribute. " +
			"To name principals instead of copying ids, use the `pim_principal` or `pim_principals` data source. " +
			"Changing it replaces the resource.",
		Validators:    []validator.String{validators.GUID()},
		PlanModifiers: replace,
	}
	return attrs
}
