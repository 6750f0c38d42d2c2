package emulator_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

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
		{"IMDS for a user-assigned identity", "GET", imds + "&client_id=" + emulator.ManagedIdentityClientID, map[string]string{"Metadata": "true"}, 200, `"token_type":"Bearer"`},
		{"IMDS for an app registration that is no managed identity", "GET", imds + "&client_id=" + emulator.AppClientID, map[string]string{"Metadata": "true"}, 400, "Identity not found"},
		{"IMDS for another API", "GET", strings.Replace(imds, "graph.microsoft.com", "vault.azure.net", 1) + "&client_id=" + emulator.ManagedIdentityClientID, map[string]string{"Metadata": "true"}, 400, "Microsoft Graph and Azure Resource Manager only"},
		{"a CI token without the control token", "GET", "/_oidc/github?audience=api://AzureADTokenExchange", nil, 401, "control token"},
		{"a CI token with a wrong bearer token", "GET", "/_oidc/github?audience=api://AzureADTokenExchange", map[string]string{"Authorization": "Bearer guess"}, 401, "control token"},
		{"an Azure Pipelines token with a Graph token", "POST", "/_oidc/ado?serviceConnectionId=c", map[string]string{"Authorization": "Bearer t"}, 401, "control token"},
		{"a CI token with the control token", "GET", "/_oidc/github?audience=api://AzureADTokenExchange", map[string]string{"Authorization": "Bearer ctl"}, 200, `"value"`},
		{"the issuer's keys", "GET", "/_oidc/keys", nil, 200, `"kid":"pim-emulator-1"`},
	} {
		if status, body := call(c.method, c.path, c.header); status != c.status || !strings.Contains(body, c.body) {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
	}
}

