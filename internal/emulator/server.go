// Package emulator is a local, stateful, Graph-compatible service for
// Privileged Identity Management of Microsoft Entra directory roles.
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
// Layout: server.go (options, the request pipeline), routes.go (every route
// in one table), respond.go (Graph's envelopes, collections, paging),
// body.go (request bodies), auth.go and oauth.go (identity), store.go,
// tx.go, journal.go and timeline.go (state, persistence and time), one file
// per domain: requests_*.go (the write pipeline for schedule requests),
// schedules.go, activation.go, approvals.go, policy_*.go, audit.go,
// directory.go, control.go; odata/ holds the query language.
package emulator

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// Options configure a Server.
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
	// mu guards st: reads take it shared, writes exclusively; disk writes
	// (fsync) happen after it is released.
	mu   sync.RWMutex
	st   *store
	seed *builtSeed
	dir  *directory
	// adminToken is the seed admin's bearer token (empty with Options.Tokens).
	adminToken string
	clock      Clock
	opts       Options
	tokens     *tokens
	control    string
	journal    *journal
	lag        lagTracker
	faults     *faults
	// outbox holds the e-mails PIM would have sent (guarded by mu).
	outbox []odata.Object
	log    *slog.Logger
	// due is when the earliest time-based change falls (unix nanoseconds).
	due        atomic.Int64
	compacting atomic.Bool
	// issuer signs the OIDC tokens the emulator hands out as a stand-in for
	// GitHub Actions, Azure Pipelines or HCP Terraform (made on first use).
	issuer issuerKey
}

// New builds a Server, loading DataFile when it exists.
func New(opts Options) (*Server, error) {
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
	seed, err := opts.Seed.build()
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	s := &Server{clock: opts.Clock, opts: opts, seed: seed, dir: seed.dir, log: opts.Logger,
		tokens: &tokens{m: map[string]Identity{}}, control: opts.ControlToken, lag: lagTracker{m: map[string]int{}}, faults: newFaults()}
	if s.control == "" {
		s.control = randomToken("pimctl_")
	}
	s.seedTokens()
	if err := s.open(); err != nil {
		return nil, err
	}
	s.refreshDue()
	return s, nil
}

func (s *Server) seedTokens() {
	for k, v := range s.opts.Tokens {
		s.tokens.add(k, v)
	}
	if len(s.opts.Tokens) == 0 {
		tok := s.opts.AdminToken
		if tok == "" {
			tok = randomToken("pimemu_")
		}
		s.adminToken = tok
		s.tokens.add(tok, s.seed.admin)
	}
	if s.opts.UserTokens {
		n := 0
		for _, id := range s.dir.userOrder {
			if id != s.seed.admin.PrincipalID && n < 20 {
				s.tokens.add(randomToken("pimemu_"), Identity{PrincipalID: id, MFA: s.dir.users[id].MFARegistered})
				n++
			}
		}
	}
}

// open loads or seeds the state.
func (s *Server) open() error {
	if s.opts.DataFile == "" {
		s.st = s.seedState()
		return nil
	}
	j, st, err := openJournal(s.opts.DataFile, s.opts.CompactEvery)
	if err != nil {
		return err
	}
	s.journal = j
	if st != nil && st.TenantID != "" {
		s.st = st
		return nil
	}
	s.st = s.seedState()
	data, err := jsonMarshal(snapshotOf(s.st, j.gen-1))
	if err != nil {
		return err
	}
	return j.writeSnapshot(data, j.gen-1)
}

// seedState is the tenant's starting point: the seed's assignments, the
// admin's Privileged Role Administrator and Global Administrator among them.
func (s *Server) seedState() *store {
	st := newStore(s.seed.tenantID)
	now := s.clock.Now()
	for _, a := range s.seed.assignments {
		id := uuid.NewString()
		spec := scheduleSpec{Start: now, ExpType: "noExpiration"}
		if a.start != nil && a.start.After(now) {
			spec.Start = *a.start
		}
		switch {
		case a.end != nil:
			spec.ExpType, spec.End = "afterDateTime", a.end
		case a.duration != "":
			spec.ExpType, spec.Duration = "afterDuration", a.duration
		}
		sc := &schedule{ID: id, Key: a.key, CreatedUsing: id, Created: now, Status: statusProvisioned, Spec: spec}
		if spec.Start.After(now) {
			sc.Status = statusGranted
		}
		if a.key.Kind == Active {
			sc.AssignmentType = assignmentAssigned
		}
		st.addSchedule(sc)
	}
	return st
}

