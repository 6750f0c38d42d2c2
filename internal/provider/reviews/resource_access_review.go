package reviews

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient/accessreviews"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var (
	_ resource.ResourceWithConfigure      = (*reviewResource)(nil)
	_ resource.ResourceWithValidateConfig = (*reviewResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*reviewResource)(nil)
	_ resource.ResourceWithImportState    = (*reviewResource)(nil)
)

// NewAccessReviewResource is pim_access_review.
func NewAccessReviewResource() resource.Resource { return &reviewResource{} }

type reviewResource struct{ data *shared.ProviderData }

func (r *reviewResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_review"
}

func (r *reviewResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	str := func(desc, def string, vs ...validator.String) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString(def), MarkdownDescription: desc, Validators: vs}
	}
	flag := func(desc string, def bool) schema.BoolAttribute {
		return schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(def), MarkdownDescription: desc}
	}
	reviewerList := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{ElementType: types.StringType, Optional: true, MarkdownDescription: desc,
			Validators: []validator.List{listvalidator.ValueStringsAre(reviewerValidator{}), listvalidator.UniqueValues()}}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A recurring access review of a directory role or a PIM group (Graph v1.0 `accessReviews/definitions`): who " +
			"reviews, how often, for how long, and what happens to access nobody approved. Updated in place; Graph applies a change " +
			"to future instances only. Needs `AccessReview.ReadWrite.All`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "The definition's id.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"display_name": schema.StringAttribute{Required: true, MarkdownDescription: "The review's name, as reviewers and the audit log see it.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 256)}},
			"description_for_admins":    str("Shown to administrators.", ""),
			"description_for_reviewers": str("Shown to reviewers in the invitation and the review.", ""),
			"scope": schema.SingleNestedAttribute{Required: true, MarkdownDescription: "What is reviewed: a directory role's " +
				"eligible and active assignments (or only one kind, of users or of service principals), or a PIM group's members or " +
				"owners. Graph cannot change a review's scope: a new scope replaces the review.",
				PlanModifiers: []planmodifier.Object{objectplanmodifier.RequiresReplace()},
				Attributes: map[string]schema.Attribute{
					"role_definition_id": schema.StringAttribute{Optional: true, MarkdownDescription: "The directory role (template id).",
						Validators: []validator.String{validators.GUID(), stringvalidator.ExactlyOneOf(path.MatchRelative().AtParent().AtName("group_id"))}},
					"assignment_type": schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: "With a role: `all` " +
						"(eligible and active, every kind of principal; default), `eligible` or `active` (standing assignments, not activations).",
						Validators: []validator.String{stringvalidator.OneOf("all", "eligible", "active")}},
					"principal_type": schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: "With `eligible` or " +
						"`active`: `user` (default) or `service_principal`.",
						Validators: []validator.String{stringvalidator.OneOf("user", "service_principal")}},
					"group_id": schema.StringAttribute{Optional: true, MarkdownDescription: "A group managed by PIM for Groups.",
						Validators: []validator.String{validators.GUID()}},
					"group_access": schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: "With a group: `member` (default) or `owner`.",
						Validators: []validator.String{stringvalidator.OneOf("member", "owner")}},
				},
			},
			"reviewers": reviewerList("Who reviews: user or group object ids, `manager` (each principal's manager) or `self` (each " +
				"principal reviews their own access). Default `self`."),
			"fallback_reviewers": reviewerList("User or group object ids who review when the reviewers name nobody (a principal without a manager)."),
			"recurrence": schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString("quarterly"),
				MarkdownDescription: "How often: `" + strings.Join(recurrenceNames(), "`, `") + "` (default `quarterly`), or the full " +
					"pattern `every N weeks` or `every N months` (Graph's weekly and absoluteMonthly patterns with an interval).",
				Validators: []validator.String{stringvalidator.Any(stringvalidator.OneOf(recurrenceNames()...),
					stringvalidator.RegexMatches(reEvery, "must be every N weeks or every N months"))}},
			"start_date": schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: "The first instance's date " +
				"(YYYY-MM-DD); default the day the review is created, by Graph's clock.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}, Validators: []validator.String{dateValidator{}}},
			"end_date": schema.StringAttribute{Optional: true, MarkdownDescription: "No instance starts after this date (YYYY-MM-DD).",
				Validators: []validator.String{dateValidator{}, stringvalidator.ConflictsWith(path.MatchRoot("number_of_occurrences"))}},
			"number_of_occurrences": schema.Int64Attribute{Optional: true, MarkdownDescription: "How many instances run in all.",
				Validators: []validator.Int64{int64validator.AtLeast(1)}},
			"duration_in_days": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(14),
				MarkdownDescription: "How long reviewers have (default 14); at most the recurrence's period.",
				Validators:          []validator.Int64{int64validator.Between(1, 365)}},
			"default_decision": str("What access nobody reviewed becomes when an instance ends: `None` (stays; default), `Approve`, "+
				"`Deny` or `Recommendation`. With `auto_apply`, `Deny` removes everyone not approved.", "None",
				stringvalidator.OneOf("None", "Approve", "Deny", "Recommendation")),
			"auto_apply":             flag("Apply the decisions when an instance ends: a denied eligibility or assignment is removed.", false),
			"justification_required": flag("Reviewers must justify an approval (default `true`).", true),
			"recommendations":        flag("Show reviewers a recommendation from each principal's recent activations (default `true`).", true),
			"mail_notifications":     flag("Invite reviewers by e-mail (default `true`).", true),
			"reminders":              flag("Remind reviewers by e-mail (default `true`).", true),
			"status":                 schema.StringAttribute{Computed: true, MarkdownDescription: "Graph's status: `NotStarted`, `InProgress`, `Completed`…"},
		},
	}
}

