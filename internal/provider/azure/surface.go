package azure

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/assignments"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

// azureRoles is the surface of PIM for Azure resources: an Azure role (its
// full ARM id) at an ARM scope, over Azure Resource Manager. The key's
// role is the role definition id and its scope the ARM path; an ABAC
// condition rides along and is updated in place.
type azureRoles struct{ assignments.SurfaceNames }

var azureRoleTarget assignments.Surface = &azureRoles{assignments.SurfaceNames{RoleAttr: "role_definition_id", ScopeAttr: "scope", NameAttr: "role_name",
	SettingType: "pim_azure_role_setting", SettingRef: "role_definition_id = pim_azure_role_setting.<name>.role_definition_id",
	SettingNoun: "Azure role setting", ImportForm: "scope|role_definition_id|principal_id"}}

// azureAssignmentModel is the Terraform shape of an Azure role assignment.
type azureAssignmentModel struct {
	assignments.ScheduleFields
	Scope            types.String `tfsdk:"scope"`
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	RoleName         types.String `tfsdk:"role_name"`
	Condition        types.String `tfsdk:"condition"`
	ConditionVersion types.String `tfsdk:"condition_version"`
}

// azureAssignmentIdentity is its natural key.
type azureAssignmentIdentity struct {
	Scope            types.String `tfsdk:"scope"`
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	PrincipalID      types.String `tfsdk:"principal_id"`
}

func (*azureRoles) Noun(kind pimclient.Kind) string { return "Azure role " + kind.String() }

func (*azureRoles) Schedules(c *pimclient.Client, kind pimclient.Kind) *pimclient.ScheduleService {
	return c.AzureSchedules(kind)
}

func (*azureRoles) Policy(m *assignments.Model) shared.PolicyRef {
	return shared.AzurePolicy(m.DirectoryScopeID.ValueString(), m.RoleDefinitionID.ValueString())
}

func (a *azureRoles) DescribeTarget(_ context.Context, _ *shared.DirectoryNames, m *assignments.Model) string {
	role := m.RoleDefinitionID.ValueString()
	if name := m.RoleDisplayName.ValueString(); name != "" {
		role = fmt.Sprintf("%q (%s)", name, role)
	}
	return "Azure role " + role + " at " + m.DirectoryScopeID.ValueString()
}

func (*azureRoles) TargetName(ctx context.Context, n *shared.DirectoryNames, m *assignments.Model) string {
	if name := m.RoleDisplayName.ValueString(); name != "" {
		return name
	}
	return n.AzureRoleName(ctx, m.RoleDefinitionID.ValueString())
}

func (*azureRoles) DescribeKey(who, target string, _ *assignments.Model) string {
	return fmt.Sprintf("of %s to %s", who, target)
}

func (*azureRoles) Get(ctx context.Context, from shared.Getter, m *assignments.Model) diag.Diagnostics {
	var a azureAssignmentModel
	d := from.Get(ctx, &a)
	*m = assignments.Model{ScheduleFields: a.ScheduleFields, RoleDefinitionID: a.RoleDefinitionID, DirectoryScopeID: a.Scope, RoleDisplayName: a.RoleName,
		Condition: a.Condition, ConditionVersion: a.ConditionVersion}
	return d
}

func (*azureRoles) Set(ctx context.Context, to shared.Setter, m *assignments.Model) diag.Diagnostics {
	return to.Set(ctx, &azureAssignmentModel{ScheduleFields: m.ScheduleFields, RoleDefinitionID: m.RoleDefinitionID, Scope: m.DirectoryScopeID,
		RoleName: m.RoleDisplayName, Condition: m.Condition, ConditionVersion: m.ConditionVersion})
}

var (
	azureScopeValidator = stringvalidator.RegexMatches(validators.AzureScopeRE, "must be an ARM scope: /subscriptions/{id}, "+
		"/subscriptions/{id}/resourceGroups/{name}, a resource's id under one, or /providers/Microsoft.Management/managementGroups/{name}")
	azureRoleValidator = stringvalidator.RegexMatches(validators.AzureRoleRE, "must be a role definition's full ARM id, "+
		"/subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions/{guid} (see data \"pim_azure_role_definition\")")
)

