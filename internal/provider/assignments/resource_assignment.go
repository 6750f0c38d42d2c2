package assignments

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

var (
	_ resource.ResourceWithConfigure      = (*Resource)(nil)
	_ resource.ResourceWithImportState    = (*Resource)(nil)
	_ resource.ResourceWithValidateConfig = (*Resource)(nil)
	_ resource.ResourceWithModifyPlan     = (*Resource)(nil)
)

const (
	defaultCreateTimeout = 10 * time.Minute
	defaultUpdateTimeout = 10 * time.Minute
	defaultDeleteTimeout = 10 * time.Minute
	// activeDurationRetry is how often Delete retries while Graph refuses to
	// remove an active assignment younger than five minutes.
	activeDurationRetry = 30 * time.Second
	privateImported     = "imported"
	// privateWritten holds when this provider last wrote the schedule.
	privateWritten = "written"
	// lagWindow is how long after a write a missing schedule is taken for
	// replication lag rather than drift.
	lagWindow = 10 * time.Minute
	// requestRetention is how long Graph keeps schedule requests.
	requestRetention = 45 * 24 * time.Hour
	// statusExpired marks, in state only, an assignment that ran to its end:
	// Graph has no schedule for it any more, and Terraform must not grant
	// it again unasked.
	statusExpired = "Expired"
)

// Resource implements both pim_eligible_assignment and
// pim_active_assignment; kind selects the Graph collections.
type Resource struct {
	kind        pimclient.Kind
	target      Surface
	typeName    string
	description string
	data        *shared.ProviderData
}

type Model struct {
	ScheduleFields
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	DirectoryScopeID types.String `tfsdk:"directory_scope_id"`
	RoleDisplayName  types.String `tfsdk:"role_display_name"`
	// condition and conditionVersion are an Azure role's ABAC condition
	// (only the Azure surface has them; null on the others).
	Condition        types.String `tfsdk:"-"`
	ConditionVersion types.String `tfsdk:"-"`
}

// ScheduleFields are what every assignment resource has, whatever surface it
// grants on: who, the schedule, its justification and ticket, and the
// principal's names.
type ScheduleFields struct {
	ID            types.String      `tfsdk:"id"`
	PrincipalID   types.String      `tfsdk:"principal_id"`
	Justification types.String      `tfsdk:"justification"`
	TicketNumber  types.String      `tfsdk:"ticket_number"`
	TicketSystem  types.String      `tfsdk:"ticket_system"`
	StartDateTime timetypes.RFC3339 `tfsdk:"start_date_time"`
	EndDateTime   timetypes.RFC3339 `tfsdk:"end_date_time"`
	Duration      types.String      `tfsdk:"duration"`
	Status        types.String      `tfsdk:"status"`
	shared.PrincipalNames
	AllowProtectedChange types.Bool     `tfsdk:"allow_protected_principal_change"`
	AllowUndoingReview   types.Bool     `tfsdk:"allow_undoing_review"`
	Timeouts             timeouts.Value `tfsdk:"timeouts"`
}

func (m *Model) key() pimclient.AssignmentKey {
	return pimclient.AssignmentKey{
		PrincipalID:      m.PrincipalID.ValueString(),
		RoleDefinitionID: m.RoleDefinitionID.ValueString(),
		DirectoryScopeID: m.DirectoryScopeID.ValueString(),
	}
}

// importID is the natural-key import id of the assignment.
func (m *Model) ImportID() string {
	return m.DirectoryScopeID.ValueString() + "|" + m.RoleDefinitionID.ValueString() + "|" + m.PrincipalID.ValueString()
}

func (r *Resource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.typeName
}

func (r *Resource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = assignmentSchema(ctx, r.kind, r.target, r.description)
}

