package emulator

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
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

type controlRoute struct {
	method, path string
	handle       func(s *Server, w *writer, body []byte)
}

var controlRoutes = []controlRoute{
	{"GET", "clock", func(s *Server, w *writer, _ []byte) {
		w.json(http.StatusOK, odata.Object{{"now", graphTime(s.clock.Now())}})
	}},
	{"POST", "clock", (*Server).advanceClock},
	{"POST", "tokens", (*Server).issueToken},
	{"POST", "oidc-token", (*Server).mintControl},
	{"GET", "faults", func(s *Server, w *writer, _ []byte) { w.json(http.StatusOK, s.faults.get()) }},
	{"PUT", "faults", (*Server).putFaults},
	{"DELETE", "faults", func(s *Server, w *writer, _ []byte) { s.faults.set(FaultConfig{}); w.noContent() }},
	{"GET", "requests", func(s *Server, w *writer, _ []byte) { w.json(http.StatusOK, s.faults.stats.object()) }},
	{"DELETE", "requests", func(s *Server, w *writer, _ []byte) { s.faults.stats.reset(); w.noContent() }},
	{"POST", "snapshot", (*Server).writeSnapshot},
	{"POST", "restore", (*Server).restoreSnapshot},
	{"POST", "reset", func(s *Server, w *writer, _ []byte) { s.replyReplaced(w, s.replaceStore(s.seedState())) }},
	{"GET", "outbox", (*Server).writeOutbox},
	{"DELETE", "outbox", func(s *Server, w *writer, _ []byte) {
		s.mu.Lock()
		s.outbox = nil
		s.mu.Unlock()
		w.noContent()
	}},
}

func (s *Server) serveControl(w *writer, r *http.Request) {
	if subtle.ConstantTimeCompare([]byte(bearer(r)), []byte(s.control)) != 1 {
		w.error(http.StatusUnauthorized, "InvalidAuthenticationToken", "The control API needs the emulator's control token (printed at start), not a Graph token.")
		return
	}
	body, aerr := readBody(r, 64<<20)
	if aerr != nil {
		w.error(aerr.status, aerr.code, aerr.message)
		return
	}
	p := strings.Trim(strings.TrimPrefix(r.URL.Path, "/_emulator/"), "/")
	for _, rt := range controlRoutes {
		if rt.path == p && rt.method == r.Method {
			rt.handle(s, w, body)
			return
		}
	}
	w.error(http.StatusNotFound, "ResourceNotFound", "No control endpoint "+r.Method+" "+r.URL.Path+".")
}

func (s *Server) advanceClock(w *writer, body []byte) {
	var req struct {
		Advance string `json:"advance"`
	}
	if e := decodeBody(body, &req, "clockAdvance"); e != nil {
		w.error(e.status, e.code, e.message)
		return
	}
	adv, ok := s.clock.(Advancer)
	if !ok {
		w.error(http.StatusConflict, "Conflict", "This emulator runs on real time; its clock cannot be moved.")
		return
	}
	d, err := time.ParseDuration(req.Advance)
	if err != nil || d <= 0 || d > MaxAdvance {
		w.error(http.StatusBadRequest, "BadRequest", "advance must be a positive Go duration of at most 87600h (ten years), such as \"6m\" or \"48h\"; the clock never goes back.")
		return
	}
	adv.Advance(d)
	w.json(http.StatusOK, odata.Object{{"now", graphTime(s.clock.Now())}})
}

// issueToken makes a bearer token for anyone in the tenant: a user (with
// or without MFA, with authentication contexts) or a service principal
// (app-only, with its permissions or the ones given).
func (s *Server) issueToken(w *writer, body []byte) {
	var req struct {
		Principal   string   `json:"principal"`
		MFA         bool     `json:"mfa"`
		ACRS        []string `json:"acrs"`
		App         *bool    `json:"app"`
		Permissions []string `json:"permissions"`
	}
	if e := decodeBody(body, &req, "tokenRequest"); e != nil {
		w.error(e.status, e.code, e.message)
		return
	}
	id, err := s.dir.resolvePrincipal(req.Principal)
	if err != nil {
		w.error(http.StatusBadRequest, "BadRequest", "principal: "+err.Error())
		return
	}
	ident, aerr := s.identityFor(id, req.MFA, req.App, req.ACRS, req.Permissions)
	if aerr != nil {
		w.error(aerr.status, aerr.code, aerr.message)
		return
	}
	tok := randomToken("pimemu_")
	s.tokens.add(tok, ident)
	w.json(http.StatusOK, odata.Object{{"access_token", tok}, {"token_type", "Bearer"}, {"principal_id", id}, {"app", ident.App},
		{"mfa", ident.MFA}, {"acrs", nonNil(ident.ACRS)}})
}

