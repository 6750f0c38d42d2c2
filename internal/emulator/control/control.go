package control

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/access"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// The control API under /_emulator/: not part of Graph, authorised by the
// control token (Options.ControlToken, printed at start), never by a Graph
// token. Documented in docs/guides/emulator-control-api.md.
//
//	GET    /_emulator/clock                  the emulator's time
//	POST   /_emulator/clock     {"advance"}  move it forward (at most MaxAdvance)
//	POST   /_emulator/tokens    {"principal", "mfa", "acrs", "permissions"}  a bearer token for anyone in the tenant
//	GET    /_emulator/faults                 the fault rules, with their hits
//	PUT    /_emulator/faults    FaultConfig  replace them
//	DELETE /_emulator/faults                 clear them
//	GET    /_emulator/requests               calls served: counts by route and status, early retries, the last 100
//	DELETE /_emulator/requests               reset the counts
//	POST   /_emulator/snapshot               the state, as JSON
//	POST   /_emulator/restore   snapshot     replace the state
//	POST   /_emulator/reset                  back to the seed
//	POST   /_emulator/oidc-token             an ID token signed by the emulator's OIDC issuer
//	GET    /_emulator/outbox                 the e-mails PIM would have sent
//	DELETE /_emulator/outbox                 empty it
//	GET    /_emulator/permissions            what the calls so far needed: per operation, and the least set
//	DELETE /_emulator/permissions            forget it

type controlRoute struct {
	method, path string
	handle       func(s *API, w *wire.Writer, body []byte)
}

var controlRoutes = []controlRoute{
	{"GET", "clock", func(s *API, w *wire.Writer, _ []byte) {
		w.JSON(http.StatusOK, odata.Object{{"now", core.GraphTime(s.st.Clock().Now())}})
	}},
	{"POST", "clock", (*API).advanceClock},
	{"POST", "tokens", (*API).issueToken},
	{"POST", "oidc-token", func(s *API, w *wire.Writer, b []byte) { s.ident.MintControl(w, b) }},
	{"GET", "faults", func(s *API, w *wire.Writer, _ []byte) { w.JSON(http.StatusOK, s.Faults.Get()) }},
	{"PUT", "faults", (*API).putFaults},
	{"DELETE", "faults", func(s *API, w *wire.Writer, _ []byte) { s.Faults.setRules(FaultConfig{}); w.NoContent() }},
	{"GET", "requests", func(s *API, w *wire.Writer, _ []byte) { w.JSON(http.StatusOK, s.Faults.stats.Object()) }},
	{"DELETE", "requests", func(s *API, w *wire.Writer, _ []byte) { s.Faults.stats.reset(); w.NoContent() }},
	{"POST", "snapshot", (*API).writeSnapshot},
	{"POST", "restore", (*API).restoreSnapshot},
	{"POST", "reset", func(s *API, w *wire.Writer, _ []byte) { s.replyReplaced(w, s.st.Replace(s.seed(s.st.Clock().Now()))) }},
	{"GET", "outbox", (*API).writeOutbox},
	{"DELETE", "outbox", func(s *API, w *wire.Writer, _ []byte) { s.st.ClearOutbox(); w.NoContent() }},
	{"GET", "permissions", func(s *API, w *wire.Writer, _ []byte) { w.JSON(http.StatusOK, Permissions(&s.st.Access)) }},
	{"DELETE", "permissions", func(s *API, w *wire.Writer, _ []byte) { s.st.Access.Reset(); w.NoContent() }},
}

// PermissionsReport is what GET /_emulator/permissions answers: the least
// set of application permissions the calls so far needed, and per
// operation the least permission and the directory roles that grant it.
type PermissionsReport struct {
	ApplicationPermissions []string           `json:"application_permissions"`
	Operations             []access.Operation `json:"operations"`
}

// Permissions summarises the access log.
func Permissions(l *access.Log) PermissionsReport {
	return PermissionsReport{ApplicationPermissions: l.LeastPermissions(), Operations: l.Operations()}
}

// Serve answers a call of the control API.
func (s *API) Serve(w *wire.Writer, r *http.Request) {
	if subtle.ConstantTimeCompare([]byte(wire.Bearer(r)), []byte(s.token)) != 1 {
		w.Error(http.StatusUnauthorized, "InvalidAuthenticationToken", "The control API needs the emulator's control token (printed at start), not a Graph token.")
		return
	}
	body, aerr := wire.ReadBody(r, 64<<20)
	if aerr != nil {
		w.Error(aerr.Status, aerr.Code, aerr.Message)
		return
	}
	p := strings.Trim(strings.TrimPrefix(r.URL.Path, "/_emulator/"), "/")
	for _, rt := range controlRoutes {
		if rt.path == p && rt.method == r.Method {
			rt.handle(s, w, body)
			return
		}
	}
	w.Error(http.StatusNotFound, "ResourceNotFound", "No control endpoint "+r.Method+" "+r.URL.Path+".")
}

