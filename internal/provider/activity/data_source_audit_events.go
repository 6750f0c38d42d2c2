package activity

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
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

var (
	_ datasource.DataSourceWithConfigure      = (*auditEventsDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*auditEventsDataSource)(nil)
)

const defaultAuditLimit = 100

// NewAuditEventsDataSource is pim_audit_events.
func NewAuditEventsDataSource() datasource.DataSource { return &auditEventsDataSource{} }

type auditEventsDataSource struct {
	data *shared.ProviderData
}

type auditEventsModel struct {
	Since             timetypes.RFC3339 `tfsdk:"since"`
	Until             timetypes.RFC3339 `tfsdk:"until"`
	Activity          types.String      `tfsdk:"activity"`
	ActivityPrefix    types.String      `tfsdk:"activity_prefix"`
	InitiatedByUserID types.String      `tfsdk:"initiated_by_user_id"`
	TargetID          types.String      `tfsdk:"target_id"`
	Result            types.String      `tfsdk:"result"`
	LoggedByService   types.String      `tfsdk:"logged_by_service"`
	Limit             types.Int64       `tfsdk:"limit"`
	Events            []auditEventEntry `tfsdk:"events"`
}

type auditEventEntry struct {
	ID                   string             `tfsdk:"id"`
	ActivityDateTime     string             `tfsdk:"activity_date_time"`
	Activity             string             `tfsdk:"activity"`
	Category             string             `tfsdk:"category"`
	Result               string             `tfsdk:"result"`
	ResultReason         string             `tfsdk:"result_reason"`
	InitiatedByUserID    types.String       `tfsdk:"initiated_by_user_id"`
	InitiatedByUPN       types.String       `tfsdk:"initiated_by_user_principal_name"`
	InitiatedByAppName   types.String       `tfsdk:"initiated_by_app"`
	Targets              []auditTargetEntry `tfsdk:"targets"`
	AdditionalDetails    map[string]string  `tfsdk:"additional_details"`
	CorrelationID        string             `tfsdk:"correlation_id"`
	OperationType        string             `tfsdk:"operation_type"`
	LoggedByServiceValue string             `tfsdk:"logged_by_service"`
}

type auditTargetEntry struct {
	ID          string `tfsdk:"id"`
	DisplayName string `tfsdk:"display_name"`
	Type        string `tfsdk:"type"`
}

func (d *auditEventsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_audit_events"
}

func (d *auditEventsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Entries of the Entra audit log about directory-role management (`category eq 'RoleManagement'`), " +
			"newest first: PIM assignments, activations, approvals and setting changes. Follows Graph's pages up to `limit`.\n\n" +
			"Graph permissions: `AuditLog.Read.All` and `Directory.Read.All`.",
		Attributes: map[string]schema.Attribute{
			"since": schema.StringAttribute{Optional: true, CustomType: timetypes.RFC3339Type{}, MarkdownDescription: "Only entries at or after this time (RFC 3339)."},
			"until": schema.StringAttribute{Optional: true, CustomType: timetypes.RFC3339Type{}, MarkdownDescription: "Only entries at or before this time (RFC 3339)."},
			"activity": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Only this activity, e.g. `Add member to role completed (PIM activation)`. Conflicts with `activity_prefix`.",
				Validators:          []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("activity_prefix"))}},
			"activity_prefix": schema.StringAttribute{Optional: true, MarkdownDescription: "Only activities starting with this text, e.g. `Add member to role`."},
			"initiated_by_user_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Only entries initiated by this user.",
				Validators: []validator.String{validators.GUID()}},
			"target_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Only entries about this object (a user, group or role id)."},
			"result": schema.StringAttribute{Optional: true, MarkdownDescription: "Only `success` or `failure` entries.",
				Validators: []validator.String{stringvalidator.OneOf("success", "failure", "timeout")}},
			"logged_by_service": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Only entries of this service. Unset by default: Graph's docs and tenants disagree on PIM's name (`PIM` or `Privileged Identity Management`)."},
			"limit": schema.Int64Attribute{Optional: true, MarkdownDescription: fmt.Sprintf("Most entries to return (1 to 5000). Default %d.", defaultAuditLimit),
				Validators: []validator.Int64{int64validator.Between(1, 5000)}},
			"events": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "Matching entries, newest first.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":                               str("Entry id."),
					"activity_date_time":               str("When (RFC 3339)."),
					"activity":                         str("Activity display name."),
					"category":                         str("Category, `RoleManagement`."),
					"result":                           str("`success`, `failure` or `timeout`."),
					"result_reason":                    str("Reason; PIM puts the requester's justification here."),
					"initiated_by_user_id":             str("Initiating user, if a user."),
					"initiated_by_user_principal_name": str("Initiating user's UPN, if a user."),
					"initiated_by_app":                 str("Initiating app's display name, if an app or the PIM service."),
					"correlation_id":                   str("Correlation id."),
					"operation_type":                   str("Operation type (`Add`, `Update`, `Delete`, …)."),
					"logged_by_service":                str("Service that wrote the entry."),
					"additional_details":               schema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Additional details (e.g. `StartTime`, `ExpirationTime`, `RequestId`)."},
					"targets": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "Objects the entry is about.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"id": str("Object id."), "display_name": str("Display name."), "type": str("`User`, `Group`, `Role`, …"),
						}}},
				}}},
		},
	}
}

