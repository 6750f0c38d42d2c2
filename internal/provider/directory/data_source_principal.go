package directory

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var _ datasource.DataSourceWithConfigure = (*principalDataSource)(nil)

// NewPrincipalDataSource is pim_principal.
func NewPrincipalDataSource() datasource.DataSource { return &principalDataSource{} }

type principalDataSource struct {
	data *shared.ProviderData
}

type principalModel struct {
	UserPrincipalName types.String `tfsdk:"user_principal_name"`
	DisplayName       types.String `tfsdk:"display_name"`
	AppID             types.String `tfsdk:"app_id"`
	Mail              types.String `tfsdk:"mail"`
	ObjectID          types.String `tfsdk:"object_id"`
	Type              types.String `tfsdk:"type"`
	ID                types.String `tfsdk:"id"`
	RoleAssignable    types.Bool   `tfsdk:"role_assignable"`
}

// principalTypes are the values of type; the collection each is found in.
var principalTypes = map[string]string{
	pimclient.PrincipalUser:             pimclient.CollectionUsers,
	pimclient.PrincipalGroup:            pimclient.CollectionGroups,
	pimclient.PrincipalServicePrincipal: pimclient.CollectionServicePrincipals,
}

func (d *principalDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_principal"
}

func (d *principalDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	lookups := path.Expressions{path.MatchRoot("user_principal_name"), path.MatchRoot("display_name"), path.MatchRoot("app_id"),
		path.MatchRoot("mail"), path.MatchRoot("object_id")}
	by := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: desc,
			Validators: []validator.String{stringvalidator.ExactlyOneOf(lookups...), stringvalidator.LengthAtLeast(1)}}
	}
	objectID := by("Find the principal by object id (to check it exists, or to learn its name).")
	objectID.Validators = append(objectID.Validators, validators.GUID())
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds one user, group or service principal by name, so that a configuration says `alice@contoso.com` " +
			"instead of an object id. Give exactly one of `user_principal_name`, `display_name`, `app_id`, `mail` or `object_id`. " +
			"A display name must match exactly one principal (narrow it with `type`); an ambiguous name is an error listing the matches.\n\n" +
			"Graph permissions: `User.Read.All`, `Group.Read.All` and `Application.Read.All` for the kinds searched, or `Directory.Read.All`.",
		Attributes: map[string]schema.Attribute{
			"user_principal_name": by("Find a user by sign-in name (`alice@contoso.com`); case-insensitive."),
			"display_name":        by("Find a user, group or service principal by its exact display name (case-insensitive)."),
			"app_id":              by("Find a service principal by its application (client) id."),
			"mail":                by("Find a user or a mail-enabled group by e-mail address."),
			"object_id":           objectID,
			"type": schema.StringAttribute{Optional: true, Computed: true,
				MarkdownDescription: "Restrict a `display_name` or `mail` lookup to `user`, `group` or `servicePrincipal`; set to the type found.",
				Validators:          []validator.String{stringvalidator.OneOf(pimclient.PrincipalUser, pimclient.PrincipalGroup, pimclient.PrincipalServicePrincipal)}},
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Object id: what `principal_id` takes."},
			"role_assignable": schema.BoolAttribute{Computed: true,
				MarkdownDescription: "For groups, whether directory roles can be assigned to the group (`isAssignableToRole`); null otherwise."},
		},
	}
}