// Close flushes and closes the journal.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.journal.close()
}

// Tokens returns the configured bearer tokens (for printing at start-up).
func (s *Server) Tokens() map[string]Identity { return s.tokens.all() }

// AdminToken is the bearer token of the seed's admin (empty when
// Options.Tokens were given instead).
func (s *Server) AdminToken() string { return s.adminToken }

// AdminID is the object id of the seed's admin.
func (s *Server) AdminID() string { return s.seed.admin.PrincipalID }

// ControlToken is the token of the /_emulator/ control endpoints.
func (s *Server) ControlToken() string { return s.control }

// update runs a write: time is applied first, fn validates and then
// changes the store, and the changes are journaled; the call returns once
// they are durable. fn must not change anything before it has validated.
func (s *Server) update(caller Identity, fn func(tx *tx) *apiError) *apiError {
	s.mu.Lock()
	t := &tx{s: s, st: s.st, now: s.clock.Now(), caller: caller}
	t.advance()
	aerr := fn(t)
	lines, err := t.records()
	ticket := uint64(0)
	if err == nil {
		ticket = s.journal.append(lines)
	}
	s.refreshDueLocked()
	s.mu.Unlock()
	if err == nil {
		err = s.journal.wait(ticket)
	}
	if err != nil {
		s.log.Error("persisting emulator state failed", "error", err)
		return &apiError{http.StatusInternalServerError, "generalException", "The emulator could not persist the change: " + err.Error()}
	}
	s.maybeCompact()
	return aerr
}

// view runs a read under the shared lock, after applying what time has
// made due.
func (s *Server) view(caller Identity, fn func(tx *tx)) {
	if s.clock.Now().UnixNano() >= s.due.Load() {
		_ = s.update(caller, func(*tx) *apiError { return nil })
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	fn(&tx{s: s, st: s.st, now: s.clock.Now(), caller: caller})
}

func (s *Server) refreshDue() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshDueLocked()
}

func (s *Server) refreshDueLocked() { s.due.Store(s.st.dueAt().UnixNano()) }

// maybeCompact writes a new snapshot when the journal has grown. Readers
// go on meanwhile; writers wait for the capture, not for the disk.
func (s *Server) maybeCompact() {
	if !s.journal.due() || !s.compacting.CompareAndSwap(false, true) {
		return
	}
	defer s.compacting.Store(false)
	s.mu.RLock()
	covered, err := s.journal.rotate()
	var data []byte
	if err == nil {
		data, err = jsonMarshal(snapshotOf(s.st, covered))
	}
	s.mu.RUnlock()
	if err == nil {
		err = s.journal.writeSnapshot(data, covered)
	}
	if err != nil {
		s.log.Error("writing emulator snapshot failed", "error", err)
	}
}

// ServeHTTP serves Graph under /v1.0 and /beta, the identity platform
// endpoints the sign-in tests need, and the control API under /_emulator/.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	gw := newWriter(w, r)
	defer s.recoverPanic(gw, r)
	if strings.HasPrefix(r.URL.Path, "/_emulator/") {
		s.serveControl(gw, r)
		return
	}
	version, rest, ok := splitVersion(r.URL.Path)
	if !ok {
		if s.serveIdentity(gw, r) {
			return
		}
		gw.error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid version in request path %q: use /v1.0 or /beta.", r.URL.Path))
		return
	}
	s.serveGraph(gw, r, version, rest)
}

