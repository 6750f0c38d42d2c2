// Package emulator is a local, stateful, Graph-compatible service for
// Privileged Identity Management of Microsoft Entra directory roles and
// PIM for Groups.
//
// It is part of the product, not a test double: it enforces PIM's rules
// (duplicate assignments, the role settings' expiration, enablement and
// approval rules, the five-minute minimum active duration, expiry, the
// 45-day purge of requests), Graph's authorization (who may read and write
// what), and answers in Graph's documented shapes, so `terraform plan`
// against it means what it would mean against Microsoft Entra. Where the
// Microsoft Learn reference is silent the choice is marked "guess:" in a
// comment and listed in docs/guides/emulator-differences.md.
//
// This package only assembles one package per area (DESIGN.md draws them):
// core (state, time, persistence, the shared model), tenant (the
// directory's model), wire (routing, Graph's envelopes, bodies), identity,
// directory, pim, policy, audit and control. Imports run one way: core and
// tenant <- wire <- areas <- this package.
package emulator

import (
	"time"

	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/alerts"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/arm"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/audit"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/control"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/directory"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/identity"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/pim"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/policy"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/rbac"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/reviews"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

type Options struct {
	// Clock defaults to RealClock. POST /_emulator/clock needs an Advancer.
	Clock Clock
	// DataFile, when set, makes state survive restarts (a snapshot plus a
	// journal of changes beside it).
	DataFile string
	// Tokens maps bearer tokens to identities. When empty, AdminToken (or a
	// random token) is issued for the seeded admin.
	Tokens map[string]Identity
	// AdminToken is the token of the seeded admin when Tokens is empty.
	AdminToken string
	// ControlToken authorises /_emulator/ calls (random when empty). It is
	// separate from Graph tokens: no Graph caller can move the clock.
	ControlToken string
	// PageSize bounds collection pages; further pages use @odata.nextLink.
	PageSize int
	// Seed is the tenant to start with (DefaultSeed when nil).
	Seed *Seed
	// ReadLag reproduces replication lag: a schedule created or updated by
	// a request is left out of the next ReadLag schedule reads.
	ReadLag int
	// AppSecret is the client secret of the seeded app registration
	// (AppClientID); empty disables client-secret sign-in.
	AppSecret string
	// FederatedSubject is the subject of the app's federated identity
	// credential; empty disables federated sign-in.
	FederatedSubject string
	// FederatedIssuer is the issuer of that federated credential (default
	// OIDCIssuer: the emulator's own, whose tokens it signs and verifies).
	FederatedIssuer string
	// AppCertificate is a PEM certificate registered on the seeded app
	// registration: client assertions signed with its key sign in.
	AppCertificate []byte
	// UserTokens issues a random token (with MFA) for each of the first
	// twenty users besides the admin; POST /_emulator/tokens makes more.
	UserTokens bool
	// Logger receives a line per recovered panic and failed persistence.
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies, compressed and decompressed
	// (default 4 MiB, Graph's limit).
	MaxBodyBytes int64
	// CompactEvery is how many journal records trigger a new snapshot.
	CompactEvery int
}

// Server is the emulator: an http.Handler.
type Server struct {
	opts  Options
	seed  *directory.Built
	dir   *tenant.Directory
	st    *core.State
	ident *identity.Service
	ctl   *control.API
	pim   *pim.Engine
	arm   *arm.Area
	// routes are every area's Graph operations: one hop from a path to the
	// code behind it.
	routes *wire.Router
	// adminToken is the seed admin's bearer token (empty with Options.Tokens).
	adminToken string
	// dashboardToken is the live dashboard's, as the seed's admin.
	dashboardToken string
	log            *slog.Logger
}

// New builds a Server, loading DataFile when it exists.
func New(opts Options) (*Server, error) {
	opts = withDefaults(opts)
	seed, err := opts.Seed.Build()
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	st, err := core.OpenState(core.StateOptions{Clock: opts.Clock, Dir: seed.Dir, DataFile: opts.DataFile,
		CompactEvery: opts.CompactEvery, Logger: opts.Logger, Seed: seed.Store})
	if err != nil {
		return nil, err
	}
	if opts.ControlToken == "" {
		opts.ControlToken = identity.RandomToken("pimctl_")
	}
	s := &Server{opts: opts, seed: seed, dir: seed.Dir, st: st, log: opts.Logger}
	s.ident = identity.New(identity.Config{FederatedSubject: opts.FederatedSubject, FederatedIssuer: opts.FederatedIssuer},
		seed.Dir, seed.TenantID, opts.Clock, opts.ControlToken)
	// The configured credentials sign in as the seeded app registration only.
	var federated []tenant.FederatedCredential
	if opts.FederatedSubject != "" {
		federated = append(federated, tenant.FederatedCredential{Issuer: s.ident.FederatedIssuer(), Subject: opts.FederatedSubject})
	}
	seed.Dir.SetCredentials(AppClientID, opts.AppSecret, opts.AppCertificate, federated)
	s.ctl = control.New(st, s.ident, seed.Dir, opts.ControlToken, seed.Store)
	s.pim = pim.New(st, seed.Dir, opts.ReadLag, s.ctl.Faults)
	s.arm = arm.New(st, seed.Dir, s.pim)
	s.routes = wire.NewRouter(s.pim.Routes(), policy.New(st).Routes(), directory.New(st).Routes(), audit.New(st).Routes(),
		alerts.New(st, s.pim).Routes(), rbac.New(st).Routes(), reviews.New(st, s.pim).Routes())
	s.seedTokens()
	return s, nil
}

func withDefaults(opts Options) Options {
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 4 << 20
	}
	if opts.CompactEvery <= 0 {
		opts.CompactEvery = 5000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Seed == nil {
		opts.Seed = DefaultSeed()
	}
	return opts
}

func (s *Server) seedTokens() {
	s.dashboardToken = newDashboardToken()
	s.ident.Tokens.Add(s.dashboardToken, s.seed.Admin)
	for k, v := range s.opts.Tokens {
		s.ident.Tokens.Add(k, v)
	}
	if len(s.opts.Tokens) == 0 {
		tok := s.opts.AdminToken
		if tok == "" {
			tok = identity.RandomToken("pimemu_")
		}
		s.adminToken = tok
		s.ident.Tokens.Add(tok, s.seed.Admin)
	}
	if s.opts.UserTokens {
		n := 0
		for _, id := range s.dir.UserOrder {
			if id != s.seed.Admin.PrincipalID && n < 20 {
				s.ident.Tokens.Add(identity.RandomToken("pimemu_"), Identity{PrincipalID: id, MFA: s.dir.Users[id].MFARegistered})
				n++
			}
		}
	}
}

// Close flushes and closes the journal.
func (s *Server) Close() error { return s.st.Close() }

// Tokens returns the configured bearer tokens (for printing at start-up).
func (s *Server) Tokens() map[string]Identity {
	all := s.ident.Tokens.All()
	delete(all, s.dashboardToken) // the dashboard's own, never printed
	return all
}

// AdminToken is the bearer token of the seed's admin (empty when
// Options.Tokens were given instead).
func (s *Server) AdminToken() string { return s.adminToken }

// AdminID is the object id of the seed's admin.
func (s *Server) AdminID() string { return s.seed.Admin.PrincipalID }

// ControlToken is the token of the /_emulator/ control endpoints.
func (s *Server) ControlToken() string { return s.opts.ControlToken }

// SetFaults replaces the fault configuration (the -faults flag).
func (s *Server) SetFaults(cfg FaultConfig) error { return s.ctl.Faults.Set(cfg) }

// MintOIDCToken signs an ID token with the emulator's OIDC issuer.
func (s *Server) MintOIDCToken(subject, audience string, ttl time.Duration) (string, error) {
	return s.ident.MintOIDCToken(subject, audience, ttl)
}

// ServeHTTP serves Graph under /v1.0 and /beta, the identity platform
// endpoints the sign-in tests need, and the control API under /_emulator/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The emulator's time is its clock's, in every answer: clients judge
	// expiry by the server's Date header.
	w.Header().Set("Date", s.st.Clock().Now().UTC().Format(http.TimeFormat))
	gw := wire.NewWriter(w, r)
	defer s.recoverPanic(gw, r)
	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		s.ctl.Serve(gw, r)
		return
	}
	if r.URL.Path == "/" {
		s.serveDashboard(w, r)
		return
	}
	if arm.Owns(r.URL.Path) {
		s.serveARM(gw, r)
		return
	}
	version, rest, ok := splitVersion(r.URL.Path)
	if !ok {
		if s.ident.Serve(gw, r) {
			return
		}
		gw.Error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid version in request path %q: use /v1.0 or /beta.", r.URL.Path))
		return
	}
	s.serveGraph(gw, r, version, rest)
}

