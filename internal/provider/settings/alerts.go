package settings

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// foreseeAlerts warns when the setting lets a privileged role be activated
// without MFA or an authentication context while PIM's "roles don't
// require multi-factor authentication for activation" alert is on: the
// plan raises (or keeps raised) that alert.
func (directoryRole) foreseeAlerts(ctx context.Context, data *shared.ProviderData, plan *roleSettingModel, diags *diag.Diagnostics) {
	act := plan.Activation
	if act == nil || act.RequireMFA || act.AuthenticationContextClaimValue.ValueString() != "" ||
		!shared.PrivilegedRoles[strings.ToLower(plan.RoleDefinitionID.ValueString())] {
		return
	}
	cfg, err := data.Alerts.Configuration(ctx, data.Client, shared.AlertNoMfaOnActivation)
	if err != nil {
		tflog.Debug(ctx, "PIM alerts not foreseen: their configuration could not be read", map[string]any{"error": err.Error()})
	}
	if cfg == nil || !cfg.IsEnabled {
		return
	}
	diags.AddAttributeWarning(path.Root("activation").AtName("require_mfa"), "This Plan Raises A PIM Alert",
		fmt.Sprintf("With this setting, %s, a privileged role, can be activated without multifactor authentication or an "+
			"authentication context: PIM raises the alert \"Roles don't require multi-factor authentication for activation\" (%s) "+
			"for it. Set activation.require_mfa = true, or require an authentication context.",
			directoryRole{}.describe(ctx, data.Names, plan), shared.AlertNoMfaOnActivation))
}

// foreseeAlerts: Graph's PIM alerts cover directory roles only.
func (groupAccess) foreseeAlerts(context.Context, *shared.ProviderData, *roleSettingModel, *diag.Diagnostics) {
}
