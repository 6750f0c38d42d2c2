package reviews

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient/accessreviews"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var _ datasource.DataSourceWithConfigure = (*instancesDataSource)(nil)

// NewInstancesDataSource is pim_access_review_instances.
func NewInstancesDataSource() datasource.DataSource { return &instancesDataSource{} }

type instancesDataSource struct{ data *shared.ProviderData }

type instancesModel struct {
	AccessReviewID types.String    `tfsdk:"access_review_id"`
	Instances      []instanceEntry `tfsdk:"instances"`
}

type instanceEntry struct {
	ID        string          `tfsdk:"id"`
	Status    string          `tfsdk:"status"`
	Start     types.String    `tfsdk:"start_date_time"`
	End       types.String    `tfsdk:"end_date_time"`
	Reviewers []personEntry   `tfsdk:"reviewers"`
	Decisions []decisionEntry `tfsdk:"decisions"`
}

type personEntry struct {
	ID          string       `tfsdk:"id"`
	DisplayName types.String `tfsdk:"display_name"`
	UPN         types.String `tfsdk:"user_principal_name"`
}

type decisionEntry struct {
	ID             string       `tfsdk:"id"`
	PrincipalID    types.String `tfsdk:"principal_id"`
	PrincipalName  types.String `tfsdk:"principal_display_name"`
	PrincipalUPN   types.String `tfsdk:"principal_user_principal_name"`
	ResourceName   types.String `tfsdk:"resource_display_name"`
	Decision       string       `tfsdk:"decision"`
	Justification  types.String `tfsdk:"justification"`
	Recommendation types.String `tfsdk:"recommendation"`
	ReviewedByID   types.String `tfsdk:"reviewed_by_id"`
	ReviewedByName types.String `tfsdk:"reviewed_by_display_name"`
	Reviewed       types.String `tfsdk:"reviewed_date_time"`
	ApplyResult    types.String `tfsdk:"apply_result"`
	Applied        types.String `tfsdk:"applied_date_time"`
}

func (d *instancesDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_review_instances"
}

func (d *instancesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	s := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	person := schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{"id": s("Object id."), "display_name": s("Name."),
		"user_principal_name": s("Sign-in name.")}}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The instances of an access review, oldest first, with their reviewers and every decision: who was " +
			"reviewed, what was decided by whom and when, and whether it was applied. Needs `AccessReview.Read.All`.",
		Attributes: map[string]schema.Attribute{
			"access_review_id": schema.StringAttribute{Required: true, MarkdownDescription: "The review (`pim_access_review.x.id`).",
				Validators: []validator.String{validators.GUID()}},
			"instances": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "The review's instances.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id": s("Instance id."), "status": s("`InProgress`, `Completed`, `Applied`…"),
					"start_date_time": s("When it started (RFC 3339)."), "end_date_time": s("When it ends (RFC 3339)."),
					"reviewers": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "Who was asked to review.", NestedObject: person},
					"decisions": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "One per principal reviewed.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"id": s("Decision id."), "principal_id": s("Who was reviewed."), "principal_display_name": s("Who, by name."),
							"principal_user_principal_name": s("Who, by sign-in name."), "resource_display_name": s("The role or group reviewed."),
							"decision": s("`Approve`, `Deny`, `DontKnow` or `NotReviewed`."), "justification": s("The reviewer's reason."),
							"recommendation": s("`Approve`, `Deny` or `NoInfoAvailable`."), "reviewed_by_id": s("Who decided."),
							"reviewed_by_display_name": s("Who decided, by name."), "reviewed_date_time": s("When (RFC 3339)."),
							"apply_result": s("`New` until applied, then Graph's result."), "applied_date_time": s("When it was applied."),
						}}},
				}}},
		},
	}
}

func (d *instancesDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (d *instancesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m instancesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := m.AccessReviewID.ValueString()
	list, err := accessreviews.Of(d.data.Client).ListReviewInstances(ctx, id, false)
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Read Access Review Instances", "Listing the instances of access review "+id, err,
			"Reading access reviews needs AccessReview.Read.All.")
		return
	}
	m.Instances = []instanceEntry{}
	for _, in := range list {
		e, err := d.entry(ctx, id, in)
		if err != nil {
			shared.AddGraphError(&resp.Diagnostics, "Unable to Read Access Review Decisions", "Reading instance "+in.ID+" of access review "+id, err, "")
			return
		}
		m.Instances = append(m.Instances, e)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func (d *instancesDataSource) entry(ctx context.Context, defID string, in accessreviews.ReviewInstance) (instanceEntry, error) {
	e := instanceEntry{ID: in.ID, Status: in.Status, Start: shared.TimeOrNull(in.StartDateTime), End: shared.TimeOrNull(in.EndDateTime),
		Reviewers: []personEntry{}, Decisions: []decisionEntry{}}
	reviewers, err := accessreviews.Of(d.data.Client).ListContactedReviewers(ctx, defID, in.ID)
	if err != nil {
		return e, err
	}
	for _, r := range reviewers {
		e.Reviewers = append(e.Reviewers, personEntry{ID: r.ID, DisplayName: shared.StringOrNull(r.DisplayName), UPN: shared.StringOrNull(r.UserPrincipalName)})
	}
	decisions, err := accessreviews.Of(d.data.Client).ListReviewDecisions(ctx, defID, in.ID, false)
	if err != nil {
		return e, err
	}
	for _, dec := range decisions {
		e.Decisions = append(e.Decisions, decisionOf(&dec))
	}
	return e, nil
}

func decisionOf(dec *accessreviews.ReviewDecision) decisionEntry {
	out := decisionEntry{ID: dec.ID, Decision: dec.Decision, Justification: shared.StringOrNull(dec.Justification),
		Recommendation: shared.StringOrNull(dec.Recommendation), ApplyResult: shared.StringOrNull(dec.ApplyResult),
		Reviewed: shared.TimeOrNull(dec.ReviewedDateTime), Applied: shared.TimeOrNull(dec.AppliedDateTime),
		PrincipalID: types.StringNull(), PrincipalName: types.StringNull(), PrincipalUPN: types.StringNull(), ResourceName: types.StringNull(),
		ReviewedByID: types.StringNull(), ReviewedByName: types.StringNull()}
	if p := dec.Principal; p != nil {
		out.PrincipalID, out.PrincipalName, out.PrincipalUPN = shared.StringOrNull(p.ID), shared.StringOrNull(p.DisplayName), shared.StringOrNull(p.UserPrincipalName)
	}
	if r := dec.ReviewedBy; r != nil {
		out.ReviewedByID, out.ReviewedByName = shared.StringOrNull(r.ID), shared.StringOrNull(r.DisplayName)
	}
	if r := dec.Resource; r != nil {
		out.ResourceName = shared.StringOrNull(r.DisplayName)
	}
	return out
}
