package inventory

import (
	"context"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var _ datasource.DataSourceWithConfigure = (*assignmentsDataSource)(nil)

// NewEligibleAssignmentsDataSource is pim_eligible_assignments.
func NewEligibleAssignmentsDataSource() datasource.DataSource {
	return &assignmentsDataSource{kind: pimclient.Eligibility, typeName: "eligible_assignments"}
}

// NewActiveAssignmentsDataSource is pim_active_assignments.
func NewActiveAssignmentsDataSource() datasource.DataSource {
	return &assignmentsDataSource{kind: pimclient.Assignment, typeName: "active_assignments"}
}

type assignmentsDataSource struct {
	kind     pimclient.Kind
	typeName string
	data     *shared.ProviderData
}

type assignmentsModel struct {
	RoleDefinitionID types.String           `tfsdk:"role_definition_id"`
	PrincipalID      types.String           `tfsdk:"principal_id"`
	DirectoryScopeID types.String           `tfsdk:"directory_scope_id"`
	IncludeInherited types.Bool             `tfsdk:"include_inherited"`
	Assignments      []assignmentEntryModel `tfsdk:"assignments"`
	PrincipalIDs     []string               `tfsdk:"principal_ids"`
}

// activeAssignmentsModel adds what only active assignments have.
type activeAssignmentsModel struct {
	assignmentsModel
	IncludeActivations types.Bool `tfsdk:"include_activations"`
}

type assignmentEntryModel struct {
	ID               string       `tfsdk:"id"`
	PrincipalID      string       `tfsdk:"principal_id"`
	RoleDefinitionID string       `tfsdk:"role_definition_id"`
	DirectoryScopeID string       `tfsdk:"directory_scope_id"`
	MemberType       string       `tfsdk:"member_type"`
	AssignmentType   types.String `tfsdk:"assignment_type"`
	Status           string       `tfsdk:"status"`
	StartDateTime    types.String `tfsdk:"start_date_time"`
	EndDateTime      types.String `tfsdk:"end_date_time"`
	shared.PrincipalNames
	RoleDisplayName types.String `tfsdk:"role_display_name"`
}

func (d *assignmentsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.typeName
}

func (d *assignmentsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	noun := "eligible assignments"
	if d.kind == pimclient.Assignment {
		noun = "active assignments"
	}
	attrs := map[string]schema.Attribute{
		"role_definition_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Only " + noun + " of this role.",
			Validators: []validator.String{validators.GUID()}},
		"principal_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Only " + noun + " of this user or group.",
			Validators: []validator.String{validators.GUID()}},
		"directory_scope_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Only " + noun + " at this scope (`/` for tenant-wide).",
			Validators: []validator.String{validators.DirectoryScope()}},
		"include_inherited": schema.BoolAttribute{Optional: true,
			MarkdownDescription: "Also list the entries a user inherits from a role-assignable group (`member_type` `Group`). Default `false`: direct ones only, which is what a configuration manages."},
		"principal_ids": schema.SetAttribute{Computed: true, ElementType: types.StringType,
			MarkdownDescription: "The distinct principals of `assignments`: compare it with the principals a configuration manages in a `check` block."},
		"assignments": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "The matching " + noun + ", ordered by principal, role and scope.",
			NestedObject: schema.NestedAttributeObject{Attributes: shared.EntryNameAttributes(map[string]schema.Attribute{
				"id":                 schema.StringAttribute{Computed: true, MarkdownDescription: "Schedule id."},
				"principal_id":       schema.StringAttribute{Computed: true, MarkdownDescription: "User or group."},
				"role_definition_id": schema.StringAttribute{Computed: true, MarkdownDescription: "Role definition."},
				"directory_scope_id": schema.StringAttribute{Computed: true, MarkdownDescription: "Scope."},
				"member_type":        schema.StringAttribute{Computed: true, MarkdownDescription: "`Direct`, or `Group` when inherited from a group."},
				"assignment_type":    schema.StringAttribute{Computed: true, MarkdownDescription: "`Assigned` (standing) or `Activated` (just-in-time); null for eligibility."},
				"status":             schema.StringAttribute{Computed: true, MarkdownDescription: "`Provisioned`, or `Granted` when it starts in the future."},
				"start_date_time":    schema.StringAttribute{Computed: true, MarkdownDescription: "Start (RFC 3339)."},
				"end_date_time":      schema.StringAttribute{Computed: true, MarkdownDescription: "End (RFC 3339); null when permanent."},
			})}},
	}
	if d.kind == pimclient.Assignment {
		attrs["include_activations"] = schema.BoolAttribute{Optional: true,
			MarkdownDescription: "Also list just-in-time activations (`assignment_type` `Activated`). Default `false`: standing assignments only."}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists PIM " + noun + " of Microsoft Entra directory roles, by role, principal and scope. Use it in a `check` " +
			"block to flag privileged access that this configuration does not manage. Each entry names its principal and role, looked up in bulk.\n\n" +
			"Graph permissions: `RoleManagement.Read.Directory`; `Directory.Read.All` for the principal names (without it they are null, with one warning).",
		Attributes: attrs,
	}
}

