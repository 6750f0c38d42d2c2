// Package entraauth turns provider settings into Microsoft Entra credentials
// (azidentity) and adapts them to pimclient.TokenSource. It knows nothing of
// Terraform; secrets pass through it and are never logged or put in errors.
package entraauth

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// DefaultAuthorityHost is the global cloud's Microsoft identity platform.
const DefaultAuthorityHost = "https://login.microsoftonline.com/"

// Config selects and configures one way to sign in. The first that applies
// wins, in this order: client certificate, client secret, OIDC (workload
// identity federation: Azure Pipelines service connection, token, token
// file, GitHub Actions), managed identity, Azure CLI.
type Config struct {
	TenantID     string
	ClientID     string
	ClientSecret string

	// ClientCertificate is a PKCS#12 or PEM bundle (certificate and private
	// key) registered on the app; ClientCertificatePassword opens it.
	ClientCertificate         []byte
	ClientCertificatePassword string

	UseOIDC bool
	// OIDCToken is an ID token from an external identity provider.
	OIDCToken string
	// OIDCTokenFilePath names a file holding such a token (re-read on every
	// sign-in, as Kubernetes rotates it).
	OIDCTokenFilePath string
	// OIDCRequestURL and OIDCRequestToken fetch the token from GitHub Actions
	// (ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN).
	OIDCRequestURL   string
	OIDCRequestToken string
	// ADOServiceConnectionID selects Azure Pipelines' workload identity:
	// the token comes from the pipeline (SYSTEM_OIDCREQUESTURI) with
	// SystemAccessToken (the pipeline's System.AccessToken).
	ADOServiceConnectionID string
	SystemAccessToken      string

	// UseMSI signs in as the managed identity of the machine (user-assigned
	// when ClientID is set); MSIEndpoint replaces the instance metadata
	// service's token endpoint.
	UseMSI      bool
	MSIEndpoint string

	UseCLI bool

	// AuthorityHost overrides the identity platform (sovereign clouds, tests).
	AuthorityHost string
	// Scope is the token scope, e.g. https://graph.microsoft.com/.default.
	Scope string
	// HTTPClient carries identity traffic (tests use the emulator's TLS client).
	HTTPClient *http.Client
}

// Sign-in methods, as Method names them.
const (
	MethodCertificate = "client certificate"
	MethodSecret      = "client secret"
	MethodADO         = "Azure Pipelines workload identity"
	MethodOIDC        = "OIDC (workload identity federation)"
	MethodMSI         = "managed identity"
	MethodCLI         = "Azure CLI"
)

// Method names the sign-in method Config selects, for logs; "" when none.
func (c Config) Method() string {
	switch {
	case c.ClientID != "" && len(c.ClientCertificate) > 0:
		return MethodCertificate
	case c.ClientID != "" && c.ClientSecret != "":
		return MethodSecret
	case c.UseOIDC && c.ADOServiceConnectionID != "":
		return MethodADO
	case c.UseOIDC:
		return MethodOIDC
	case c.UseMSI:
		return MethodMSI
	case c.UseCLI:
		return MethodCLI
	}
	return ""
}

// AppOnly reports whether the method signs in without a user.
func (c Config) AppOnly() bool { return c.Method() != MethodCLI && c.Method() != "" }

// ErrNoMethod is returned when Config selects no sign-in method.
var ErrNoMethod = errors.New("no sign-in method configured")

// NewTokenSource builds the credential Config selects.
func NewTokenSource(c Config) (pimclient.TokenSource, error) {
	if c.Method() == "" {
		return nil, ErrNoMethod
	}
	opts := c.clientOptions()
	cred, err := c.credential(opts)
	if err != nil {
		return nil, fmt.Errorf("setting up %s sign-in: %w", c.Method(), err)
	}
	scope := c.Scope
	if scope == "" {
		scope = "https://graph.microsoft.com/.default"
	}
	return &credentialSource{cred: cred, scope: scope, method: c.Method()}, nil
}

func (c Config) clientOptions() azcore.ClientOptions {
	opts := azcore.ClientOptions{}
	if c.AuthorityHost != "" {
		opts.Cloud = cloud.Configuration{ActiveDirectoryAuthorityHost: c.AuthorityHost}
	}
	if c.HTTPClient != nil {
		opts.Transport = c.HTTPClient
	}
	if c.UseMSI && c.MSIEndpoint != "" {
		opts.Transport = &msiRedirect{to: c.MSIEndpoint, next: opts.Transport}
	}
	return opts
}

