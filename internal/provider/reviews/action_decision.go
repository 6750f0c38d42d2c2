package reviews

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient/accessreviews"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var _ action.ActionWithConfigure = (*decisionAction)(nil)

// NewReviewDecisionAction is pim_review_decision.
func NewReviewDecisionAction() action.Action { return &decisionAction{} }

type decisionAction struct{ data *shared.ProviderData }

type decisionConfig struct {
	AccessReviewID types.String `tfsdk:"access_review_id"`
	PrincipalID    types.String `tfsdk:"principal_id"`
	Decision       types.String `tfsdk:"decision"`
	Justification  types.String `tfsdk:"justification"`
}

func (a *decisionAction) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_review_decision"
}

func (a *decisionAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Records, as the signed-in reviewer, a decision on one principal in the running instance of an access " +
			"review. Graph takes decisions only from a reviewer's own sign-in: the provider must sign in as that user.",
		Attributes: map[string]schema.Attribute{
			"access_review_id": schema.StringAttribute{Required: true, MarkdownDescription: "The review.",
				Validators: []validator.String{validators.GUID()}},
			"principal_id": schema.StringAttribute{Required: true, MarkdownDescription: "The principal whose access is decided.",
				Validators: []validator.String{validators.GUID()}},
			"decision": schema.StringAttribute{Required: true, MarkdownDescription: "`Approve`, `Deny` or `DontKnow`.",
				Validators: []validator.String{stringvalidator.OneOf("Approve", "Deny", "DontKnow")}},
			"justification": schema.StringAttribute{Required: true, MarkdownDescription: "The reviewer's reason, kept with the decision.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)}},
		},
	}
}

func (a *decisionAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	if req.ProviderData != nil {
		a.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
	}
}

func (a *decisionAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg decisionConfig
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	defID, principal := cfg.AccessReviewID.ValueString(), cfg.PrincipalID.ValueString()
	instances, err := accessreviews.Of(a.data.Client).ListReviewInstances(ctx, defID, true)
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Read Access Review", "Listing the instances of access review "+defID, err, "")
		return
	}
	for _, in := range instances {
		if in.Status != "InProgress" {
			continue
		}
		mine, err := accessreviews.Of(a.data.Client).ListReviewDecisions(ctx, defID, in.ID, true)
		if err != nil {
			shared.AddGraphError(&resp.Diagnostics, "Unable to Read Access Review", "Listing the signed-in reviewer's decisions", err, "")
			return
		}
		for _, dec := range mine {
			if dec.Principal == nil || !strings.EqualFold(dec.Principal.ID, principal) {
				continue
			}
			if err := accessreviews.Of(a.data.Client).RecordReviewDecision(ctx, defID, in.ID, dec.ID, cfg.Decision.ValueString(), cfg.Justification.ValueString()); err != nil {
				shared.AddGraphError(&resp.Diagnostics, "Unable to Record Decision", "Recording "+cfg.Decision.ValueString()+" for "+
					a.data.Names.DescribePrincipal(ctx, principal), err, "")
				return
			}
			shared.Progress(resp, "%s: %s (%s)", cfg.Decision.ValueString(), a.data.Names.DescribePrincipal(ctx, principal), cfg.Justification.ValueString())
			return
		}
	}
	resp.Diagnostics.AddError("Nothing To Decide", fmt.Sprintf("The signed-in user reviews no decision on %s in a running instance of "+
		"access review %s: the instance has ended, or the principal is not in scope, or someone else reviews it.",
		a.data.Names.DescribePrincipal(ctx, principal), defID))
}
