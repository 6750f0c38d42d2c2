package assignments

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// List resources (Terraform 1.14 and later, `terraform query`): every
// eligible or active assignment of the tenant, so that what Terraform does
// not manage can be reviewed and imported (-generate-config-out writes the
// import blocks and configuration).

var _ list.ListResourceWithConfigure = (*Lister)(nil)

// NewEligibleAssignmentList lists pim_eligible_assignment.
func NewEligibleAssignmentList() list.ListResource {
	return &Lister{res: Resource{kind: pimclient.Eligibility, target: directoryRoleTarget, typeName: "eligible_assignment"}}
}

// NewActiveAssignmentList lists pim_active_assignment (standing ones:
// just-in-time activations are not resources).
func NewActiveAssignmentList() list.ListResource {
	return &Lister{res: Resource{kind: pimclient.Assignment, target: directoryRoleTarget, typeName: "active_assignment"}}
}

type Lister struct {
	res Resource
}

// ListConfig is a list's configuration in the shared shape.
type ListConfig struct {
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	PrincipalID      types.String `tfsdk:"principal_id"`
	DirectoryScopeID types.String `tfsdk:"directory_scope_id"`
	PrincipalType    types.String `tfsdk:"principal_type"`
	IncludeInherited types.Bool   `tfsdk:"include_inherited"`
}

func (l *Lister) Metadata(ctx context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	l.res.Metadata(ctx, req, resp)
}

func (l *Lister) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.res.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

func (l *Lister) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = l.res.target.ListSchema(l.res.kind, l.res.Noun())
}

func (l *Lister) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	cfg, diags := l.config(ctx, req)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	found, details, diags := l.find(ctx, cfg, req.IncludeResource)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		for i, e := range found {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			if !push(l.result(ctx, req, e, details)) {
				return
			}
		}
	}
}

// listed is one schedule with the names that describe it.
type listed struct {
	sc    *pimclient.Schedule
	names shared.PrincipalNames
	role  types.String
}

// find lists the schedules the configuration asks for and names them; with
// resources, the newest requests recover justifications and tickets.
func (l *Lister) find(ctx context.Context, cfg *ListConfig, withRequests bool) ([]listed, map[string]*pimclient.ScheduleRequest, diag.Diagnostics) {
	var diags diag.Diagnostics
	f := pimclient.Filter{}.Eq("roleDefinitionId", cfg.RoleDefinitionID.ValueString()).
		Eq("principalId", cfg.PrincipalID.ValueString()).Eq("directoryScopeId", cfg.DirectoryScopeID.ValueString())
	if !cfg.IncludeInherited.ValueBool() {
		f = f.Eq("memberType", pimclient.MemberTypeDirect)
	}
	svc := l.res.Svc()
	f, reqFilter := l.res.target.ListFilters(svc, cfg, f)
	all, err := svc.ListSchedules(ctx, f)
	if err != nil {
		shared.AddGraphError(&diags, "Unable to List "+shared.Title(l.res.Noun())+"s", "Listing PIM "+l.res.Noun()+" schedules", err, "")
		return nil, nil, diags
	}
	ids := make([]string, 0, 2*len(all))
	for i := range all {
		ids = append(ids, all[i].PrincipalID, all[i].DirectoryScopeID)
	}
	nameOf := l.res.data.Names.EntryNames(ctx, ids, &diags)
	var out []listed
	for i := range all {
		sc := &all[i]
		if strings.EqualFold(sc.AssignmentType, "Activated") ||
			l.res.target.SkipListed(sc, cfg) {
			continue // a just-in-time activation, not a resource; or inherited
		}
		names, role := nameOf(sc.PrincipalID, sc.RoleDefinitionID)
		role = l.res.target.ListedTarget(l, sc, role)
		if t := cfg.PrincipalType.ValueString(); t != "" && names.PrincipalType.ValueString() != t {
			continue
		}
		out = append(out, listed{sc: sc, names: names, role: role})
	}
	if cfg.PrincipalType.ValueString() != "" && l.res.data.Names.DeniedErr() != nil {
		diags.AddAttributeError(path.Root("principal_type"), "Principal Type Not Known",
			"principal_type filters by the principals' directory objects, which these credentials cannot read; grant Directory.Read.All or leave principal_type out.")
	}
	if !withRequests || diags.HasError() {
		return out, nil, diags
	}
	return out, l.newestRequests(ctx, reqFilter, &diags), diags
}

