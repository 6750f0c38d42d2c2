package emulator

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/identity"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/report"
)

// dashboardRefresh is how often the live dashboard reloads itself, in
// seconds: a person watching the demo or a CI job sees the tenant change.
const dashboardRefresh = 5

// serveDashboard answers GET / with the privileged access report of the
// emulator's own tenant, read through Graph as any client would (the same
// code as terraform-provider-pim report), in process and as the seed's
// admin.
func (s *Server) serveDashboard(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "the dashboard is read-only", http.StatusMethodNotAllowed)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	client, err := pimclient.New(pimclient.Options{BaseURL: "http://" + r.Host + "/v1.0", TokenSource: pimclient.StaticToken(s.dashboardToken),
		HTTPClient: &http.Client{Transport: inProcess{s}}, UserAgent: "pimemulator-dashboard", Now: s.st.Clock().Now})
	var page bytes.Buffer
	if err == nil {
		var d *report.Data
		if d, err = report.Collect(ctx, client, "PIM emulator at "+r.Host, report.Options{}); err == nil {
			d.LeastPrivilege = s.leastPrivilege()
			err = d.WriteHTML(&page, dashboardRefresh)
		}
	}
	if err != nil {
		http.Error(w, "the dashboard could not read the emulator: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(page.Bytes())
}

// inProcess sends a request to the emulator's own handler, without a socket.
type inProcess struct{ s *Server }

func (t inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.s.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r // as a transport's answer carries its request
	return resp, nil
}

// newDashboardToken is the dashboard's own admin token: never printed.
func newDashboardToken() string { return identity.RandomToken("pimdash_") }

// leastPrivilege is what the calls so far needed, without the dashboard's
// own reads.
func (s *Server) leastPrivilege() *report.LeastPrivilege {
	lp := &report.LeastPrivilege{Permissions: s.st.Access.LeastPermissions()}
	for _, op := range s.st.Access.Operations() {
		lp.Operations = append(lp.Operations, report.PermissionUse{Operation: op.Operation, Permission: strings.Join(op.Permissions, ", "), Roles: op.Roles})
	}
	return lp
}