// credential builds the azidentity credential of the selected method.
func (c Config) credential(opts azcore.ClientOptions) (azcore.TokenCredential, error) {
	// Instance discovery asks login.microsoftonline.com about the authority;
	// skip it for any other authority (sovereign clouds, the emulator).
	noDiscovery := c.AuthorityHost != "" && !strings.EqualFold(strings.TrimRight(c.AuthorityHost, "/"), strings.TrimRight(DefaultAuthorityHost, "/"))
	needs := func(what string, ok bool) error {
		if ok {
			return nil
		}
		return errors.New(what)
	}
	switch c.Method() {
	case MethodCertificate:
		if err := needs("tenant_id is required with a client certificate", c.TenantID != ""); err != nil {
			return nil, err
		}
		certs, key, err := parseCertificate(c.ClientCertificate, c.ClientCertificatePassword)
		if err != nil {
			return nil, fmt.Errorf("reading the client certificate (PKCS#12 or PEM with its private key; check the password): %w", err)
		}
		return azidentity.NewClientCertificateCredential(c.TenantID, c.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
	case MethodSecret:
		if err := needs("tenant_id is required with client_id and client_secret", c.TenantID != ""); err != nil {
			return nil, err
		}
		return azidentity.NewClientSecretCredential(c.TenantID, c.ClientID, c.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
	case MethodADO:
		if err := needs("tenant_id, client_id and the pipeline's System.AccessToken (SYSTEM_ACCESSTOKEN) are required for Azure Pipelines",
			c.TenantID != "" && c.ClientID != "" && c.SystemAccessToken != ""); err != nil {
			return nil, err
		}
		return azidentity.NewAzurePipelinesCredential(c.TenantID, c.ClientID, c.ADOServiceConnectionID, c.SystemAccessToken,
			&azidentity.AzurePipelinesCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
	case MethodOIDC:
		if err := needs("tenant_id and client_id are required with use_oidc", c.TenantID != "" && c.ClientID != ""); err != nil {
			return nil, err
		}
		assertion, err := c.assertionSource()
		if err != nil {
			return nil, err
		}
		return azidentity.NewClientAssertionCredential(c.TenantID, c.ClientID, assertion,
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: noDiscovery})
	case MethodMSI:
		o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts}
		if c.ClientID != "" {
			o.ID = azidentity.ClientID(c.ClientID)
		}
		return azidentity.NewManagedIdentityCredential(o)
	case MethodCLI:
		return azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: c.TenantID})
	}
	return nil, ErrNoMethod
}

// msiRedirect sends the requests azidentity makes to the instance metadata
// service to another token endpoint (msi_endpoint), keeping their query.
type msiRedirect struct {
	to   string
	next policy.Transporter
}

func (m *msiRedirect) Do(req *http.Request) (*http.Response, error) {
	if req.URL.Host == "169.254.169.254" {
		to, err := url.Parse(m.to)
		if err != nil {
			return nil, fmt.Errorf("invalid msi_endpoint: %w", err)
		}
		u := *req.URL
		u.Scheme, u.Host, u.Path = to.Scheme, to.Host, to.Path
		req = req.Clone(req.Context())
		req.URL, req.Host = &u, to.Host
	}
	if m.next != nil {
		return m.next.Do(req)
	}
	return http.DefaultClient.Do(req)
}

// assertionSource returns the function azidentity calls for a fresh client
// assertion on every token request.
func (c Config) assertionSource() (func(context.Context) (string, error), error) {
	switch {
	case c.OIDCToken != "":
		tok := c.OIDCToken
		return func(context.Context) (string, error) { return tok, nil }, nil
	case c.OIDCTokenFilePath != "":
		p := c.OIDCTokenFilePath
		return func(context.Context) (string, error) {
			b, err := os.ReadFile(p)
			if err != nil {
				return "", fmt.Errorf("reading the OIDC token file: %w", err)
			}
			return strings.TrimSpace(string(b)), nil
		}, nil
	case c.OIDCRequestURL != "" && c.OIDCRequestToken != "":
		client := c.HTTPClient
		if client == nil {
			client = http.DefaultClient
		}
		return func(ctx context.Context) (string, error) {
			return githubToken(ctx, client, c.OIDCRequestURL, c.OIDCRequestToken)
		}, nil
	}
	return nil, errors.New("use_oidc needs oidc_token, oidc_token_file_path, or oidc_request_url with oidc_request_token (set by GitHub Actions with permissions: id-token: write)")
}

// githubToken asks GitHub Actions for an ID token with the audience Entra
// expects for federated credentials (https://learn.microsoft.com/entra/workload-id/workload-identity-federation).
func githubToken(ctx context.Context, client *http.Client, requestURL, requestToken string) (string, error) {
	u, err := url.Parse(requestURL)
	if err != nil {
		return "", fmt.Errorf("invalid oidc_request_url: %w", err)
	}
	q := u.Query()
	q.Set("audience", "api://AzureADTokenExchange")
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "bearer "+requestToken)
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("requesting an ID token from GitHub Actions: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("requesting an ID token from GitHub Actions: HTTP %d", resp.StatusCode)
	}
	var out struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Value == "" {
		return "", errors.New("requesting an ID token from GitHub Actions: the answer has no token")
	}
	return out.Value, nil
}

// credentialSource adapts an azcore.TokenCredential (which caches and
// refreshes tokens itself) to pimclient.TokenSource.
type credentialSource struct {
	cred   azcore.TokenCredential
	scope  string
	method string
}

func (s *credentialSource) Token(ctx context.Context) (string, error) {
	tok, err := s.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{s.scope}})
	if err != nil {
		return "", fmt.Errorf("signing in to Microsoft Entra (%s): %w", s.method, err)
	}
	return tok.Token, nil
}

// parseCertificate reads a client certificate with its private key: a
// PKCS#12 file as OpenSSL 3 writes it by default (AES-256 with PBES2, which
// azidentity's reader refuses with "unknown digest algorithm"), a legacy
// one, or PEM.
func parseCertificate(data []byte, password string) ([]*x509.Certificate, crypto.PrivateKey, error) {
	if key, cert, chain, err := pkcs12.DecodeChain(data, password); err == nil {
		return append([]*x509.Certificate{cert}, chain...), key, nil
	}
	return azidentity.ParseCertificates(data, []byte(password))
}
