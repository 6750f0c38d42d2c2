package identity

import (
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// A minimal Microsoft identity platform for the client-credentials flow
// (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow): OpenID discovery and the v2.0 token endpoint, with a
// client secret or a federated client assertion. MSAL requires an https
// authority, so clients reach these endpoints over TLS (httptest.NewTLSServer
// in tests).
//
//	GET  /{tenant}/v2.0/.well-known/openid-configuration
//	POST /{tenant}/oauth2/v2.0/token

func (s *Service) Serve(w *wire.Writer, r *http.Request) bool {
	if s.serveIMDS(w, r) || s.serveOIDC(w, r) {
		return true
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 4 && parts[1] == "v2.0" && parts[2] == ".well-known" && parts[3] == "openid-configuration" && r.Method == http.MethodGet:
		base := "https://" + r.Host + "/" + parts[0]
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"token_endpoint":                        base + "/oauth2/v2.0/token",
			"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
			"issuer":                                base + "/v2.0",
			"jwks_uri":                              base + "/discovery/v2.0/keys",
			"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		})
		return true
	case len(parts) == 4 && parts[1] == "oauth2" && parts[2] == "v2.0" && parts[3] == "token" && r.Method == http.MethodPost:
		s.token(w, r, parts[0])
		return true
	}
	return false
}

// oauthError writes the documented token error shape
// (the error response of the client-credentials flow). It never echoes the
// secret or assertion it was given.
func oauthError(w http.ResponseWriter, status int, code, description string, aadsts int) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"error": code, "error_description": description, "error_codes": []int{aadsts},
		"timestamp": "", "trace_id": "", "correlation_id": "",
	})
}

func (s *Service) token(w *wire.Writer, r *http.Request, tenantRef string) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "AADSTS900144: The request body must be application/x-www-form-urlencoded.", 900144)
		return
	}
	f := r.PostForm
	if !strings.EqualFold(tenantRef, s.tenantID) && !strings.EqualFold(tenantRef, s.dir.Domain) {
		oauthError(w, http.StatusBadRequest, "invalid_request", "AADSTS90002: Tenant '"+tenantRef+"' not found.", 90002)
		return
	}
	if f.Get("grant_type") != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.", 70003)
		return
	}
	if !slices.ContainsFunc(strings.Fields(f.Get("scope")), func(sc string) bool { return strings.HasSuffix(sc, "/.default") }) {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope must end with /.default.", 70011)
		return
	}
	resource := strings.TrimSuffix(strings.Fields(f.Get("scope"))[0], "/.default")
	audience := Audience(resource)
	if audience == "" {
		// The emulator serves Graph and ARM only: a token for another API must not work on it.
		oauthError(w, http.StatusBadRequest, "invalid_resource", "AADSTS500011: The resource principal named "+resource+
			" was not found in the tenant: this emulator issues tokens for Microsoft Graph and Azure Resource Manager only.", 500011)
		return
	}
	sp, found := s.dir.SPByAppID(f.Get("client_id"))
	if !found {
		oauthError(w, http.StatusBadRequest, "unauthorized_client", "AADSTS700016: Application with identifier '"+f.Get("client_id")+"' was not found in the directory.", 700016)
		return
	}
	switch {
	case f.Get("client_secret") != "":
		if sp.Secret == "" || subtle.ConstantTimeCompare([]byte(f.Get("client_secret")), []byte(sp.Secret)) != 1 {
			oauthError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided.", 7000215)
			return
		}
	case f.Get("client_assertion") != "":
		if code, desc := s.assertionOK(r, tenantRef, sp, f.Get("client_assertion")); code != 0 {
			oauthError(w, http.StatusUnauthorized, "invalid_client", desc, code)
			return
		}
	default:
		oauthError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000218: The request body must contain client_assertion or client_secret.", 7000218)
		return
	}
	tok := RandomToken("pimemu_")
	s.Tokens.Add(tok, core.Identity{PrincipalID: sp.ID, App: true, Permissions: sp.Permissions, Audience: audience})
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok})
}

// assertionOK checks a client assertion: signed by the certificate
// registered on this app (its header names the certificate's thumbprint),
// or a token of one of this app's federated credentials. It returns the
// AADSTS code and description of a refusal, 0 when it signs in.
func (s *Service) assertionOK(r *http.Request, tenantRef string, sp tenant.ServicePrincipal, assertion string) (int, string) {
	token, err := parseJWT(assertion)
	if err != nil {
		return 50027, "AADSTS50027: JWT token is invalid or malformed."
	}
	if token.header.X5t == "" && token.header.X5tS256 == "" {
		return s.federatedAssertionOK(token, sp)
	}
	clientID := sp.AppID
	cert, err := appCertificate(sp)
	switch {
	case err != nil || cert == nil:
		return 700027, "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application."
	case token.header.X5t != "" && !thumbprintMatches(token.header.X5t, cert, false),
		token.header.X5tS256 != "" && !thumbprintMatches(token.header.X5tS256, cert, true):
		return 700027, "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application."
	case !token.verify(publicKey(cert)):
		return 700027, "AADSTS700027: Client assertion failed signature validation."
	case !strings.EqualFold(token.claims.Iss, clientID) || !strings.EqualFold(token.claims.Sub, clientID):
		return 700021, "AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter."
	case !audienceIsThisEndpoint(r, tenantRef, token.claims.audiences()):
		return 700212, "AADSTS700212: The audience of the client assertion is not this token endpoint."
	case !token.claims.validAt(s.now()):
		return 700024, "AADSTS700024: Client assertion is not within its valid time range."
	}
	return 0, ""
}

// Audience is the API a token's resource names (by its URL in any national
// cloud, or its application id): core.AudienceGraph, core.AudienceARM, or
// "" for any other. A token works only on its own API.
func Audience(resource string) string {
	switch strings.ToLower(strings.TrimSuffix(resource, "/")) {
	case "https://graph.microsoft.com", "https://graph.microsoft.us", "https://dod-graph.microsoft.us",
		"https://microsoftgraph.chinacloudapi.cn", "00000003-0000-0000-c000-000000000000":
		return core.AudienceGraph
	case "https://management.azure.com", "https://management.core.windows.net", "https://management.usgovcloudapi.net",
		"https://management.core.usgovcloudapi.net", "https://management.chinacloudapi.cn", "https://management.core.chinacloudapi.cn",
		"797f4846-ba00-4fd7-ba43-dac1f8f63013":
		return core.AudienceARM
	}
	return ""
}

// audienceIsThisEndpoint reports whether an assertion names this token
// endpoint as its audience. The endpoint is the address the connection
// reached (its listener's), never the Host header a caller chose; on
// loopback, localhost names it too.
func audienceIsThisEndpoint(r *http.Request, tenantRef string, audiences []string) bool {
	local, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	hosts := []string{local.String()}
	if ap, err := netip.ParseAddrPort(local.String()); err == nil && ap.Addr().IsLoopback() {
		hosts = append(hosts, net.JoinHostPort("localhost", strconv.Itoa(int(ap.Port()))))
	}
	for _, h := range hosts {
		if core.ContainsFold(audiences, "https://"+h+"/"+tenantRef+"/oauth2/v2.0/token") || core.ContainsFold(audiences, "https://"+h+"/"+tenantRef+"/v2.0") {
			return true
		}
	}
	return false
}
