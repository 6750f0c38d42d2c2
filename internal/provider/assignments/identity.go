package assignments

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Resource identity (Terraform 1.12 and later): what names an assignment or
// a role setting independently of Graph's ids, so that `import` blocks,
// `terraform query` and HCP Terraform can refer to it. Older Terraform
// ignores it.

var (
	_ resource.ResourceWithIdentity = (*Resource)(nil)
)

// assignmentIdentity is the natural key of an eligible or active assignment.
type assignmentIdentity struct {
	DirectoryScopeID types.String `tfsdk:"directory_scope_id"`
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	PrincipalID      types.String `tfsdk:"principal_id"`
}

func (r *Resource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = r.target.IdentitySchema()
}

// identityOf is the identity of an assignment in the resource's shape.
func (r *Resource) IdentityOf(m *Model) any { return r.target.IdentityOf(m) }

// importIdentity starts an import from an `identity` block: the identity's
// attributes become the state's key, checked as the string form is.
func (r *Resource) importIdentity(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	key, diags := r.target.IdentityKey(ctx, req.Identity) // scope or group, role or access, principal
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.target.ValidKey(key) {
		resp.Diagnostics.AddError("Invalid Import Identity", fmt.Sprintf("The identity's %s, %s and principal_id are not valid (got %q, %q, %q): "+
			"object ids are GUIDs%s.", r.target.Names().ScopeAttr, r.target.Names().RoleAttr, key[0], key[1], key[2], r.target.KeyHint()))
		return
	}
	r.setKey(ctx, key, resp)
	m := Model{DirectoryScopeID: types.StringValue(key[0]), RoleDefinitionID: types.StringValue(key[1])}
	m.PrincipalID = types.StringValue(key[2])
	resp.Diagnostics.Append(resp.Identity.Set(ctx, r.IdentityOf(&m))...)
}

// setKey puts a natural key into the imported state. Ids are kept as given:
// Graph compares them case-insensitively, and the configuration's spelling
// must match or the plan would replace.
func (r *Resource) setKey(ctx context.Context, key [3]string, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(r.target.Names().ScopeAttr), key[0])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(r.target.Names().RoleAttr), key[1])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("principal_id"), key[2])...)
}
