package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

// Resource identity (Terraform 1.12 and later): what names an assignment or
// a role setting independently of Graph's ids, so that `import` blocks,
// `terraform query` and HCP Terraform can refer to it. Older Terraform
// ignores it.

var (
	_ resource.ResourceWithIdentity = (*assignmentResource)(nil)
	_ resource.ResourceWithIdentity = (*roleSettingResource)(nil)
)

// assignmentIdentity is the natural key of an eligible or active assignment.
type assignmentIdentity struct {
	DirectoryScopeID types.String `tfsdk:"directory_scope_id"`
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	PrincipalID      types.String `tfsdk:"principal_id"`
}

// roleSettingIdentity names a role's PIM policy: directory roles have one
// policy, at the tenant scope.
type roleSettingIdentity struct {
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	Scope            types.String `tfsdk:"scope"`
}

func (r *assignmentResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"directory_scope_id": identityschema.StringAttribute{OptionalForImport: true, Description: "Scope of the assignment; `/` (the tenant) when omitted."},
		"role_definition_id": identityschema.StringAttribute{RequiredForImport: true, Description: "Id of the directory role definition."},
		"principal_id":       identityschema.StringAttribute{RequiredForImport: true, Description: "Object id of the principal."},
	}}
}

func (r *roleSettingResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"role_definition_id": identityschema.StringAttribute{RequiredForImport: true, Description: "Id of the directory role definition."},
		"scope":              identityschema.StringAttribute{OptionalForImport: true, Description: "Scope of the policy: `/` (directory roles have one policy, tenant-wide)."},
	}}
}

func (m *assignmentModel) identity() assignmentIdentity {
	return assignmentIdentity{DirectoryScopeID: m.DirectoryScopeID, RoleDefinitionID: m.RoleDefinitionID, PrincipalID: m.PrincipalID}
}

// setIdentity records the identity of what is in state; nil (a Terraform
// without identity support) is skipped.
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, value any, diags *diag.Diagnostics) {
	if identity != nil {
		diags.Append(identity.Set(ctx, value)...)
	}
}

// importAssignmentIdentity starts an import from an `identity` block: the
// identity's attributes become the state's key, checked as the string form is.
func importAssignmentIdentity(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var id assignmentIdentity
	resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if id.DirectoryScopeID.ValueString() == "" {
		id.DirectoryScopeID = types.StringValue("/")
	}
	if !validators.ValidDirectoryScope(id.DirectoryScopeID.ValueString()) || !validators.IsGUID(id.RoleDefinitionID.ValueString()) ||
		!validators.IsGUID(id.PrincipalID.ValueString()) {
		resp.Diagnostics.AddError("Invalid Import Identity", fmt.Sprintf("role_definition_id and principal_id must be object ids (GUIDs) and "+
			"directory_scope_id \"/\" or a directory object path; got %q, %q, %q.", id.RoleDefinitionID.ValueString(), id.PrincipalID.ValueString(),
			id.DirectoryScopeID.ValueString()))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("directory_scope_id"), id.DirectoryScopeID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("role_definition_id"), id.RoleDefinitionID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("principal_id"), id.PrincipalID)...)
	resp.Diagnostics.Append(resp.Identity.Set(ctx, id)...)
}
