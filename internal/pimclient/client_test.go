package pimclient_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
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

// fakeSleeper records waits instead of sleeping.
type fakeSleeper struct {
	mu     sync.Mutex
	waits  []time.Duration
	cancel func()
	after  int
}

func (f *fakeSleeper) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waits = append(f.waits, d)
	if f.cancel != nil && len(f.waits) >= f.after {
		f.cancel()
	}
	return ctx.Err()
}

func throttling(t *testing.T, retryAfter string, statuses ...int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		status := statuses[min(n, len(statuses)-1)]
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", retryAfter)
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":{"code":"TooManyRequests","message":"slow down"}}`))
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"value":[]}`))
	}))
	t.Cleanup(hs.Close)
	return hs, &calls
}

// Retry-After is waited out on the injected clock, to the second.
func TestRetryAfterIsHonoured(t *testing.T) {
	hs, calls := throttling(t, "7", 429, 429, 200)
	sleeper := &fakeSleeper{}
	c, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken("t"), Sleeper: sleeper})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Schedules(pimclient.Eligibility).ListSchedules(t.Context(), pimclient.Filter{}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 3 || len(sleeper.waits) != 2 || sleeper.waits[0] != 7*time.Second || sleeper.waits[1] != 7*time.Second {
		t.Errorf("%d calls, waits %v: want 3 calls and two waits of 7s", calls.Load(), sleeper.waits)
	}
}

// A throttled call is retried for as long as its context lasts, POSTs too
// (Graph has not processed a throttled call), far beyond RetryMax.
func TestThrottlingIsRiddenOutUntilTheDeadline(t *testing.T) {
	hs, calls := throttling(t, "1", 429)
	ctx, cancel := context.WithCancel(t.Context())
	sleeper := &fakeSleeper{cancel: cancel, after: 20}
	c, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken("t"), Sleeper: sleeper, RetryMax: 2})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Schedules(pimclient.Assignment).CreateRequest(ctx, &pimclient.ScheduleRequest{Action: "adminAssign"})
	if calls.Load() != 20 || !errors.Is(err, context.Canceled) {
		t.Errorf("%d calls, err %v: want retries until the context ended (20 calls)", calls.Load(), err)
	}
}

// A POST whose connection could not even be opened is retried: nothing was sent.
func TestPostIsRetriedAfterADialError(t *testing.T) {
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens: every dial fails
	var dials atomic.Int32
	transport := &http.Transport{DialContext: func(ctx context.Context, network, a string) (net.Conn, error) {
		dials.Add(1)
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	c, err := pimclient.New(pimclient.Options{BaseURL: "http://" + addr + "/v1.0", TokenSource: pimclient.StaticToken("t"),
		HTTPClient: &http.Client{Transport: transport}, RetryMax: 2, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Schedules(pimclient.Assignment).CreateRequest(t.Context(), &pimclient.ScheduleRequest{Action: "adminAssign"})
	if dials.Load() != 3 || pimclient.Ambiguous(err) {
		t.Errorf("%d dials (want 3: retried), ambiguous %v (want false: nothing was sent): %v", dials.Load(), pimclient.Ambiguous(err), err)
	}
}

// A 5xx after a POST, or a connection cut after sending, is ambiguous: the
// write may have happened. Such POSTs are not retried blindly.
func TestAmbiguousOutcomes(t *testing.T) {
	c, calls := scripted(t, 503, 201)
	_, err := c.Schedules(pimclient.Assignment).CreateRequest(t.Context(), &pimclient.ScheduleRequest{Action: "adminAssign"})
	if calls.Load() != 1 || !pimclient.Ambiguous(err) || pimclient.Retried(err) {
		t.Errorf("503 after POST: %d calls, ambiguous %v, retried %v", calls.Load(), pimclient.Ambiguous(err), pimclient.Retried(err))
	}
	c, _ = scripted(t, 400)
	_, err = c.Schedules(pimclient.Assignment).CreateRequest(t.Context(), &pimclient.ScheduleRequest{Action: "adminAssign"})
	if pimclient.Ambiguous(err) {
		t.Errorf("a 400 is not ambiguous: %v", err)
	}
}

// At most MaxConcurrency calls are in flight at once.
func TestConcurrencyIsCapped(t *testing.T) {
	var inflight, peak atomic.Int32
	arrived, release := make(chan struct{}, 10), make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inflight.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		arrived <- struct{}{}
		<-release
		inflight.Add(-1)
		_, _ = w.Write([]byte(`{"value":[]}`))
	}))
	defer hs.Close()
	c, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken("t"), MaxConcurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() { _, _ = c.Schedules(pimclient.Eligibility).ListSchedules(t.Context(), pimclient.Filter{}) })
	}
	<-arrived
	<-arrived // two in flight: a third must wait for a slot
	for range 3 {
		release <- struct{}{}
		<-arrived
	}
	release <- struct{}{}
	release <- struct{}{}
	wg.Wait()
	if peak.Load() != 2 {
		t.Errorf("peak of %d calls in flight, want 2", peak.Load())
	}
}

// loggingTokens logs the token it hands out under the key a careless token
// source or transport would use.
type loggingTokens struct{}

func (loggingTokens) Token(ctx context.Context) (string, error) {
	tflog.Debug(ctx, "issued token", map[string]any{"authorization": "Bearer " + secretToken, "access_token": secretToken})
	return secretToken, nil
}

// Whatever is logged with a Graph call's context under authorization,
// access_token, client_secret or client_assertion is masked.
func TestCredentialFieldsAreMaskedInCallLogs(t *testing.T) {
	var logs bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &logs)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"value":[]}`)) }))
	defer hs.Close()
	c, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: loggingTokens{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Schedules(pimclient.Eligibility).ListSchedules(ctx, pimclient.Filter{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "issued token") || strings.Contains(logs.String(), secretToken) {
		t.Fatalf("logs must carry the line with the token masked: %s", logs.String())
	}
}

// A nextLink (or any absolute URL) on another host or scheme is refused
// with a clear error: the access token never leaves the configured endpoint.
func TestForeignNextLinkIsRefused(t *testing.T) {
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Add(1)
		_, _ = w.Write([]byte(`{"value":[]}`))
	}))
	defer other.Close()
	for _, link := range []string{other.URL + "/v1.0/roleManagement/directory/roleDefinitions", "ftp://graph.example/x"} {
		graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"value":[],"@odata.nextLink":"` + link + `"}`))
		}))
		c, err := pimclient.New(pimclient.Options{BaseURL: graph.URL + "/v1.0", TokenSource: pimclient.StaticToken(secretToken)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.ListRoleDefinitions(context.Background(), pimclient.Filter{})
		graph.Close()
		if err == nil || !strings.Contains(err.Error(), "not on the configured Graph endpoint") || strings.Contains(err.Error(), secretToken) {
			t.Errorf("nextLink %s: err %v", link, err)
		}
	}
	if n := leaked.Load(); n != 0 {
		t.Errorf("%d requests reached the other host", n)
	}
}

// getByIds only reads: a 503 or a cut connection on it is retried like a
// GET (a re-plan at apply must not fail on one lost lookup), while a POST
// that writes is not.
func TestGetByIDsIsRetriedLikeARead(t *testing.T) {
	for _, rule := range []*emulator.FaultRule{{Status: 503, Count: 1}, {ResetConnection: true, Count: 1}} {
		_, srv := newEmulatorClient(t, 100)
		hs := httptest.NewServer(srv)
		c, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken(secretToken), Sleeper: &fakeSleeper{},
			RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		rule.Match.Path = "/v1.0/directoryObjects/getByIds"
		if err := srv.SetFaults(emulator.FaultConfig{Rules: []*emulator.FaultRule{rule}}); err != nil {
			t.Fatal(err)
		}
		objs, err := c.GetByIDs(context.Background(), []string{emulator.AliceID})
		hs.Close()
		if err != nil || len(objs) != 1 {
			t.Errorf("fault %+v: %v %v", rule, objs, err)
		}
	}
}

// The newest request is the latest dated one; an undated one is never
// preferred to a dated one, whichever comes first.
func TestNewestRequest(t *testing.T) {
	at := func(h int) *time.Time { v := time.Date(2030, 1, 1, h, 0, 0, 0, time.UTC); return &v }
	dated, later, undated := &pimclient.ScheduleRequest{CreatedDateTime: at(9)}, &pimclient.ScheduleRequest{CreatedDateTime: at(10)}, &pimclient.ScheduleRequest{}
	for _, c := range []struct {
		q, prev *pimclient.ScheduleRequest
		want    bool
	}{
		{dated, nil, true}, {undated, nil, true}, {later, dated, true}, {dated, later, false},
		{dated, dated, true}, {undated, dated, false}, {dated, undated, true},
	} {
		if got := c.q.NewerThan(c.prev); got != c.want {
			t.Errorf("%v newer than %v = %v, want %v", c.q.CreatedDateTime, c.prev, got, c.want)
		}
	}
}