func (r *Resource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

// ValidateConfig holds the checks that need no clock and no Graph call.
func (r *Resource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	// Only the two attributes it checks are decoded: this runs for every
	// resource of every plan.
	var startAttr, endAttr timetypes.RFC3339
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("start_date_time"), &startAttr)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("end_date_time"), &endAttr)...)
	if resp.Diagnostics.HasError() {
		return
	}
	start, okStart := shared.KnownTime(startAttr, &resp.Diagnostics)
	end, okEnd := shared.KnownTime(endAttr, &resp.Diagnostics)
	if okStart && okEnd && !end.After(start) {
		resp.Diagnostics.AddAttributeError(path.Root("end_date_time"), "End Before Start",
			fmt.Sprintf("end_date_time (%s) must be after start_date_time (%s).", end.Format(time.RFC3339), start.Format(time.RFC3339)))
	}
	validateTimeouts(ctx, req.Config, &resp.Diagnostics)
}

// validateTimeouts refuses a timeout that leaves no time at all: a zero or
// negative timeouts.delete would make destroy fail at apply instead of here.
func validateTimeouts(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	for _, op := range []string{"create", "update", "delete"} {
		var v types.String
		p := path.Root("timeouts").AtName(op)
		if config.GetAttribute(ctx, p, &v).HasError() || v.IsNull() || v.IsUnknown() {
			continue
		}
		if d, err := time.ParseDuration(v.ValueString()); err == nil && d <= 0 {
			diags.AddAttributeError(p, "Invalid Timeout",
				fmt.Sprintf("timeouts.%s is %q: it must be a positive duration such as \"10m\" (the time the %s may take).", op, v.ValueString(), op))
		}
	}
}

