package pimclient_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

const secretToken = "s3cr3t-token-value"

func newEmulatorClient(t *testing.T, pageSize int) (*pimclient.Client, *emulator.Server) {
	t.Helper()
	srv, err := emulator.New(emulator.Options{
		Clock:    emulator.NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)),
		Tokens:   map[string]emulator.Identity{secretToken: {PrincipalID: emulator.AdminID, MFA: true}},
		PageSize: pageSize,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	c, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken(secretToken)})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func TestScheduleLifecycleAgainstEmulator(t *testing.T) {
	c, _ := newEmulatorClient(t, 1)
	ctx := context.Background()
	svc := c.Schedules(pimclient.Eligibility)
	end := time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range []string{emulator.AliceID, emulator.BobID, emulator.CarolID} {
		req, err := svc.CreateRequest(ctx, &pimclient.ScheduleRequest{
			Action: pimclient.ActionAdminAssign, PrincipalID: p, RoleDefinitionID: emulator.RoleGlobalReader, DirectoryScopeID: "/",
			Justification: "test",
			ScheduleInfo:  &pimclient.ScheduleInfo{Expiration: &pimclient.Expiration{Type: pimclient.ExpirationAfterDateTime, EndDateTime: &end}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if req.Status != pimclient.StatusProvisioned || req.TargetScheduleID != req.ID {
			t.Errorf("request %+v", req)
		}
	}
	// Page size 1: three pages through @odata.nextLink.
	all, err := svc.ListSchedules(ctx, pimclient.Filter{}.Eq("roleDefinitionId", emulator.RoleGlobalReader))
	if err != nil || len(all) != 3 {
		t.Fatalf("ListSchedules: %d schedules, err %v", len(all), err)
	}
	key := pimclient.AssignmentKey{PrincipalID: emulator.BobID, RoleDefinitionID: emulator.RoleGlobalReader, DirectoryScopeID: "/"}
	sc, err := svc.FindDirectSchedule(ctx, key)
	if err != nil || sc == nil {
		t.Fatalf("FindDirectSchedule: %v %v", sc, err)
	}
	if got := sc.EndDateTime(); got == nil || !got.Equal(end) {
		t.Errorf("EndDateTime = %v, want %v", got, end)
	}
	_, err = svc.CreateRequest(ctx, &pimclient.ScheduleRequest{Action: pimclient.ActionAdminAssign, PrincipalID: emulator.BobID,
		RoleDefinitionID: emulator.RoleGlobalReader, DirectoryScopeID: "/"})
	if !pimclient.HasCode(err, pimclient.CodeRoleAssignmentExists) {
		t.Fatalf("duplicate assign: %v", err)
	}
	apiErr, _ := pimclient.AsAPIError(err)
	if apiErr.StatusCode != 400 || apiErr.RequestID == "" || apiErr.ClientRequestID == "" || apiErr.Message != "The Role assignment already exists." {
		t.Errorf("APIError %+v", apiErr)
	}
	if _, err := svc.GetSchedule(ctx, "no-such-schedule"); !pimclient.IsNotFound(err) {
		t.Errorf("GetSchedule of unknown id: %v, want not found", err)
	}
	roles, err := c.ListRoleDefinitions(ctx, pimclient.Filter{}.Eq("displayName", "Privileged Role Administrator"))
	if err != nil || len(roles) != 1 || roles[0].ID != emulator.RolePrivilegedRoleAdministrator {
		t.Errorf("role lookup: %+v %v", roles, err)
	}
}

func TestFilterQuotesAreEscaped(t *testing.T) {
	f := pimclient.Filter{}.Eq("displayName", "O'Brien's role").Eq("skipped", "")
	if got, want := f.String(), "displayName eq 'O''Brien''s role'"; got != want {
		t.Errorf("Filter = %q, want %q", got, want)
	}
}

// scripted answers each call with the next status; it counts calls.
func scripted(t *testing.T, statuses ...int) (*pimclient.Client, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		status := statuses[min(n, len(statuses)-1)]
		w.Header().Set("request-id", "rid-123")
		if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(status)
		if status >= 400 {
			_, _ = w.Write([]byte(`{"error":{"code":"E` + http.StatusText(status)[:3] + `","message":"scripted failure","innerError":{"request-id":"rid-123"}}}`))
			return
		}
		_, _ = w.Write([]byte(`{"value":[]}`))
	}))
	t.Cleanup(hs.Close)
	c, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken(secretToken),
		RetryMax: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, &calls
}

