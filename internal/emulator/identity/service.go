// Package identity is the emulator's identity platform: bearer tokens and
// who they stand for, the OAuth 2.0 token endpoint (client secret,
// certificate assertion, federated credential), JWTs, the emulator's own
// OIDC issuer (a stand-in for GitHub Actions, Azure Pipelines and HCP
// Terraform) and the managed identity endpoint.
package identity

import (
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
)

// Config is what the emulator stands in for as an identity provider: the
// subject its CI token endpoints mint tokens for, and the issuer the seeded
// app's federated credential trusts. The apps' own credentials live on their
// service principals.
type Config struct {
	// FederatedSubject is the subject of the app's federated identity
	// credential; empty disables federated sign-in.
	FederatedSubject string
	// FederatedIssuer is that credential's issuer (default OIDCIssuer).
	FederatedIssuer string
}

// Service issues and verifies tokens for one tenant.
type Service struct {
	cfg      Config
	dir      *tenant.Directory
	tenantID string
	clock    core.Clock
	// Tokens maps bearer tokens to identities.
	Tokens *Tokens
	// control is the control API's token (it may mint OIDC tokens too).
	control string
	issuer  issuerKey
	// now is real time: the lifetime of a client assertion or of a CI
	// token is the signer's, whose clock is real, whatever the emulator's
	// (moved) clock says.
	now func() time.Time
}

// New returns the identity platform of a tenant.
func New(cfg Config, dir *tenant.Directory, tenantID string, clock core.Clock, control string) *Service {
	return &Service{cfg: cfg, dir: dir, tenantID: tenantID, clock: clock, Tokens: &Tokens{m: map[string]core.Identity{}}, control: control, now: time.Now}
}
