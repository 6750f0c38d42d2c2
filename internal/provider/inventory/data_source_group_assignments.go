package inventory

import (
	"context"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
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

// Data sources of PIM for Groups: a group's (or a principal's) eligible and
// active memberships and ownerships, and the activations in effect. Graph
// lists them per group or per principal, so one of the two is required.

var _ datasource.DataSourceWithConfigure = (*groupAssignmentsDataSource)(nil)

// NewGroupEligibleAssignmentsDataSource is pim_group_eligible_assignments.
func NewGroupEligibleAssignmentsDataSource() datasource.DataSource {
	return &groupAssignmentsDataSource{kind: pimclient.Eligibility, typeName: "group_eligible_assignments"}
}

// NewGroupActiveAssignmentsDataSource is pim_group_active_assignments.
func NewGroupActiveAssignmentsDataSource() datasource.DataSource {
	return &groupAssignmentsDataSource{kind: pimclient.Assignment, typeName: "group_active_assignments"}
}

// NewGroupActivationsDataSource is pim_group_activations.
func NewGroupActivationsDataSource() datasource.DataSource {
	return &groupAssignmentsDataSource{kind: pimclient.Assignment, typeName: "group_activations", activations: true}
}

type groupAssignmentsDataSource struct {
	kind        pimclient.Kind
	typeName    string
	activations bool
	data        *shared.ProviderData
}

type groupAssignmentsModel struct {
	GroupID          types.String      `tfsdk:"group_id"`
	PrincipalID      types.String      `tfsdk:"principal_id"`
	AccessID         types.String      `tfsdk:"access_id"`
	IncludeInherited types.Bool        `tfsdk:"include_inherited"`
	Assignments      []groupEntryModel `tfsdk:"assignments"`
	PrincipalIDs     []string          `tfsdk:"principal_ids"`
}

type groupEntryModel struct {
	ID             string       `tfsdk:"id"`
	GroupID        string       `tfsdk:"group_id"`
	AccessID       string       `tfsdk:"access_id"`
	PrincipalID    string       `tfsdk:"principal_id"`
	MemberType     string       `tfsdk:"member_type"`
	AssignmentType types.String `tfsdk:"assignment_type"`
	Status         string       `tfsdk:"status"`
	StartDateTime  types.String `tfsdk:"start_date_time"`
	EndDateTime    types.String `tfsdk:"end_date_time"`
	Justification  types.String `tfsdk:"justification"`
	shared.PrincipalNames
	GroupDisplayName types.String `tfsdk:"group_display_name"`
}

func (d *groupAssignmentsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.typeName
}

func (d *groupAssignmentsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (d *groupAssignmentsDataSource) noun() string {
	switch {
	case d.activations:
		return "just-in-time activations of group membership or ownership"
	case d.kind == pimclient.Assignment:
		return "active group assignments"
	}
	return "eligible group assignments"
}

func (d *groupAssignmentsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	oneOf := stringvalidator.AtLeastOneOf(path.MatchRoot("group_id"), path.MatchRoot("principal_id"))
	entry := shared.EntryNameAttributes(map[string]schema.Attribute{
		"id":                 schema.StringAttribute{Computed: true, MarkdownDescription: "Schedule id."},
		"group_id":           schema.StringAttribute{Computed: true, MarkdownDescription: "The group."},
		"access_id":          schema.StringAttribute{Computed: true, MarkdownDescription: "`member` or `owner`."},
		"principal_id":       schema.StringAttribute{Computed: true, MarkdownDescription: "User or group."},
		"member_type":        schema.StringAttribute{Computed: true, MarkdownDescription: "`direct`, or `group` when inherited."},
		"assignment_type":    schema.StringAttribute{Computed: true, MarkdownDescription: "`assigned` or `activated`; null for eligibility."},
		"status":             schema.StringAttribute{Computed: true, MarkdownDescription: "`Provisioned`, or `Granted` when it starts in the future."},
		"start_date_time":    schema.StringAttribute{Computed: true, MarkdownDescription: "Start (RFC 3339)."},
		"end_date_time":      schema.StringAttribute{Computed: true, MarkdownDescription: "End (RFC 3339); null when permanent."},
		"justification":      schema.StringAttribute{Computed: true, MarkdownDescription: "For activations: the requester's justification."},
		"group_display_name": schema.StringAttribute{Computed: true, MarkdownDescription: "Display name of the group."},
	})
	delete(entry, "role_display_name")
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists PIM for Groups " + d.noun() + ", of a group or of a principal, each named. Use it in a `check` block " +
			"to flag access this configuration does not manage.\n\nGraph permissions: `PrivilegedEligibilitySchedule.Read.AzureADGroup` " +
			"or `PrivilegedAssignmentSchedule.Read.AzureADGroup`; `Directory.Read.All` for the names.",
		Attributes: map[string]schema.Attribute{
			"group_id": schema.StringAttribute{Optional: true, MarkdownDescription: "The group (or `principal_id`: one is required).",
				Validators: []validator.String{validators.GUID(), oneOf}},
			"principal_id": schema.StringAttribute{Optional: true, MarkdownDescription: "The principal, across groups.",
				Validators: []validator.String{validators.GUID()}},
			"access_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Only `member` or only `owner`.",
				Validators: []validator.String{stringvalidator.OneOf(shared.AccessMember, shared.AccessOwner)}},
			"include_inherited": schema.BoolAttribute{Optional: true, MarkdownDescription: "Also list what members of a group inherit. Default `false`."},
			"principal_ids":     schema.SetAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "The distinct principals listed."},
			"assignments": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "The matching " + d.noun() + ".",
				NestedObject: schema.NestedAttributeObject{Attributes: entry}},
		},
	}
}

