// Package acctest is the test harness: it starts a private emulator per test
// (on httptest, with a fake clock) and offers the checks the tests share. It
// does not import the provider package, so provider tests can import it.
package acctest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// Token is the seeded admin's bearer token in every test emulator.
const Token = "acctest-admin-token"

// Epoch is where every test emulator's clock starts; fixed so configurations
// can name absolute times.
var Epoch = time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)

// Env is one test's private emulator.
type Env struct {
	Emulator *emulator.Server
	Clock    *emulator.FakeClock
	URL      string // Graph base URL including /v1.0
	DataFile string
	// HTTPClient trusts the emulator's certificate when it serves TLS; nil otherwise.
	HTTPClient *http.Client
}

// Option changes the emulator options of an Env.
type Option func(*emulator.Options)

// ControlToken authorises the control API of every test emulator.
const ControlToken = "acctest-control"

// WithPageSize sets the emulator's page size (default 2, so that every list
// exercises @odata.nextLink).
func WithPageSize(n int) Option { return func(o *emulator.Options) { o.PageSize = n } }

// WithReadLag makes new schedules invisible to the next n reads.
func WithReadLag(n int) Option { return func(o *emulator.Options) { o.ReadLag = n } }

// WithAppSecret enables client-secret sign-in for the seeded app
// registration (emulator.AppClientID) and serves the emulator over TLS, as
// the Microsoft identity platform client requires https.
func WithAppSecret(secret string) Option { return func(o *emulator.Options) { o.AppSecret = secret } }

// WithAppCertificate registers a certificate (PEM) on the seeded app
// registration; served over TLS like WithAppSecret.
func WithAppCertificate(certPEM []byte) Option {
	return func(o *emulator.Options) { o.AppCertificate = certPEM }
}

// WithFederation trusts the emulator's OIDC issuer for subject on the seeded
// app registration; served over TLS like WithAppSecret.
func WithFederation(subject string) Option {
	return func(o *emulator.Options) { o.FederatedSubject = subject }
}

// WithClock replaces the fake clock (sign-in tests need real time, as the
// identity libraries check token lifetimes against it).
func WithClock(c emulator.Clock) Option { return func(o *emulator.Options) { o.Clock = c } }

// WithSeedFile starts the emulator with the tenant of a seed file instead of
// the demo tenant; Token is then the token of the seed's admin.
func WithSeedFile(t testing.TB, path string) Option {
	t.Helper()
	seed, err := emulator.LoadSeed(path)
	if err != nil {
		t.Fatal(err)
	}
	return func(o *emulator.Options) {
		o.Seed, o.Tokens, o.AdminToken = seed, nil, Token
	}
}

// NewEnv starts an emulator for t and stops it when t ends.
func NewEnv(t testing.TB, opts ...Option) *Env {
	t.Helper()
	clock := emulator.NewFakeClock(Epoch)
	dataFile := filepath.Join(t.TempDir(), "state.json")
	o := emulator.Options{
		Clock:    clock,
		DataFile: dataFile,
		Tokens: map[string]emulator.Identity{
			Token:                       {PrincipalID: emulator.AdminID}, // no MFA claim: like an app-only token
			UserToken(emulator.AliceID): {PrincipalID: emulator.AliceID, MFA: true},
			UserToken(emulator.BobID):   {PrincipalID: emulator.BobID, MFA: true},
			UserToken(emulator.CarolID): {PrincipalID: emulator.CarolID, MFA: true},
			UserToken(emulator.DaveID):  {PrincipalID: emulator.DaveID, MFA: true},
		},
		PageSize:     2, // small pages so every list call exercises @odata.nextLink
		ControlToken: ControlToken,
	}
	for _, opt := range opts {
		opt(&o)
	}
	srv, err := emulator.New(o)
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	env := &Env{Emulator: srv, Clock: clock, DataFile: dataFile}
	var hs *httptest.Server
	if o.AppSecret != "" || len(o.AppCertificate) > 0 || o.FederatedSubject != "" {
		hs = httptest.NewTLSServer(srv)
		env.HTTPClient = hs.Client()
	} else {
		hs = httptest.NewServer(srv)
	}
	t.Cleanup(hs.Close)
	env.URL = hs.URL + "/v1.0"
	return env
}