func (*azureRoles) KeyAttributes(replace []planmodifier.String) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"scope": schema.StringAttribute{Required: true, PlanModifiers: replace, Validators: []validator.String{azureScopeValidator},
			MarkdownDescription: "Where the role applies: a management group (`/providers/Microsoft.Management/managementGroups/{name}`), a " +
				"subscription (`/subscriptions/{id}`), a resource group or a resource. Changing it replaces the resource."},
		"role_definition_id": schema.StringAttribute{Required: true, PlanModifiers: replace, Validators: []validator.String{azureRoleValidator},
			MarkdownDescription: "Full ARM id of the Azure role definition, under the scope's subscription: " +
				"`/subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c` for Contributor " +
				"(data `pim_azure_role_definition` looks one up by name). Changing it replaces the resource."},
		"role_name": assignments.NameAttribute("Name of the Azure role, such as `Contributor`."),
		"condition": schema.StringAttribute{Optional: true,
			MarkdownDescription: "Azure ABAC condition that narrows the role (for example to storage containers by name). Updated in place."},
		"condition_version": schema.StringAttribute{Optional: true, Validators: []validator.String{stringvalidator.OneOf("2.0"),
			stringvalidator.AlsoRequires(path.MatchRoot("condition"))},
			MarkdownDescription: "Version of the condition's language: `2.0` (the default ARM applies when a condition is set)."},
	}
}

func (*azureRoles) PrincipalDescription(_ pimclient.Kind, noun string) string {
	return "Object id of the user, group or service principal that receives the " + noun + "."
}

func (*azureRoles) IdentitySchema() identityschema.Schema {
	return identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"scope":              identityschema.StringAttribute{RequiredForImport: true, Description: "ARM scope of the assignment."},
		"role_definition_id": identityschema.StringAttribute{RequiredForImport: true, Description: "Full ARM id of the role definition."},
		"principal_id":       identityschema.StringAttribute{RequiredForImport: true, Description: "Object id of the principal."},
	}}
}

func (*azureRoles) IdentityOf(m *assignments.Model) any {
	return azureAssignmentIdentity{Scope: m.DirectoryScopeID, RoleDefinitionID: m.RoleDefinitionID, PrincipalID: m.PrincipalID}
}

func (*azureRoles) IdentityKey(ctx context.Context, ident *tfsdk.ResourceIdentity) ([3]string, diag.Diagnostics) {
	var id azureAssignmentIdentity
	diags := ident.Get(ctx, &id)
	return [3]string{id.Scope.ValueString(), id.RoleDefinitionID.ValueString(), id.PrincipalID.ValueString()}, diags
}

func (*azureRoles) ValidKey(key [3]string) bool {
	return validators.ValidAzureScope(key[0]) && validators.ValidAzureRoleID(key[1]) && validators.IsGUID(key[2])
}

func (*azureRoles) KeyHint() string {
	return "; scope is an ARM path and role_definition_id a role definition's full ARM id"
}

func (*azureRoles) ImportExample() string {
	return "/subscriptions/<subscription id>|/subscriptions/<subscription id>/providers/Microsoft.Authorization/roleDefinitions/" +
		"acdd72a7-3385-48ef-bd42-f606fba81ae7|<principal object id>"
}

// checkPrincipalKind: Azure gives roles to users, groups and service
// principals alike.
func (*azureRoles) CheckPrincipalKind(string, *pimclient.DirectoryObject, pimclient.Kind, *diag.Diagnostics) {
}

