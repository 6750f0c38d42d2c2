package activity

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

var _ datasource.DataSourceWithConfigure = (*activationsDataSource)(nil)

// NewActivationsDataSource is pim_activations.
func NewActivationsDataSource() datasource.DataSource { return &activationsDataSource{} }

type activationsDataSource struct {
	data *shared.ProviderData
}

type activationsModel struct {
	RoleDefinitionID types.String      `tfsdk:"role_definition_id"`
	PrincipalID      types.String      `tfsdk:"principal_id"`
	Since            timetypes.RFC3339 `tfsdk:"since"`
	Activations      []activationEntry `tfsdk:"activations"`
}

type activationEntry struct {
	PrincipalID      string       `tfsdk:"principal_id"`
	RoleDefinitionID string       `tfsdk:"role_definition_id"`
	DirectoryScopeID string       `tfsdk:"directory_scope_id"`
	StartDateTime    types.String `tfsdk:"start_date_time"`
	EndDateTime      types.String `tfsdk:"end_date_time"`
	Justification    types.String `tfsdk:"justification"`
	TicketNumber     types.String `tfsdk:"ticket_number"`
	RequestID        string       `tfsdk:"request_id"`
	Active           bool         `tfsdk:"active"`
	shared.PrincipalNames
	RoleDisplayName types.String `tfsdk:"role_display_name"`
}

func (d *activationsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_activations"
}

func (d *activationsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Just-in-time activations of Microsoft Entra directory roles: who holds a role right now because they " +
			"activated an eligibility, until when, why, and the request that granted it. With `since`, activations that started " +
			"since then and have already ended are listed too (Graph keeps the requests behind them for about 45 days).\n\n" +
			"Graph permissions: `RoleAssignmentSchedule.Read.Directory` (or `RoleManagement.Read.Directory`); `Directory.Read.All` for the " +
			"principal names (without it they are null, with one warning).",
		Attributes: map[string]schema.Attribute{
			"role_definition_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Only activations of this role.",
				Validators: []validator.String{validators.GUID()}},
			"principal_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Only activations by this user.",
				Validators: []validator.String{validators.GUID()}},
			"since": schema.StringAttribute{Optional: true, CustomType: timetypes.RFC3339Type{},
				MarkdownDescription: "Also list activations that started at or after this time (RFC 3339) and have ended. Unset: current activations only."},
			"activations": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "Matching activations, newest start first.",
				NestedObject: schema.NestedAttributeObject{Attributes: shared.EntryNameAttributes(map[string]schema.Attribute{
					"principal_id":       schema.StringAttribute{Computed: true, MarkdownDescription: "Who activated."},
					"role_definition_id": schema.StringAttribute{Computed: true, MarkdownDescription: "Which role."},
					"directory_scope_id": schema.StringAttribute{Computed: true, MarkdownDescription: "At which scope."},
					"start_date_time":    schema.StringAttribute{Computed: true, MarkdownDescription: "Start (RFC 3339)."},
					"end_date_time":      schema.StringAttribute{Computed: true, MarkdownDescription: "End (RFC 3339)."},
					"justification":      schema.StringAttribute{Computed: true, MarkdownDescription: "The requester's justification, while Graph keeps the request."},
					"ticket_number":      schema.StringAttribute{Computed: true, MarkdownDescription: "Ticket number given with the request, if any."},
					"request_id":         schema.StringAttribute{Computed: true, MarkdownDescription: "The schedule request that granted the activation."},
					"active":             schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the activation is in effect now."},
				})}},
		},
	}
}

