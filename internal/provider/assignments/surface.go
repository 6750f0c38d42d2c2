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
// assignmentModel's RoleDefinitionID (a role, or the access id member/owner)
// and DirectoryScopeID (a scope, or the group); a surface says how each is
// named to Terraform and Graph, and checks what only it knows.
type surface interface {
	// names are the surface's attribute and resource names.
	names() *surfaceNames
	// noun is what a resource of the kind manages ("eligible assignment").
	noun(kind pimclient.Kind) string
	schedules(c *pimclient.Client, kind pimclient.Kind) *pimclient.ScheduleService
	policy(m *assignmentModel) shared.PolicyRef
	// describeTarget names the target for messages; targetName is its
	// display name ("" when unknown).
	describeTarget(ctx context.Context, n *shared.DirectoryNames, m *assignmentModel) string
	targetName(ctx context.Context, n *shared.DirectoryNames, m *assignmentModel) string
	// describeKey names who holds what, given the principal's description.
	describeKey(who, target string, m *assignmentModel) string
	// get and set convert between the resource's Terraform shape and
	// assignmentModel.
	get(ctx context.Context, from shared.Getter, m *assignmentModel) diag.Diagnostics
	set(ctx context.Context, to shared.Setter, m *assignmentModel) diag.Diagnostics

	// Schema: the key's attributes and the principal's description.
	keyAttributes(replace []planmodifier.String) map[string]schema.Attribute
	principalDescription(kind pimclient.Kind, noun string) string

	// Identity and import.
	identitySchema() identityschema.Schema
	identityOf(m *assignmentModel) any
	identityKey(ctx context.Context, id *tfsdk.ResourceIdentity) ([3]string, diag.Diagnostics)
	validKey(key [3]string) bool
	keyHint() string
	importExample() string

	// Plan-time checks: the principal's kind, and the target itself.
	checkPrincipalKind(who string, obj *pimclient.DirectoryObject, kind pimclient.Kind, diags *diag.Diagnostics)
	checkTarget(ctx context.Context, r *assignmentResource, plan *assignmentModel, diags *diag.Diagnostics)
	// foreseeAlerts warns of the PIM alert a new assignment would raise.
	foreseeAlerts(ctx context.Context, r *assignmentResource, plan *assignmentModel, diags *diag.Diagnostics)
	// nullNames sets the names only a lookup would give to null.
	nullNames(m *assignmentModel)

	// terraform query.
	listSchema(kind pimclient.Kind, noun string) listschema.Schema
	listConfig(ctx context.Context, cfg tfsdk.Config) (*assignmentListConfig, diag.Diagnostics)
	listFilters(svc *pimclient.ScheduleService, cfg *assignmentListConfig, f pimclient.Filter) (schedules, requests pimclient.Filter)
	skipListed(sc *pimclient.Schedule, cfg *assignmentListConfig) bool
	listedTarget(l *assignmentList, sc *pimclient.Schedule, role types.String) types.String
	describeListed(who, role, until string, sc *pimclient.Schedule) string
}

// surfaceNames are a surface's attribute and resource names.
type surfaceNames struct {
	// The attributes of the key's two parts and of the target's name.
	roleAttr, scopeAttr, nameAttr string
	// The setting resource that governs the target, and how an assignment
	// references it so that the plan uses the planned setting.
	settingType, settingRef, settingNoun string
	// importForm is the natural-key import id.
	importForm string
}

func (n *surfaceNames) names() *surfaceNames { return n }

// noun names what the resource manages: "eligible assignment", or "group
// eligible assignment".
func (r *assignmentResource) noun() string { return r.target.noun(r.kind) }

func (r *assignmentResource) svc() *pimclient.ScheduleService {
	return r.target.schedules(r.data.Client, r.kind)
}

// policyRef is the policy that governs an assignment.
func (r *assignmentResource) policyRef(m *assignmentModel) shared.PolicyRef {
	return r.target.policy(m)
}

// describeTarget names the target for messages: `role "User Administrator"
// (…)` or `membership of group "Cloud Ops" (id …)`.
func (r *assignmentResource) describeTarget(ctx context.Context, m *assignmentModel) string {
	return r.target.describeTarget(ctx, r.data.Names, m)
}

// targetName is the role's or the group's display name ("" when unknown).
func (r *assignmentResource) targetName(ctx context.Context, m *assignmentModel) string {
	return r.target.targetName(ctx, r.data.Names, m)
}

// get reads the resource's Terraform shape into the shared model.
func (r *assignmentResource) get(ctx context.Context, from shared.Getter, m *assignmentModel) diag.Diagnostics {
	return r.target.get(ctx, from, m)
}

// set writes the shared model in the resource's Terraform shape.
func (r *assignmentResource) set(ctx context.Context, to shared.Setter, m *assignmentModel) diag.Diagnostics {
	return r.target.set(ctx, to, m)
}

// describeKey names who holds what: `of user "Alice Analyst" (…) to role
// "User Administrator" (…) at scope "/"`, or `of user "Alice Analyst" (…)
// to membership of group "Cloud Ops" (…)`.
func (r *assignmentResource) describeKey(ctx context.Context, m *assignmentModel) string {
	return r.target.describeKey(r.data.Names.DescribePrincipal(ctx, m.PrincipalID.ValueString()), r.describeTarget(ctx, m), m)
}
