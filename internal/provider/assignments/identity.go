package assignments

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

// Resource identity (Terraform 1.12 and later): what names an assignment or
// a role setting independently of Graph's ids, so that `import` blocks,
// `terraform query` and HCP Terraform can refer to it. Older Terraform
// ignores it.

var (
	_ resource.ResourceWithIdentity = (*assignmentResource)(nil)
)

// assignmentIdentity is the natural key of an eligible or active assignment.
type assignmentIdentity struct {
	DirectoryScopeID types.String `tfsdk:"directory_scope_id"`
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	PrincipalID      types.String `tfsdk:"principal_id"`
}

// groupAssignmentIdentity is the natural key of a group assignment.
type groupAssignmentIdentity struct {
	GroupID     types.String `tfsdk:"group_id"`
	AccessID    types.String `tfsdk:"access_id"`
	PrincipalID types.String `tfsdk:"principal_id"`
}

func (r *assignmentResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	if r.target.groups {
		resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
			"group_id":     identityschema.StringAttribute{RequiredForImport: true, Description: "Object id of the group."},
			"access_id":    identityschema.StringAttribute{RequiredForImport: true, Description: "`member` or `owner`."},
			"principal_id": identityschema.StringAttribute{RequiredForImport: true, Description: "Object id of the principal."},
		}}
		return
	}
	resp.IdentitySchema = identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"directory_scope_id": identityschema.StringAttribute{OptionalForImport: true, Description: "Scope of the assignment; `/` (the tenant) when omitted."},
		"role_definition_id": identityschema.StringAttribute{RequiredForImport: true, Description: "Id of the directory role definition."},
		"principal_id":       identityschema.StringAttribute{RequiredForImport: true, Description: "Object id of the principal."},
	}}
}

func (m *assignmentModel) identity() assignmentIdentity {
	return assignmentIdentity{DirectoryScopeID: m.DirectoryScopeID, RoleDefinitionID: m.RoleDefinitionID, PrincipalID: m.PrincipalID}
}

// identityOf is the identity of an assignment in the resource's shape.
func (r *assignmentResource) identityOf(m *assignmentModel) any {
	if r.target.groups {
		return groupAssignmentIdentity{GroupID: m.DirectoryScopeID, AccessID: m.RoleDefinitionID, PrincipalID: m.PrincipalID}
	}
	return m.identity()
}

// importIdentity starts an import from an `identity` block: the identity's
// attributes become the state's key, checked as the string form is.
func (r *assignmentResource) importIdentity(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var key [3]string // scope or group, role or access, principal
	if r.target.groups {
		var id groupAssignmentIdentity
		resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
		key = [3]string{id.GroupID.ValueString(), id.AccessID.ValueString(), id.PrincipalID.ValueString()}
	} else {
		var id assignmentIdentity
		resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
		key = [3]string{id.DirectoryScopeID.ValueString(), id.RoleDefinitionID.ValueString(), id.PrincipalID.ValueString()}
		if key[0] == "" {
			key[0] = "/"
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.validKey(key) {
		resp.Diagnostics.AddError("Invalid Import Identity", fmt.Sprintf("The identity's %s, %s and principal_id are not valid (got %q, %q, %q): "+
			"object ids are GUIDs%s.", r.target.scopeAttr, r.target.roleAttr, key[0], key[1], key[2], r.keyHint()))
		return
	}
	r.setKey(ctx, key, resp)
	m := assignmentModel{DirectoryScopeID: types.StringValue(key[0]), RoleDefinitionID: types.StringValue(key[1]), PrincipalID: types.StringValue(key[2])}
	resp.Diagnostics.Append(resp.Identity.Set(ctx, r.identityOf(&m))...)
}

// validKey checks a natural key (scope or group, role or access, principal).
func (r *assignmentResource) validKey(key [3]string) bool {
	if r.target.groups {
		return validators.IsGUID(key[0]) && (key[1] == shared.AccessMember || key[1] == shared.AccessOwner) && validators.IsGUID(key[2])
	}
	return validators.ValidDirectoryScope(key[0]) && validators.IsGUID(key[1]) && validators.IsGUID(key[2])
}

func (r *assignmentResource) keyHint() string {
	if r.target.groups {
		return "; access_id is member or owner"
	}
	return "; directory_scope_id is \"/\" or a directory object path"
}

// setKey puts a natural key into the imported state. Ids are kept as given:
// Graph compares them case-insensitively, and the configuration's spelling
// must match or the plan would replace.
func (r *assignmentResource) setKey(ctx context.Context, key [3]string, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(r.target.scopeAttr), key[0])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(r.target.roleAttr), key[1])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("principal_id"), key[2])...)
}
