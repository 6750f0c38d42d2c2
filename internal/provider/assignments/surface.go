package assignments

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// surface is what differs between the surfaces an assignment resource can
// grant on: a directory role at a scope, or a group's membership or
// ownership (PIM for Groups). The shared implementation keeps either in
// Model's RoleDefinitionID (a role, or the access id member/owner)
// and DirectoryScopeID (a scope, or the group); a surface says how each is
// named to Terraform and Graph, and checks what only it knows.
type Surface interface {
	// names are the surface's attribute and resource names.
	Names() *SurfaceNames
	// noun is what a resource of the kind manages ("eligible assignment").
	Noun(kind pimclient.Kind) string
	Schedules(c *pimclient.Client, kind pimclient.Kind) *pimclient.ScheduleService
	Policy(m *Model) shared.PolicyRef
	// describeTarget names the target for messages; targetName is its
	// display name ("" when unknown).
	DescribeTarget(ctx context.Context, n *shared.DirectoryNames, m *Model) string
	TargetName(ctx context.Context, n *shared.DirectoryNames, m *Model) string
	// describeKey names who holds what, given the principal's description.
	DescribeKey(who, target string, m *Model) string
	// get and set convert between the resource's Terraform shape and
	// Model.
	Get(ctx context.Context, from shared.Getter, m *Model) diag.Diagnostics
	Set(ctx context.Context, to shared.Setter, m *Model) diag.Diagnostics

	// Schema: the key's attributes and the principal's description.
	KeyAttributes(replace []planmodifier.String) map[string]schema.Attribute
	PrincipalDescription(kind pimclient.Kind, noun string) string

	// Identity and import.
	IdentitySchema() identityschema.Schema
	IdentityOf(m *Model) any
	IdentityKey(ctx context.Context, id *tfsdk.ResourceIdentity) ([3]string, diag.Diagnostics)
	ValidKey(key [3]string) bool
	KeyHint() string
	ImportExample() string

	// Plan-time checks: the principal's kind, and the target itself.
	CheckPrincipalKind(who string, obj *pimclient.DirectoryObject, kind pimclient.Kind, diags *diag.Diagnostics)
	CheckTarget(ctx context.Context, r *Resource, plan *Model, diags *diag.Diagnostics)
	// foreseeAlerts warns of the PIM alert a new assignment would raise.
	ForeseeAlerts(ctx context.Context, r *Resource, plan *Model, diags *diag.Diagnostics)
	// nullNames sets the names only a lookup would give to null.
	NullNames(m *Model)

	// terraform query.
	ListSchema(kind pimclient.Kind, noun string) listschema.Schema
	ReadListConfig(ctx context.Context, cfg tfsdk.Config) (*ListConfig, diag.Diagnostics)
	ListFilters(svc *pimclient.ScheduleService, cfg *ListConfig, f pimclient.Filter) (schedules, requests pimclient.Filter)
	SkipListed(sc *pimclient.Schedule, cfg *ListConfig) bool
	ListedTarget(l *Lister, sc *pimclient.Schedule, role types.String) types.String
	DescribeListed(who, role, until string, sc *pimclient.Schedule) string
}

// SurfaceNames are a surface's attribute and resource names.
type SurfaceNames struct {
	// The attributes of the key's two parts and of the target's name.
	RoleAttr, ScopeAttr, NameAttr string
	// The setting resource that governs the target, and how an assignment
	// references it so that the plan uses the planned setting.
	SettingType, SettingRef, SettingNoun string
	// importForm is the natural-key import id.
	ImportForm string
}

func (n *SurfaceNames) Names() *SurfaceNames { return n }

// noun names what the resource manages: "eligible assignment", or "group
// eligible assignment".
func (r *Resource) Noun() string { return r.target.Noun(r.kind) }

// NewResource is an assignment resource of a kind on a surface: the
// families of other surfaces (PIM for Groups, Azure roles) build theirs
// with it, so every surface behaves the same.
func NewResource(kind pimclient.Kind, target Surface, typeName, description string) *Resource {
	return &Resource{kind: kind, target: target, typeName: typeName, description: description}
}

// NewLister is the list resource (terraform query) of a kind on a surface.
func NewLister(kind pimclient.Kind, target Surface, typeName string) *Lister {
	return &Lister{res: Resource{kind: kind, target: target, typeName: typeName}}
}

// Data is the provider's data (client, caches, clock), once configured.
func (r *Resource) Data() *shared.ProviderData { return r.data }

func (r *Resource) Svc() *pimclient.ScheduleService {
	return r.target.Schedules(r.data.Client, r.kind)
}

// policyRef is the policy that governs an assignment.
func (r *Resource) policyRef(m *Model) shared.PolicyRef {
	return r.target.Policy(m)
}

// describeTarget names the target for messages: `role "User Administrator"
// (…)` or `membership of group "Cloud Ops" (id …)`.
func (r *Resource) DescribeTarget(ctx context.Context, m *Model) string {
	return r.target.DescribeTarget(ctx, r.data.Names, m)
}

// targetName is the role's or the group's display name ("" when unknown).
func (r *Resource) TargetName(ctx context.Context, m *Model) string {
	return r.target.TargetName(ctx, r.data.Names, m)
}

// get reads the resource's Terraform shape into the shared model.
func (r *Resource) Get(ctx context.Context, from shared.Getter, m *Model) diag.Diagnostics {
	return r.target.Get(ctx, from, m)
}

// set writes the shared model in the resource's Terraform shape.
func (r *Resource) Set(ctx context.Context, to shared.Setter, m *Model) diag.Diagnostics {
	return r.target.Set(ctx, to, m)
}

// describeKey names who holds what: `of user "Alice Analyst" (…) to role
// "User Administrator" (…) at scope "/"`, or `of user "Alice Analyst" (…)
// to membership of group "Cloud Ops" (…)`.
func (r *Resource) DescribeKey(ctx context.Context, m *Model) string {
	return r.target.DescribeKey(r.data.Names.DescribePrincipal(ctx, m.PrincipalID.ValueString()), r.DescribeTarget(ctx, m), m)
}