// checkTarget refuses at plan time what ARM would refuse at apply: a role
// id under another subscription than the scope's, a scope that does not
// exist, a role that does not exist there; and names the role in the plan.
func (*azureRoles) CheckTarget(ctx context.Context, r *assignments.Resource, plan *assignments.Model, diags *diag.Diagnostics) {
	if plan.RoleDefinitionID.IsUnknown() || plan.DirectoryScopeID.IsUnknown() {
		return
	}
	scope, role := plan.DirectoryScopeID.ValueString(), plan.RoleDefinitionID.ValueString()
	if sub := validators.AzureRoleSubscription(role); sub != "" && sub != validators.AzureScopeSubscription(scope) {
		diags.AddAttributeError(path.Root("role_definition_id"), "Role Definition Of Another Subscription",
			fmt.Sprintf("role_definition_id %s names subscription %s, but scope %s is in %s. ARM finds a role definition only under the "+
				"scope's subscription: use %s (data \"pim_azure_role_definition\" with this scope gives it).",
				role, sub, scope, orTenant(validators.AzureScopeSubscription(scope)), roleUnder(scope, role)))
		return
	}
	if err := r.Data().Names.AzureScope(ctx, scope); err != nil {
		detail := "Reading the scope " + scope + " from Azure Resource Manager failed after retries"
		title := "Scope Not Looked Up"
		if pimclient.IsNotFound(err) {
			title, detail = "Scope Not Found", "No management group, subscription, resource group or resource has the path "+scope+
				" (or the provider's identity cannot see it)"
		}
		diags.AddAttributeError(path.Root("scope"), title, shared.GraphErrorDetail(detail, err, "Nothing was changed. Check the path."))
		return
	}
	name, err := r.Data().Names.AzureRole(ctx, role)
	switch {
	case pimclient.IsNotFound(err):
		diags.AddAttributeError(path.Root("role_definition_id"), "Role Not Found", shared.GraphErrorDetail("No Azure role definition has the id "+role+
			" at "+scope, err, "Look roles up by name with data \"pim_azure_role_definition\" (role_name = \"Contributor\")."))
	case err != nil:
		diags.AddAttributeError(path.Root("role_definition_id"), "Role Not Looked Up", shared.GraphErrorDetail("Reading the Azure role definition "+role+
			" failed after retries", err, "Nothing was changed. Run terraform plan (or apply) again."))
	default:
		plan.RoleDisplayName = shared.StringOrNull(name)
		validateAtARM(ctx, r, plan, diags)
	}
}

// validateAtARM asks ARM, at plan time, whether it would accept the
// create (its validate operation changes nothing): an assignment someone
// already made, or a principal ARM cannot use, fails the plan instead of
// the apply. Policy limits are left to checkPolicy, which names them.
func validateAtARM(ctx context.Context, r *assignments.Resource, plan *assignments.Model, diags *diag.Diagnostics) {
	if !plan.KnownForRequest() {
		return
	}
	body, d := plan.ToRequest(pimclient.ActionAdminAssign, true)
	if d.HasError() {
		return
	}
	err := r.Svc().ValidateAzureRequest(ctx, body)
	switch {
	case err == nil, pimclient.HasCode(err, pimclient.CodePolicyValidationFailed):
	case pimclient.HasCode(err, pimclient.CodeRoleAssignmentExists):
		diags.AddAttributeError(path.Root("principal_id"), "Already Holds This Role",
			shared.GraphErrorDetail("ARM's validation of this "+r.Noun()+" answered that the principal already holds "+r.DescribeTarget(ctx, plan), err,
				fmt.Sprintf("Manage the existing one with Terraform: import it (id %q), or remove it first.", plan.ImportID())))
	case isRefusal(err):
		diags.AddError("Refused By Azure Resource Manager", shared.GraphErrorDetail("ARM's validation of this "+r.Noun()+" failed", err,
			"Nothing was changed. Fix the configuration, or check the identity's Azure roles at the scope."))
	default:
		diags.AddWarning("Not Validated By Azure Resource Manager", shared.GraphErrorDetail("ARM's validation of this "+r.Noun()+" could not run", err,
			"The plan goes on; ARM checks the request again at apply time."))
	}
}