// ModifyPlan holds the checks that need the clock: an end in the past would
// be refused by Graph at apply time, so it is refused at plan time instead.
func (r *Resource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || req.Plan.Raw.Equal(req.State.Raw) {
		return // unconfigured, or nothing changes: nothing to check
	}
	if req.Plan.Raw.IsNull() {
		r.planDestroy(ctx, req, resp)
		return
	}
	var plan Model
	resp.Diagnostics.Append(r.Get(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var state Model
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(r.Get(ctx, req.State, &state)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	now := r.data.Clock.Now()
	// An expired assignment keeps its past end in state: only a new end is checked.
	settingEnd := req.State.Raw.IsNull() || !state.expired() || plan.regrants(&state)
	if end, ok := shared.KnownTime(plan.EndDateTime, &resp.Diagnostics); ok && settingEnd && !end.After(now) {
		resp.Diagnostics.AddAttributeError(path.Root("end_date_time"), "End Date Time In The Past",
			fmt.Sprintf("end_date_time %s is not in the future (now: %s). PIM removes an assignment when its end passes, so it "+
				"cannot be created or updated with this value. Set a later end_date_time, use duration, or remove the resource.",
				end.Format(time.RFC3339), now.Format(time.RFC3339)))
	}
	if req.State.Raw.IsNull() {
		r.checkRole(ctx, &plan, &resp.Diagnostics) // first: the policy check's messages name the role
		r.checkPolicy(ctx, &plan, &resp.Diagnostics)
		if r.data.PlanLookups {
			r.checkPrincipal(ctx, &plan, &resp.Diagnostics)
		}
		r.target.ForeseeAlerts(ctx, r, &plan, &resp.Diagnostics)
		r.checkReviewUndo(ctx, &plan, &resp.Diagnostics)
		resp.Diagnostics.Append(r.Set(ctx, &resp.Plan, &plan)...)
		return
	}
	r.guardProtected(ctx, &plan, &state, &resp.Diagnostics)
	if state.expired() {
		r.planExpired(ctx, &plan, &state, req.Config, resp)
		return
	}
	if plan.changesGraph(&state) {
		// Only a request that is sent is checked: a tightened policy does not
		// revoke existing assignments, so it must not block unrelated plans.
		r.checkPolicy(ctx, &plan, &resp.Diagnostics)
		r.warnLastPermanentGlobalAdmin(ctx, &plan, &state, &resp.Diagnostics)
	}
	// A new start can move the schedule between Granted and Provisioned.
	if !plan.StartDateTime.IsUnknown() && !plan.StartDateTime.Equal(state.StartDateTime) {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("status"), types.StringUnknown())...)
	}
}

func (r *Resource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan Model
	resp.Diagnostics.Append(r.Get(ctx, req.Plan, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	if r.assign(ctx, &plan, resp.Private, &resp.Diagnostics) {
		resp.Diagnostics.Append(r.Set(ctx, &resp.State, &plan)...)
		shared.SetIdentity(ctx, resp.Identity, r.IdentityOf(&plan), &resp.Diagnostics)
	}
}

// assign grants the plan's assignment with adminAssign (a create, or a new
// grant after expiry) and records the schedule; it reports success.
func (r *Resource) assign(ctx context.Context, plan *Model, private privateSetter, diags *diag.Diagnostics) bool {
	body, d := plan.ToRequest(pimclient.ActionAdminAssign, true)
	diags.Append(d...)
	if diags.HasError() {
		return false
	}
	var created *pimclient.ScheduleRequest
	var found *pimclient.Schedule
	adopted, err := r.data.Resolve(ctx, r.assignWrite(plan, body, &created, &found))
	if err != nil {
		r.createError(ctx, plan, err, diags)
		return false
	}
	sc := found
	if !adopted {
		// Graph's answer describes the new schedule; no confirming read.
		// Replication lag is ridden out by the next read (see Read).
		sc = scheduleFromRequest(created, r.kind)
		tflog.Info(ctx, "Created PIM schedule request", map[string]any{"request_id": created.ID, "status": created.Status})
	}
	r.fillUnknownNames(ctx, plan, diags)
	r.written(ctx, plan, sc, private, diags)
	return !diags.HasError()
}

func (r *Resource) createError(ctx context.Context, plan *Model, err error, diags *diag.Diagnostics) {
	next := ""
	if pimclient.HasCode(err, pimclient.CodeRoleAssignmentExists) {
		next = fmt.Sprintf("This principal already holds this role at this scope. To manage the existing %s with Terraform, import it:\n\n"+
			"  import {\n    to = %s.<name>\n    id = %q\n  }\n", r.Noun(), "pim_"+r.typeName, plan.ImportID())
	}
	if pimclient.Ambiguous(err) {
		next = "Graph did not say whether the assignment was made, and reading it back did not find it before the create timeout. " +
			"Run terraform plan: if it exists, import it with id \"" + plan.ImportID() + "\"."
	}
	shared.AddGraphError(diags, "Unable to Create "+shared.Title(r.Noun()), r.describe(ctx, plan, "Creating"), err, next)
}

// written records a schedule this run wrote: in the state, in the run's
// cache, and (privately) when, so that the next read waits out
// replication lag instead of taking a missing schedule for drift.
func (r *Resource) written(ctx context.Context, plan *Model, sc *pimclient.Schedule, private privateSetter, diags *diag.Diagnostics) {
	plan.setComputed(sc)
	r.data.Schedules.Put(r.Svc(), plan.key(), sc)
	diags.Append(private.SetKey(ctx, privateWritten, []byte(strconv.Quote(r.data.Clock.Now().Format(time.RFC3339Nano))))...)
}

// privateSetter is the private state of a response.
type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// recentlyWritten reports whether this provider wrote the schedule less
// than lagWindow ago.
func (r *Resource) recentlyWritten(ctx context.Context, private interface {
	GetKey(context.Context, string) ([]byte, diag.Diagnostics)
}) bool {
	raw, _ := private.GetKey(ctx, privateWritten)
	s, err := strconv.Unquote(string(raw))
	if err != nil {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return err == nil && r.data.Clock.Now().Sub(t) < lagWindow
}

func (r *Resource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state Model
	resp.Diagnostics.Append(r.Get(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	imported, diags := req.Private.GetKey(ctx, privateImported)
	resp.Diagnostics.Append(diags...)

	if state.PrincipalID.IsNull() || state.RoleDefinitionID.IsNull() {
		// Imported by schedule id: learn the key from the schedule.
		sc, err := r.Svc().GetSchedule(ctx, state.ID.ValueString())
		if pimclient.IsNotFound(err) {
			resp.Diagnostics.AddError("Cannot Import "+shared.Title(r.Noun()),
				fmt.Sprintf("No %s schedule with id %q exists. Import by schedule id or by %q.", r.Noun(), state.ID.ValueString(), r.target.Names().ImportForm))
			return
		}
		if err != nil {
			shared.AddGraphError(&resp.Diagnostics, "Unable to Read "+shared.Title(r.Noun()), "Reading schedule "+state.ID.ValueString(), err, "")
			return
		}
		state.PrincipalID = types.StringValue(sc.PrincipalID)
		state.RoleDefinitionID = types.StringValue(sc.RoleDefinitionID)
		state.DirectoryScopeID = types.StringValue(sc.DirectoryScopeID)
	}

	sc, err := r.data.Schedules.Find(ctx, r.Svc(), state.key())
	if err == nil && sc == nil && r.recentlyWritten(ctx, req.Private) {
		sc, err = r.waitOutLag(ctx, state.key())
	}
	if err != nil {
		shared.AddGraphError(&resp.Diagnostics, "Unable to Read "+shared.Title(r.Noun()), r.describe(ctx, &state, "Reading"), err, "")
		return
	}
	if sc == nil {
		if end, ok := state.end(&resp.Diagnostics); ok && !end.After(r.data.Clock.Now()) {
			// It ran its course: keep it, expired, so the next apply does
			// not grant it again unasked.
			r.warnExpired(ctx, &state, end, &resp.Diagnostics)
			state.Status = types.StringValue(statusExpired)
			resp.Diagnostics.Append(r.Set(ctx, &resp.State, &state)...)
			shared.SetIdentity(ctx, resp.Identity, r.IdentityOf(&state), &resp.Diagnostics)
			return
		}
		r.warnGone(ctx, &state, &resp.Diagnostics)
		resp.State.RemoveResource(ctx)
		// The framework wants an identity even for a resource that is gone.
		shared.SetIdentity(ctx, resp.Identity, r.IdentityOf(&state), &resp.Diagnostics)
		return
	}
	if written, _ := req.Private.GetKey(ctx, privateWritten); len(written) > 0 {
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateWritten, nil)...) // found: no lag to wait out any more
	}
	state.setComputed(sc)
	state.readCondition(sc)
	state.EndDateTime, state.Duration = expirationFromAPI(state.EndDateTime, state.Duration, sc)
	r.refreshNames(ctx, &state, &resp.Diagnostics)
	r.warnNoncompliant(ctx, &state, sc, &resp.Diagnostics)

	if len(imported) > 0 {
		// Justification and ticket live on requests, not schedules. On import,
		// recover them from the newest request that set this schedule, if Graph
		// has not purged it yet (about 45 days).
		r.readRequestDetails(ctx, &state, sc, &resp.Diagnostics)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, nil)...)
	}
	resp.Diagnostics.Append(r.Set(ctx, &resp.State, &state)...)
	shared.SetIdentity(ctx, resp.Identity, r.IdentityOf(&state), &resp.Diagnostics)
}

func (r *Resource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state Model
	resp.Diagnostics.Append(r.Get(ctx, req.Plan, &plan)...)
	resp.Diagnostics.Append(r.Get(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.expired() {
		r.updateExpired(ctx, &plan, &state, resp)
		return
	}
	if !plan.changesGraph(&state) {
		// Only timeouts changed: nothing to send.
		plan.Status = state.Status
		r.fillUnknownNames(ctx, &plan, &resp.Diagnostics)
		resp.Diagnostics.Append(r.Set(ctx, &resp.State, &plan)...)
		shared.SetIdentity(ctx, resp.Identity, r.IdentityOf(&plan), &resp.Diagnostics)
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// adminUpdate changes the schedule in place: the principal never loses
	// the assignment in between, unlike a remove-then-assign replacement.
	// The start is sent only when the configuration changed it; otherwise
	// Graph keeps the schedule's start.
	body, diags := plan.ToRequest(pimclient.ActionAdminUpdate, !plan.StartDateTime.Equal(state.StartDateTime))
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var updated *pimclient.ScheduleRequest
	var found *pimclient.Schedule
	adopted, err := r.data.Resolve(ctx, r.updateWrite(&plan, &state, body, &updated, &found))
	if err != nil {
		next := ""
		if pimclient.HasCode(err, pimclient.CodeRoleAssignmentDoesNotExist) {
			next = "The assignment was removed outside Terraform after the last refresh. Run terraform apply again to create it."
		}
		shared.AddGraphError(&resp.Diagnostics, "Unable to Update "+shared.Title(r.Noun()), r.describe(ctx, &plan, "Updating"), err, next)
		return
	}
	sc := found
	if !adopted {
		sc = scheduleFromRequest(updated, r.kind)
	}
	r.fillUnknownNames(ctx, &plan, &resp.Diagnostics)
	r.written(ctx, &plan, sc, resp.Private, &resp.Diagnostics)
	resp.Diagnostics.Append(r.Set(ctx, &resp.State, &plan)...)
	shared.SetIdentity(ctx, resp.Identity, r.IdentityOf(&plan), &resp.Diagnostics)
}

func (r *Resource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state Model
	resp.Diagnostics.Append(r.Get(ctx, req.State, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.expired() {
		return // Graph removed it when it ended: nothing to call, nothing to fail
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	body := &pimclient.ScheduleRequest{
		Action:           pimclient.ActionAdminRemove,
		PrincipalID:      state.PrincipalID.ValueString(),
		RoleDefinitionID: state.RoleDefinitionID.ValueString(),
		DirectoryScopeID: state.DirectoryScopeID.ValueString(),
		Justification:    "Removed by Terraform",
	}
	remove := r.removeWrite(&state, body)
	for {
		_, err := r.data.Resolve(ctx, remove)
		switch {
		case err == nil:
		case pimclient.HasCode(err, pimclient.CodeRoleAssignmentDoesNotExist) || pimclient.IsNotFound(err):
			// Already gone (removed outside Terraform, or expired): the goal is reached.
			tflog.Info(ctx, "Assignment already removed", map[string]any{"key": state.ImportID()})
		case pimclient.HasCode(err, pimclient.CodeActiveDurationTooShort):
			if r.waitFiveMinuteRule(ctx, &state, err, &resp.Diagnostics) {
				continue
			}
			return
		case pimclient.HasCode(err, pimclient.CodeLastGlobalAdministrator):
			shared.AddGraphError(&resp.Diagnostics, "Cannot Remove The Last Global Administrator", r.describe(ctx, &state, "Removing"), err,
				"Entra keeps at least one active Global Administrator. Assign Global Administrator to another principal (for example a "+
					"break-glass account) first, or stop managing this assignment without removing it: replace the resource block with\n\n"+
					"  removed {\n    from = "+"pim_"+r.typeName+".<name>\n    lifecycle {\n      destroy = false\n    }\n  }")
			return
		default:
			shared.AddGraphError(&resp.Diagnostics, "Unable to Delete "+shared.Title(r.Noun()), r.describe(ctx, &state, "Removing"), err, "")
			return
		}
		r.data.Schedules.Put(r.Svc(), state.key(), nil)
		return
	}
}

// waitFiveMinuteRule waits while Graph refuses to remove an active
// assignment in its first five minutes, within the delete timeout; it
// reports whether to try again.
func (r *Resource) waitFiveMinuteRule(ctx context.Context, state *Model, err error, diags *diag.Diagnostics) bool {
	tflog.Info(ctx, "Graph requires an active assignment to exist for 5 minutes before removal; waiting", map[string]any{
		"key": state.ImportID(), "retry_in": activeDurationRetry.String(),
	})
	if werr := r.data.Clock.Sleep(ctx, activeDurationRetry); werr != nil {
		shared.AddGraphError(diags, "Unable to Delete "+shared.Title(r.Noun()),
			r.describe(ctx, state, "Removing")+" (still refused when the delete timeout ran out)", err,
			"Active assignments cannot be removed in their first 5 minutes. Raise timeouts.delete above 5m or run terraform destroy again.")
		return false
	}
	return true
}

func (r *Resource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	defer func() { resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, []byte(`true`))...) }()
	if req.ID == "" && req.Identity != nil && !req.Identity.Raw.IsNull() {
		r.importIdentity(ctx, req, resp)
		return
	}
	id := strings.TrimSpace(req.ID)
	switch parts := strings.Split(id, "|"); {
	case len(parts) == 3 && r.target.ValidKey([3]string(parts)):
		r.setKey(ctx, [3]string(parts), resp)
	case strings.Contains(id, "|"), id == "":
		resp.Diagnostics.AddError("Invalid Import ID", fmt.Sprintf("Expected %q (for example %q) or a schedule id; got %q.",
			r.target.Names().ImportForm, r.ImportExample(), id))
	default:
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	}
}

func (r *Resource) ImportExample() string { return r.target.ImportExample() }

// waitOutLag reads again, a poll interval apart, a schedule this provider
// wrote moments ago and did not find: Graph answers a write before every
// replica serves it.
func (r *Resource) waitOutLag(ctx context.Context, key pimclient.AssignmentKey) (*pimclient.Schedule, error) {
	for range shared.SettleReads {
		tflog.Debug(ctx, "Waiting for a PIM schedule written by this provider to become readable", map[string]any{
			"principal_id": key.PrincipalID, "role_definition_id": key.RoleDefinitionID})
		if err := r.data.Clock.Sleep(ctx, r.data.Poll); err != nil {
			return nil, err
		}
		sc, err := r.data.Schedules.Reload(ctx, r.Svc(), key)
		if err != nil || sc != nil {
			return sc, err
		}
	}
	return nil, nil
}

func (r *Resource) warnGone(ctx context.Context, state *Model, diags *diag.Diagnostics) {
	what := fmt.Sprintf("The %s %s no longer exists in PIM: it was removed outside Terraform before its end", r.Noun(), r.DescribeKey(ctx, state))
	if rm := r.removedByReview(ctx, state); rm != nil {
		what = fmt.Sprintf("The %s %s no longer exists in PIM: an access review removed it (%s, %s)", r.Noun(), r.DescribeKey(ctx, state),
			rm.Reason, rm.At.UTC().Format(time.RFC3339))
	}
	tflog.Warn(ctx, what)
	diags.AddWarning(shared.Title(r.Noun())+" No Longer Exists",
		what+". It has been removed from the Terraform state; the next plan proposes to create it again. "+
			"If it should stay removed, delete it from the configuration.")
}

// requestLanded reports whether Graph holds an update request for the key,
// made after sent, that carries the plan's justification and ticket.
// readRequestDetails fills justification and ticket from the newest request
// that assigned or updated the key.
func (r *Resource) readRequestDetails(ctx context.Context, state *Model, sc *pimclient.Schedule, diags *diag.Diagnostics) {
	reqs, err := r.Svc().ListRequests(ctx, r.Svc().KeyFilter(state.key()))
	if err != nil {
		shared.AddGraphError(diags, "Unable to Read "+shared.Title(r.Noun())+" Requests", r.describe(ctx, state, "Listing requests of"), err, "")
		return
	}
	var newest *pimclient.ScheduleRequest
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
		if q.NewerThan(newest) {
			newest = q
		}
	}
	if newest == nil {
		why := "Graph holds no request that assigned it (it was made through another API or by a group's membership)"
		if sc.CreatedDateTime == nil || r.data.Clock.Now().Sub(*sc.CreatedDateTime) > requestRetention {
			why = "Graph no longer holds the request that assigned it (requests are purged after about 45 days)"
		}
		diags.AddWarning("Justification Not Recoverable",
			fmt.Sprintf("Importing the %s %s: %s, so its justification and ticket information could not be imported. Set them in the "+
				"configuration; the next apply records them.", r.Noun(), r.DescribeKey(ctx, state), why))
		return
	}
	state.fromRequest(newest, sc)
}

// fromRequest takes from the request that assigned or last updated the
// schedule what the schedule does not hold: justification, ticket, and
// (ARM's schedules keep an end only) a duration that ends there.
func (m *Model) fromRequest(q *pimclient.ScheduleRequest, sc *pimclient.Schedule) {
	m.Justification = shared.StringOrNull(q.Justification)
	if q.TicketInfo != nil {
		m.TicketNumber, m.TicketSystem = shared.StringOrNull(q.TicketInfo.TicketNumber), shared.StringOrNull(q.TicketInfo.TicketSystem)
	}
	e := q.ScheduleInfo
	if e == nil || e.Expiration == nil || !strings.EqualFold(e.Expiration.Type, pimclient.ExpirationAfterDuration) || sc.ScheduleInfo == nil || !m.Duration.IsNull() {
		return
	}
	if end := sc.EndDateTime(); end != nil && lasts(e.Expiration.Duration, sc.ScheduleInfo.StartDateTime, *end) {
		m.Duration, m.EndDateTime = types.StringValue(e.Expiration.Duration), timetypes.NewRFC3339Null()
	}
}

func (r *Resource) describe(ctx context.Context, m *Model, verb string) string {
	return fmt.Sprintf("%s the %s %s", verb, r.Noun(), r.DescribeKey(ctx, m))
}

// setComputed fills what Graph decides: the schedule id, its status and the
// effective start.
func (m *Model) setComputed(sc *pimclient.Schedule) {
	m.ID = types.StringValue(sc.ID)
	m.Status = types.StringValue(sc.Status)
	m.StartDateTime = resolveStart(m.StartDateTime, sc)
}

// readCondition takes an Azure role's ABAC condition from the schedule:
// a condition changed outside Terraform shows as drift. The version is
// kept as configured when the schedule carries ARM's default.
func (m *Model) readCondition(sc *pimclient.Schedule) {
	configuredWithoutVersion := !m.Condition.IsNull() && m.ConditionVersion.IsNull()
	m.Condition = shared.StringOrNull(sc.Condition)
	if sc.Condition == "" || !configuredWithoutVersion || sc.ConditionVersion != "2.0" {
		m.ConditionVersion = shared.StringOrNull(sc.ConditionVersion)
	}
}

// scheduleFromRequest is the schedule a granted request describes:
// Graph's answer to adminAssign or adminUpdate carries the schedule's id
// (targetScheduleId), status and scheduleInfo.
func scheduleFromRequest(q *pimclient.ScheduleRequest, kind pimclient.Kind) *pimclient.Schedule {
	sc := &pimclient.Schedule{ID: q.TargetScheduleID, PrincipalID: q.PrincipalID, RoleDefinitionID: q.RoleDefinitionID,
		DirectoryScopeID: q.DirectoryScopeID, CreatedUsing: q.ID, CreatedDateTime: q.CreatedDateTime, ModifiedDateTime: q.CompletedDateTime,
		Status: q.Status, MemberType: pimclient.MemberTypeDirect, ScheduleInfo: q.ScheduleInfo}
	if sc.ID == "" {
		sc.ID = q.ID
	}
	if kind == pimclient.Assignment {
		sc.AssignmentType = "Assigned"
	}
	return sc
}

// matches reports whether a schedule ends as the plan says.
func (m *Model) matches(sc *pimclient.Schedule) bool {
	end, dur := expirationFromAPI(m.EndDateTime, m.Duration, sc)
	return end.Equal(m.EndDateTime) && dur.Equal(m.Duration)
}

// changesGraph reports whether plan differs from state in anything Graph holds.
func (m *Model) changesGraph(state *Model) bool {
	return !m.Justification.Equal(state.Justification) || !m.TicketNumber.Equal(state.TicketNumber) ||
		!m.TicketSystem.Equal(state.TicketSystem) || !m.StartDateTime.Equal(state.StartDateTime) ||
		!m.EndDateTime.Equal(state.EndDateTime) || !m.Duration.Equal(state.Duration) ||
		!m.Condition.Equal(state.Condition) || !m.ConditionVersion.Equal(state.ConditionVersion)
}

// knownForRequest reports whether every value a request carries is known
// (an unknown start is the processing time, as a request without one).
func (m *Model) KnownForRequest() bool {
	for _, v := range []interface{ IsUnknown() bool }{m.PrincipalID, m.RoleDefinitionID, m.DirectoryScopeID, m.Justification, m.TicketNumber,
		m.TicketSystem, m.EndDateTime, m.Duration, m.Condition, m.ConditionVersion} {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// toRequest builds a schedule request from the plan.
func (m *Model) ToRequest(action string, withStart bool) (*pimclient.ScheduleRequest, diag.Diagnostics) {
	var diags diag.Diagnostics
	body := &pimclient.ScheduleRequest{
		Action:           action,
		PrincipalID:      m.PrincipalID.ValueString(),
		RoleDefinitionID: m.RoleDefinitionID.ValueString(),
		DirectoryScopeID: m.DirectoryScopeID.ValueString(),
		Justification:    m.Justification.ValueString(),
		ScheduleInfo:     &pimclient.ScheduleInfo{Expiration: &pimclient.Expiration{Type: pimclient.ExpirationNoExpiration}},
	}
	if withStart {
		if start, ok := shared.KnownTime(m.StartDateTime, &diags); ok {
			body.ScheduleInfo.StartDateTime = &start
		}
	}
	if end, ok := shared.KnownTime(m.EndDateTime, &diags); ok {
		body.ScheduleInfo.Expiration = &pimclient.Expiration{Type: pimclient.ExpirationAfterDateTime, EndDateTime: &end}
	} else if !m.Duration.IsNull() && !m.Duration.IsUnknown() {
		body.ScheduleInfo.Expiration = &pimclient.Expiration{Type: pimclient.ExpirationAfterDuration, Duration: m.Duration.ValueString()}
	}
	if !m.TicketNumber.IsNull() || !m.TicketSystem.IsNull() {
		body.TicketInfo = &pimclient.TicketInfo{TicketNumber: m.TicketNumber.ValueString(), TicketSystem: m.TicketSystem.ValueString()}
	}
	body.Condition, body.ConditionVersion = m.Condition.ValueString(), m.ConditionVersion.ValueString()
	return body, diags
}

// resolveStart decides the state's start_date_time. Graph moves a start that
// is omitted or in the past to the processing time; keeping the configured
// value in that case is what avoids a perpetual diff. Any other difference is
// real drift and the server's value wins.
func resolveStart(prior timetypes.RFC3339, sc *pimclient.Schedule) timetypes.RFC3339 {
	if sc.ScheduleInfo == nil || sc.ScheduleInfo.StartDateTime == nil {
		return prior
	}
	server := sc.ScheduleInfo.StartDateTime.UTC()
	if !prior.IsNull() && !prior.IsUnknown() {
		if p, err := time.Parse(time.RFC3339Nano, prior.ValueString()); err == nil {
			if p.Equal(server) {
				return prior
			}
			processed := shared.Latest(sc.CreatedDateTime, sc.ModifiedDateTime)
			if p.Before(server) && !processed.IsZero() && !server.After(processed.Add(time.Minute)) {
				return prior
			}
		}
	}
	return timetypes.NewRFC3339TimeValue(server)
}

// expirationFromAPI maps the schedule's expiration to end_date_time and
// duration, keeping the prior strings when they mean the same instant or
// length (Graph echoes seven fractional digits).
func expirationFromAPI(priorEnd timetypes.RFC3339, priorDuration types.String, sc *pimclient.Schedule) (timetypes.RFC3339, types.String) {
	end, dur := timetypes.NewRFC3339Null(), types.StringNull()
	if sc.ScheduleInfo == nil || sc.ScheduleInfo.Expiration == nil {
		return end, dur
	}
	e := sc.ScheduleInfo.Expiration
	switch {
	case strings.EqualFold(e.Type, pimclient.ExpirationAfterDateTime) && e.EndDateTime != nil:
		if lasts(priorDuration.ValueString(), sc.ScheduleInfo.StartDateTime, *e.EndDateTime) {
			return end, priorDuration // ARM reports an end only: the configured duration, if it ends there, stands
		}
		end = timetypes.NewRFC3339TimeValue(e.EndDateTime.UTC())
		if p, err := time.Parse(time.RFC3339Nano, priorEnd.ValueString()); err == nil && p.Equal(*e.EndDateTime) {
			end = priorEnd
		}
	case strings.EqualFold(e.Type, pimclient.ExpirationAfterDuration) && e.Duration != "":
		dur = types.StringValue(e.Duration)
		if sameDuration(priorDuration.ValueString(), e.Duration) {
			dur = priorDuration
		}
	}
	return end, dur
}

// lasts reports whether duration d, from start, ends at end.
func lasts(d string, start *time.Time, end time.Time) bool {
	if d == "" || start == nil {
		return false
	}
	dur, err := isoduration.Parse(d)
	return err == nil && dur.AddTo(*start).Equal(end)
}

func sameDuration(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	da, errA := isoduration.Parse(a)
	db, errB := isoduration.Parse(b)
	return errA == nil && errB == nil && da == db
}