// Every way to get a token, and what each must refuse: the wrong app's
// secret, another API's scope, a federated token of another subject or
// audience, an expired or forged one, an app registration asked for as a
// managed identity, an application without permissions, and a Privileged
// Role Administrator assignment that has not started.
func TestTokenPathsRefuse(t *testing.T) {
	srv, err := emulator.New(emulator.Options{ControlToken: "ctl", AppSecret: "app-secret", FederatedSubject: "repo:contoso/pim:ref:refs/heads/main",
		Clock: emulator.NewFakeClock(time.Now().Add(48 * time.Hour))}) // a moved clock: assertions still live on real time
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	token := func(form url.Values) (int, string) {
		form.Set("grant_type", "client_credentials")
		if form.Get("scope") == "" {
			form.Set("scope", "https://graph.microsoft.com/.default")
		}
		resp, err := http.PostForm(hs.URL+"/"+emulator.DefaultTenantID+"/oauth2/v2.0/token", form) //nolint:noctx // a test
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	fed := func(subject, audience string, ttl time.Duration) string {
		tok, err := srv.MintOIDCToken(subject, audience, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := fed("repo:contoso/pim:ref:refs/heads/main", emulator.FederationAudience, time.Hour)
	forged := good[:strings.LastIndex(good, ".")+1] + strings.Repeat("A", len(good)-strings.LastIndex(good, ".")-1)
	assertion := func(clientID, jwt string) url.Values {
		return url.Values{"client_id": {clientID}, "client_assertion": {jwt},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}}
	}
	for _, c := range []struct {
		name   string
		form   url.Values
		status int
		body   string
	}{
		{"the app's secret", url.Values{"client_id": {emulator.AppClientID}, "client_secret": {"app-secret"}}, 200, "access_token"},
		{"a wrong secret", url.Values{"client_id": {emulator.AppClientID}, "client_secret": {"guess"}}, 401, "AADSTS7000215"},
		{"the app's secret for another app", url.Values{"client_id": {emulator.ManagedIdentityClientID}, "client_secret": {"app-secret"}}, 401, "AADSTS7000215"},
		{"a scope of another API", url.Values{"client_id": {emulator.AppClientID}, "client_secret": {"app-secret"},
			"scope": {"https://vault.azure.net/.default"}}, 400, "AADSTS500011"},
		{"the federated credential", assertion(emulator.AppClientID, good), 200, "access_token"},
		{"a federated token for another app", assertion(emulator.ManagedIdentityClientID, good), 401, "AADSTS70021"},
		{"another subject", assertion(emulator.AppClientID, fed("repo:evil/fork:ref:refs/heads/main", emulator.FederationAudience, time.Hour)), 401, "AADSTS700213"},
		{"another audience", assertion(emulator.AppClientID, fed("repo:contoso/pim:ref:refs/heads/main", "api://other", time.Hour)), 401, "AADSTS700212"},
		{"an expired token", assertion(emulator.AppClientID, fed("repo:contoso/pim:ref:refs/heads/main", emulator.FederationAudience, -time.Hour)), 401, "AADSTS700024"},
		{"a forged signature", assertion(emulator.AppClientID, forged), 401, "AADSTS700027"},
	} {
		if status, body := token(c.form); status != c.status || !strings.Contains(body, c.body) {
			t.Errorf("%s: %d %s", c.name, status, body)
		}
	}

	graph := func(tok, path string) int {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", hs.URL+"/v1.0"+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	ctl := func(path, body string) map[string]any {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", hs.URL+"/_emulator/"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer ctl")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	schedules := "/roleManagement/directory/roleAssignmentSchedules"
	none := ctl("tokens", `{"principal":"`+emulator.AppServicePrincipalID+`","permissions":[]}`)["access_token"].(string)
	if s := graph(none, schedules); s != 403 {
		t.Errorf("an application without permissions lists schedules: %d", s)
	}
	// A Privileged Role Administrator assignment that starts tomorrow authorizes nothing today.
	admin := srv.AdminToken()
	body := `{"action":"adminAssign","principalId":"` + emulator.BobID + `","roleDefinitionId":"` + emulator.RolePrivilegedRoleAdministrator +
		`","directoryScopeId":"/","justification":"later","scheduleInfo":{"startDateTime":"` + time.Now().Add(72*time.Hour).UTC().Format(time.RFC3339) +
		`","expiration":{"type":"noExpiration"}}}`
	req, _ := http.NewRequestWithContext(t.Context(), "POST", hs.URL+"/v1.0"+"/roleManagement/directory/roleAssignmentScheduleRequests", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("future Privileged Role Administrator: %d", resp.StatusCode)
	}
	bob := ctl("tokens", `{"principal":"`+emulator.BobID+`","mfa":true}`)["access_token"].(string)
	if s := graph(bob, schedules); s != 403 {
		t.Errorf("a Privileged Role Administrator who has not started lists the tenant's schedules: %d", s)
	}
}

// A certificate assertion must name this token endpoint as its audience: the
// address the connection reached, not a Host header the caller chose. And it
// must be signed by the certificate registered on the app.
func TestCertificateAssertionAudienceAndSignature(t *testing.T) {
	key, certPEM := testCertificate(t)
	other, _ := testCertificate(t)
	srv, err := emulator.New(emulator.Options{AppCertificate: certPEM})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	host := strings.TrimPrefix(hs.URL, "http://")
	endpoint := "/" + emulator.DefaultTenantID + "/oauth2/v2.0/token"
	for _, c := range []struct {
		name, aud, hostHeader string
		signer                *rsa.PrivateKey
		status                int
		body                  string
	}{
		{"this endpoint", "https://" + host + endpoint, "", key, 200, "access_token"},
		{"another audience", "https://login.example" + endpoint, "", key, 401, "AADSTS700212"},
		{"another audience, Host header forged to match", "https://login.example" + endpoint, "login.example", key, 401, "AADSTS700212"},
		{"another key's signature", "https://" + host + endpoint, "", other, 401, "AADSTS700027"},
	} {
		form := url.Values{"grant_type": {"client_credentials"}, "scope": {"https://graph.microsoft.com/.default"}, "client_id": {emulator.AppClientID},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
			"client_assertion":      {signAssertion(t, c.signer, certPEM, emulator.AppClientID, c.aud)}}
		req, _ := http.NewRequestWithContext(t.Context(), "POST", hs.URL+endpoint, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if c.hostHeader != "" {
			req.Host = c.hostHeader
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(b), c.body) {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, b)
		}
	}
}

func testCertificate(t *testing.T) (*rsa.PrivateKey, []byte) {
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
	return key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// signAssertion signs a client assertion (RS256) naming the registered
// certificate by its SHA-1 thumbprint, as MSAL does.
func signAssertion(t *testing.T, key *rsa.PrivateKey, certPEM []byte, clientID, aud string) string {
	t.Helper()
	block, _ := pem.Decode(certPEM)
	thumb := sha1.Sum(block.Bytes) //nolint:gosec // x5t is defined as the SHA-1 thumbprint
	enc := base64.RawURLEncoding
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "x5t": enc.EncodeToString(thumb[:])})
	now := time.Now()
	claims, _ := json.Marshal(map[string]any{"iss": clientID, "sub": clientID, "aud": aud, "jti": "j1",
		"nbf": now.Unix(), "iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()})
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + enc.EncodeToString(sig)
}
