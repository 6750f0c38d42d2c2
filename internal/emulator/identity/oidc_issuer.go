package identity

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/base64"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// The emulator as an OpenID Connect issuer, in place of GitHub Actions,
// Azure Pipelines or HCP Terraform: it signs ID tokens with its own key,
// publishes the key (JWKS), and verifies federated client assertions
// against it as Entra verifies them against the issuer of a federated
// identity credential
// (https://learn.microsoft.com/entra/workload-id/workload-identity-federation).
//
//	GET  /_oidc/.well-known/openid-configuration, /_oidc/keys
//	GET  /_oidc/github?audience=…         (bearer: the control token) → {"value": token}
//	POST /_oidc/ado?serviceConnectionId=… (bearer: the control token) → {"oidcToken": token}
//	POST /_emulator/oidc-token {"subject", "audience", "expires_in"} → {"token": token}

// OIDCIssuer is the iss of the tokens the emulator signs.
const OIDCIssuer = "https://pim-emulator.local/oidc"

// FederationAudience is the audience Entra expects of federated tokens.
const FederationAudience = "api://AzureADTokenExchange"

const issuerKid = "pim-emulator-1"

type issuerKey struct {
	once sync.Once
	key  *rsa.PrivateKey
	err  error
}

func (k *issuerKey) get() (*rsa.PrivateKey, error) {
	k.once.Do(func() { k.key, k.err = rsa.GenerateKey(rand.Reader, 2048) })
	return k.key, k.err
}

// MintOIDCToken signs an ID token for subject, as a CI system would.
func (s *Service) MintOIDCToken(subject, audience string, ttl time.Duration) (string, error) {
	key, err := s.issuer.get()
	if err != nil {
		return "", err
	}
	now := s.now()
	if audience == "" {
		audience = FederationAudience
	}
	return signJWT(key, issuerKid, jwtClaims{Iss: OIDCIssuer, Sub: subject, Aud: audience, Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Add(ttl).Unix(), Jti: core.NewID()})
}

// FederatedIssuer is the issuer the seeded app's federated credential
// trusts: Config.FederatedIssuer, or the emulator's own.
func (s *Service) FederatedIssuer() string {
	if s.cfg.FederatedIssuer != "" {
		return s.cfg.FederatedIssuer
	}
	return OIDCIssuer
}

// federatedAssertionOK verifies a federated assertion as Entra does: the
// issuer's signature, then issuer, subject and audience against the app's
// federated identity credential, and the validity window. It returns the
// AADSTS error when it does not match.
func (s *Service) federatedAssertionOK(token *parsedJWT, sp tenant.ServicePrincipal) (int, string) {
	key, err := s.issuer.get()
	switch {
	case len(sp.Federated) == 0:
		return 70021, "AADSTS70021: No matching federated identity record found for presented assertion."
	case err != nil || token.header.Kid != issuerKid || !token.verify(&key.PublicKey):
		return 700027, "AADSTS700027: Client assertion failed signature validation."
	case !slices.ContainsFunc(sp.Federated, func(fc tenant.FederatedCredential) bool { return fc.Issuer == token.claims.Iss }):
		return 700211, "AADSTS700211: No matching federated identity record found for presented assertion issuer '" + token.claims.Iss + "'."
	case !slices.ContainsFunc(sp.Federated, func(fc tenant.FederatedCredential) bool {
		return fc.Issuer == token.claims.Iss && fc.Subject == token.claims.Sub
	}):
		return 700213, "AADSTS700213: No matching federated identity record found for presented assertion subject '" + token.claims.Sub + "'."
	case !core.ContainsFold(token.claims.audiences(), FederationAudience):
		return 700212, "AADSTS700212: No matching federated identity record found for presented assertion audience."
	case !token.claims.validAt(s.now()):
		return 700024, "AADSTS700024: Client assertion is not within its valid time range."
	}
	return 0, ""
}

