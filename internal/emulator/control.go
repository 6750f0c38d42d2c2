package emulator

import (
	"net/http"
	"time"
)

// ControlHandler serves the emulator's own endpoints under /_emulator/ (not
// part of Graph) and everything else from s. It exists for demos and manual
// sessions of the standalone emulator; tests use the Go hooks instead.
//
//	POST /_emulator/clock/advance?by=6m   move the clock forward (Go duration)
//	GET  /_emulator/clock                 the emulator's current time
//
// Calls need the same bearer token as Graph calls.
func ControlHandler(s *Server, clock Advancer) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", s)
	mux.HandleFunc("GET /_emulator/clock", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.authenticate(r); !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		(&graphWriter{ResponseWriter: w}).json(http.StatusOK, map[string]string{"now": graphTime(clock.Now())})
	})
	mux.HandleFunc("POST /_emulator/clock/advance", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.authenticate(r); !ok {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		d, err := time.ParseDuration(r.URL.Query().Get("by"))
		if err != nil || d <= 0 {
			http.Error(w, "by must be a positive Go duration such as 6m or 48h", http.StatusBadRequest)
			return
		}
		clock.Advance(d)
		(&graphWriter{ResponseWriter: w}).json(http.StatusOK, map[string]string{"now": graphTime(clock.Now())})
	})
	return mux
}
