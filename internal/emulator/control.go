package emulator

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// The control API under /_emulator/: not part of Graph, authorised by the
// control token (Options.ControlToken, printed at start), never by a Graph
// token, so no tenant user can move the emulator's clock.
//
//	GET  /_emulator/clock                        the emulator's current time
//	POST /_emulator/clock  {"advance": "6m"}     move it forward (a Go duration, at most MaxAdvance)

func (s *Server) serveControl(w *writer, r *http.Request) {
	if subtle.ConstantTimeCompare([]byte(bearer(r)), []byte(s.control)) != 1 {
		w.error(http.StatusUnauthorized, "InvalidAuthenticationToken", "The control API needs the emulator's control token (printed at start), not a Graph token.")
		return
	}
	body, aerr := readBody(r, 64<<10)
	if aerr != nil {
		w.error(aerr.status, aerr.code, aerr.message)
		return
	}
	switch path := strings.TrimSuffix(r.URL.Path, "/"); {
	case path == "/_emulator/clock" && r.Method == http.MethodGet:
		w.json(http.StatusOK, odata.Object{{"now", graphTime(s.clock.Now())}})
	case path == "/_emulator/clock" && r.Method == http.MethodPost:
		s.advanceClock(w, body)
	default:
		w.error(http.StatusNotFound, "ResourceNotFound", "No control endpoint "+r.Method+" "+r.URL.Path+".")
	}
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