func (d *groupAssignmentsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg groupAssignmentsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	svc := d.data.Client.GroupSchedules(d.kind)
	key := pimclient.AssignmentKey{PrincipalID: cfg.PrincipalID.ValueString(), RoleDefinitionID: cfg.AccessID.ValueString(), DirectoryScopeID: cfg.GroupID.ValueString()}
	schedules, err := svc.ListSchedules(ctx, svc.KeyFilter(key))
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to List Group Assignments", "Listing PIM for Groups "+d.noun(), err, "")
		return
	}
	justifications := d.justifications(ctx, svc, key, &resp.Diagnostics)
	cfg.Assignments, cfg.PrincipalIDs = []groupEntryModel{}, []string{}
	ids := []string{}
	for _, sc := range schedules {
		activated := strings.EqualFold(sc.AssignmentType, "activated")
		if activated != d.activations || (!cfg.IncludeInherited.ValueBool() && !strings.EqualFold(sc.MemberType, pimclient.MemberTypeDirect)) {
			continue
		}
		e := groupEntryModel{ID: sc.ID, GroupID: sc.DirectoryScopeID, AccessID: sc.RoleDefinitionID, PrincipalID: sc.PrincipalID,
			MemberType: sc.MemberType, AssignmentType: shared.StringOrNull(sc.AssignmentType), Status: sc.Status, StartDateTime: types.StringNull(),
			EndDateTime: shared.TimeOrNull(sc.EndDateTime()), Justification: shared.StringOrNull(justifications[sc.CreatedUsing])}
		if sc.ScheduleInfo != nil {
			e.StartDateTime = shared.TimeOrNull(sc.ScheduleInfo.StartDateTime)
		}
		cfg.Assignments = append(cfg.Assignments, e)
		ids = append(ids, sc.PrincipalID, sc.DirectoryScopeID)
	}
	d.name(ctx, &cfg, ids, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

// justifications maps activation requests to their justification (only
// activations show one).
func (d *groupAssignmentsDataSource) justifications(ctx context.Context, svc *pimclient.ScheduleService, key pimclient.AssignmentKey,
	diags *diag.Diagnostics) map[string]string {
	out := map[string]string{}
	if !d.activations {
		return out
	}
	reqs, err := svc.ListRequests(ctx, svc.KeyFilter(pimclient.AssignmentKey{PrincipalID: key.PrincipalID, DirectoryScopeID: key.DirectoryScopeID}))
	if err != nil {
		diags.AddWarning("Justifications Not Listed", shared.GraphErrorDetail("Listing activation requests failed", err, "The justifications are left empty."))
		return out
	}
	for _, r := range reqs {
		out[r.ID] = r.Justification
	}
	return out
}

// name fills the entries' names with one bulk lookup, sorts them and lists
// the principals.
func (d *groupAssignmentsDataSource) name(ctx context.Context, cfg *groupAssignmentsModel, ids []string, diags *diag.Diagnostics) {
	nameOf := d.data.Names.EntryNames(ctx, ids, diags)
	seen := map[string]bool{}
	for i := range cfg.Assignments {
		e := &cfg.Assignments[i]
		e.PrincipalNames, _ = nameOf(e.PrincipalID, "")
		group, _ := nameOf(e.GroupID, "")
		e.GroupDisplayName = group.PrincipalDisplayName
		if !seen[e.PrincipalID] {
			seen[e.PrincipalID] = true
			cfg.PrincipalIDs = append(cfg.PrincipalIDs, e.PrincipalID)
		}
	}
	sort.Slice(cfg.Assignments, func(i, j int) bool {
		a, b := cfg.Assignments[i], cfg.Assignments[j]
		return a.GroupID+a.AccessID+a.PrincipalID+a.ID < b.GroupID+b.AccessID+b.PrincipalID+b.ID
	})
	sort.Strings(cfg.PrincipalIDs)
}