func (d *assignmentsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (d *assignmentsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var active activeAssignmentsModel
	var cfg *assignmentsModel
	if d.kind == pimclient.Assignment {
		resp.Diagnostics.Append(req.Config.Get(ctx, &active)...)
		cfg = &active.assignmentsModel
	} else {
		cfg = &assignmentsModel{}
		resp.Diagnostics.Append(req.Config.Get(ctx, cfg)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	f := pimclient.Filter{}.Eq("roleDefinitionId", cfg.RoleDefinitionID.ValueString()).
		Eq("principalId", cfg.PrincipalID.ValueString()).Eq("directoryScopeId", cfg.DirectoryScopeID.ValueString())
	schedules, err := d.data.Client.Schedules(d.kind).ListSchedules(ctx, f)
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to List Assignments", "Listing PIM "+d.kind.String()+" schedules", err, "")
		return
	}
	cfg.Assignments = []assignmentEntryModel{}
	principals := map[string]bool{}
	for _, sc := range schedules {
		if !cfg.IncludeInherited.ValueBool() && sc.MemberType != "" && !strings.EqualFold(sc.MemberType, pimclient.MemberTypeDirect) {
			continue
		}
		if d.kind == pimclient.Assignment && !active.IncludeActivations.ValueBool() && strings.EqualFold(sc.AssignmentType, "Activated") {
			continue
		}
		e := assignmentEntryModel{ID: sc.ID, PrincipalID: sc.PrincipalID, RoleDefinitionID: sc.RoleDefinitionID, DirectoryScopeID: sc.DirectoryScopeID,
			MemberType: sc.MemberType, Status: sc.Status, AssignmentType: shared.StringOrNull(sc.AssignmentType),
			StartDateTime: types.StringNull(), EndDateTime: shared.TimeOrNull(sc.EndDateTime())}
		if sc.ScheduleInfo != nil {
			e.StartDateTime = shared.TimeOrNull(sc.ScheduleInfo.StartDateTime)
		}
		cfg.Assignments = append(cfg.Assignments, e)
		principals[sc.PrincipalID] = true
	}
	sort.Slice(cfg.Assignments, func(i, j int) bool {
		a, b := cfg.Assignments[i], cfg.Assignments[j]
		return a.PrincipalID+a.RoleDefinitionID+a.DirectoryScopeID+a.MemberType < b.PrincipalID+b.RoleDefinitionID+b.DirectoryScopeID+b.MemberType
	})
	cfg.PrincipalIDs = make([]string, 0, len(principals))
	for p := range principals {
		cfg.PrincipalIDs = append(cfg.PrincipalIDs, p)
	}
	sort.Strings(cfg.PrincipalIDs)
	nameOf := d.data.Names.EntryNames(ctx, cfg.PrincipalIDs, &resp.Diagnostics)
	for i := range cfg.Assignments {
		e := &cfg.Assignments[i]
		e.PrincipalNames, e.RoleDisplayName = nameOf(e.PrincipalID, e.RoleDefinitionID)
	}
	if d.kind == pimclient.Assignment {
		resp.Diagnostics.Append(resp.State.Set(ctx, &active)...)
	} else {
		resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
	}
}
