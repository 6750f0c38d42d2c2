package report

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// EmulatorLeastPrivilege reads what the calls to an emulator so far needed
// from its control API (GET /_emulator/permissions), at the endpoint's own
// host only: the control token goes nowhere else.
func EmulatorLeastPrivilege(ctx context.Context, endpoint, controlToken string) (*LeastPrivilege, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("the endpoint %q is not a URL", endpoint)
	}
	u.Path, u.RawQuery = "/_emulator/permissions", ""
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+controlToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading the emulator's least privilege: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reading the emulator's least privilege: %s (is this the emulator, and the control token it printed?)", resp.Status)
	}
	var body struct {
		Permissions []string `json:"application_permissions"`
		Operations  []struct {
			Operation   string   `json:"operation"`
			Permissions []string `json:"least_application_permissions"`
			Roles       []string `json:"directory_roles"`
		} `json:"operations"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("reading the emulator's least privilege: %w", err)
	}
	lp := &LeastPrivilege{Permissions: body.Permissions}
	for _, op := range body.Operations {
		lp.Operations = append(lp.Operations, PermissionUse{Operation: op.Operation, Permission: strings.Join(op.Permissions, ", "), Roles: op.Roles})
	}
	return lp, nil
}