func (r *reviewResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig refuses what Graph would: a scope's attributes that do
// not go together, an instance longer than the recurrence's period, self
// mixed with other reviewers.
func (r *reviewResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m reviewModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if sc := m.Scope; sc != nil {
		role := !sc.RoleDefinitionID.IsNull()
		at := path.Root("scope")
		if role && !sc.GroupAccess.IsNull() {
			resp.Diagnostics.AddAttributeError(at.AtName("group_access"), "Invalid Scope", "group_access goes with group_id, not role_definition_id.")
		}
		if !role && (!sc.AssignmentType.IsNull() || !sc.PrincipalType.IsNull()) {
			resp.Diagnostics.AddAttributeError(at.AtName("assignment_type"), "Invalid Scope", "assignment_type and principal_type go with role_definition_id.")
		}
		if sc.AssignmentType.ValueString() == "all" && !sc.PrincipalType.IsNull() {
			resp.Diagnostics.AddAttributeError(at.AtName("principal_type"), "Invalid Scope",
				"principal_type selects users or service principals of eligible or active assignments; assignment_type \"all\" reviews every principal.")
		}
	}
	if p := periodDays(m.Recurrence.ValueString()); p > 0 && !m.DurationInDays.IsUnknown() && m.DurationInDays.ValueInt64() > int64(p) {
		resp.Diagnostics.AddAttributeError(path.Root("duration_in_days"), "Review Longer Than Its Recurrence",
			fmt.Sprintf("duration_in_days is %d, but a %s review starts again after %d days: an instance must end before the next starts.",
				m.DurationInDays.ValueInt64(), m.Recurrence.ValueString(), p))
	}
	for _, v := range m.Reviewers {
		if strings.EqualFold(v.ValueString(), reviewerSelf) && len(m.Reviewers) > 1 {
			resp.Diagnostics.AddAttributeError(path.Root("reviewers"), "Invalid Reviewers", "\"self\" is a review by each principal alone: list it on its own.")
		}
	}
}

// ModifyPlan fills the defaults that depend on the scope and the server's
// date, checks the role, group and reviewers exist, and says that an update
// reaches future instances only.
func (r *reviewResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || req.Plan.Raw.IsNull() {
		return
	}
	var plan reviewModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.Scope == nil {
		return
	}
	plan.Scope.fillDefaults()
	if plan.StartDate.IsUnknown() && req.State.Raw.IsNull() {
		plan.StartDate = types.StringValue(today(r.data.Clock.Now()))
	}
	r.checkReferences(ctx, &plan, &resp.Diagnostics)
	if !req.State.Raw.IsNull() && !req.Plan.Raw.Equal(req.State.Raw) {
		resp.Diagnostics.AddWarning("Access Review Changes Reach Future Instances Only",
			fmt.Sprintf("Graph applies a change to %q to the instances that start after it; a running instance keeps its reviewers, "+
				"duration and settings.", plan.DisplayName.ValueString()))
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (s *scopeModel) fillDefaults() {
	null := types.StringNull()
	if !s.RoleDefinitionID.IsNull() && !s.RoleDefinitionID.IsUnknown() {
		if s.AssignmentType.IsUnknown() {
			s.AssignmentType = types.StringValue("all")
		}
		if s.PrincipalType.IsUnknown() {
			s.PrincipalType = types.StringValue("user")
		}
		if s.GroupAccess.IsUnknown() {
			s.GroupAccess = null
		}
		return
	}
	if s.GroupAccess.IsUnknown() {
		s.GroupAccess = types.StringValue("member")
	}
	if s.AssignmentType.IsUnknown() {
		s.AssignmentType = null
	}
	if s.PrincipalType.IsUnknown() {
		s.PrincipalType = null
	}
}

// checkReferences fails the plan on a role, group or reviewer that does
// not exist, naming the attribute (Graph would refuse at apply time).
func (r *reviewResource) checkReferences(ctx context.Context, plan *reviewModel, diags *diag.Diagnostics) {
	sc := plan.Scope
	if id := sc.RoleDefinitionID.ValueString(); id != "" && !sc.RoleDefinitionID.IsUnknown() {
		roles, err := r.data.Names.RoleNames(ctx)
		if err == nil && roles[strings.ToLower(id)] == "" {
			diags.AddAttributeError(path.Root("scope").AtName("role_definition_id"), "Role Not Found",
				fmt.Sprintf("No directory role definition has id %s. Look a role up by name with data \"pim_role_definition\".", id))
		}
	}
	check := func(at path.Path, id, want string) {
		obj, known, err := r.data.Names.Lookup(ctx, id)
		switch {
		case err != nil || !known:
			return // checked by Graph at apply; a lookup failure is not the user's error
		case obj == nil:
			diags.AddAttributeError(at, "Principal Not Found", fmt.Sprintf("No %s has object id %s in this tenant.", want, id))
		case want == "user or group" && obj.Type() == pimclient.PrincipalServicePrincipal:
			diags.AddAttributeError(at, "Invalid Reviewer", fmt.Sprintf("%s is a service principal: reviewers are users or groups.", shared.DescribeObject(obj)))
		}
	}
	if id := sc.GroupID.ValueString(); id != "" && !sc.GroupID.IsUnknown() {
		check(path.Root("scope").AtName("group_id"), id, "group")
	}
	for name, list := range map[string][]types.String{"reviewers": plan.Reviewers, "fallback_reviewers": plan.FallbackReviewers} {
		for i, v := range list {
			if id := v.ValueString(); validators.IsGUID(id) {
				check(path.Root(name).AtListIndex(i), id, "user or group")
			}
		}
	}
}

// groupsOf looks reviewers up to tell groups from users.
func (r *reviewResource) groupsOf(ctx context.Context, m *reviewModel) map[string]bool {
	groups := map[string]bool{}
	for _, v := range append(append([]types.String{}, m.Reviewers...), m.FallbackReviewers...) {
		if id := strings.ToLower(v.ValueString()); validators.IsGUID(id) {
			if obj, known, _ := r.data.Names.Lookup(ctx, id); known && obj != nil && obj.Type() == pimclient.PrincipalGroup {
				groups[id] = true
			}
		}
	}
	return groups
}

func (r *reviewResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan reviewModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	body := plan.toAPI(r.groupsOf(ctx, &plan))
	var made *accessreviews.AccessReview
	sent := r.data.Clock.Now()
	_, err := r.data.Resolve(ctx, shared.Write{
		Send: func(ctx context.Context) (err error) {
			made, err = accessreviews.Of(r.data.Client).CreateAccessReview(ctx, body)
			return err
		},
		// Landed: a definition of this name created after the send.
		Landed: func(ctx context.Context) (bool, error) {
			list, err := accessreviews.Of(r.data.Client).ListAccessReviews(ctx, pimclient.Filter{}.Eq("displayName", body.DisplayName))
			for i := range list {
				if shared.MadeSince(list[i].CreatedDateTime, sent) {
					made = &list[i]
					return true, nil
				}
			}
			return false, err
		},
	})
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Create Access Review", "Creating access review "+quoted(plan.DisplayName), err,
			"Creating access reviews needs AccessReview.ReadWrite.All, or the Privileged Role Administrator or Identity Governance Administrator role.")
		return
	}
	plan.ID = types.StringValue(made.ID)
	r.readInto(ctx, &plan, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	shared.SetIdentity(ctx, resp.Identity, plan.identity(), &resp.Diagnostics)
}

func quoted(v types.String) string { return fmt.Sprintf("%q", v.ValueString()) }

// readInto reads the definition back into m.
func (r *reviewResource) readInto(ctx context.Context, m *reviewModel, diags *diag.Diagnostics) {
	got, err := accessreviews.Of(r.data.Client).GetAccessReview(ctx, m.ID.ValueString())
	if err != nil {
		shared.AddGraphError(diags, "Unable to Read Access Review", "Reading access review "+m.ID.ValueString(), err, "")
		return
	}
	if err := m.fromAPI(got); err != nil {
		diags.AddError("Access Review Not Manageable", fmt.Sprintf("Access review %s: %v. Manage it in the portal, or recreate it with Terraform.", m.ID.ValueString(), err))
	}
}

func (r *reviewResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state reviewModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	got, err := accessreviews.Of(r.data.Client).GetAccessReview(ctx, state.ID.ValueString())
	if pimclient.IsNotFound(err) {
		resp.Diagnostics.AddWarning("Access Review Deleted Outside Terraform",
			fmt.Sprintf("Access review %s (%s) no longer exists; the plan creates it again.", quoted(state.DisplayName), state.ID.ValueString()))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Read Access Review", "Reading access review "+state.ID.ValueString(), err, "")
		return
	}
	if err := state.fromAPI(got); err != nil {
		resp.Diagnostics.AddError("Access Review Not Manageable", fmt.Sprintf("Access review %s: %v.", state.ID.ValueString(), err))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	shared.SetIdentity(ctx, resp.Identity, state.identity(), &resp.Diagnostics)
}

// Update replaces the definition (the whole object, as Graph's PUT takes it).
func (r *reviewResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan reviewModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// A PUT is safe to repeat: the client retries it like a read.
	if err := accessreviews.Of(r.data.Client).ReplaceAccessReview(ctx, plan.ID.ValueString(), plan.toAPI(r.groupsOf(ctx, &plan))); err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Update Access Review", "Replacing access review "+quoted(plan.DisplayName), err, "")
		return
	}
	r.readInto(ctx, &plan, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	shared.SetIdentity(ctx, resp.Identity, plan.identity(), &resp.Diagnostics)
}

func (r *reviewResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state reviewModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := accessreviews.Of(r.data.Client).DeleteAccessReview(ctx, state.ID.ValueString())
	if err != nil && !pimclient.IsNotFound(err) {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Delete Access Review", "Deleting access review "+quoted(state.DisplayName), err, "")
	}
}

// ImportState takes the definition's id, or an identity naming it.
func (r *reviewResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	id := strings.TrimSpace(req.ID)
	if id == "" && req.Identity != nil && !req.Identity.Raw.IsNull() {
		var ident reviewIdentity
		resp.Diagnostics.Append(req.Identity.Get(ctx, &ident)...)
		id = ident.ID.ValueString()
	}
	if !validators.IsGUID(id) {
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("Expected the access review definition's id (a GUID); got %q.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// dateValidator checks a YYYY-MM-DD date.
type dateValidator struct{}

func (dateValidator) Description(context.Context) string             { return "a date, YYYY-MM-DD" }
func (v dateValidator) MarkdownDescription(c context.Context) string { return v.Description(c) }
func (dateValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := time.Parse(time.DateOnly, req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Date", fmt.Sprintf("%s is %q; want a date such as 2027-01-01.", req.Path, req.ConfigValue.ValueString()))
	}
}

// reviewerValidator checks a reviewer: an object id, manager or self.
type reviewerValidator struct{}

func (reviewerValidator) Description(context.Context) string {
	return "a user or group object id, manager or self"
}
func (v reviewerValidator) MarkdownDescription(c context.Context) string {
	return v.Description(c)
}
func (reviewerValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	s := req.ConfigValue.ValueString()
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || validators.IsGUID(s) || s == reviewerManager || s == reviewerSelf {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid Reviewer", fmt.Sprintf("%s is %q; want a user or group object id, \"manager\" or \"self\".", req.Path, s))
}
