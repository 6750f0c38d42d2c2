package wire

import (
	"net/http"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// Call is one Graph request being served: authenticated, its body read
// (before any lock is taken), its route's parameters in order.
type Call struct {
	W       *Writer
	R       *http.Request
	Caller  core.Identity
	Version string
	Params  []string
	Body    []byte
	// PageSize bounds collection pages without $top.
	PageSize int
}

// Fail writes an error decided while serving the call.
func (c *Call) Fail(e *core.APIError) { c.W.Error(e.Status, e.Code, e.Message) }

// Metadata is the $metadata URL of the version, the root of @odata.context.
func (c *Call) Metadata() string { return "https://graph.microsoft.com/" + c.Version + "/$metadata" }

// Discard is a ResponseWriter that answers nobody: a write whose answer an
// injected fault loses still runs against it.
type Discard struct{ h http.Header }

// Header implements http.ResponseWriter.
func (d *Discard) Header() http.Header {
	if d.h == nil {
		d.h = http.Header{}
	}
	return d.h
}

func (d *Discard) Write(b []byte) (int, error) { return len(b), nil }

// WriteHeader implements http.ResponseWriter.
func (d *Discard) WriteHeader(int) {}

// Bearer is the request's bearer token, or "".
func Bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
