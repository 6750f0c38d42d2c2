package activity

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/validators"
)

// Actions (Terraform 1.14 and later): what a person does with PIM, for
// runbooks such as break-glass access — activate an eligible role, approve
// or deny an activation, deactivate. They run as the provider's
// credentials, which must be a signed-in user: applications cannot activate
// roles or approve.

// actionBase is what every action shares: its name and the provider data.
type actionBase struct {
	name string
	data *shared.ProviderData
}

func (a *actionBase) Metadata(_ context.Context, req action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + a.name
}

func (a *actionBase) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = shared.ConfiguredData(req.ProviderData, &resp.Diagnostics)
}

// roleTarget is what activation and deactivation act on: a directory role
// at a directory scope, or (with scope) an Azure role at an ARM scope.
type roleTarget struct {
	RoleDefinitionID types.String `tfsdk:"role_definition_id"`
	DirectoryScopeID types.String `tfsdk:"directory_scope_id"`
	Scope            types.String `tfsdk:"scope"`
	PrincipalID      types.String `tfsdk:"principal_id"`
}

// roleIDValidator takes a directory role's id or an Azure role's full ARM id.
var roleIDValidator = stringvalidator.Any(validators.GUID(), stringvalidator.RegexMatches(validators.AzureRoleRE, "must be an Azure role's full ARM id"))

func roleTargetAttributes(verb string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"role_definition_id": schema.StringAttribute{Required: true, MarkdownDescription: "Role to " + verb + ": a directory role's id, " +
			"or with `scope` an Azure role's full ARM id.", Validators: []validator.String{roleIDValidator}},
		"directory_scope_id": schema.StringAttribute{Optional: true, MarkdownDescription: "Scope of the eligibility; default `/`.",
			Validators: []validator.String{validators.DirectoryScope(), stringvalidator.ConflictsWith(path.MatchRoot("scope"))}},
		"scope": schema.StringAttribute{Optional: true, MarkdownDescription: "ARM scope of an Azure role's eligibility (PIM for Azure resources).",
			Validators: []validator.String{stringvalidator.RegexMatches(validators.AzureScopeRE, "must be an ARM scope")}},
		"principal_id": schema.StringAttribute{Optional: true, MarkdownDescription: "The signed-in user's object id; looked up " +
			"(`GET /me`) when omitted. Graph accepts only the signed-in user.",
			Validators: []validator.String{validators.GUID()}},
	}
}

// azure reports whether the target is an Azure role.
func (t *roleTarget) azure() bool { return t.Scope.ValueString() != "" }

// svc is where the target's activations are.
func (t *roleTarget) svc(data *shared.ProviderData) *pimclient.ScheduleService {
	if t.azure() {
		return data.Client.AzureSchedules(pimclient.Assignment)
	}
	return data.Client.Schedules(pimclient.Assignment)
}

// resolve fills the scope and the principal (the signed-in user).
func (t *roleTarget) resolve(ctx context.Context, data *shared.ProviderData, diags *diag.Diagnostics) bool {
	if t.azure() != validators.ValidAzureRoleID(t.RoleDefinitionID.ValueString()) {
		diags.AddAttributeError(path.Root("role_definition_id"), "Role And Scope Do Not Match",
			"With scope (an Azure role), role_definition_id is the role's full ARM id; without it (a directory role), the role's GUID.")
		return false
	}
	if t.azure() {
		t.DirectoryScopeID = t.Scope
	} else if t.DirectoryScopeID.ValueString() == "" {
		t.DirectoryScopeID = types.StringValue("/")
	}
	if t.PrincipalID.ValueString() != "" {
		return true
	}
	me, err := data.Client.Me(ctx)
	if err != nil {
		shared.AddGraphError(diags, "No Signed-In User", "Looking up the signed-in user (GET /me)", err,
			"Activation and deactivation are done by the user who holds the eligibility; applications cannot. Run Terraform as that "+
				"user (use_cli, or a user's access token).")
		return false
	}
	t.PrincipalID = types.StringValue(me.ID)
	return true
}

func (t *roleTarget) request(act string) *pimclient.ScheduleRequest {
	return &pimclient.ScheduleRequest{Action: act, PrincipalID: t.PrincipalID.ValueString(), RoleDefinitionID: t.RoleDefinitionID.ValueString(),
		DirectoryScopeID: t.DirectoryScopeID.ValueString()}
}

// describe names the target for messages: `role "User Administrator" (…)
// for user "Alice Analyst" (…) at scope "/"`.
func (t *roleTarget) describe(ctx context.Context, data *shared.ProviderData) string {
	if t.azure() {
		return fmt.Sprintf("Azure role %q for %s at %s", shared.FirstNonEmpty(data.Names.AzureRoleName(ctx, t.RoleDefinitionID.ValueString()),
			t.RoleDefinitionID.ValueString()), data.Names.DescribePrincipal(ctx, t.PrincipalID.ValueString()), t.Scope.ValueString())
	}
	return fmt.Sprintf("%s for %s at scope %q", data.Names.DescribeRole(ctx, t.RoleDefinitionID.ValueString()),
		data.Names.DescribePrincipal(ctx, t.PrincipalID.ValueString()), t.DirectoryScopeID.ValueString())
}

func formatTime(t *time.Time) string {
	if t == nil {
		return "no end"
	}
	return t.UTC().Format(time.RFC3339)
}