func (s *Server) identityFor(id string, mfa bool, app *bool, acrs, perms []string) (Identity, *apiError) {
	if sp, ok := s.dir.sps[id]; ok {
		if app != nil && !*app || mfa || len(acrs) > 0 {
			return Identity{}, badRequest("BadRequest", "%s is a service principal: its tokens are app-only, without MFA or authentication contexts.", sp.DisplayName)
		}
		if perms == nil {
			perms = sp.Permissions
		}
		return Identity{PrincipalID: id, App: true, Permissions: perms}, nil
	}
	u, ok := s.dir.users[id]
	switch {
	case !ok:
		return Identity{}, badRequest("BadRequest", "%s is a group: tokens are for users and service principals.", id)
	case app != nil && *app:
		return Identity{}, badRequest("BadRequest", "%s is a user: app-only tokens are for service principals.", u.UPN)
	case mfa && !u.MFARegistered:
		return Identity{}, badRequest("BadRequest", "%s has no MFA method registered (mfa_registered: false in the seed).", u.UPN)
	case len(perms) > 0:
		return Identity{}, badRequest("BadRequest", "permissions are for app-only tokens; a user's access follows their directory roles.")
	}
	return Identity{PrincipalID: id, MFA: mfa, ACRS: acrs}, nil
}

func (s *Server) putFaults(w *writer, body []byte) {
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
		w.error(http.StatusBadRequest, "BadRequest", "faults: "+err.Error())
		return
	}
	s.faults.set(cfg)
	w.json(http.StatusOK, s.faults.get())
}

// SetFaults replaces the fault configuration (the -faults flag).
func (s *Server) SetFaults(cfg FaultConfig) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	s.faults.set(cfg)
	return nil
}

func (s *Server) writeSnapshot(w *writer, _ []byte) {
	s.mu.RLock()
	data, err := jsonMarshal(snapshotOf(s.st, 0))
	s.mu.RUnlock()
	if err != nil {
		w.error(http.StatusInternalServerError, "generalException", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

func (s *Server) restoreSnapshot(w *writer, body []byte) {
	var snap snapshot
	if err := json.Unmarshal(body, &snap); err != nil || snap.Version != snapshotVersion || snap.TenantID == "" {
		w.error(http.StatusBadRequest, "BadRequest", "restore takes a snapshot from POST /_emulator/snapshot (format 2).")
		return
	}
	s.replyReplaced(w, s.replaceStore(snap.restore()))
}

func (s *Server) replyReplaced(w *writer, err error) {
	if err != nil {
		w.error(http.StatusInternalServerError, "generalException", "The emulator could not persist the state: "+err.Error())
		return
	}
	w.noContent()
}

// replaceStore swaps the whole state (restore, reset) and writes it as a
// new snapshot at once.
func (s *Server) replaceStore(st *store) error {
	s.mu.Lock()
	s.st, s.outbox = st, nil
	s.refreshDueLocked()
	var data []byte
	var covered uint64
	var err error
	if s.journal != nil {
		if covered, err = s.journal.rotate(); err == nil {
			data, err = jsonMarshal(snapshotOf(st, covered))
		}
	}
	s.mu.Unlock()
	if s.journal == nil || err != nil {
		return err
	}
	return s.journal.writeSnapshot(data, covered)
}

func (s *Server) writeOutbox(w *writer, _ []byte) {
	s.mu.RLock()
	out := slices.Clone(s.outbox)
	s.mu.RUnlock()
	values := make([]any, len(out))
	for i, m := range out {
		values[i] = m
	}
	w.json(http.StatusOK, odata.Object{{"value", values}})
}
