package assignments

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-timetypes/timetypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/settings"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// Terraform refreshes before destroy, so acceptance tests cannot reach a
// Delete of an assignment that is already gone (removed between refresh and
// apply, or expired meanwhile). This calls Delete directly.
func TestDeleteOfMissingAssignmentSucceeds(t *testing.T) {
	for _, newRes := range []func() resource.Resource{NewEligibleAssignmentResource, NewActiveAssignmentResource} {
		r := newRes().(*Resource)
		t.Run(r.typeName, func(t *testing.T) {
			state, _ := deletable(t, r, 0)
			resp := resource.DeleteResponse{State: state}
			r.Delete(context.Background(), resource.DeleteRequest{State: state}, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("Delete of a missing assignment failed: %v", resp.Diagnostics)
			}
		})
	}
}

// A delete whose answer was lost counts as done only when Graph holds this
// delete's request: a schedule made moments ago is missing from a lagging
// replica although it exists, and taking that for "gone" leaves an orphan.
func TestLostDeleteOfALaggingScheduleIsSentAgain(t *testing.T) {
	r := NewEligibleAssignmentResource().(*Resource)
	state, srv := deletable(t, r, 3)
	ctx := context.Background()
	_, err := r.Svc().CreateRequest(ctx, &pimclient.ScheduleRequest{Action: pimclient.ActionAdminAssign, PrincipalID: emulator.AliceID,
		RoleDefinitionID: emulator.RoleGlobalReader, DirectoryScopeID: "/", Justification: "made moments ago",
		ScheduleInfo: &pimclient.ScheduleInfo{Expiration: &pimclient.Expiration{Type: "noExpiration"}}})
	if err != nil {
		t.Fatal(err)
	}
	rule := &emulator.FaultRule{Status: 503, Count: 1}
	rule.Match.Method, rule.Match.Path = "POST", "/v1.0/roleManagement/directory/roleEligibilityScheduleRequests"
	if err := srv.SetFaults(emulator.FaultConfig{Rules: []*emulator.FaultRule{rule}}); err != nil {
		t.Fatal(err)
	}
	resp := resource.DeleteResponse{State: state}
	r.Delete(ctx, resource.DeleteRequest{State: state}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	if rule.Hits != 1 {
		t.Fatalf("the fault fired %d times, want 1", rule.Hits)
	}
	for _, sc := range srv.Schedules(emulator.Eligible) {
		if sc.PrincipalID == emulator.AliceID {
			t.Fatalf("the eligibility is still there after destroy (%s): a lagging read was taken for its removal", sc.ID)
		}
	}
}

// deletable gives r a provider on a private emulator (whose new schedules
// the next lag reads miss) and the state of Alice's Global Reader
// assignment as r would hold it.
func deletable(t *testing.T, r *Resource, lag int) (tfsdk.State, *emulator.Server) {
	t.Helper()
	ctx := context.Background()
	clock := emulator.NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	srv, err := emulator.New(emulator.Options{Clock: clock, ReadLag: lag, Tokens: map[string]emulator.Identity{"t": {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	client, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken("t")})
	if err != nil {
		t.Fatal(err)
	}
	r.data = &shared.ProviderData{Client: client, Clock: clock, Poll: time.Second, Policies: shared.NewPolicyCache(settings.FetchLimits, settings.FetchRoleLimits), Schedules: shared.NewScheduleCache(client, nil), Names: shared.NewDirectoryNames(client)}

	var sch resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sch)
	state := tfsdk.State{Schema: sch.Schema}
	diags := state.Set(ctx, &Model{
		RoleDefinitionID: types.StringValue(emulator.RoleGlobalReader), DirectoryScopeID: types.StringValue("/"),
		ScheduleFields: ScheduleFields{ID: types.StringValue("gone"), PrincipalID: types.StringValue(emulator.AliceID),
			Justification: types.StringNull(), TicketNumber: types.StringNull(), TicketSystem: types.StringNull(),
			StartDateTime: timetypes.NewRFC3339Null(), EndDateTime: timetypes.NewRFC3339Null(), Duration: types.StringNull(),
			Status: types.StringValue("Provisioned"),
			Timeouts: timeouts.Value{Object: types.ObjectNull(map[string]attr.Type{
				"create": types.StringType, "update": types.StringType, "delete": types.StringType,
			})},
		},
	})
	if diags.HasError() {
		t.Fatal(diags)
	}
	return state, srv
}

// An Azure role's ABAC condition is read from the schedule: changed outside
// Terraform it shows as drift; ARM's default version 2.0 does not show as a
// change when the configuration sets a condition without a version, but
// does on import (no prior condition), so the import plans empty against a
// configuration that names it.
func TestReadCondition(t *testing.T) {
	sc := func(cond, ver string) *pimclient.Schedule {
		return &pimclient.Schedule{Condition: cond, ConditionVersion: ver}
	}
	for _, c := range []struct {
		name                string
		priorCond, priorVer types.String
		sc                  *pimclient.Schedule
		wantCond, wantVer   types.String
	}{
		{"configured without a version", types.StringValue("a"), types.StringNull(), sc("a", "2.0"), types.StringValue("a"), types.StringNull()},
		{"configured with a version", types.StringValue("a"), types.StringValue("2.0"), sc("a", "2.0"), types.StringValue("a"), types.StringValue("2.0")},
		{"imported", types.StringNull(), types.StringNull(), sc("a", "2.0"), types.StringValue("a"), types.StringValue("2.0")},
		{"changed outside Terraform", types.StringValue("a"), types.StringNull(), sc("b", "2.0"), types.StringValue("b"), types.StringNull()},
		{"removed outside Terraform", types.StringValue("a"), types.StringValue("2.0"), sc("", ""), types.StringNull(), types.StringNull()},
	} {
		m := Model{Condition: c.priorCond, ConditionVersion: c.priorVer}
		m.readCondition(c.sc)
		if !m.Condition.Equal(c.wantCond) || !m.ConditionVersion.Equal(c.wantVer) {
			t.Errorf("%s: %v %v, want %v %v", c.name, m.Condition, m.ConditionVersion, c.wantCond, c.wantVer)
		}
	}
}
