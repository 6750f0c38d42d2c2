package reviews

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithIdentity = (*reviewResource)(nil)

// reviewIdentity names a review by its definition's id.
type reviewIdentity struct {
	ID types.String `tfsdk:"id"`
}

func (r *reviewResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"id": identityschema.StringAttribute{RequiredForImport: true, Description: "The access review definition's id."},
	}}
}

func (m *reviewModel) identity() *reviewIdentity { return &reviewIdentity{ID: m.ID} }
