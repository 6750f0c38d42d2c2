package emulator_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// The identity endpoints refuse what Azure refuses; the sign-in flows
// themselves are tested through azidentity in internal/entraauth.
func TestIdentityEndpointsRefuse(t *testing.T) {
	srv, err := emulator.New(emulator.Options{ControlToken: "ctl", Tokens: map[string]emulator.Identity{"t": {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	call := func(method, path string, header map[string]string) (int, string) {
		req, _ := http.NewRequestWithContext(t.Context(), method, hs.URL+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	imds := "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://graph.microsoft.com"
	for _, c := range []struct {
		name, method, path string
		header             map[string]string
		status             int
		body               string
	}{
		{"IMDS without the Metadata header", "GET", imds + "&client_id=" + emulator.AppClientID, nil, 400, "Required metadata header not specified"},
		{"IMDS for an identity the machine lacks", "GET", imds, map[string]string{"Metadata": "true"}, 400, "Identity not found"},
		{"IMDS for a user-assigned identity", "GET", imds + "&client_id=" + emulator.AppClientID, map[string]string{"Metadata": "true"}, 200, `"token_type":"Bearer"`},
		{"a CI token without the control token", "GET", "/_oidc/github?audience=api://AzureADTokenExchange", nil, 401, "control token"},
		{"the issuer's keys", "GET", "/_oidc/keys", nil, 200, `"kid":"pim-emulator-1"`},
	} {
		if status, body := call(c.method, c.path, c.header); status != c.status || !strings.Contains(body, c.body) {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
	}
}