// newestRequests maps each key to its newest granted admin request, from
// one paged list (Graph keeps requests about 45 days).
func (l *Lister) newestRequests(ctx context.Context, f pimclient.Filter, diags *diag.Diagnostics) map[string]*pimclient.ScheduleRequest {
	reqs, err := l.res.Svc().ListRequests(ctx, f)
	if err != nil {
		diags.AddWarning("Justifications Not Listed", shared.GraphErrorDetail("Listing schedule requests failed", err, "The listed resources have no justification or ticket."))
		return nil
	}
	out := map[string]*pimclient.ScheduleRequest{}
	for i := range reqs {
		q := &reqs[i]
		switch q.Action {
		case pimclient.ActionAdminAssign, pimclient.ActionAdminUpdate, pimclient.ActionAdminExtend, pimclient.ActionAdminRenew:
		default:
			continue
		}
		if q.Status != pimclient.StatusProvisioned && q.Status != pimclient.StatusGranted {
			continue
		}
		k := shared.CacheKey(pimclient.AssignmentKey{PrincipalID: q.PrincipalID, RoleDefinitionID: q.RoleDefinitionID, DirectoryScopeID: q.DirectoryScopeID})
		if q.NewerThan(out[k]) {
			out[k] = q
		}
	}
	return out
}

func (l *Lister) result(ctx context.Context, req list.ListRequest, e listed, details map[string]*pimclient.ScheduleRequest) list.ListResult {
	res := req.NewListResult(ctx)
	m := l.model(e, details)
	res.DisplayName = l.displayName(e)
	res.Diagnostics.Append(res.Identity.Set(ctx, l.res.IdentityOf(m))...)
	if req.IncludeResource {
		res.Diagnostics.Append(l.res.Set(ctx, res.Resource, m)...)
	}
	return res
}

// model is the resource as a read after import would leave it, so that the
// generated configuration plans empty.
func (l *Lister) model(e listed, details map[string]*pimclient.ScheduleRequest) *Model {
	sc := e.sc
	m := &Model{RoleDefinitionID: types.StringValue(sc.RoleDefinitionID), DirectoryScopeID: types.StringValue(sc.DirectoryScopeID),
		RoleDisplayName: e.role, ScheduleFields: ScheduleFields{PrincipalID: types.StringValue(sc.PrincipalID), Justification: types.StringNull(),
			TicketNumber: types.StringNull(), TicketSystem: types.StringNull(), StartDateTime: timetypes.NewRFC3339Null(), PrincipalNames: e.names,
			AllowProtectedChange: types.BoolNull(), AllowUndoingReview: types.BoolNull(),
			Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{"create": types.StringType, "update": types.StringType, "delete": types.StringType})}}}
	m.setComputed(sc)
	m.EndDateTime, m.Duration = expirationFromAPI(timetypes.NewRFC3339Null(), types.StringNull(), sc)
	if q := details[shared.CacheKey(m.key())]; q != nil {
		m.fromRequest(q, sc)
	}
	return m
}

// displayName says who holds which role where, until when:
// `Alice Analyst (alice@contoso.example): User Administrator at /, permanent`.
func (l *Lister) displayName(e listed) string {
	who := e.names.PrincipalDisplayName.ValueString()
	switch {
	case who == "":
		who = e.sc.PrincipalID
	case e.names.PrincipalUserPrincipalName.ValueString() != "":
		who += " (" + e.names.PrincipalUserPrincipalName.ValueString() + ")"
	default:
		who += " (" + e.names.PrincipalType.ValueString() + ")"
	}
	role := e.role.ValueString()
	if role == "" {
		role = e.sc.RoleDefinitionID
	}
	until := "permanent"
	if end := e.sc.EndDateTime(); end != nil {
		until = "until " + end.UTC().Format("2006-01-02T15:04:05Z")
	}
	s := l.res.target.DescribeListed(who, role, until, e.sc)
	if !strings.EqualFold(e.sc.MemberType, pimclient.MemberTypeDirect) && e.sc.MemberType != "" {
		s += " (inherited from a group)"
	}
	return s
}

// config reads the list's configuration into the shared shape.
func (l *Lister) config(ctx context.Context, req list.ListRequest) (*ListConfig, diag.Diagnostics) {
	return l.res.target.ReadListConfig(ctx, req.Config)
}

func (l *Lister) GroupName(id string) types.String {
	if obj, known := l.res.data.Names.Principal(id); known && obj != nil {
		return types.StringValue(obj.DisplayName)
	}
	return types.StringNull()
}