func (d *activationsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (d *activationsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg activationsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	svc := d.data.Client.Schedules(pimclient.Assignment)
	keyFilter := pimclient.Filter{}.Eq("roleDefinitionId", cfg.RoleDefinitionID.ValueString()).Eq("principalId", cfg.PrincipalID.ValueString())
	current, err := svc.ListSchedules(ctx, keyFilter.Eq("assignmentType", "Activated"))
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to List Activations", "Listing activated role assignment schedules", err, "")
		return
	}
	// Requests carry what schedules do not: the justification and ticket.
	// `action eq 'selfActivate'` is used widely though not listed as filterable.
	requests, err := svc.ListRequests(ctx, keyFilter.Eq("action", pimclient.ActionSelfActivate))
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to List Activation Requests", "Listing selfActivate requests", err, "")
		return
	}
	// A selfDeactivate request ends an activation before its planned end.
	deactivations, err := svc.ListRequests(ctx, keyFilter.Eq("action", pimclient.ActionSelfDeactivate))
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to List Deactivation Requests", "Listing selfDeactivate requests", err, "")
		return
	}
	byID := map[string]*pimclient.ScheduleRequest{}
	for i := range requests {
		byID[requests[i].ID] = &requests[i]
	}
	cfg.Activations = []activationEntry{}
	seen := map[string]bool{}
	for _, sc := range current {
		if !strings.EqualFold(sc.AssignmentType, "Activated") {
			continue
		}
		e := activationEntry{PrincipalID: sc.PrincipalID, RoleDefinitionID: sc.RoleDefinitionID, DirectoryScopeID: sc.DirectoryScopeID,
			RequestID: sc.CreatedUsing, EndDateTime: shared.TimeOrNull(sc.EndDateTime()), Active: true, StartDateTime: types.StringNull(),
			Justification: types.StringNull(), TicketNumber: types.StringNull()}
		if sc.ScheduleInfo != nil {
			e.StartDateTime = shared.TimeOrNull(sc.ScheduleInfo.StartDateTime)
		}
		if r := byID[sc.CreatedUsing]; r != nil {
			e.fillFromRequest(r)
		}
		seen[sc.CreatedUsing] = true
		cfg.Activations = append(cfg.Activations, e)
	}
	if since, ok := shared.KnownTime(cfg.Since, &resp.Diagnostics); ok {
		for i := range requests {
			r := &requests[i]
			granted := r.Status == pimclient.StatusGranted || r.Status == pimclient.StatusProvisioned
			if seen[r.ID] || !granted || r.ScheduleInfo == nil || r.ScheduleInfo.StartDateTime == nil || r.ScheduleInfo.StartDateTime.Before(since) {
				continue
			}
			e := activationEntry{PrincipalID: r.PrincipalID, RoleDefinitionID: r.RoleDefinitionID, DirectoryScopeID: r.DirectoryScopeID,
				RequestID: r.ID, StartDateTime: shared.TimeOrNull(r.ScheduleInfo.StartDateTime), EndDateTime: shared.TimeOrNull(activationEnd(r, deactivations))}
			e.fillFromRequest(r)
			cfg.Activations = append(cfg.Activations, e)
		}
	}
	sort.SliceStable(cfg.Activations, func(i, j int) bool {
		return cfg.Activations[i].StartDateTime.ValueString() > cfg.Activations[j].StartDateTime.ValueString()
	})
	ids := make([]string, len(cfg.Activations))
	for i, e := range cfg.Activations {
		ids[i] = e.PrincipalID
	}
	nameOf := d.data.Names.EntryNames(ctx, ids, &resp.Diagnostics)
	for i := range cfg.Activations {
		e := &cfg.Activations[i]
		e.PrincipalNames, e.RoleDisplayName = nameOf(e.PrincipalID, e.RoleDefinitionID)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

func (e *activationEntry) fillFromRequest(r *pimclient.ScheduleRequest) {
	e.Justification = shared.StringOrNull(r.Justification)
	if r.TicketInfo != nil {
		e.TicketNumber = shared.StringOrNull(r.TicketInfo.TicketNumber)
	}
}

// activationEnd is when an activation really ended: its planned end, or
// the first deactivation of the same principal, role and scope in between.
func activationEnd(r *pimclient.ScheduleRequest, deactivations []pimclient.ScheduleRequest) *time.Time {
	s := pimclient.Schedule{ScheduleInfo: r.ScheduleInfo}
	end := s.EndDateTime()
	start := r.ScheduleInfo.StartDateTime
	for i := range deactivations {
		d := &deactivations[i]
		if d.CreatedDateTime == nil || !strings.EqualFold(d.PrincipalID, r.PrincipalID) || !strings.EqualFold(d.RoleDefinitionID, r.RoleDefinitionID) ||
			d.DirectoryScopeID != r.DirectoryScopeID || d.CreatedDateTime.Before(*start) || (end != nil && !d.CreatedDateTime.Before(*end)) {
			continue
		}
		end = d.CreatedDateTime
	}
	return end
}
