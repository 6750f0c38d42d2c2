package settings

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var _ list.ListResourceWithConfigure = (*roleSettingList)(nil)

// NewRoleSettingList lists pim_role_setting: by default the roles whose
// PIM setting differs from the documented defaults, the ones worth managing.
func NewRoleSettingList() list.ListResource {
	return &roleSettingList{res: roleSettingResource{subject: directoryRole{}}}
}

type roleSettingList struct {
	res roleSettingResource
}

type roleSettingListConfig struct {
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	IncludeDefaults  types.Bool   `tfsdk:"include_defaults"`
}

func (l *roleSettingList) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	l.res.Metadata(ctx, req, resp)
}

func (l *roleSettingList) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.res.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (l *roleSettingList) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The directory roles whose PIM setting differs from the documented defaults, each with the rules that differ, " +
			"for `terraform query`: settings changed in the portal that this configuration does not manage. One paged Graph list of every " +
			"role's policy.",
		Attributes: map[string]schema.Attribute{
			"role_definition_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Only this role.",
				Validators: []validator.String{validators.GUID()}},
			"include_defaults": schema.BoolAttribute{Optional: true, MarkdownDescription: "Also list roles at the documented defaults. Default `false`."},
		},
	}
}

// changedRole is a role's setting and the rules where it leaves the defaults.
type changedRole struct {
	model   *roleSettingModel
	changed []string
	name    string
}

func (l *roleSettingList) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg roleSettingListConfig
	diags := req.Config.Get(ctx, &cfg)
	policies, err := l.res.data.Client.ListRolePolicies(ctx)
	if err != nil {
		shared.AddGraphError(&diags, "Unable to List Role Settings", "Listing the PIM policies of the directory roles", err, "")
	}
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	roles, _ := l.res.data.Names.RoleNames(ctx)
	defaults := roleSettingToRules(ptr(defaultRoleSetting()))
	var found []changedRole
	for _, p := range policies {
		if id := cfg.RoleDefinitionID.ValueString(); id != "" && !strings.EqualFold(id, p.RoleDefinitionID) {
			continue
		}
		m, err := roleSettingFromRules(p)
		if err != nil {
			continue // not a directory role policy this provider manages
		}
		m.RoleDefinitionID = types.StringValue(p.RoleDefinitionID)
		var changed []string
		for _, id := range pimclient.RuleIDs() {
			if !sameRule(p.Rules[id], defaults[id]) {
				changed = append(changed, id)
			}
		}
		if len(changed) > 0 || cfg.IncludeDefaults.ValueBool() {
			found = append(found, changedRole{model: m, changed: changed, name: roles[strings.ToLower(p.RoleDefinitionID)]})
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].name < found[j].name })
	stream.Results = func(push func(list.ListResult) bool) {
		for i, c := range found {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			res := req.NewListResult(ctx)
			res.DisplayName = c.displayName()
			res.Diagnostics.Append(res.Identity.Set(ctx, c.model.identity())...)
			if req.IncludeResource {
				res.Diagnostics.Append(res.Resource.Set(ctx, c.model)...)
			}
			if !push(res) {
				return
			}
		}
	}
}

func (c changedRole) displayName() string {
	name := c.name
	if name == "" {
		name = c.model.RoleDefinitionID.ValueString()
	}
	if len(c.changed) == 0 {
		return name + ": the documented defaults"
	}
	return fmt.Sprintf("%s: %d of 17 rules differ from the defaults (%s)", name, len(c.changed), strings.Join(c.changed, ", "))
}

func ptr[T any](v T) *T { return &v }
