// Package emulator is a local, stateful, Graph-compatible service for
// Privileged Identity Management of Entra directory roles.
//
// It is part of the product, not a test double: it enforces PIM's rules
// (duplicate assignments, policy expiration and enablement rules, the
// five-minute minimum active duration, expiry at the end of a schedule, the
// 45-day purge of requests) and answers in Graph's documented shapes, so
// `terraform plan` against it means what it would mean against Entra.
// Where the Graph docs are silent the choice is marked "guess" in a comment.
package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Identity is what a bearer token stands for.
type Identity struct {
	PrincipalID string
	// MFA marks a token whose amr claim contains "mfa".
	MFA bool
	// ACRS lists the Conditional Access authentication contexts the token
	// satisfied (its acrs claim), e.g. "c1".
	ACRS []string
	// App marks an app-only token (client credentials): no signed-in user.
	App bool
}

// Options configure a Server.
type Options struct {
	// Clock defaults to RealClock.
	Clock Clock
	// DataFile, when set, makes state survive restarts (atomically replaced
	// JSON snapshot).
	DataFile string
	// Tokens maps bearer tokens to identities. When empty, AdminToken (or a
	// random token) is issued for the seeded admin.
	Tokens map[string]Identity
	// AdminToken is the token of the seeded admin when Tokens is empty.
	AdminToken string
	// PageSize bounds collection pages; further pages use @odata.nextLink.
	PageSize int
	// Domain is the seeded users' UPN suffix.
	Domain string
	// ReadLag reproduces replication lag: a schedule created or updated by
	// a request is left out of the next ReadLag schedule reads (lists and
	// gets), as Graph answers a POST before every replica serves the result.
	ReadLag int
	// AppSecret is the client secret of the seeded app registration
	// (AppClientID); empty disables client-secret sign-in.
	AppSecret string
	// FederatedSubject is the subject (e.g. "repo:org/repo:ref:refs/heads/main")
	// of the app's federated identity credential; empty disables it.
	FederatedSubject string
	// UserTokens issues a random token for every seeded user (with MFA),
	// so people can act as themselves: activate, approve, deactivate.
	UserTokens bool
}

// Server is the emulator: an http.Handler.
type Server struct {
	mu       sync.Mutex
	clock    Clock
	dataFile string
	tokens   map[string]Identity
	pageSize int
	readLag  int

	appSecret, federatedSubject string
	// lagging counts, per schedule id, the reads that must still miss it.
	lagging map[string]int

	users  map[string]user
	groups map[string]group
	roles  []roleDefinition

	st *state
}

