package entraauth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/entraauth"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

const (
	secret  = "s3cr3t-client-secret"
	subject = "repo:pim-as-code/infra:ref:refs/heads/main"
)

// tlsEmulator serves the emulator over TLS: MSAL accepts only https authorities.
func tlsEmulator(t *testing.T) *httptest.Server {
	t.Helper()
	srv, err := emulator.New(emulator.Options{AppSecret: secret, FederatedSubject: subject,
		Tokens: map[string]emulator.Identity{"unused-admin-token": {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewTLSServer(srv)
	t.Cleanup(hs.Close)
	return hs
}

func jwt(claims map[string]any) string {
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	return enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

// graphCall proves the token works: the service principal lists roles.
func graphCall(t *testing.T, hs *httptest.Server, ts pimclient.TokenSource) error {
	t.Helper()
	c, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: ts, HTTPClient: hs.Client(), RetryMax: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListRoleDefinitions(context.Background(), pimclient.Filter{}.Eq("displayName", "Global Reader"))
	return err
}

func TestClientSecret(t *testing.T) {
	hs := tlsEmulator(t)
	cfg := entraauth.Config{TenantID: emulator.DefaultTenantID, ClientID: emulator.AppClientID, ClientSecret: secret,
		AuthorityHost: hs.URL + "/", HTTPClient: hs.Client()}
	ts, err := entraauth.NewTokenSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := graphCall(t, hs, ts); err != nil {
		t.Fatalf("Graph call with a client-secret token: %v", err)
	}

	cfg.ClientSecret = "wrong-" + secret
	ts, err = entraauth.NewTokenSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ts.Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("wrong secret: %v, want AADSTS7000215", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("the error text contains the client secret: %v", err)
	}
}

func TestOIDCTokenFileAndGitHub(t *testing.T) {
	hs := tlsEmulator(t)
	good := jwt(map[string]any{"sub": subject, "aud": "api://AzureADTokenExchange", "iss": "https://token.actions.githubusercontent.com"})
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(good+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := entraauth.Config{TenantID: emulator.DefaultTenantID, ClientID: emulator.AppClientID, UseOIDC: true,
		AuthorityHost: hs.URL + "/", HTTPClient: hs.Client()}

	fromFile := base
	fromFile.OIDCTokenFilePath = file
	ts, err := entraauth.NewTokenSource(fromFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := graphCall(t, hs, ts); err != nil {
		t.Fatalf("token file: %v", err)
	}

	var gotAudience, gotAuth string
	gh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAudience, gotAuth = r.URL.Query().Get("audience"), r.Header.Get("Authorization")
		_ = json.NewEncoder(w).Encode(map[string]string{"value": good})
	}))
	defer gh.Close()
	fromGitHub := base
	fromGitHub.OIDCRequestURL, fromGitHub.OIDCRequestToken = gh.URL+"/token?api-version=2.0", "gh-request-token"
	ts, err = entraauth.NewTokenSource(fromGitHub)
	if err != nil {
		t.Fatal(err)
	}
	if err := graphCall(t, hs, ts); err != nil {
		t.Fatalf("GitHub Actions: %v", err)
	}
	if gotAudience != "api://AzureADTokenExchange" || gotAuth != "bearer gh-request-token" {
		t.Errorf("GitHub request: audience %q, authorization %q", gotAudience, gotAuth)
	}

	wrongSubject := base
	wrongSubject.OIDCToken = jwt(map[string]any{"sub": "repo:someone/else:ref:refs/heads/main", "aud": "api://AzureADTokenExchange"})
	ts, err = entraauth.NewTokenSource(wrongSubject)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "AADSTS70021") {
		t.Errorf("assertion for another subject: %v, want AADSTS70021", err)
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := entraauth.NewTokenSource(entraauth.Config{}); !errors.Is(err, entraauth.ErrNoMethod) {
		t.Errorf("empty config: %v", err)
	}
	if _, err := entraauth.NewTokenSource(entraauth.Config{ClientID: "x", ClientSecret: "y"}); err == nil || !strings.Contains(err.Error(), "tenant_id") {
		t.Errorf("secret without tenant: %v", err)
	}
	if _, err := entraauth.NewTokenSource(entraauth.Config{TenantID: "t", ClientID: "c", UseOIDC: true}); err == nil || !strings.Contains(err.Error(), "oidc_token") {
		t.Errorf("OIDC without a token source: %v", err)
	}
}