// serveOIDC serves the issuer's endpoints; false when the path is not one.
func (s *Service) serveOIDC(w *wire.Writer, r *http.Request) bool {
	path := strings.TrimPrefix(r.URL.Path, "/_oidc/")
	if path == r.URL.Path {
		return false
	}
	switch {
	case path == ".well-known/openid-configuration" && r.Method == http.MethodGet:
		base := "https://" + r.Host + "/_oidc"
		w.JSON(http.StatusOK, map[string]any{"issuer": OIDCIssuer, "jwks_uri": base + "/keys",
			"id_token_signing_alg_values_supported": []string{"RS256"}, "response_types_supported": []string{"id_token"},
			"subject_types_supported": []string{"public", "pairwise"}, "claims_supported": []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf"}})
	case path == "keys" && r.Method == http.MethodGet:
		s.serveJWKS(w)
	case path == "github" && r.Method == http.MethodGet, path == "ado" && r.Method == http.MethodPost:
		s.serveCIToken(w, r, path)
	default:
		w.Error(http.StatusNotFound, "NotFound", "No OIDC endpoint at "+r.URL.Path)
	}
	return true
}

func (s *Service) serveJWKS(w *wire.Writer) {
	key, err := s.issuer.get()
	if err != nil {
		w.Error(http.StatusInternalServerError, "InternalServerError", "the issuer key could not be made")
		return
	}
	enc := base64.RawURLEncoding.EncodeToString
	w.JSON(http.StatusOK, map[string]any{"keys": []any{map[string]any{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": issuerKid,
		"n": enc(key.N.Bytes()), "e": enc(big.NewInt(int64(key.E)).Bytes())}}})
}

// serveCIToken hands out an ID token as GitHub Actions
// (ACTIONS_ID_TOKEN_REQUEST_URL) or Azure Pipelines (SYSTEM_OIDCREQUESTURI)
// do, to a caller holding the control token.
func (s *Service) serveCIToken(w *wire.Writer, r *http.Request, ci string) {
	auth := r.Header.Get("Authorization")
	if len(auth) < 7 || !strings.EqualFold(auth[:7], "bearer ") || subtle.ConstantTimeCompare([]byte(auth[7:]), []byte(s.control)) != 1 {
		w.Error(http.StatusUnauthorized, "Unauthorized", "The OIDC token endpoints need the control token as bearer token.")
		return
	}
	subject := s.cfg.FederatedSubject
	if ci == "ado" {
		// Azure Pipelines' subject names the service connection.
		subject = "sc://pim-emulator/pim/" + r.URL.Query().Get("serviceConnectionId")
	}
	tok, err := s.MintOIDCToken(subject, r.URL.Query().Get("audience"), 10*time.Minute)
	if err != nil {
		w.Error(http.StatusInternalServerError, "InternalServerError", "signing failed")
		return
	}
	if ci == "ado" {
		w.JSON(http.StatusOK, map[string]string{"oidcToken": tok})
		return
	}
	w.JSON(http.StatusOK, map[string]string{"value": tok})
}

// MintControl is POST /_emulator/oidc-token.
func (s *Service) MintControl(w *wire.Writer, body []byte) {
	var req struct {
		Subject   string `json:"subject"`
		Audience  string `json:"audience"`
		ExpiresIn int    `json:"expires_in"`
	}
	if e := wire.DecodeBody(body, &req, "oidcTokenRequest"); e != nil {
		w.Error(e.Status, e.Code, e.Message)
		return
	}
	if req.Subject == "" {
		w.Error(http.StatusBadRequest, "BadRequest", "subject is required.")
		return
	}
	ttl := time.Duration(req.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = 10 * time.Minute
	}
	tok, err := s.MintOIDCToken(req.Subject, req.Audience, ttl)
	if err != nil {
		w.Error(http.StatusInternalServerError, "InternalServerError", "signing failed")
		return
	}
	w.JSON(http.StatusOK, map[string]string{"token": tok})
}
