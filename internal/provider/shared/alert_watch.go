package shared

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient/rolealerts"
)

// Alert types a plan can foresee (the suffix of Graph's alert ids).
const (
	AlertTooManyGlobalAdmins = "TooManyGlobalAdminsAssignedToTenantAlert"
	AlertNoMfaOnActivation   = "NoMfaOnRoleActivationAlert"
)

// RoleGlobalAdministrator is Global Administrator's template id.
const RoleGlobalAdministrator = pimclient.RoleGlobalAdministrator

// PrivilegedRoles are the built-in roles Microsoft labels privileged, whose
// activation PIM's "no MFA on activation" alert watches.
var PrivilegedRoles = pimclient.PrivilegedRoles

// AlertWatch foresees at plan time which PIM alert a change would raise,
// from the alerts' configurations (read once per process) and the
// tenant's assignments. It also remembers the Global Administrators this
// plan adds, so that the resource whose plan crosses the threshold says
// so even when several new ones cross it together.
type AlertWatch struct {
	mu      sync.Mutex
	loaded  bool
	configs map[string]rolealerts.AlertConfiguration
	err     error
	planned map[string]bool
}

// NewAlertWatch returns an empty watch.
func NewAlertWatch() *AlertWatch { return &AlertWatch{planned: map[string]bool{}} }

// Configuration returns an alert type's configuration, nil when the
// alerts API cannot be read (no permission, or a cloud without it): then
// nothing is foreseen, and the error says why once.
func (w *AlertWatch) Configuration(ctx context.Context, client *pimclient.Client, alertType string) (*rolealerts.AlertConfiguration, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.loaded {
		w.loaded = true
		list, err := rolealerts.Of(client).ListAlertConfigurations(ctx)
		w.configs, w.err = map[string]rolealerts.AlertConfiguration{}, err
		for _, c := range list {
			w.configs[rolealerts.AlertType(c.ID)] = c
		}
	}
	if c, ok := w.configs[alertType]; ok {
		return &c, nil
	}
	return nil, w.err
}

// GlobalAdminAlert is the warning for a plan that makes principal a Global
// Administrator at the tenant (eligible or active): non-empty when the
// tenant crosses both thresholds of the "too many global administrators"
// alert with it and was under them before this plan.
func (p *ProviderData) GlobalAdminAlert(ctx context.Context, principal string) (string, error) {
	if p.Alerts == nil {
		return "", nil
	}
	cfg, err := p.Alerts.Configuration(ctx, p.Client, AlertTooManyGlobalAdmins)
	if cfg == nil || !cfg.IsEnabled || cfg.GlobalAdminCountThreshold == nil || cfg.PercentageOfGlobalAdminsOutOfRolesThreshold == nil {
		return "", err
	}
	holders, ga, total := map[string]bool{}, 0, 0
	for _, k := range []pimclient.Kind{pimclient.Eligibility, pimclient.Assignment} {
		all, err := p.Schedules.All(ctx, p.Client.Schedules(k))
		if err != nil {
			return "", err
		}
		for _, sc := range all {
			if sc.Status == pimclient.StatusGranted {
				continue // not started: PIM does not count it yet
			}
			total++
			if strings.EqualFold(sc.RoleDefinitionID, RoleGlobalAdministrator) && sc.DirectoryScopeID == "/" {
				ga++
				holders[strings.ToLower(sc.PrincipalID)] = true
			}
		}
	}
	count, pct := *cfg.GlobalAdminCountThreshold, *cfg.PercentageOfGlobalAdminsOutOfRolesThreshold
	over := func(n, a, t int) bool { return t > 0 && n >= count && a*100 >= pct*t }
	before := over(len(holders), ga, total)
	p.Alerts.mu.Lock()
	p.Alerts.planned[strings.ToLower(principal)] = true
	for q := range p.Alerts.planned {
		if !holders[q] {
			holders[q] = true
			ga, total = ga+1, total+1
		}
	}
	p.Alerts.mu.Unlock()
	if before || !over(len(holders), ga, total) {
		return "", nil
	}
	return fmt.Sprintf("With this plan the tenant has %d Global Administrators (eligible ones count), %d%% of its %d directory role "+
		"assignments: PIM will raise the alert \"There are too many global administrators\" (%s), whose thresholds are %d "+
		"administrators and %d%%. Use a less privileged role, or change the thresholds with pim_alert_setting.",
		len(holders), ga*100/total, total, AlertTooManyGlobalAdmins, count, pct), nil
}

// Forget drops the configurations read so far (after this process changed
// one), so that later plans read them again.
func (w *AlertWatch) Forget() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.loaded, w.configs, w.err = false, nil, nil
}
