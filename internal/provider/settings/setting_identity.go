package settings

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithIdentity = (*roleSettingResource)(nil)

func (r *roleSettingResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = r.subject.identitySchema()
}

// roleSettingIdentity names a role's PIM policy: directory roles have one
// policy, at the tenant scope.
type roleSettingIdentity struct {
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	Scope            types.String `tfsdk:"scope"`
}
