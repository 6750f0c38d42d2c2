package directory

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"go.yaml.in/yaml/v3"
)

// Seed describes the tenant the emulator starts with: its directory and its
// standing assignments. Load one with LoadSeed (pimemulator -seed
// tenant.yaml); without one, DefaultSeed is the demo tenant.
type Seed struct {
	Tenant              SeedTenant             `yaml:"tenant"`
	Users               []SeedUser             `yaml:"users"`
	Groups              []SeedGroup            `yaml:"groups"`
	ServicePrincipals   []SeedServicePrincipal `yaml:"service_principals"`
	AdministrativeUnits []SeedUnit             `yaml:"administrative_units"`
	RoleDefinitions     []SeedRole             `yaml:"role_definitions"`
	Assignments         []SeedAssignment       `yaml:"assignments"`
	// Azure is the Azure estate of PIM for Azure resources.
	Azure SeedAzure `yaml:"azure"`
	// Admin is the identity Terraform runs as (a user's UPN or a service
	// principal's display name or id): it holds Privileged Role
	// Administrator and Global Administrator, and the admin token is its.
	// Empty: a built-in admin user is added.
	Admin string `yaml:"admin"`
}

// SeedTenant names the tenant.
type SeedTenant struct {
	ID     string `yaml:"id"`
	Domain string `yaml:"domain"`
	// License is the tenant's plan: P2 (default) or Governance, which PIM
	// needs, or P1 or Free (PIM's invalid license alert fires).
	License string `yaml:"license"`
}

// SeedUser is a user; ID is derived from the UPN when empty.
type SeedUser struct {
	ID                string `yaml:"id"`
	UserPrincipalName string `yaml:"user_principal_name"`
	DisplayName       string `yaml:"display_name"`
	// MFARegistered (default true) lets the control API issue MFA tokens.
	MFARegistered *bool `yaml:"mfa_registered"`
	// LastSignIn (RFC 3339) is when the user last signed in, for the
	// stale sign-in alert; unknown when empty.
	LastSignIn string `yaml:"last_sign_in"`
	// Manager (a UPN or id of another user) reviews the user's access in
	// access reviews by managers.
	Manager string `yaml:"manager"`
}

// SeedGroup is a security group; members are UPNs, display names or ids.
type SeedGroup struct {
	ID             string   `yaml:"id"`
	DisplayName    string   `yaml:"display_name"`
	RoleAssignable bool     `yaml:"role_assignable"`
	Members        []string `yaml:"members"`
	// MembershipRule makes the group dynamic; OnPremisesSync marks a group
	// synchronised from Active Directory. PIM for Groups refuses both.
	MembershipRule string `yaml:"membership_rule"`
	OnPremisesSync bool   `yaml:"on_premises_sync"`
}

// SeedServicePrincipal is an application's service principal.
type SeedServicePrincipal struct {
	ID          string `yaml:"id"`
	AppID       string `yaml:"app_id"`
	DisplayName string `yaml:"display_name"`
	// Permissions are its consented application permissions; without
	// them it has none (fail closed).
	Permissions []string `yaml:"permissions"`
	// ClientSecret, CertificateFile (a PEM certificate, relative to the
	// seed file) and FederatedCredentials sign in as this app only.
	ClientSecret         string `yaml:"client_secret"`
	CertificateFile      string `yaml:"certificate_file"`
	certificate          []byte
	FederatedCredentials []SeedFederatedCredential `yaml:"federated_credentials"`
	// ManagedIdentity makes it the system-assigned managed identity the
	// IMDS endpoint signs in (user-assigned ones are named by app_id).
	ManagedIdentity bool `yaml:"managed_identity"`
	// UserAssignedIdentity makes it a user-assigned managed identity: the
	// IMDS endpoint signs it in when asked for by app_id (client_id).
	UserAssignedIdentity bool `yaml:"user_assigned_identity"`
}

// SeedFederatedCredential is a federated identity credential of an app:
// tokens of the issuer for the subject sign in as the app.
type SeedFederatedCredential struct {
	Issuer  string `yaml:"issuer"`
	Subject string `yaml:"subject"`
}

// SeedUnit is an administrative unit, a scope for role assignments.
type SeedUnit struct {
	ID          string   `yaml:"id"`
	DisplayName string   `yaml:"display_name"`
	Members     []string `yaml:"members"`
}

