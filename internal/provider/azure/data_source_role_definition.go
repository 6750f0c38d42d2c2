package azure

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var _ datasource.DataSourceWithConfigure = (*roleDefinitionDataSource)(nil)

// NewRoleDefinitionDataSource is pim_azure_role_definition.
func NewRoleDefinitionDataSource() datasource.DataSource { return &roleDefinitionDataSource{} }

type roleDefinitionDataSource struct {
	data *shared.ProviderData
}

type roleDefinitionModel struct {
	Scope       types.String `tfsdk:"scope"`
	RoleName    types.String `tfsdk:"role_name"`
	ID          types.String `tfsdk:"id"`
	Name        types.String `tfsdk:"name"`
	Type        types.String `tfsdk:"type"`
	Description types.String `tfsdk:"description"`
}

func (d *roleDefinitionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_azure_role_definition"
}

func (d *roleDefinitionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up an Azure role definition (built-in or custom) by name at a scope, and gives its full ARM id in the " +
			"form that scope's PIM requests want (`/subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions/{guid}`): a role id " +
			"of another subscription is the mistake azurerm users meet most (azurerm#23775).\n\n" +
			"Azure permissions: `Microsoft.Authorization/roleDefinitions/read` at the scope (Reader has it).",
		Attributes: map[string]schema.Attribute{
			"scope": schema.StringAttribute{Required: true, MarkdownDescription: "The ARM scope the role is used at (a subscription, resource group, " +
				"resource or management group).", Validators: []validator.String{stringvalidator.RegexMatches(validators.AzureScopeRE, "must be an ARM scope")}},
			"role_name":   schema.StringAttribute{Required: true, MarkdownDescription: "Name of the role, such as `Contributor` or `Key Vault Administrator`."},
			"id":          schema.StringAttribute{Computed: true, MarkdownDescription: "Full ARM id of the role definition at the scope."},
			"name":        schema.StringAttribute{Computed: true, MarkdownDescription: "The role definition's GUID (the same in every tenant for built-in roles)."},
			"type":        schema.StringAttribute{Computed: true, MarkdownDescription: "`BuiltInRole` or `CustomRole`."},
			"description": schema.StringAttribute{Computed: true, MarkdownDescription: "What the role allows."},
		},
	}
}

func (d *roleDefinitionDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (d *roleDefinitionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg roleDefinitionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	scope, name := cfg.Scope.ValueString(), cfg.RoleName.ValueString()
	roles, err := d.data.Client.ListAzureRoleDefinitions(ctx, scope, name)
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to List Azure Role Definitions", fmt.Sprintf("Looking up the Azure role named %q at %s", name, scope), err, "")
		return
	}
	switch len(roles) {
	case 0:
		resp.Diagnostics.AddAttributeError(path.Root("role_name"), "Azure Role Not Found",
			fmt.Sprintf("No Azure role named %q can be assigned at %s. Check the spelling against the Azure built-in roles reference "+
				"(for example \"Contributor\"), or the assignable scopes of a custom role.", name, scope))
		return
	case 1:
	default:
		resp.Diagnostics.AddAttributeError(path.Root("role_name"), "Ambiguous Azure Role Name",
			fmt.Sprintf("%d Azure roles are named %q at %s.", len(roles), name, scope))
		return
	}
	r := roles[0]
	cfg.ID, cfg.Name, cfg.Type, cfg.Description = types.StringValue(r.ID), types.StringValue(r.Name), types.StringValue(r.Type), types.StringValue(r.Description)
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
