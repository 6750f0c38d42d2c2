package reviews

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient/accessreviews"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var _ list.ListResourceWithConfigure = (*reviewList)(nil)

// NewAccessReviewList lists pim_access_review: the tenant's reviews of
// directory roles and PIM groups, for terraform query.
func NewAccessReviewList() list.ListResource { return &reviewList{} }

type reviewList struct{ res reviewResource }

type reviewListConfig struct {
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	GroupID          types.String `tfsdk:"group_id"`
}

func (l *reviewList) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	l.res.Metadata(ctx, req, resp)
}

func (l *reviewList) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.res.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (l *reviewList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The tenant's access reviews of directory roles and PIM groups, each named with what it reviews and how " +
			"often, for `terraform query`: reviews made in the portal that this configuration does not manage. Reviews of other " +
			"scopes (applications, access packages) are left out.",
		Attributes: map[string]schema.Attribute{
			"role_definition_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Only reviews of this role.",
				Validators: []validator.String{validators.GUID()}},
			"group_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Only reviews of this group.",
				Validators: []validator.String{validators.GUID()}},
		},
	}
}

func (l *reviewList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg reviewListConfig
	diags := req.Config.Get(ctx, &cfg)
	all, err := accessreviews.Of(l.res.data.Client).ListAccessReviews(ctx, pimclient.Filter{})
	if err != nil {
		shared.AddGraphError(&diags, "Unable to List Access Reviews", "Listing the tenant's access review definitions", err,
			"Reading access reviews needs AccessReview.Read.All.")
	}
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	var found []*reviewModel
	for i := range all {
		m := &reviewModel{}
		if m.fromAPI(&all[i]) != nil || !matches(m.Scope.RoleDefinitionID, cfg.RoleDefinitionID) || !matches(m.Scope.GroupID, cfg.GroupID) {
			continue
		}
		found = append(found, m)
	}
	sort.Slice(found, func(i, j int) bool { return found[i].DisplayName.ValueString() < found[j].DisplayName.ValueString() })
	stream.Results = func(push func(list.ListResult) bool) {
		for i, m := range found {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			res := req.NewListResult(ctx)
			res.DisplayName = l.describe(ctx, m)
			res.Diagnostics.Append(res.Identity.Set(ctx, m.identity())...)
			if req.IncludeResource {
				res.Diagnostics.Append(res.Resource.Set(ctx, m)...)
			}
			if !push(res) {
				return
			}
		}
	}
}

func matches(v, want types.String) bool {
	return want.ValueString() == "" || strings.EqualFold(v.ValueString(), want.ValueString())
}

// describe names a review for a person: its name, what it reviews, how often.
func (l *reviewList) describe(ctx context.Context, m *reviewModel) string {
	what := ""
	if id := m.Scope.GroupID.ValueString(); id != "" {
		what = m.Scope.GroupAccess.ValueString() + "s of " + l.res.data.Names.DescribePrincipal(ctx, id)
	} else {
		what = m.Scope.AssignmentType.ValueString() + " assignments of " + l.res.data.Names.DescribeRole(ctx, m.Scope.RoleDefinitionID.ValueString())
	}
	return fmt.Sprintf("%s: %s, %s, %s", m.DisplayName.ValueString(), what, m.Recurrence.ValueString(), words(m.Status.ValueString()))
}

// words spells Graph's status for a person: NotStarted is "not started".
func words(status string) string {
	var b strings.Builder
	for i, r := range status {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String())
}
