package provider_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider"
)

const patchRule = "PATCH /v1.0/policies/roleManagementPolicies/{id}/rules/{rule}"

// patches checks how many rules the last step PATCHed (counts are reset
// before the step).
func patches(t *testing.T, env *acctest.Env, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := env.RouteCount(t, patchRule); n != want {
			return fmt.Errorf("%d rule PATCHes, want %d: each is an audit entry, so only rules that change are sent", n, want)
		}
		return nil
	}
}

// A create PATCHes only the rules whose value differs from the role's
// current policy, an update only the rules it changes.
func TestAccRoleSetting_patchesOnlyWhatDiffers(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	role := emulator.RoleHelpdeskAdministrator
	base := `
  activation          = { maximum_duration = "PT4H", require_ticket_info = true }
  eligible_assignment = { require_mfa = true }
`
	resetCounts := func() { env.Control(t, http.MethodDelete, "requests", "", http.StatusNoContent) }
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				PreConfig: resetCounts,
				Config:    settingConfig(env, role, base),
				Check: resource.ComposeAggregateTestCheckFunc(patches(t, env, 3), func(*terraform.State) error {
					if got := env.Emulator.PolicyOf(role).Rule("Enablement_Admin_Eligibility").EnabledRules; !slices.Contains(got, "MultiFactorAuthentication") {
						return fmt.Errorf("Enablement_Admin_Eligibility = %v, want MultiFactorAuthentication", got)
					}
					return nil
				}),
			},
			{
				PreConfig: resetCounts,
				Config:    settingConfig(env, role, base+`  notifications = { activation = { admin = { critical_only = true } } }`),
				Check:     patches(t, env, 1),
			},
		},
	})
}

// The 17 rule ids live in one place in the client; the emulator keeps its
// own list, and the two must agree.
func TestRuleIDsMatchTheEmulator(t *testing.T) {
	if !slices.Equal(pimclient.RuleIDs(), emulator.RuleIDs()) {
		t.Fatalf("client rules %v\nemulator rules %v", pimclient.RuleIDs(), emulator.RuleIDs())
	}
}

// Creating a one-line pim_role_setting over a role hardened in the portal
// warns, by setting, about everything it would reset; what the
// configuration mentions is not listed.
func TestPlanWarnsAboutResetsOfUnmentionedSettings(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	role := emulator.RoleUserAdministrator
	hardened := emulator.DefaultPolicy()
	hardened.Rule("Expiration_EndUser_Assignment").MaximumDuration = "PT2H"
	hardened.Rule("Approval_EndUser_Assignment").Approval.IsApprovalRequired = true
	env.Emulator.SetPolicy(role, hardened)
	p := newProtocol(t, env, acctest.Token)
	const summary = "Role Setting Resets Settings Not In The Configuration"

	w := warning(p.planCreate("pim_role_setting", map[string]tftypes.Value{"role_definition_id": str(role)}).Diagnostics, summary)
	for _, want := range []string{`role "User Administrator"`, `activation.maximum_duration: "PT2H" → "PT8H"`, "activation.approval.required: true → false"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning lacks %q:\n%s", want, w)
		}
	}
	activation := object(p.attrType("pim_role_setting", "activation"), map[string]tftypes.Value{"maximum_duration": str("PT2H")})
	w = warning(p.planCreate("pim_role_setting", map[string]tftypes.Value{"role_definition_id": str(role), "activation": activation}).Diagnostics, summary)
	if strings.Contains(w, "maximum_duration") || !strings.Contains(w, "activation.approval.required: true → false") {
		t.Errorf("with maximum_duration configured, the warning must list only the approval:\n%s", w)
	}
	if w := warning(p.planCreate("pim_role_setting", map[string]tftypes.Value{"role_definition_id": str(emulator.RoleGlobalReader)}).Diagnostics, summary); w != "" {
		t.Errorf("a role at its defaults got a warning:\n%s", w)
	}
}

// A role that requires MFA to make principals eligible refuses an app-only
// caller; the plan says so before the apply fails.
func TestPlanWarnsWhenAnAppOnlySignInCannotPassMFA(t *testing.T) {
	t.Parallel()
	const secret = "acctest-client-secret"
	env := acctest.NewEnv(t, acctest.WithAppSecret(secret))
	pol := emulator.DefaultPolicy()
	pol.Rule("Enablement_Admin_Eligibility").EnabledRules = []string{"MultiFactorAuthentication"}
	env.Emulator.SetPolicy(emulator.RoleHelpdeskAdministrator, pol)
	app := newProtocolWith(t, env, map[string]tftypes.Value{
		"tenant_id": str(emulator.DefaultTenantID), "client_id": str(emulator.AppClientID), "client_secret": str(secret),
		"authority_host": str(strings.TrimSuffix(env.URL, "/v1.0") + "/"),
	}, provider.WithHTTPClient(env.HTTPClient))
	config := map[string]tftypes.Value{"principal_id": str(emulator.AliceID), "role_definition_id": str(emulator.RoleHelpdeskAdministrator)}
	const summary = "Multi-Factor Authentication Required"
	if w := warning(app.planCreate("pim_eligible_assignment", config).Diagnostics, summary); !strings.Contains(w, "eligible_assignment.require_mfa") ||
		!strings.Contains(w, "client secret") {
		t.Fatalf("app-only plan: warning = %q", w)
	}
	user := newProtocolWith(t, env, nil, provider.WithAccessToken(acctest.Token), provider.WithHTTPClient(env.HTTPClient))
	if w := warning(user.planCreate("pim_eligible_assignment", config).Diagnostics, summary); w != "" {
		t.Fatalf("a user's plan got the app-only warning: %q", w)
	}
}
