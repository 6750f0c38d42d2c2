// Package rolealerts is the client of PIM's security alerts for Microsoft
// Entra roles (Graph beta roleManagementAlerts), through pimclient's
// transport.
package rolealerts

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// PIM security alerts for Microsoft Entra roles: Graph beta only
// (https://learn.microsoft.com/graph/how-to-pim-alerts).

// Service is the alerts API of a client.
type Service struct{ c *pimclient.Client }

// Of is the alerts API of c.
func Of(c *pimclient.Client) Service { return Service{c} }

const alertsPath = "/identityGovernance/roleManagementAlerts/"

// tenantScope is the filter every alerts collection requires.
const tenantScope = "scopeId eq '/' and scopeType eq 'DirectoryRole'"

// Alert is a unifiedRoleManagementAlert with its definition, configuration
// and incidents.
type Alert struct {
	ID                   string              `json:"id"`
	IncidentCount        int                 `json:"incidentCount"`
	IsActive             bool                `json:"isActive"`
	LastScannedDateTime  *time.Time          `json:"lastScannedDateTime"`
	LastModifiedDateTime string              `json:"lastModifiedDateTime"`
	Definition           *AlertDefinition    `json:"alertDefinition"`
	Configuration        *AlertConfiguration `json:"alertConfiguration"`
	Incidents            []AlertIncident     `json:"alertIncidents"`
}

// Type is the alert's type name: the suffix of its id
// (DirectoryRole_{tenant}_{type}).
func (a *Alert) Type() string { return AlertType(a.ID) }

// AlertType is the type name an alert, definition or configuration id ends with.
func AlertType(id string) string { return id[strings.LastIndex(id, "_")+1:] }

// AlertDefinition is what an alert type means.
type AlertDefinition struct {
	ID              string `json:"id"`
	DisplayName     string `json:"displayName"`
	Description     string `json:"description"`
	SeverityLevel   string `json:"severityLevel"`
	SecurityImpact  string `json:"securityImpact"`
	MitigationSteps string `json:"mitigationSteps"`
	HowToPrevent    string `json:"howToPrevent"`
	IsRemediatable  bool   `json:"isRemediatable"`
}

// AlertConfiguration is an alert type's settings; which thresholds it has
// depends on its derived @odata.type.
type AlertConfiguration struct {
	ODataType                                   string  `json:"@odata.type"`
	ID                                          string  `json:"id,omitempty"`
	IsEnabled                                   bool    `json:"isEnabled"`
	GlobalAdminCountThreshold                   *int    `json:"globalAdminCountThreshold,omitempty"`
	PercentageOfGlobalAdminsOutOfRolesThreshold *int    `json:"percentageOfGlobalAdminsOutOfRolesThreshold,omitempty"`
	SequentialActivationCounterThreshold        *int    `json:"sequentialActivationCounterThreshold,omitempty"`
	TimeIntervalBetweenActivations              *string `json:"timeIntervalBetweenActivations,omitempty"`
	Duration                                    *string `json:"duration,omitempty"`
}

// AlertIncident is one finding of an alert.
type AlertIncident struct {
	ODataType                 string     `json:"@odata.type"`
	ID                        string     `json:"id"`
	AssigneeID                string     `json:"assigneeId"`
	AssigneeDisplayName       string     `json:"assigneeDisplayName"`
	AssigneeUserPrincipalName string     `json:"assigneeUserPrincipalName"`
	RoleDefinitionID          string     `json:"roleDefinitionId"`
	RoleDisplayName           string     `json:"roleDisplayName"`
	AssignmentCreatedDateTime *time.Time `json:"assignmentCreatedDateTime"`
	LastActivationDateTime    *time.Time `json:"lastActivationDateTime"`
	LastSignInDateTime        *time.Time `json:"lastSignInDateTime"`
	ActivationCount           int        `json:"activationCount"`
	TenantLicenseStatus       string     `json:"tenantLicenseStatus"`
}

// alertsURL is an alerts path on the beta endpoint, with a query.
func (s Service) alertsURL(path string, q url.Values) string {
	u := s.c.BetaURL(alertsPath + path)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// ListAlerts reads every alert of the tenant with its definition,
// configuration and incidents, in one call.
func (s Service) ListAlerts(ctx context.Context) ([]Alert, error) {
	q := url.Values{"$filter": {tenantScope}, "$expand": {"alertDefinition,alertConfiguration,alertIncidents"}}
	return pimclient.List[Alert](ctx, s.c, s.alertsURL("alerts", q), nil)
}

// ListAlertConfigurations reads every alert type's configuration.
func (s Service) ListAlertConfigurations(ctx context.Context) ([]AlertConfiguration, error) {
	return pimclient.List[AlertConfiguration](ctx, s.c, s.alertsURL("alertConfigurations", url.Values{"$filter": {tenantScope}}), nil)
}

// UpdateAlertConfiguration changes an alert type's configuration (PATCH,
// with its derived @odata.type, as Graph requires).
func (s Service) UpdateAlertConfiguration(ctx context.Context, cfg AlertConfiguration) error {
	id := cfg.ID
	cfg.ID = ""
	return s.c.Do(ctx, http.MethodPatch, s.alertsURL("alertConfigurations/"+url.PathEscape(id), nil), nil, cfg, nil)
}

// DismissAlert sets an alert inactive: PIM stops scanning it until the
// next refresh.
func (s Service) DismissAlert(ctx context.Context, id string) error {
	return s.c.Do(ctx, http.MethodPatch, s.alertsURL("alerts/"+url.PathEscape(id), nil), nil, map[string]bool{"isActive": false}, nil)
}

// RefreshAlerts rescans one alert (or, with id "", all of them) and waits
// for the long-running operation to end, polling its Location every poll.
// A refresh is safe to repeat, so it is retried as a read.
func (s Service) RefreshAlerts(ctx context.Context, id string, poll time.Duration) error {
	path, body := "alerts/refresh", any(map[string]string{"scopeId": "/", "scopeType": "DirectoryRole"})
	if id != "" {
		path, body = "alerts/"+url.PathEscape(id)+"/refresh", nil
	}
	var loc pimclient.Location
	if err := s.c.Do(pimclient.AsRead(ctx), http.MethodPost, s.alertsURL(path, nil), nil, body, &loc); err != nil {
		return err
	}
	if loc.URL == "" {
		return nil // no operation to follow: done
	}
	for {
		var op struct {
			Status       string `json:"status"`
			StatusDetail string `json:"statusDetail"`
		}
		if err := s.c.Do(ctx, http.MethodGet, loc.URL, nil, nil, &op); err != nil {
			return err
		}
		switch strings.ToLower(op.Status) {
		case "succeeded":
			return nil
		case "failed":
			return fmt.Errorf("the refresh of PIM alerts failed: %s", op.StatusDetail)
		}
		if err := s.c.Sleep(ctx, poll); err != nil {
			return fmt.Errorf("waiting for the refresh of PIM alerts: %w", err)
		}
	}
}
