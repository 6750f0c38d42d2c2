package directory

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var _ datasource.DataSourceWithConfigure = (*principalsDataSource)(nil)

// NewPrincipalsDataSource is pim_principals.
func NewPrincipalsDataSource() datasource.DataSource { return &principalsDataSource{} }

type principalsDataSource struct {
	data *shared.ProviderData
}

type principalsModel struct {
	UserPrincipalNames types.Set                  `tfsdk:"user_principal_names"`
	GroupDisplayNames  types.Set                  `tfsdk:"group_display_names"`
	AppIDs             types.Set                  `tfsdk:"app_ids"`
	ObjectIDs          types.Set                  `tfsdk:"object_ids"`
	IgnoreMissing      types.Bool                 `tfsdk:"ignore_missing"`
	Principals         map[string]principalObject `tfsdk:"principals"`
	IDs                map[string]string          `tfsdk:"ids"`
	Missing            []string                   `tfsdk:"missing"`
}

type principalObject struct {
	ID                types.String `tfsdk:"id"`
	Type              types.String `tfsdk:"type"`
	DisplayName       types.String `tfsdk:"display_name"`
	UserPrincipalName types.String `tfsdk:"user_principal_name"`
	AppID             types.String `tfsdk:"app_id"`
	RoleAssignable    types.Bool   `tfsdk:"role_assignable"`
}

// principalQuery is one of the lists a configuration can give: where to
// search and on which property.
type principalQuery struct {
	attr, collection, field string
	values                  []string
}

func (d *principalsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_principals"
}

// maxNames bounds each list of names: 1,000 names are 67 Graph requests.
const maxNames = 1000

func (d *principalsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	anyOf := setvalidator.AtLeastOneOf(path.MatchRoot("user_principal_names"), path.MatchRoot("group_display_names"),
		path.MatchRoot("app_ids"), path.MatchRoot("object_ids"))
	list := func(desc string, v ...validator.String) schema.SetAttribute {
		return schema.SetAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: desc,
			Validators: []validator.Set{setvalidator.SizeAtMost(maxNames), anyOf, setvalidator.ValueStringsAre(v...)}}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds many users, groups and service principals at once (a team's list of sign-in names), in a few " +
			"Graph requests whatever the size: names are matched 15 to a request (`$filter=… in (…)`, Microsoft Entra's limit), object " +
			"ids 1,000 to a request (`getByIds`), the requests run in parallel. Every name must match: unknown names are an error naming " +
			"each, unless `ignore_missing` is set; a group name shared by two groups is always an error.\n\n" +
			"Graph permissions: `User.Read.All`, `Group.Read.All`, `Application.Read.All` for the lists given, `Directory.Read.All` for `object_ids`.",
		Attributes: map[string]schema.Attribute{
			"user_principal_names": list("Users by sign-in name (case-insensitive)."),
			"group_display_names":  list("Groups by exact display name (case-insensitive)."),
			"app_ids":              list("Service principals by application (client) id.", validators.GUID()),
			"object_ids":           list("Users, groups or service principals by object id.", validators.GUID()),
			"ignore_missing": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Leave out what matches nothing (listed in `missing`) instead of failing. Default `false`."},
			"principals": schema.MapNestedAttribute{Computed: true,
				MarkdownDescription: "What each given name or id found, keyed by the name or id as given.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                  schema.StringAttribute{Computed: true, MarkdownDescription: "Object id: what `principal_id` takes."},
					"type":                schema.StringAttribute{Computed: true, MarkdownDescription: "`user`, `group` or `servicePrincipal`."},
					"display_name":        schema.StringAttribute{Computed: true, MarkdownDescription: "Display name."},
					"user_principal_name": schema.StringAttribute{Computed: true, MarkdownDescription: "Sign-in name of a user."},
					"app_id":              schema.StringAttribute{Computed: true, MarkdownDescription: "Application id of a service principal."},
					"role_assignable":     schema.BoolAttribute{Computed: true, MarkdownDescription: "For groups, whether directory roles can be assigned to it."},
				}}},
			"ids": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Object id by given name or id: `for_each = data.pim_principals.team.ids`."},
			"missing": schema.ListAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "With `ignore_missing`, the names and ids that matched nothing, sorted."},
		},
	}
}