// New builds a Server, loading DataFile when it exists.
func New(opts Options) (*Server, error) {
	if opts.Clock == nil {
		opts.Clock = RealClock{}
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	if opts.Domain == "" {
		opts.Domain = "contoso.example"
	}
	s := &Server{
		clock:     opts.Clock,
		dataFile:  opts.DataFile,
		pageSize:  opts.PageSize,
		users:     map[string]user{},
		groups:    map[string]group{},
		roles:     builtInRoles,
		tokens:    opts.Tokens,
		readLag:   opts.ReadLag,
		appSecret: opts.AppSecret, federatedSubject: opts.FederatedSubject,
		lagging: map[string]int{},
	}
	if len(s.tokens) == 0 {
		tok := opts.AdminToken
		if tok == "" {
			tok = randomToken()
		}
		s.tokens = map[string]Identity{tok: {PrincipalID: AdminID, MFA: true}}
	}
	for _, u := range seedUsers(opts.Domain) {
		s.users[u.ID] = u
		if opts.UserTokens && u.ID != AdminID {
			s.tokens[randomToken()] = Identity{PrincipalID: u.ID, MFA: true}
		}
	}
	for _, g := range seedGroups() {
		s.groups[g.ID] = g
	}
	if opts.DataFile != "" {
		st, err := load(opts.DataFile)
		if err != nil {
			return nil, err
		}
		s.st = st
	}
	if s.st == nil {
		s.st = s.seedState()
		if err := s.persist(); err != nil {
			return nil, err
		}
	}
	if s.st.Policies == nil {
		s.st.Policies = map[string]*Policy{}
	}
	return s, nil
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return "pimemu_" + hex.EncodeToString(b)
}

// seedState gives the seeded admin standing Privileged Role Administrator and
// Global Administrator assignments: the tenant's "break-glass" state.
func (s *Server) seedState() *state {
	now := s.clock.Now()
	st := &state{TenantID: DefaultTenantID, Policies: map[string]*Policy{}}
	for _, a := range []struct{ principal, role string }{
		{AdminID, RolePrivilegedRoleAdministrator}, {AdminID, RoleGlobalAdministrator}, {AppServicePrincipalID, RolePrivilegedRoleAdministrator},
	} {
		id := uuid.NewString()
		st.Schedules = append(st.Schedules, &schedule{
			ID: id, Kind: kindAssignment, PrincipalID: a.principal, RoleDefinitionID: a.role, DirectoryScopeID: "/",
			CreatedUsing: id, Created: now, Status: "Provisioned", AssignmentType: "Assigned",
			Spec: scheduleSpec{Start: now, ExpType: "noExpiration"},
		})
	}
	return st
}

// Tokens returns the configured bearer tokens (for printing at start-up).
func (s *Server) Tokens() map[string]Identity {
	out := make(map[string]Identity, len(s.tokens))
	for k, v := range s.tokens {
		out[k] = v
	}
	return out
}

// persist saves the state when a data file is configured. Callers hold mu.
func (s *Server) persist() error {
	if s.dataFile == "" {
		return nil
	}
	return save(s.dataFile, s.st)
}

// ServeHTTP routes Graph paths. Both /v1.0 and /beta are served.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rw := &graphWriter{ResponseWriter: w, reqID: uuid.NewString(), clientReqID: r.Header.Get("client-request-id")}
	rw.Header().Set("request-id", rw.reqID)
	if rw.clientReqID != "" {
		rw.Header().Set("client-request-id", rw.clientReqID)
	}
	version, rest, ok := splitVersion(r.URL.Path)
	if !ok && s.serveIdentity(rw, r) {
		return
	}
	if !ok {
		rw.error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid version in request path %q: use /v1.0 or /beta.", r.URL.Path))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.authenticate(r)
	if !ok {
		rw.error(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty or invalid.")
		return
	}
	s.tick()
	ctx := &call{s: s, w: rw, r: r, caller: id, version: version}
	ctx.route(strings.Split(strings.Trim(rest, "/"), "/"))
}

func splitVersion(p string) (version, rest string, ok bool) {
	for _, v := range []string{"v1.0", "beta"} {
		if p == "/"+v || strings.HasPrefix(p, "/"+v+"/") {
			return v, strings.TrimPrefix(p, "/"+v), true
		}
	}
	return "", "", false
}

func (s *Server) authenticate(r *http.Request) (Identity, bool) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		return Identity{}, false
	}
	id, ok := s.tokens[tok]
	return id, ok
}

// call is one HTTP request being served, under s.mu.
type call struct {
	s       *Server
	w       *graphWriter
	r       *http.Request
	caller  Identity
	version string
	// filterOverride replaces the parsed $filter when a handler normalised it.
	filterOverride filterExpr
	// onlyCaller restricts schedules and instances to the caller
	// (filterByCurrentUser(on='principal')).
	onlyCaller bool
}

