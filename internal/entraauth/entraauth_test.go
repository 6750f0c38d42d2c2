package entraauth_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/entraauth"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

const (
	secret  = "s3cr3t-client-secret"
	subject = "repo:pim-as-code/infra:ref:refs/heads/main"
)

// tlsEmulator serves the emulator over TLS (MSAL accepts only https
// authorities) with the app's secret, federated credential and certificate.
func tlsEmulator(t *testing.T, certPEM []byte) (*httptest.Server, *emulator.Server) {
	t.Helper()
	srv, err := emulator.New(emulator.Options{AppSecret: secret, FederatedSubject: subject, AppCertificate: certPEM, ControlToken: control,
		Clock: &emulator.OffsetClock{}, Tokens: map[string]emulator.Identity{"unused-admin-token": {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewTLSServer(srv)
	t.Cleanup(hs.Close)
	return hs, srv
}

const control = "ctl"

// unsigned is a token that claims the right things but is not signed by
// the trusted issuer.
func unsigned(claims map[string]any) string {
	enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
	return enc(map[string]string{"alg": "RS256", "typ": "JWT", "kid": "pim-emulator-1"}) + "." + enc(claims) + ".c2lnbmF0dXJl"
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
	hs, _ := tlsEmulator(t, nil)
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
	wantRefused(t, cfg, "AADSTS7000215", secret)
}

// wantRefused signs in with cfg and expects Entra's code; the error must
// not carry the secret material given.
func wantRefused(t *testing.T, cfg entraauth.Config, code string, secrets ...string) {
	t.Helper()
	ts, err := entraauth.NewTokenSource(cfg)
	if err == nil {
		_, err = ts.Token(context.Background())
	}
	if err == nil || !strings.Contains(err.Error(), code) {
		t.Fatalf("%s sign-in: %v, want %s", cfg.Method(), err, code)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("the error text contains secret material: %v", err)
		}
	}
}

// selfSigned makes a certificate and key bundle (PEM) for the app.
func selfSigned(t *testing.T) (bundle, certPEM []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "terraform-ci"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return append(slices.Clone(certPEM), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...), certPEM
}

// toPFX packs a PEM certificate and key into a PKCS#12 file.
func toPFX(t *testing.T, bundle []byte, enc *pkcs12.Encoder, password string) []byte {
	t.Helper()
	var cert *x509.Certificate
	var key any
	for rest := bundle; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		var err error
		switch b.Type {
		case "CERTIFICATE":
			cert, err = x509.ParseCertificate(b.Bytes)
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	pfx, err := enc.Encode(key, cert, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	return pfx
}

// A client assertion signed with the registered certificate signs in; one
// signed with another certificate is refused as Entra refuses it.
func TestClientCertificate(t *testing.T) {
	bundle, certPEM := selfSigned(t)
	hs, _ := tlsEmulator(t, certPEM)
	cfg := entraauth.Config{TenantID: emulator.DefaultTenantID, ClientID: emulator.AppClientID, ClientCertificate: bundle,
		AuthorityHost: hs.URL + "/", HTTPClient: hs.Client()}
	ts, err := entraauth.NewTokenSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := graphCall(t, hs, ts); err != nil {
		t.Fatalf("certificate: %v", err)
	}
	other, _ := selfSigned(t)
	cfg.ClientCertificate = other
	wantRefused(t, cfg, "AADSTS700027")
	// A .pfx as OpenSSL 3 writes it by default (AES-256-CBC, PBES2 with
	// PBKDF2-SHA-256, SHA-256 MAC), and a legacy one, sign in too.
	for name, enc := range map[string]*pkcs12.Encoder{"modern": pkcs12.Modern, "legacy": pkcs12.Legacy} {
		pfx := toPFX(t, bundle, enc, "pfx-password")
		cfg.ClientCertificate, cfg.ClientCertificatePassword = pfx, "pfx-password"
		ts, err := entraauth.NewTokenSource(cfg)
		if err != nil {
			t.Fatalf("%s PKCS#12: %v", name, err)
		}
		if err := graphCall(t, hs, ts); err != nil {
			t.Fatalf("%s PKCS#12: %v", name, err)
		}
	}
	cfg.ClientCertificatePassword = ""
	cfg.ClientCertificate = []byte("not a certificate")
	if _, err := entraauth.NewTokenSource(cfg); err == nil || !strings.Contains(err.Error(), "reading the client certificate") {
		t.Fatalf("a bundle that is not a certificate: %v", err)
	}
}

func TestOIDCTokenFileAndGitHub(t *testing.T) {
	hs, srv := tlsEmulator(t, nil)
	good, err := srv.MintOIDCToken(subject, "", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
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

	// GitHub Actions: the emulator stands in for ACTIONS_ID_TOKEN_REQUEST_URL.
	fromGitHub := base
	fromGitHub.OIDCRequestURL, fromGitHub.OIDCRequestToken = hs.URL+"/_oidc/github?api-version=2.0", control
	ts, err = entraauth.NewTokenSource(fromGitHub)
	if err != nil {
		t.Fatal(err)
	}
	if err := graphCall(t, hs, ts); err != nil {
		t.Fatalf("GitHub Actions: %v", err)
	}

	for name, c := range map[string]struct {
		token, code string
	}{
		"another subject": {mint(t, srv, "repo:someone/else:ref:refs/heads/main", 10*time.Minute), "AADSTS700213"},
		"not signed by the issuer": {unsigned(map[string]any{"iss": emulator.OIDCIssuer, "sub": subject, "aud": emulator.FederationAudience,
			"exp": time.Now().Add(time.Hour).Unix()}), "AADSTS700027"},
		"expired": {mint(t, srv, subject, -10*time.Minute), "AADSTS700024"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := base
			cfg.OIDCToken = c.token
			wantRefused(t, cfg, c.code, c.token)
		})
	}
}

func mint(t *testing.T, srv *emulator.Server, sub string, ttl time.Duration) string {
	t.Helper()
	tok, err := srv.MintOIDCToken(sub, "", ttl)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// Azure Pipelines: azidentity asks SYSTEM_OIDCREQUESTURI (the emulator
// here) for the service connection's token. Not parallel: it sets the
// pipeline's environment variable.
func TestAzurePipelines(t *testing.T) {
	srv, err := emulator.New(emulator.Options{FederatedSubject: "sc://pim-emulator/pim/conn-42", ControlToken: control, Clock: &emulator.OffsetClock{},
		Tokens: map[string]emulator.Identity{"unused": {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewTLSServer(srv)
	defer hs.Close()
	t.Setenv("SYSTEM_OIDCREQUESTURI", hs.URL+"/_oidc/ado")
	cfg := entraauth.Config{TenantID: emulator.DefaultTenantID, ClientID: emulator.AppClientID, UseOIDC: true, ADOServiceConnectionID: "conn-42",
		SystemAccessToken: control, AuthorityHost: hs.URL + "/", HTTPClient: hs.Client()}
	ts, err := entraauth.NewTokenSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := graphCall(t, hs, ts); err != nil {
		t.Fatalf("Azure Pipelines: %v", err)
	}
	cfg.ADOServiceConnectionID = "another-connection"
	wantRefused(t, cfg, "AADSTS700213", control)
}

// Managed identity through msi_endpoint: a user-assigned identity by client
// id signs in; asking for a system-assigned one the machine lacks fails.
func TestManagedIdentity(t *testing.T) {
	hs, _ := tlsEmulator(t, nil)
	cfg := entraauth.Config{UseMSI: true, ClientID: emulator.ManagedIdentityClientID, MSIEndpoint: hs.URL + "/metadata/identity/oauth2/token", HTTPClient: hs.Client()}
	ts, err := entraauth.NewTokenSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := graphCall(t, hs, ts); err != nil {
		t.Fatalf("user-assigned managed identity: %v", err)
	}
	cfg.ClientID = ""
	wantRefused(t, cfg, "Identity not found")
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
	if _, err := entraauth.NewTokenSource(entraauth.Config{TenantID: "t", ClientID: "c", UseOIDC: true, ADOServiceConnectionID: "x"}); err == nil ||
		!strings.Contains(err.Error(), "SYSTEM_ACCESSTOKEN") {
		t.Errorf("Azure Pipelines without the access token: %v", err)
	}
}

// The order of precedence, as documented.
func TestMethodPrecedence(t *testing.T) {
	all := entraauth.Config{ClientID: "c", ClientCertificate: []byte("x"), ClientSecret: "s", UseOIDC: true, ADOServiceConnectionID: "a", UseMSI: true, UseCLI: true}
	steps := []func(*entraauth.Config){
		func(c *entraauth.Config) { c.ClientCertificate = nil },
		func(c *entraauth.Config) { c.ClientSecret = "" },
		func(c *entraauth.Config) { c.ADOServiceConnectionID = "" },
		func(c *entraauth.Config) { c.UseOIDC = false },
		func(c *entraauth.Config) { c.UseMSI = false },
	}
	want := []string{entraauth.MethodCertificate, entraauth.MethodSecret, entraauth.MethodADO, entraauth.MethodOIDC, entraauth.MethodMSI, entraauth.MethodCLI}
	for i, w := range want {
		if got := all.Method(); got != w {
			t.Fatalf("step %d: %q, want %q", i, got, w)
		}
		if i < len(steps) {
			steps[i](&all)
		}
	}
}
