package settings

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var _ datasource.DataSourceWithConfigure = (*roleSettingDataSource)(nil)

// NewRoleSettingDataSource is the pim_role_setting data source.
func NewRoleSettingDataSource() datasource.DataSource { return &roleSettingDataSource{} }

type roleSettingDataSource struct {
	data *shared.ProviderData
}

func (d *roleSettingDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role_setting"
}

// Schema is the resource's schema made read-only, so the two cannot drift.
func (d *roleSettingDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	res := roleSettingSchema(ctx)
	attrs := map[string]dschema.Attribute{}
	for name, a := range res.Attributes {
		if name == "role_definition_id" || name == "keep_on_destroy" {
			continue // the key is input; what a destroy does is the resource's
		}
		attrs[name] = computedAttribute(a)
	}
	attrs["role_definition_id"] = dschema.StringAttribute{Required: true,
		MarkdownDescription: "Directory role whose PIM setting to read (see the `pim_role_definition` data source).",
		Validators:          []validator.String{validators.GUID()}}
	resp.Schema = dschema.Schema{
		MarkdownDescription: "Reads the PIM policy (role setting) of a Microsoft Entra directory role, all 17 rules, in the shape of the " +
			"`pim_role_setting` resource. Use it to assert policy in `check` blocks (\"Global Administrator activation requires " +
			"approval\") without managing it.\n\nGraph permissions: `RoleManagementPolicy.Read.Directory`.",
		Attributes: attrs,
	}
}

// computedAttribute turns a resource attribute into a computed data source
// attribute with the same type and description.
func computedAttribute(a rschema.Attribute) dschema.Attribute {
	desc := a.GetMarkdownDescription()
	switch v := a.(type) {
	case rschema.StringAttribute:
		return dschema.StringAttribute{Computed: true, MarkdownDescription: desc, CustomType: v.CustomType}
	case rschema.BoolAttribute:
		return dschema.BoolAttribute{Computed: true, MarkdownDescription: desc}
	case rschema.Int64Attribute:
		return dschema.Int64Attribute{Computed: true, MarkdownDescription: desc}
	case rschema.SetAttribute:
		return dschema.SetAttribute{Computed: true, MarkdownDescription: desc, ElementType: v.ElementType}
	case rschema.SingleNestedAttribute:
		return dschema.SingleNestedAttribute{Computed: true, MarkdownDescription: desc, Attributes: computedAttributes(v.Attributes)}
	case rschema.ListNestedAttribute:
		return dschema.ListNestedAttribute{Computed: true, MarkdownDescription: desc,
			NestedObject: dschema.NestedAttributeObject{Attributes: computedAttributes(v.NestedObject.Attributes)}}
	case rschema.SetNestedAttribute:
		return dschema.SetNestedAttribute{Computed: true, MarkdownDescription: desc,
			NestedObject: dschema.NestedAttributeObject{Attributes: computedAttributes(v.NestedObject.Attributes)}}
	}
	panic(fmt.Sprintf("pim_role_setting data source: no read-only form for %T", a))
}

func computedAttributes(in map[string]rschema.Attribute) map[string]dschema.Attribute {
	out := make(map[string]dschema.Attribute, len(in))
	for name, a := range in {
		out[name] = computedAttribute(a)
	}
	return out
}

func (d *roleSettingDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (d *roleSettingDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg roleSettingModel
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("role_definition_id"), &cfg.RoleDefinitionID)...)
	if resp.Diagnostics.HasError() {
		return
	}
	pol, err := d.data.Client.GetRolePolicy(ctx, cfg.RoleDefinitionID.ValueString())
	if errors.Is(err, pimclient.ErrNoPolicy) {
		resp.Diagnostics.AddAttributeError(path.Root("role_definition_id"), "Role Has No PIM Policy",
			fmt.Sprintf("Graph returned no PIM policy for role %s. Check the id (see the pim_role_definition data source).", cfg.RoleDefinitionID.ValueString()))
		return
	}
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Read Role Setting", "Reading the PIM policy of role "+cfg.RoleDefinitionID.ValueString(), err, "")
		return
	}
	read, err := roleSettingFromRules(pol)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected Role Setting", err.Error()+" Please report this issue to the provider developers.")
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &roleSettingData{ID: read.ID, RoleDefinitionID: cfg.RoleDefinitionID, PolicyRules: read.PolicyRules})...)
}

// roleSettingData is the data source's shape: the resource's, without what
// a destroy does.
type roleSettingData struct {
	ID               types.String `tfsdk:"id"`
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	PolicyRules
}