func (s *API) advanceClock(w *wire.Writer, body []byte) {
	var req struct {
		Advance string `json:"advance"`
	}
	if e := wire.DecodeBody(body, &req, "clockAdvance"); e != nil {
		w.Error(e.Status, e.Code, e.Message)
		return
	}
	adv, ok := s.st.Clock().(core.Advancer)
	if !ok {
		w.Error(http.StatusConflict, "Conflict", "This emulator runs on real time; its clock cannot be moved.")
		return
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil || d <= 0 || d > core.MaxAdvance {
		w.Error(http.StatusBadRequest, "BadRequest", "advance must be a positive Go duration of at most 87600h (ten years), such as \"6m\" or \"48h\"; the clock never goes back.")
		return
	}
	adv.Advance(d)
	w.JSON(http.StatusOK, odata.Object{{"now", core.GraphTime(s.st.Clock().Now())}})
}

// issueToken makes a bearer token for anyone in the tenant: a user (with
// or without MFA, with authentication contexts) or a service principal
// (app-only, with its permissions or the ones given).
func (s *API) issueToken(w *wire.Writer, body []byte) {
	var req struct {
		Principal   string   `json:"principal"`
		MFA         bool     `json:"mfa"`
		ACRS        []string `json:"acrs"`
		App         *bool    `json:"app"`
		Permissions []string `json:"permissions"`
	}
	if e := wire.DecodeBody(body, &req, "tokenRequest"); e != nil {
		w.Error(e.Status, e.Code, e.Message)
		return
	}
	id, err := s.dir.ResolvePrincipal(req.Principal)
	if err != nil {
		w.Error(http.StatusBadRequest, "BadRequest", "principal: "+err.Error())
		return
	}
	ident, aerr := s.ident.IdentityFor(id, req.MFA, req.App, req.ACRS, req.Permissions)
	if aerr != nil {
		w.Error(aerr.Status, aerr.Code, aerr.Message)
		return
	}
	tok := s.ident.Issue(ident)
	w.JSON(http.StatusOK, odata.Object{{"access_token", tok}, {"token_type", "Bearer"}, {"principal_id", id}, {"app", ident.App},
		{"mfa", ident.MFA}, {"acrs", core.NonNil(ident.ACRS)}})
}

func (s *API) putFaults(w *wire.Writer, body []byte) {
	var cfg FaultConfig
	trimmed := bytes.TrimSpace(body)
	var err error
	if len(trimmed) > 0 && trimmed[0] == '[' {
		err = json.Unmarshal(trimmed, &cfg.Rules)
	} else {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		err = dec.Decode(&cfg)
	}
	if err == nil {
		err = cfg.validate()
	}
	if err != nil {
		w.Error(http.StatusBadRequest, "BadRequest", "faults: "+err.Error())
		return
	}
	s.Faults.setRules(cfg)
	w.JSON(http.StatusOK, s.Faults.Get())
}

func (s *API) writeSnapshot(w *wire.Writer, _ []byte) {
	data, err := s.st.SnapshotJSON()
	if err != nil {
		w.Error(http.StatusInternalServerError, "generalException", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

func (s *API) restoreSnapshot(w *wire.Writer, body []byte) {
	st, err := core.ParseSnapshot(body)
	if err != nil {
		w.Error(http.StatusBadRequest, "BadRequest", "restore takes a snapshot from POST /_emulator/snapshot (format 2): "+err.Error()+".")
		return
	}
	s.replyReplaced(w, s.st.Replace(st))
}

func (s *API) replyReplaced(w *wire.Writer, err error) {
	if err != nil {
		w.Error(http.StatusInternalServerError, "generalException", "The emulator could not persist the state: "+err.Error())
		return
	}
	w.NoContent()
}

func (s *API) writeOutbox(w *wire.Writer, _ []byte) {
	out := s.st.Outbox()
	values := make([]any, len(out))
	for i, m := range out {
		values[i] = m
	}
	w.JSON(http.StatusOK, odata.Object{{"value", values}})
}

// API is the control API: the emulator's clock, tokens on demand, faults,
// request counts, snapshots, the outbox.
type API struct {
	st     *core.State
	ident  Identities
	dir    *tenant.Directory
	Faults *Faults
	token  string
	// seed is the tenant's starting state (POST /_emulator/reset).
	seed func(now time.Time) *core.Store
}

// New returns the control API, authorised by token.
func New(st *core.State, ident Identities, dir *tenant.Directory, token string, seed func(time.Time) *core.Store) *API {
	return &API{st: st, ident: ident, dir: dir, Faults: NewFaults(), token: token, seed: seed}
}

// Identities is what the control API asks of the identity platform.
type Identities interface {
	// IdentityFor checks who a token on demand may stand for.
	IdentityFor(id string, mfa bool, app *bool, acrs, perms []string) (core.Identity, *core.APIError)
	// Issue makes a bearer token for an identity.
	Issue(id core.Identity) string
	// MintControl answers POST /_emulator/oidc-token.
	MintControl(w *wire.Writer, body []byte)
}
