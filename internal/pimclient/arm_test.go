package pimclient_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

const (
	armSub = "/subscriptions/" + emulator.DemoSubscriptionID
	armRG  = armSub + "/resourceGroups/rg-app"
)

func newARMClient(t *testing.T) *pimclient.Client {
	t.Helper()
	srv, err := emulator.New(emulator.Options{
		Clock:    emulator.NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)),
		Tokens:   map[string]emulator.Identity{secretToken: {PrincipalID: emulator.AdminID, MFA: true}},
		PageSize: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	c, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken(secretToken),
		ARMBaseURL: hs.URL, ARMTokenSource: pimclient.StaticToken(secretToken)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAzureRoleScheduleLifecycle(t *testing.T) {
	c := newARMClient(t)
	ctx := context.Background()
	svc := c.AzureSchedules(pimclient.Eligibility)
	roles, err := c.ListAzureRoleDefinitions(ctx, armRG, "Contributor")
	if err != nil || len(roles) != 1 {
		t.Fatalf("Contributor by name: %v %v", roles, err)
	}
	var keys []pimclient.AssignmentKey
	for _, p := range []string{emulator.AliceID, emulator.BobID} {
		k := pimclient.AssignmentKey{PrincipalID: p, RoleDefinitionID: roles[0].ID, DirectoryScopeID: armRG}
		keys = append(keys, k)
		body := &pimclient.ScheduleRequest{Action: pimclient.ActionAdminAssign, PrincipalID: p, RoleDefinitionID: k.RoleDefinitionID, DirectoryScopeID: armRG,
			Justification: "on call", ScheduleInfo: &pimclient.ScheduleInfo{Expiration: &pimclient.Expiration{Type: pimclient.ExpirationAfterDuration, Duration: "P30D"}}}
		req, err := svc.CreateRequest(ctx, body)
		if err != nil {
			t.Fatal(err)
		}
		if req.ID != body.ID || req.Status != pimclient.StatusProvisioned || req.Action != pimclient.ActionAdminAssign {
			t.Fatalf("the request is named before sending, and read back in Graph's spelling: %+v (sent %s)", req, body.ID)
		}
		// The same body again is the same name: ARM refuses it rather than granting twice.
		if _, err := svc.CreateRequest(ctx, body); !pimclient.HasCode(err, "RoleAssignmentRequestExists") {
			t.Fatalf("second send of one request: %v", err)
		}
	}
	// Paged (one per page), and matched to the key (ARM filters by principal only).
	sc, err := svc.FindDirectSchedule(ctx, keys[1])
	if err != nil || sc == nil || !strings.EqualFold(sc.PrincipalID, emulator.BobID) || sc.EndDateTime() == nil {
		t.Fatalf("Bob's schedule: %+v %v", sc, err)
	}
	all, err := svc.ListScopeDirectSchedules(ctx, armRG)
	if err != nil || len(all) != 2 {
		t.Fatalf("the resource group's schedules: %d %v", len(all), err)
	}
	reqs, err := svc.ListRequests(ctx, svc.KeyFilter(keys[0]))
	if err != nil || len(reqs) != 1 || reqs[0].Justification != "on call" {
		t.Fatalf("Alice's requests: %+v %v", reqs, err)
	}
}

func TestAzurePutIsNotSentTwiceBlindly(t *testing.T) {
	var calls atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("x-ms-request-id", "arm-rid")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"error":{"code":"InternalServerError","message":"scripted"}}`))
	}))
	t.Cleanup(hs.Close)
	c, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken(secretToken),
		ARMBaseURL: hs.URL, ARMTokenSource: pimclient.StaticToken(secretToken), RetryMax: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AzureSchedules(pimclient.Assignment).CreateRequest(context.Background(), &pimclient.ScheduleRequest{Action: pimclient.ActionAdminAssign,
		PrincipalID: emulator.AliceID, RoleDefinitionID: armSub + "/providers/Microsoft.Authorization/roleDefinitions/" + emulator.AzureReader, DirectoryScopeID: armSub})
	apiErr, ok := pimclient.AsAPIError(err)
	if !ok || apiErr.RequestID != "arm-rid" || calls.Load() != 1 {
		t.Fatalf("a PUT answered 500 is resolved by reading, not sent again: %d calls, %v", calls.Load(), err)
	}
	// Reads of ARM are retried.
	calls.Store(0)
	_, _ = c.AzureSchedules(pimclient.Assignment).ListScopeDirectSchedules(context.Background(), armSub)
	if calls.Load() != 4 {
		t.Fatalf("a read is retried: %d calls, want 4", calls.Load())
	}
}

func TestAzureCallsNeedARMCredentials(t *testing.T) {
	c, err := pimclient.New(pimclient.Options{BaseURL: "https://graph.microsoft.com/v1.0", TokenSource: pimclient.StaticToken(secretToken)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AzureSchedules(pimclient.Eligibility).ListScopeDirectSchedules(context.Background(), armSub)
	if err == nil || !strings.Contains(err.Error(), "no Azure Resource Manager credentials") {
		t.Fatalf("err = %v", err)
	}
}