// recoverPanic turns a panic into Graph's 500 envelope and a log line: a
// hostile request must never take the emulator down.
func (s *Server) recoverPanic(w *wire.Writer, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler { //nolint:errorlint // sentinel re-panic per net/http's contract
		panic(v)
	}
	s.log.Error("emulator handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	if !w.Wrote {
		w.Error(http.StatusInternalServerError, "generalException", "An internal error occurred in the emulator (logged with request-id "+w.ReqID+").")
	}
}

func splitVersion(p string) (version, rest string, ok bool) {
	for _, v := range []string{"v1.0", "beta"} {
		if p == "/"+v || strings.HasPrefix(p, "/"+v+"/") {
			return v, strings.TrimPrefix(p, "/"+v), true
		}
	}
	return "", "", false
}

// serveGraph routes, authenticates, reads the body (before any lock is
// taken), applies the fault rules and hands the call to its area.
func (s *Server) serveGraph(w *wire.Writer, r *http.Request, version, rest string) {
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	rt, params, status := s.routes.Match(r.Method, segs)
	switch status {
	case http.StatusNotFound:
		w.Error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", strings.Join(segs, "/")))
		return
	case http.StatusMethodNotAllowed:
		w.Error(http.StatusMethodNotAllowed, "Request_BadRequest", fmt.Sprintf("Method %s is not supported on %s.", r.Method, r.URL.Path))
		return
	}
	if rt.Beta && version != "beta" {
		w.Error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("This resource is available in the beta endpoint only (/beta%s).", rest))
		return
	}
	if e := s.st.Unavailable(); e != nil {
		w.Error(e.Status, e.Code, e.Message) // the journal failed: nothing is served from a state not on disk
		return
	}
	caller, ok := s.ident.Tokens.Get(wire.Bearer(r))
	if !ok {
		w.Error(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty or invalid.")
		return
	}
	if caller.Audience == core.AudienceARM {
		w.Error(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience: the token was issued for Azure Resource Manager, not Microsoft Graph.")
		return
	}
	if wire.Bearer(r) != s.dashboardToken { // the dashboard's own reads are not the user's needs
		caller.Operation = r.Method + " /" + version + "/" + rt.Pattern
	}
	s.dispatch(&wire.Call{W: w, R: r, Caller: caller, Version: version, Params: params, PageSize: s.opts.PageSize}, "/"+version+"/"+rt.Pattern, rt.Handle)
}

// dispatch reads the call's body (before any lock is taken), applies the
// fault rules and hands the call to its handler, counting it under pattern.
func (s *Server) dispatch(c *wire.Call, pattern string, handle func(*wire.Call)) {
	body, aerr := wire.ReadBody(c.R, s.opts.MaxBodyBytes)
	if aerr != nil {
		c.Fail(aerr)
		return
	}
	c.Body = body
	client := control.ClientKey(c.R)
	clock := s.st.Clock()
	defer func() { s.ctl.Faults.Record(clock.Now(), c.R.Method, c.R.URL.Path, pattern, c.W.Status, client) }()
	if s.ctl.Faults.Inject(c, handle, client, clock.Now()) {
		return
	}
	handle(c)
}

// serveARM serves Azure Resource Manager's paths (PIM for Azure resources)
// beside Graph on the same address: ARM's headers and error envelope, its
// authentication errors, a token for Graph refused, then the fault rules
// and the area.
func (s *Server) serveARM(w *wire.Writer, r *http.Request) {
	w.ARM(r)
	if e := s.st.Unavailable(); e != nil {
		w.Error(e.Status, e.Code, e.Message)
		return
	}
	tok := wire.Bearer(r)
	caller, ok := s.ident.Tokens.Get(tok)
	switch {
	case tok == "":
		w.Error(http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
		return
	case !ok:
		w.Error(http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid.")
		return
	case caller.Audience == core.AudienceGraph:
		w.Error(http.StatusUnauthorized, "InvalidAuthenticationTokenAudience", "The access token has been obtained for wrong audience or resource "+
			"'https://graph.microsoft.com'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/', 'https://management.azure.com/'.")
		return
	}
	s.dispatch(&wire.Call{W: w, R: r, Caller: caller, PageSize: s.opts.PageSize}, arm.Pattern(r.URL.Path), s.arm.Serve)
}
