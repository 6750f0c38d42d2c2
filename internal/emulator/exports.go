package emulator

import (
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/control"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/directory"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/identity"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
)

// The emulator's public vocabulary, defined by its areas: callers
// (cmd/pimemulator, serve, the test harnesses) import this package only.

// Identity is what a bearer token stands for.
type Identity = core.Identity

// Kind selects eligibilities or active assignments.
type Kind = core.Kind

// The two schedule families of PIM.
const (
	Eligible = core.Eligible
	Active   = core.Active
)

// Clocks: the emulator runs on real time, or on a clock tests move.
type (
	Clock       = core.Clock
	RealClock   = core.RealClock
	FakeClock   = core.FakeClock
	OffsetClock = core.OffsetClock
	Advancer    = core.Advancer
)

// NewFakeClock returns a clock that stands still until advanced.
func NewFakeClock(start time.Time) *FakeClock { return core.NewFakeClock(start) }

// MaxAdvance is the longest step POST /_emulator/clock takes.
const MaxAdvance = core.MaxAdvance

// Role settings: a policy of 17 rules.
type (
	Policy           = core.Policy
	Rule             = core.Rule
	ApprovalSettings = core.ApprovalSettings
	ApprovalStage    = core.ApprovalStage
	Approver         = core.Approver
)

// DefaultPolicy is the documented default role setting of a directory role.
func DefaultPolicy() *Policy { return core.DefaultPolicy() }

// DefaultGroupPolicy is the documented default of a group's membership or
// ownership.
func DefaultGroupPolicy() *Policy { return core.DefaultGroupPolicy() }

// RuleIDs are the 17 rule ids of a policy, in Graph's order.
func RuleIDs() []string { return core.RuleIDs() }

// DefaultAppPermissions are what the seeded app registration is consented for.
var DefaultAppPermissions = core.DefaultAppPermissions

// The seeded tenant.
const (
	DefaultTenantID                 = tenant.DefaultTenantID
	AdminID                         = tenant.AdminID
	AliceID                         = tenant.AliceID
	BobID                           = tenant.BobID
	CarolID                         = tenant.CarolID
	DaveID                          = tenant.DaveID
	OpsGroupID                      = tenant.OpsGroupID
	SecGroupID                      = tenant.SecGroupID
	EuropeUnitID                    = tenant.EuropeUnitID
	AppClientID                     = tenant.AppClientID
	AppServicePrincipalID           = tenant.AppServicePrincipalID
	ManagedIdentityClientID         = tenant.ManagedIdentityClientID
	ManagedIdentityPrincipalID      = tenant.ManagedIdentityPrincipalID
	RoleGlobalAdministrator         = tenant.RoleGlobalAdministrator
	RolePrivilegedRoleAdministrator = tenant.RolePrivilegedRoleAdministrator
	RoleGlobalReader                = tenant.RoleGlobalReader
	RoleUserAdministrator           = tenant.RoleUserAdministrator
	RoleSecurityAdministrator       = tenant.RoleSecurityAdministrator
	RoleHelpdeskAdministrator       = tenant.RoleHelpdeskAdministrator
	RoleSecurityReader              = tenant.RoleSecurityReader
	RoleSecurityOperator            = tenant.RoleSecurityOperator
	RoleReportsReader               = tenant.RoleReportsReader
)

// Seed files.
type (
	Seed                 = directory.Seed
	SeedTenant           = directory.SeedTenant
	SeedUser             = directory.SeedUser
	SeedGroup            = directory.SeedGroup
	SeedServicePrincipal = directory.SeedServicePrincipal
	SeedUnit             = directory.SeedUnit
	SeedRole             = directory.SeedRole
	SeedAssignment       = directory.SeedAssignment
)

// LoadSeed reads a seed file (YAML or JSON).
func LoadSeed(path string) (*Seed, error) { return directory.LoadSeed(path) }

// DefaultSeed is the demo tenant.
func DefaultSeed() *Seed { return directory.DefaultSeed() }

// Fault rules.
type (
	FaultConfig = control.FaultConfig
	FaultRule   = control.FaultRule
	Throttle    = control.Throttle
)

// The emulator's own OIDC issuer and the audience of federated credentials.
const (
	OIDCIssuer         = identity.OIDCIssuer
	FederationAudience = identity.FederationAudience
)

// DemoSubscriptionID is the demo tenant's Azure subscription (resource
// groups rg-app, holding key vault kv-app, and rg-data).
const DemoSubscriptionID = directory.DemoSubscriptionID

// Built-in Azure role ids.
const (
	AzureOwner                   = tenant.AzureOwner
	AzureContributor             = tenant.AzureContributor
	AzureReader                  = tenant.AzureReader
	AzureUserAccessAdministrator = tenant.AzureUserAccessAdministrator
)