func TestRetryPolicy(t *testing.T) {
	ctx := context.Background()
	post := &pimclient.ScheduleRequest{Action: pimclient.ActionAdminAssign, PrincipalID: "p", RoleDefinitionID: "r", DirectoryScopeID: "/"}
	t.Run("GET retries 503 and 429", func(t *testing.T) {
		c, calls := scripted(t, 503, 429, 200)
		if _, err := c.Schedules(pimclient.Eligibility).ListSchedules(ctx, pimclient.Filter{}); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 3 {
			t.Errorf("%d calls, want 3", calls.Load())
		}
	})
	t.Run("POST is not retried on 500", func(t *testing.T) {
		c, calls := scripted(t, 500, 201)
		_, err := c.Schedules(pimclient.Assignment).CreateRequest(ctx, post)
		apiErr, ok := pimclient.AsAPIError(err)
		if !ok || apiErr.StatusCode != 500 || apiErr.RequestID != "rid-123" {
			t.Fatalf("err = %v", err)
		}
		if calls.Load() != 1 {
			t.Errorf("%d calls, want 1: a 5xx after a POST may mean accepted", calls.Load())
		}
	})
	t.Run("POST is retried on 429", func(t *testing.T) {
		c, calls := scripted(t, 429, 201)
		if _, err := c.Schedules(pimclient.Assignment).CreateRequest(ctx, post); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 2 {
			t.Errorf("%d calls, want 2", calls.Load())
		}
	})
	t.Run("GET gives up with Graph's error", func(t *testing.T) {
		c, calls := scripted(t, 503)
		_, err := c.Schedules(pimclient.Eligibility).ListSchedules(ctx, pimclient.Filter{})
		if apiErr, ok := pimclient.AsAPIError(err); !ok || apiErr.StatusCode != 503 || apiErr.Message != "scripted failure" {
			t.Fatalf("err = %v", err)
		}
		if calls.Load() != 4 {
			t.Errorf("%d calls, want 1 + 3 retries", calls.Load())
		}
	})
}

func TestTokenNeverLoggedOrInErrors(t *testing.T) {
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	c, calls := scripted(t, 403)
	_, err := c.Schedules(pimclient.Eligibility).ListSchedules(ctx, pimclient.Filter{}.Eq("principalId", "x"))
	if err == nil || calls.Load() != 1 {
		t.Fatalf("err %v calls %d", err, calls.Load())
	}
	if !strings.Contains(logs.String(), "Sending Graph request") {
		t.Fatalf("expected debug logs, got %q", logs.String())
	}
	for what, text := range map[string]string{"logs": logs.String(), "error": err.Error()} {
		if strings.Contains(text, secretToken) {
			t.Errorf("%s contain the access token: %s", what, text)
		}
	}
	if strings.Contains(err.Error(), "principalId") {
		t.Errorf("error text carries the query string: %s", err)
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	if _, err := pimclient.New(pimclient.Options{BaseURL: "graph.microsoft.com", TokenSource: pimclient.StaticToken("x")}); err == nil {
		t.Error("relative base URL accepted")
	}
	if _, err := pimclient.New(pimclient.Options{}); err == nil {
		t.Error("missing token source accepted")
	}
}

// Two filters built from one three-clause base stay independent (appending
// to a shared backing array used to overwrite the first one's last clause).
func TestFiltersFromOneBaseAreIndependent(t *testing.T) {
	base := pimclient.Filter{}.Eq("a", "1").Eq("b", "2").Eq("c", "3")
	x := base.Eq("d", "x")
	y := base.Eq("d", "y")
	if x.String() != "a eq '1' and b eq '2' and c eq '3' and d eq 'x'" || y.String() != "a eq '1' and b eq '2' and c eq '3' and d eq 'y'" {
		t.Errorf("derived filters corrupt each other:\n x = %s\n y = %s", x, y)
	}
	if base.String() != "a eq '1' and b eq '2' and c eq '3'" {
		t.Errorf("the base changed: %s", base)
	}
}