// SeedRole is a custom role definition.
type SeedRole struct {
	ID          string   `yaml:"id"`
	DisplayName string   `yaml:"display_name"`
	Description string   `yaml:"description"`
	Permissions []string `yaml:"permissions"`
}

// SeedAssignment is a standing eligibility or active assignment.
type SeedAssignment struct {
	Type          string `yaml:"type"`      // eligible or active
	Principal     string `yaml:"principal"` // UPN, display name or id
	Role          string `yaml:"role"`      // display name or id
	Scope         string `yaml:"scope"`     // "/" (default), "/administrativeUnits/{name or id}"
	Start         string `yaml:"start"`     // RFC 3339
	End           string `yaml:"end"`       // RFC 3339
	Duration      string `yaml:"duration"`  // ISO 8601
	Justification string `yaml:"justification"`
	// OutsidePIM makes an active assignment a direct role assignment, as
	// the portal or an old script makes it without PIM (the "roles are
	// being assigned outside of PIM" alert).
	OutsidePIM bool `yaml:"outside_pim"`
}

// LoadSeed reads a seed file, YAML or JSON. Unknown keys are errors that
// name their line.
func LoadSeed(path string) (*Seed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s Seed
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("seed file %s: %w", path, err)
	}
	for i := range s.ServicePrincipals {
		sp := &s.ServicePrincipals[i]
		if sp.CertificateFile == "" {
			continue
		}
		file := sp.CertificateFile
		if !filepath.IsAbs(file) {
			file = filepath.Join(filepath.Dir(path), file)
		}
		if sp.certificate, err = os.ReadFile(file); err != nil {
			return nil, fmt.Errorf("seed file %s: service_principals[%d].certificate_file: %w", path, i, err)
		}
	}
	if _, err := s.Build(); err != nil {
		return nil, fmt.Errorf("seed file %s: %w", path, err)
	}
	return &s, nil
}

// DefaultSeed is the demo tenant: five users, two role-assignable groups,
// the CI app's service principal and one administrative unit, with the ids
// the documentation and tests use.
func DefaultSeed() *Seed {
	return &Seed{
		Tenant: SeedTenant{ID: tenant.DefaultTenantID, Domain: "contoso.example"},
		Users: []SeedUser{{ID: tenant.AdminID, UserPrincipalName: "avery@contoso.example", DisplayName: "Avery Admin"},
			{ID: tenant.AliceID, UserPrincipalName: "alice@contoso.example", DisplayName: "Alice Analyst"},
			{ID: tenant.BobID, UserPrincipalName: "bob@contoso.example", DisplayName: "Bob Builder"},
			{ID: tenant.CarolID, UserPrincipalName: "carol@contoso.example", DisplayName: "Carol Compliance"},
			{ID: tenant.DaveID, UserPrincipalName: "dave@contoso.example", DisplayName: "Dave Devops"}},
		Groups: []SeedGroup{{ID: tenant.OpsGroupID, DisplayName: "Cloud Ops", RoleAssignable: true, Members: []string{tenant.BobID, tenant.DaveID}},
			{ID: tenant.SecGroupID, DisplayName: "Security Responders", RoleAssignable: true, Members: []string{tenant.CarolID}}},
		ServicePrincipals: []SeedServicePrincipal{
			{ID: tenant.AppServicePrincipalID, AppID: tenant.AppClientID, DisplayName: "terraform-ci", Permissions: core.DefaultAppPermissions},
			{ID: tenant.ManagedIdentityPrincipalID, AppID: tenant.ManagedIdentityClientID, DisplayName: "terraform-runner-identity",
				Permissions: core.DefaultAppPermissions, UserAssignedIdentity: true},
		},
		AdministrativeUnits: []SeedUnit{{ID: tenant.EuropeUnitID, DisplayName: "Europe"}},
		Assignments:         []SeedAssignment{{Type: "active", Principal: tenant.AppServicePrincipalID, Role: tenant.RolePrivilegedRoleAdministrator}},
		Admin:               "avery@contoso.example",
		Azure:               defaultAzure(),
	}
}

// derivedID makes the id of an object the seed leaves without one: the
// same name gives the same id on every machine.
func derivedID(tenant, kind, name string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("pim-emulator:"+strings.ToLower(tenant)+":"+kind+":"+strings.ToLower(name))).String()
}

// seedError names the entry and field of a problem.
func seedError(where string, format string, args ...any) error {
	return fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...))
}

var errNoTenant = errors.New("tenant.domain is required (for example contoso.example)")