// recoverPanic turns a panic into Graph's 500 envelope and a log line: a
// hostile request must never take the emulator down.
func (s *Server) recoverPanic(w *writer, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler { //nolint:errorlint // sentinel re-panic per net/http's contract
		panic(v)
	}
	s.log.Error("emulator handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	if !w.wrote {
		w.error(http.StatusInternalServerError, "generalException", "An internal error occurred in the emulator (logged with request-id "+w.reqID+").")
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
// taken) and hands the call to its handler.
func (s *Server) serveGraph(w *writer, r *http.Request, version, rest string) {
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	rt, params, status := match(r.Method, segs)
	switch status {
	case http.StatusNotFound:
		w.error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", strings.Join(segs, "/")))
		return
	case http.StatusMethodNotAllowed:
		w.error(http.StatusMethodNotAllowed, "Request_BadRequest", fmt.Sprintf("Method %s is not supported on %s.", r.Method, r.URL.Path))
		return
	}
	if rt.beta && version != "beta" {
		w.error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("This resource is available in the beta endpoint only (/beta%s).", rest))
		return
	}
	caller, ok := s.tokens.get(bearer(r))
	if !ok {
		w.error(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty or invalid.")
		return
	}
	body, aerr := readBody(r, s.opts.MaxBodyBytes)
	if aerr != nil {
		w.error(aerr.status, aerr.code, aerr.message)
		return
	}
	client := clientKey(r)
	defer func() {
		s.faults.stats.record(s.clock.Now(), r.Method, r.URL.Path, "/"+version+"/"+rt.pattern, w.status, client)
	}()
	c := &call{s: s, w: w, r: r, caller: caller, version: version, params: params, body: body}
	if s.injectFault(c, rt, client) {
		return
	}
	rt.handle(c)
}

// injectFault applies the configured faults to a call and reports whether
// it answered the call.
func (s *Server) injectFault(c *call, rt *route, client string) bool {
	v := s.faults.decide(c.r.Method, c.r.URL.Path, client, s.clock.Now())
	if v.latency > 0 {
		t := time.NewTimer(v.latency)
		select {
		case <-t.C:
		case <-c.r.Context().Done():
		}
		t.Stop()
	}
	switch {
	case v.throttled > 0:
		s.faults.stats.count(true, false)
		c.w.Header().Set("Retry-After", retryAfterSeconds(v.throttled))
		c.w.error(http.StatusTooManyRequests, "TooManyRequests", "Too many requests: the tenant's request rate is over its limit. Please try again later.")
		return true
	case v.rule == nil:
		return false
	}
	s.faults.stats.count(false, true)
	if v.rule.AfterCommit {
		lost := *c
		lost.w = &writer{ResponseWriter: &discard{}, reqID: c.w.reqID}
		rt.handle(&lost)
	}
	if v.rule.ResetConnection {
		c.w.status = 0
		panic(http.ErrAbortHandler) // net/http closes the connection without an answer
	}
	if v.retryAfter > 0 {
		c.w.Header().Set("Retry-After", retryAfterSeconds(v.retryAfter))
	}
	c.w.error(v.rule.Status, faultCode(v.rule.Status), fmt.Sprintf("Injected fault (HTTP %d) from the emulator's fault rules.", v.rule.Status))
	return true
}

// faultCode is the Graph error code that goes with an injected status.
func faultCode(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "TooManyRequests"
	case http.StatusServiceUnavailable:
		return "serviceNotAvailable"
	case http.StatusGatewayTimeout:
		return "gatewayTimeout"
	case http.StatusBadGateway:
		return "badGateway"
	case http.StatusInternalServerError:
		return "generalException"
	}
	return "injectedFault"
}

// call is one Graph request being served.
type call struct {
	s       *Server
	w       *writer
	r       *http.Request
	caller  Identity
	version string
	params  []string
	body    []byte
}

func (c *call) fail(e *apiError) { c.w.error(e.status, e.code, e.message) }

// metadata is the $metadata URL of the version, the root of @odata.context.
func (c *call) metadata() string { return "https://graph.microsoft.com/" + c.version + "/$metadata" }

// lagTracker reproduces replication lag: schedule ids that the next n reads
// must miss. It has its own lock because reads share Server.mu.
type lagTracker struct {
	mu sync.Mutex
	m  map[string]int
}

func (l *lagTracker) set(id string, n int) {
	if n <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m[id] = n
}

// hidden reports whether a read must miss the schedule, counting the read.
func (l *lagTracker) hidden(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.m[id]
	if n <= 0 {
		return false
	}
	if n == 1 {
		delete(l.m, id)
	} else {
		l.m[id] = n - 1
	}
	return true
}

// graphTime formats like Graph: UTC with seven fractional digits.
func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

func graphTimePtr(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return graphTime(*t)
}
