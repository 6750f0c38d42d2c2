package emulator

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/directory"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// A handler that panics answers Graph's 500 envelope and logs a line; the
// emulator goes on serving.
func TestPanicsBecomeGraphErrors(t *testing.T) {
	var logs bytes.Buffer
	srv, err := New(Options{Tokens: map[string]Identity{"t": {PrincipalID: AdminID}}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv.routes = wire.NewRouter([]wire.Route{{Method: "GET", Pattern: "test/panic", Handle: func(*wire.Call) { panic("boom") }}},
		srv.pim.Routes(), directory.New(srv.st).Routes())
	for _, path := range []string{"/v1.0/test/panic", "/v1.0/roleManagement/directory/roleDefinitions"} {
		req := httptest.NewRequestWithContext(t.Context(), "GET", path, nil)
		req.Header.Set("Authorization", "Bearer t")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		var env struct{ Error struct{ Code string } }
		_ = json.Unmarshal(rec.Body.Bytes(), &env)
		switch path {
		case "/v1.0/test/panic":
			if rec.Code != 500 || env.Error.Code != "generalException" || rec.Header().Get("request-id") == "" {
				t.Errorf("panicking handler: HTTP %d %s", rec.Code, rec.Body)
			}
		default:
			if rec.Code != 200 {
				t.Errorf("after a panic: HTTP %d", rec.Code)
			}
		}
	}
	if !strings.Contains(logs.String(), "emulator handler panicked") || !strings.Contains(logs.String(), "boom") {
		t.Errorf("no log line for the panic: %q", logs.String())
	}
}