func (d *principalDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (d *principalDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg principalModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	attr, value, found, err := d.find(ctx, &cfg)
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Look Up Principal", fmt.Sprintf("Looking up the principal with %s %q", attr, value), err,
			directoryNextStep(err))
		return
	}
	switch len(found) {
	case 0:
		resp.Diagnostics.AddAttributeError(path.Root(attr), "Principal Not Found",
			fmt.Sprintf("No %s has %s %q in this tenant.", kindsSearched(&cfg, attr), attr, value))
		return
	case 1:
	default:
		lines := make([]string, len(found))
		for i := range found {
			lines[i] = "  - " + shared.DescribeObject(&found[i])
		}
		resp.Diagnostics.AddAttributeError(path.Root(attr), "Ambiguous Principal",
			fmt.Sprintf("%d principals have %s %q:\n%s\nLook the one you mean up by user_principal_name, app_id or object_id, or narrow "+
				"the search with type.", len(found), attr, value, strings.Join(lines, "\n")))
		return
	}
	cfg.fill(&found[0])
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// find runs the lookup the configuration asks for; it returns the attribute
// and value searched and every match.
func (d *principalDataSource) find(ctx context.Context, cfg *principalModel) (string, string, []pimclient.DirectoryObject, error) {
	c := d.data.Client
	switch {
	case !cfg.ObjectID.IsNull():
		objs, err := c.GetByIDs(ctx, []string{cfg.ObjectID.ValueString()})
		return "object_id", cfg.ObjectID.ValueString(), objs, err
	case !cfg.UserPrincipalName.IsNull():
		objs, err := c.FindPrincipals(ctx, pimclient.CollectionUsers, pimclient.Filter{}.Eq("userPrincipalName", cfg.UserPrincipalName.ValueString()))
		return "user_principal_name", cfg.UserPrincipalName.ValueString(), objs, err
	case !cfg.AppID.IsNull():
		objs, err := c.FindPrincipals(ctx, pimclient.CollectionServicePrincipals, pimclient.Filter{}.Eq("appId", cfg.AppID.ValueString()))
		return "app_id", cfg.AppID.ValueString(), objs, err
	case !cfg.Mail.IsNull():
		objs, err := findIn(ctx, c, collectionsFor(cfg.Type, pimclient.CollectionUsers, pimclient.CollectionGroups), "mail", cfg.Mail.ValueString())
		return "mail", cfg.Mail.ValueString(), objs, err
	}
	all := []string{pimclient.CollectionUsers, pimclient.CollectionGroups, pimclient.CollectionServicePrincipals}
	objs, err := findIn(ctx, c, collectionsFor(cfg.Type, all...), "displayName", cfg.DisplayName.ValueString())
	return "display_name", cfg.DisplayName.ValueString(), objs, err
}

// collectionsFor narrows the collections to search to the configured type.
func collectionsFor(typ types.String, all ...string) []string {
	if typ.IsNull() || typ.IsUnknown() {
		return all
	}
	if c, ok := principalTypes[typ.ValueString()]; ok && containsString(all, c) {
		return []string{c}
	}
	return nil
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func findIn(ctx context.Context, c *pimclient.Client, collections []string, field, value string) ([]pimclient.DirectoryObject, error) {
	var out []pimclient.DirectoryObject
	for _, coll := range collections {
		objs, err := c.FindPrincipals(ctx, coll, pimclient.Filter{}.Eq(field, value))
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

func kindsSearched(cfg *principalModel, attr string) string {
	switch {
	case attr == "user_principal_name":
		return "user"
	case attr == "app_id":
		return "service principal"
	case attr == "object_id":
		return "user, group or service principal"
	case !cfg.Type.IsNull():
		return cfg.Type.ValueString()
	case attr == "mail":
		return "user or group"
	}
	return "user, group or service principal"
}

// directoryNextStep says which permission a refused directory read needs.
func directoryNextStep(err error) string {
	if shared.IsDirectoryDenied(err) {
		return "The credentials cannot read the directory. Grant the application permissions User.Read.All, Group.Read.All and " +
			"Application.Read.All (or Directory.Read.All); a signed-in member user can read the directory by default."
	}
	return ""
}

// fill sets what the lookup found; what the configuration gave is kept as
// written (Graph may spell a name in another case).
func (m *principalModel) fill(o *pimclient.DirectoryObject) {
	m.ID = types.StringValue(o.ID)
	keepOr(&m.ObjectID, o.ID)
	keepOr(&m.Type, o.Type())
	keepOr(&m.DisplayName, o.DisplayName)
	keepOr(&m.UserPrincipalName, o.UserPrincipalName)
	keepOr(&m.Mail, o.Mail)
	keepOr(&m.AppID, o.AppID)
	m.RoleAssignable = types.BoolNull()
	if o.Type() == pimclient.PrincipalGroup && o.IsAssignableToRole != nil {
		m.RoleAssignable = types.BoolValue(*o.IsAssignableToRole)
	}
}

func keepOr(v *types.String, found string) {
	if v.IsNull() || v.IsUnknown() {
		*v = shared.StringOrNull(found)
	}
}