// ProviderBlock is the provider configuration for this environment. Tests
// also get the endpoint through provider options; the block keeps configs
// self-describing when a test prints them.
func (e *Env) ProviderBlock() string {
	return fmt.Sprintf("provider \"pim\" {\n  endpoint = %q\n}\n", e.URL)
}

// UserToken is the bearer token of a seeded user (signed in with MFA).
func UserToken(principalID string) string { return "acctest-user-" + principalID }

// Call sends a Graph call to the emulator as the holder of token and fails
// the test unless the answer has the wanted status. It returns the JSON body.
func (e *Env) Call(t testing.TB, method, path, token string, body any, wantStatus int) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, strings.TrimSuffix(e.URL, "/v1.0")+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	client := http.DefaultClient
	if e.HTTPClient != nil {
		client = e.HTTPClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: HTTP %d, want %d: %s", method, path, resp.StatusCode, wantStatus, data)
	}
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return out
}

// MakeEligible gives principal an eligibility for role, outside Terraform.
func (e *Env) MakeEligible(t testing.TB, principalID, roleID string) {
	t.Helper()
	e.Call(t, "POST", "/v1.0/roleManagement/directory/roleEligibilityScheduleRequests", Token, map[string]any{
		"action": "adminAssign", "principalId": principalID, "roleDefinitionId": roleID, "directoryScopeId": "/", "justification": "set up by the test",
	}, http.StatusCreated)
}

// Activate activates principal's eligibility for role as that user.
func (e *Env) Activate(t testing.TB, principalID, roleID, duration, justification string) map[string]any {
	t.Helper()
	return e.Call(t, "POST", "/v1.0/roleManagement/directory/roleAssignmentScheduleRequests", UserToken(principalID), map[string]any{
		"action": "selfActivate", "principalId": principalID, "roleDefinitionId": roleID, "directoryScopeId": "/", "justification": justification,
		"scheduleInfo": map[string]any{"expiration": map[string]any{"type": "afterDuration", "duration": duration}},
	}, http.StatusCreated)
}

// CheckGone returns a CheckDestroy that fails when any schedule of the given
// kind remains for the principal and role.
func (e *Env) CheckGone(k emulator.Kind, principalID, roleID string) func(*terraform.State) error {
	return func(*terraform.State) error {
		if sc, ok := e.Emulator.FindSchedule(k, principalID, roleID, "/"); ok {
			return fmt.Errorf("schedule %s of %s for role %s still exists after destroy", sc.ID, principalID, roleID)
		}
		return nil
	}
}

// Control calls the emulator's control API (/_emulator/path) and fails the
// test unless the answer has the wanted status. It returns the JSON body.
func (e *Env) Control(t testing.TB, method, path, body string, wantStatus int) map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, strings.TrimSuffix(e.URL, "/v1.0")+"/_emulator/"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+ControlToken)
	client := http.DefaultClient
	if e.HTTPClient != nil {
		client = e.HTTPClient
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s /_emulator/%s: HTTP %d, want %d: %s", method, path, resp.StatusCode, wantStatus, data)
	}
	var out map[string]any
	_ = json.Unmarshal(data, &out)
	return out
}

// RouteCount is how many calls of a route ("GET /v1.0/roleManagement/…")
// the emulator has served since the counts were last reset.
func (e *Env) RouteCount(t testing.TB, route string) int {
	t.Helper()
	byRoute, _ := e.Control(t, "GET", "requests", "", http.StatusOK)["by_route"].(map[string]any)
	n, _ := byRoute[route].(float64)
	return int(n)
}
