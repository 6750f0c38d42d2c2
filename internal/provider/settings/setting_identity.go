package settings

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ resource.ResourceWithIdentity = (*roleSettingResource)(nil)

func (r *roleSettingResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	if r.groups {
		resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
			"group_id":  identityschema.StringAttribute{RequiredForImport: true, Description: "Object id of the group."},
			"access_id": identityschema.StringAttribute{RequiredForImport: true, Description: "`member` or `owner`."},
		}}
		return
	}
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"role_definition_id": identityschema.StringAttribute{RequiredForImport: true, Description: "Id of the directory role definition."},
		"scope":              identityschema.StringAttribute{OptionalForImport: true, Description: "Scope of the policy: `/` (directory roles have one policy, tenant-wide)."},
	}}
}

// roleSettingIdentity names a role's PIM policy: directory roles have one
// policy, at the tenant scope.
type roleSettingIdentity struct {
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	Scope            types.String `tfsdk:"scope"`
}