// isRefusal: ARM refused the request's content (400), which apply would
// meet too; a 403 at plan may be a plan-only identity, so it only warns.
func isRefusal(err error) bool {
	apiErr, ok := pimclient.AsAPIError(err)
	return ok && apiErr.StatusCode == http.StatusBadRequest
}

func orTenant(sub string) string {
	if sub == "" {
		return "no subscription (a management group)"
	}
	return sub
}

// roleUnder is a role id restated under the scope's subscription.
func roleUnder(scope, role string) string {
	guid := role[strings.LastIndex(role, "/")+1:]
	if sub := validators.AzureScopeSubscription(scope); sub != "" {
		return "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/" + guid
	}
	return "/providers/Microsoft.Authorization/roleDefinitions/" + guid
}

// foreseeAlerts: Graph's PIM alerts cover directory roles only.
func (*azureRoles) ForeseeAlerts(context.Context, *assignments.Resource, *assignments.Model, *diag.Diagnostics) {
}

// nullNames: the role's name comes from a lookup.
func (*azureRoles) NullNames(m *assignments.Model) { assignments.NullIfUnknown(&m.RoleDisplayName) }

// azureListConfig is the Azure lists' configuration: ARM lists per scope.
type azureListConfig struct {
	Scope            types.String `tfsdk:"scope"`
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	PrincipalID      types.String `tfsdk:"principal_id"`
}

func (*azureRoles) ListSchema(kind pimclient.Kind, _ string) listschema.Schema {
	noun := "Azure role " + kind.String() + "s"
	return listschema.Schema{
		MarkdownDescription: "The " + noun + " at a scope (and those above it that reach it), named, for `terraform query`. ARM lists per scope.",
		Attributes: map[string]listschema.Attribute{
			"scope": listschema.StringAttribute{Required: true, MarkdownDescription: "The ARM scope.", Validators: []validator.String{azureScopeValidator}},
			"role_definition_id": listschema.StringAttribute{Optional: true, MarkdownDescription: "Only " + noun + " of this role (full ARM id).",
				Validators: []validator.String{azureRoleValidator}},
			"principal_id": listschema.StringAttribute{Optional: true, MarkdownDescription: "Only " + noun + " of this principal.",
				Validators: []validator.String{validators.GUID()}},
		},
	}
}

func (*azureRoles) ReadListConfig(ctx context.Context, config tfsdk.Config) (*assignments.ListConfig, diag.Diagnostics) {
	var a azureListConfig
	diags := config.Get(ctx, &a)
	return &assignments.ListConfig{RoleDefinitionID: a.RoleDefinitionID, DirectoryScopeID: a.Scope, PrincipalID: a.PrincipalID,
		PrincipalType: types.StringNull(), IncludeInherited: types.BoolNull()}, diags
}

func (*azureRoles) ListFilters(svc *pimclient.ScheduleService, cfg *assignments.ListConfig, _ pimclient.Filter) (schedules, requests pimclient.Filter) {
	f := svc.ScopeFilter(cfg.DirectoryScopeID.ValueString())
	return f, f
}

// skipListed leaves out what the configuration's role or principal filter excludes.
func (*azureRoles) SkipListed(sc *pimclient.Schedule, cfg *assignments.ListConfig) bool {
	return (cfg.RoleDefinitionID.ValueString() != "" && !strings.EqualFold(sc.RoleDefinitionID, cfg.RoleDefinitionID.ValueString())) ||
		(cfg.PrincipalID.ValueString() != "" && !strings.EqualFold(sc.PrincipalID, cfg.PrincipalID.ValueString())) ||
		(sc.AssignmentType != "" && !strings.EqualFold(sc.AssignmentType, "Assigned")) // activations are not for configurations
}

func (*azureRoles) ListedTarget(_ *assignments.Lister, sc *pimclient.Schedule, _ types.String) types.String {
	return types.StringValue(sc.RoleDefinitionID)
}

func (*azureRoles) DescribeListed(who, role, until string, sc *pimclient.Schedule) string {
	return fmt.Sprintf("%s: %s at %s, %s", who, role, sc.DirectoryScopeID, until)
}