func (d *principalsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (d *principalsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg principalsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	queries := []principalQuery{
		{"user_principal_names", pimclient.CollectionUsers, "userPrincipalName", setStrings(ctx, cfg.UserPrincipalNames, &resp.Diagnostics)},
		{"group_display_names", pimclient.CollectionGroups, "displayName", setStrings(ctx, cfg.GroupDisplayNames, &resp.Diagnostics)},
		{"app_ids", pimclient.CollectionServicePrincipals, "appId", setStrings(ctx, cfg.AppIDs, &resp.Diagnostics)},
		{"object_ids", "", "id", setStrings(ctx, cfg.ObjectIDs, &resp.Diagnostics)},
	}
	if resp.Diagnostics.HasError() {
		return
	}
	found := d.search(ctx, queries, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.Principals, cfg.IDs, cfg.Missing = map[string]principalObject{}, map[string]string{}, []string{}
	for _, q := range queries {
		d.match(q, found[q.attr], &cfg, &resp.Diagnostics)
	}
	sort.Strings(cfg.Missing)
	if len(cfg.Missing) > 0 && !cfg.IgnoreMissing.ValueBool() {
		resp.Diagnostics.AddError("Principals Not Found",
			fmt.Sprintf("Nothing in this tenant matches %d of the names or ids given:\n  - %s\nCorrect them, or set ignore_missing = true "+
				"to leave them out.", len(cfg.Missing), strings.Join(cfg.Missing, "\n  - ")))
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// search runs every chunk of every query in parallel (the client caps how
// many calls are in flight) and returns what each query found.
func (d *principalsDataSource) search(ctx context.Context, queries []principalQuery, diags *diag.Diagnostics) map[string][]pimclient.DirectoryObject {
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		found = map[string][]pimclient.DirectoryObject{}
		errs  []string
	)
	for _, q := range queries {
		size := pimclient.MaxInValues
		if q.collection == "" {
			size = len(q.values) // getByIds takes 1,000 and splits itself
		}
		for start := 0; start < len(q.values); start += size {
			chunk := q.values[start:min(start+size, len(q.values))]
			wg.Add(1)
			go func() {
				defer wg.Done()
				objs, err := d.lookupChunk(ctx, q, chunk)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, shared.GraphErrorDetail(fmt.Sprintf("Looking up %s (%s)", q.attr, strings.Join(chunk, ", ")), err, directoryNextStep(err)))
					return
				}
				found[q.attr] = append(found[q.attr], objs...)
			}()
		}
	}
	wg.Wait()
	if len(errs) > 0 {
		diags.AddError("Unable to Look Up Principals", errs[0])
	}
	return found
}

func (d *principalsDataSource) lookupChunk(ctx context.Context, q principalQuery, chunk []string) ([]pimclient.DirectoryObject, error) {
	if q.collection == "" {
		return d.data.Client.GetByIDs(ctx, chunk)
	}
	return d.data.Client.FindPrincipals(ctx, q.collection, pimclient.Filter{}.In(q.field, chunk))
}

// match maps each value of a query to the one object it names.
func (d *principalsDataSource) match(q principalQuery, objs []pimclient.DirectoryObject, cfg *principalsModel, diags *diag.Diagnostics) {
	byKey := map[string][]pimclient.DirectoryObject{}
	for _, o := range objs {
		k := strings.ToLower(principalField(&o, q.field))
		byKey[k] = append(byKey[k], o)
	}
	for _, v := range q.values {
		matches := byKey[strings.ToLower(v)]
		switch len(matches) {
		case 0:
			cfg.Missing = append(cfg.Missing, v)
		case 1:
			cfg.Principals[v] = principalObjectOf(&matches[0])
			cfg.IDs[v] = matches[0].ID
		default:
			lines := make([]string, len(matches))
			for i := range matches {
				lines[i] = "  - " + shared.DescribeObject(&matches[i])
			}
			diags.AddAttributeError(path.Root(q.attr), "Ambiguous Principal",
				fmt.Sprintf("%d principals are named %q:\n%s\nName the one you mean by object_ids.", len(matches), v, strings.Join(lines, "\n")))
		}
	}
}

func principalField(o *pimclient.DirectoryObject, field string) string {
	switch field {
	case "userPrincipalName":
		return o.UserPrincipalName
	case "displayName":
		return o.DisplayName
	case "appId":
		return o.AppID
	}
	return o.ID
}

func principalObjectOf(o *pimclient.DirectoryObject) principalObject {
	p := principalObject{ID: types.StringValue(o.ID), Type: shared.StringOrNull(o.Type()), DisplayName: shared.StringOrNull(o.DisplayName),
		UserPrincipalName: shared.StringOrNull(o.UserPrincipalName), AppID: shared.StringOrNull(o.AppID), RoleAssignable: types.BoolNull()}
	if o.Type() == pimclient.PrincipalGroup && o.IsAssignableToRole != nil {
		p.RoleAssignable = types.BoolValue(*o.IsAssignableToRole)
	}
	return p
}

// setStrings reads a set of strings; null and unknown are empty.
func setStrings(ctx context.Context, s types.Set, diags *diag.Diagnostics) []string {
	if s.IsNull() || s.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(s.ElementsAs(ctx, &out, false)...)
	return out
}