func (d *auditEventsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var cfg auditEventsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	since, okSince := shared.KnownTime(cfg.Since, &resp.Diagnostics)
	until, okUntil := shared.KnownTime(cfg.Until, &resp.Diagnostics)
	if okSince && okUntil && until.Before(since) {
		resp.Diagnostics.AddAttributeError(path.Root("until"), "Empty Time Window", "until is before since: no entry can match.")
	}
}

func (d *auditEventsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (d *auditEventsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg auditEventsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	f := pimclient.Filter{}.Eq("category", "RoleManagement").Eq("loggedByService", cfg.LoggedByService.ValueString())
	if t, ok := shared.KnownTime(cfg.Since, &resp.Diagnostics); ok {
		f = f.Ge("activityDateTime", t)
	}
	if t, ok := shared.KnownTime(cfg.Until, &resp.Diagnostics); ok {
		f = f.Le("activityDateTime", t)
	}
	f = f.Eq("activityDisplayName", cfg.Activity.ValueString()).StartsWith("activityDisplayName", cfg.ActivityPrefix.ValueString()).
		Eq("initiatedBy/user/id", cfg.InitiatedByUserID.ValueString()).AnyEq("targetResources", "id", cfg.TargetID.ValueString()).
		Eq("result", cfg.Result.ValueString())
	limit := defaultAuditLimit
	if !cfg.Limit.IsNull() {
		limit = int(cfg.Limit.ValueInt64())
	}
	entries, err := d.data.Client.ListDirectoryAudits(ctx, f, limit)
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Read Audit Log", "Listing directory audit entries with $filter="+f.String(), err, "")
		return
	}
	cfg.Events = make([]auditEventEntry, 0, len(entries))
	for _, e := range entries {
		ev := auditEventEntry{ID: e.ID, ActivityDateTime: e.ActivityDateTime.UTC().Format(time.RFC3339Nano), Activity: e.ActivityDisplayName,
			Category: e.Category, Result: e.Result, ResultReason: e.ResultReason, CorrelationID: e.CorrelationID, OperationType: e.OperationType,
			LoggedByServiceValue: e.LoggedByService, InitiatedByUserID: types.StringNull(), InitiatedByUPN: types.StringNull(),
			InitiatedByAppName: types.StringNull(), Targets: []auditTargetEntry{}, AdditionalDetails: map[string]string{}}
		if u := e.InitiatedBy.User; u != nil {
			ev.InitiatedByUserID, ev.InitiatedByUPN = shared.StringOrNull(u.ID), shared.StringOrNull(u.UserPrincipalName)
		}
		if a := e.InitiatedBy.App; a != nil {
			ev.InitiatedByAppName = shared.StringOrNull(a.DisplayName)
		}
		for _, t := range e.TargetResources {
			ev.Targets = append(ev.Targets, auditTargetEntry{ID: t.ID, DisplayName: t.DisplayName, Type: t.Type})
		}
		for _, kv := range e.AdditionalDetails {
			ev.AdditionalDetails[kv.Key] = kv.Value
		}
		cfg.Events = append(cfg.Events, ev)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
