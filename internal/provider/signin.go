package provider

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
)

// appOnly reports whether the provider signs in without a user: client
// credentials and workload identity federation always do; a bearer token
// does when its claims say so.
func (p *pimProvider) appOnly(cfg *pimProviderModel, method string) bool {
	if method != "bearer token" {
		return method != "Azure CLI"
	}
	return appOnlyToken(firstNonEmpty(cfg.AccessToken.ValueString(), os.Getenv(EnvAccessToken), p.token))
}

// appOnlyToken reads, without verifying (Graph verifies), the claims of an
// Entra access token: idtyp "app", or application roles without delegated
// scopes (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
// A token that is not a JWT (the emulator's) counts as a user's.
func appOnlyToken(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return false
	}
	var claims struct {
		IDType string   `json:"idtyp"`
		Scopes string   `json:"scp"`
		Roles  []string `json:"roles"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return false
	}
	return claims.IDType == "app" || (claims.Scopes == "" && len(claims.Roles) > 0)
}
