package directory

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var (
	_ datasource.DataSourceWithConfigure        = (*roleDefinitionDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*roleDefinitionDataSource)(nil)
)

// NewRoleDefinitionDataSource is pim_role_definition.
func NewRoleDefinitionDataSource() datasource.DataSource { return &roleDefinitionDataSource{} }

type roleDefinitionDataSource struct {
	data *shared.ProviderData
}

type roleDefinitionModel struct {
	ID          types.String `tfsdk:"id"`
	DisplayName types.String `tfsdk:"display_name"`
	Description types.String `tfsdk:"description"`
	TemplateID  types.String `tfsdk:"template_id"`
	IsBuiltIn   types.Bool   `tfsdk:"is_built_in"`
	IsEnabled   types.Bool   `tfsdk:"is_enabled"`
}

func (d *roleDefinitionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role_definition"
}

func (d *roleDefinitionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a Microsoft Entra directory role definition by display name or id, so configurations say " +
			"`\"Privileged Role Administrator\"` instead of a GUID. Exactly one of `display_name` and `id` must be set.\n\n" +
			"Graph permissions: `RoleManagement.Read.Directory`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Role definition id; for built-in roles it equals the template id and is the same in every tenant.",
				Validators:          []validator.String{validators.GUID()},
			},
			"display_name": schema.StringAttribute{
				Optional: true, Computed: true,
				MarkdownDescription: "Display name of the role, matched case-insensitively, e.g. `Global Administrator`.",
			},
			"description": schema.StringAttribute{Computed: true, MarkdownDescription: "What the role allows."},
			"template_id": schema.StringAttribute{Computed: true, MarkdownDescription: "Template id of the role."},
			"is_built_in": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the role is built in (not custom)."},
			"is_enabled":  schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the role is enabled."},
		},
	}
}

func (d *roleDefinitionDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("display_name")),
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
	var role *pimclient.RoleDefinition
	if !cfg.ID.IsNull() {
		r, err := d.data.Client.GetRoleDefinition(ctx, cfg.ID.ValueString())
		if pimclient.IsNotFound(err) {
			resp.Diagnostics.AddAttributeError(path.Root("id"), "Role Definition Not Found",
				fmt.Sprintf("No directory role definition has id %q in this tenant.", cfg.ID.ValueString()))
			return
		}
		if err != nil {
			shared.AddGraphError(&resp.Diagnostics, "Unable to Read Role Definition", "Reading role definition "+cfg.ID.ValueString(), err, "")
			return
		}
		role = r
	} else {
		name := cfg.DisplayName.ValueString()
		roles, err := d.data.Client.ListRoleDefinitions(ctx, pimclient.Filter{}.Eq("displayName", name))
		if err != nil {
			shared.AddGraphError(&resp.Diagnostics, "Unable to List Role Definitions", fmt.Sprintf("Looking up the role named %q", name), err, "")
			return
		}
		var matches []pimclient.RoleDefinition
		for _, r := range roles {
			if strings.EqualFold(r.DisplayName, name) {
				matches = append(matches, r)
			}
		}
		switch len(matches) {
		case 0:
			resp.Diagnostics.AddAttributeError(path.Root("display_name"), "Role Definition Not Found",
				fmt.Sprintf("No directory role is named %q. Check the spelling against the Entra built-in roles reference "+
					"(for example \"Privileged Role Administrator\").", name))
			return
		case 1:
			role = &matches[0]
		default:
			resp.Diagnostics.AddAttributeError(path.Root("display_name"), "Ambiguous Role Name",
				fmt.Sprintf("%d directory roles are named %q (a custom role may share a built-in name). Use id instead.", len(matches), name))
			return
		}
	}
	state := roleDefinitionModel{
		ID: types.StringValue(role.ID), DisplayName: types.StringValue(role.DisplayName), Description: types.StringValue(role.Description),
		TemplateID: types.StringValue(role.TemplateID), IsBuiltIn: types.BoolValue(role.IsBuiltIn), IsEnabled: types.BoolValue(role.IsEnabled),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