func (c *call) route(seg []string) {
	m := c.r.Method
	switch {
	case len(seg) >= 3 && seg[0] == "roleManagement" && seg[1] == "directory":
		coll, rest := seg[2], seg[3:]
		switch coll {
		case "roleAssignmentApprovals":
			if c.version != "beta" {
				c.w.error(http.StatusBadRequest, "BadRequest", "roleAssignmentApprovals is available in the beta endpoint only (/beta/roleManagement/directory/roleAssignmentApprovals).")
				return
			}
			switch {
			case m == http.MethodGet && len(rest) == 1:
				c.getApproval(rest[0])
				return
			case m == http.MethodGet && len(rest) == 2 && rest[1] == "steps":
				if a := c.s.approvalByID(rest[0]); a != nil {
					c.writeCollection("roleManagement/directory/roleAssignmentApprovals('"+a.ID+"')/steps", c.wireApproval(a)["steps"].([]any), 0)
					return
				}
				c.notFound("roleAssignmentApprovals", rest[0])
				return
			case m == http.MethodPatch && len(rest) == 3 && rest[1] == "steps":
				c.patchApprovalStep(rest[0], rest[2])
				return
			}
		case "roleDefinitions":
			if m == http.MethodGet && len(rest) == 0 {
				c.listRoleDefinitions()
				return
			}
			if m == http.MethodGet && len(rest) == 1 {
				c.getRoleDefinition(rest[0])
				return
			}
		case "roleEligibilityScheduleRequests", "roleAssignmentScheduleRequests":
			k := kindOf(coll)
			if on, ok := currentUserSegment(rest); ok && m == http.MethodGet {
				if !c.refuseApp() {
					c.listRequestsForCurrentUser(k, on)
				}
				return
			}
			switch {
			case m == http.MethodPost && len(rest) == 0:
				c.createRequest(k)
				return
			case m == http.MethodGet && len(rest) == 0:
				c.listRequests(k)
				return
			case m == http.MethodGet && len(rest) == 1:
				c.getRequest(k, rest[0])
				return
			case m == http.MethodPost && len(rest) == 2 && rest[1] == "cancel":
				c.cancelRequest(k, rest[0])
				return
			}
		case "roleEligibilitySchedules", "roleAssignmentSchedules":
			k := kindOf(coll)
			if on, ok := currentUserSegment(rest); ok && m == http.MethodGet && on == "principal" {
				if !c.refuseApp() {
					c.onlyCaller = true
					c.listSchedules(k)
				}
				return
			}
			if m == http.MethodGet && len(rest) == 0 {
				c.listSchedules(k)
				return
			}
			if m == http.MethodGet && len(rest) == 1 {
				c.getSchedule(k, rest[0])
				return
			}
		case "roleEligibilityScheduleInstances", "roleAssignmentScheduleInstances":
			k := kindOf(coll)
			if on, ok := currentUserSegment(rest); ok && m == http.MethodGet && on == "principal" {
				if !c.refuseApp() {
					c.onlyCaller = true
					c.listInstances(k)
				}
				return
			}
			if m == http.MethodGet && len(rest) == 0 {
				c.listInstances(k)
				return
			}
			if m == http.MethodGet && len(rest) == 1 {
				c.getInstance(k, rest[0])
				return
			}
		}
	case len(seg) >= 2 && seg[0] == "policies" && seg[1] == "roleManagementPolicies":
		switch {
		case m == http.MethodGet && len(seg) == 2:
			c.listPolicies()
			return
		case m == http.MethodGet && len(seg) >= 3:
			c.getPolicy(seg[2], seg[3:])
			return
		case m == http.MethodPatch && len(seg) == 5 && seg[3] == "rules":
			c.patchRule(seg[2], seg[4])
			return
		case m == http.MethodPatch && len(seg) == 3:
			// The policy container is read-only; rules are patched (pim-graph-api.md §5.1).
			c.w.error(http.StatusBadRequest, "BadRequest", "The policy itself is read-only: PATCH its rules at /policies/roleManagementPolicies/{id}/rules/{ruleId}.")
			return
		}
	case len(seg) >= 2 && seg[0] == "policies" && seg[1] == "roleManagementPolicyAssignments":
		if m == http.MethodGet && len(seg) == 2 {
			c.listPolicyAssignments()
			return
		}
		if m == http.MethodGet && len(seg) == 3 {
			c.getPolicyAssignment(seg[2])
			return
		}
	case len(seg) >= 2 && strings.EqualFold(seg[0], "auditLogs") && strings.EqualFold(seg[1], "directoryAudits"):
		if m == http.MethodGet && len(seg) == 2 {
			c.listAudit()
			return
		}
		if m == http.MethodGet && len(seg) == 3 {
			c.getAudit(seg[2])
			return
		}
	}
	if m != http.MethodGet && m != http.MethodPost && m != http.MethodPatch {
		c.w.error(http.StatusMethodNotAllowed, "Request_BadRequest", fmt.Sprintf("Method %s is not supported on %s.", m, c.r.URL.Path))
		return
	}
	c.w.error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", strings.Join(seg, "/")))
}

// refuseApp answers 403 for app-only callers of filterByCurrentUser, which
// needs a signed-in user (pim-graph-api.md §12, item 9).
func (c *call) refuseApp() bool {
	if c.caller.App {
		c.w.error(http.StatusForbidden, "accessDenied", "filterByCurrentUser needs a signed-in user; it is not supported with application permissions.")
	}
	return c.caller.App
}

func currentUserSegment(rest []string) (string, bool) {
	if len(rest) != 1 {
		return "", false
	}
	return filterByCurrentUser(rest[0])
}

func kindOf(coll string) kind {
	if strings.HasPrefix(coll, "roleAssignment") {
		return kindAssignment
	}
	return kindEligibility
}

// graphWriter writes Graph-shaped responses.
type graphWriter struct {
	http.ResponseWriter
	reqID, clientReqID string
}

func (w *graphWriter) json(status int, v any) {
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// error writes Graph's error envelope (pim-graph-api.md §9.1).
func (w *graphWriter) error(status int, code, message string) {
	inner := map[string]any{
		"date":       time.Now().UTC().Format("2006-01-02T15:04:05"),
		"request-id": w.reqID,
	}
	if w.clientReqID != "" {
		inner["client-request-id"] = w.clientReqID
	}
	w.json(status, map[string]any{"error": map[string]any{"code": code, "message": message, "innerError": inner}})
}

func (c *call) context(entitySet string, entity bool) string {
	ctx := "https://graph.microsoft.com/" + c.version + "/$metadata#" + entitySet
	if entity {
		ctx += "/$entity"
	}
	return ctx
}

// writeCollection filters, pages and writes a collection. items are the
// entities (wire structs or maps) in their natural order.
func (c *call) writeCollection(entitySet string, items []any, maxTop int) {
	q := c.r.URL.Query()
	if f := q.Get("$filter"); f != "" {
		expr, err := parseFilter(f)
		if err != nil {
			c.w.error(http.StatusBadRequest, "BadRequest", "Invalid filter clause: "+err.Error())
			return
		}
		if c.filterOverride != nil {
			expr = c.filterOverride
		}
		kept := items[:0]
		for _, it := range items {
			if expr.match(it) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	if ob := q.Get("$orderby"); ob != "" {
		field, dir, _ := strings.Cut(strings.TrimSpace(ob), " ")
		desc := strings.EqualFold(strings.TrimSpace(dir), "desc")
		sort.SliceStable(items, func(i, j int) bool {
			a, _ := lookup(items[i], splitPath(field)).(string)
			b, _ := lookup(items[j], splitPath(field)).(string)
			if desc {
				return a > b
			}
			return a < b
		})
	}
	size := c.s.pageSize
	if t := q.Get("$top"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 {
			c.w.error(http.StatusBadRequest, "BadRequest", "Invalid $top value: "+t)
			return
		}
		if maxTop > 0 && n > maxTop {
			n = maxTop
		}
		size = n
	}
	skip := 0
	if tok := q.Get("$skiptoken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			c.w.error(http.StatusBadRequest, "BadRequest", "Invalid $skiptoken.")
			return
		}
		skip = n
	}
	if skip > len(items) {
		skip = len(items)
	}
	end := min(skip+size, len(items))
	body := map[string]any{"@odata.context": c.context(entitySet, false), "value": items[skip:end]}
	if end < len(items) {
		q.Set("$skiptoken", strconv.Itoa(end))
		next := url.URL{Scheme: "http", Host: c.r.Host, Path: c.r.URL.Path, RawQuery: q.Encode()}
		body["@odata.nextLink"] = next.String()
	}
	c.w.json(http.StatusOK, body)
}

// decode reads a JSON body, answering 400 on malformed input.
func (c *call) decode(v any) bool {
	dec := json.NewDecoder(c.r.Body)
	if err := dec.Decode(v); err != nil {
		c.w.error(http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format. "+err.Error())
		return false
	}
	return true
}

// graphTime formats like Graph: UTC with seven fractional digits.
func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

func graphTimePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := graphTime(*t)
	return &s
}
