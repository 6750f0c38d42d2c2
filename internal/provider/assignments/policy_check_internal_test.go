package assignments

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/settings"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// Concurrent plan-time checks of assignments to one role read its policy
// once (single flight), not once each.
func TestPolicyReadsAreSingleFlight(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)),
		Tokens: map[string]emulator.Identity{"t": {PrincipalID: emulator.AdminID}}, ControlToken: "ctl"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	client, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken("t")})
	if err != nil {
		t.Fatal(err)
	}
	cache := shared.NewPolicyCache(settings.FetchLimits, settings.FetchRoleLimits)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, _, err := cache.Get(t.Context(), client, shared.RolePolicy(emulator.RoleHelpdeskAdministrator)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", hs.URL+"/_emulator/requests", nil)
	req.Header.Set("Authorization", "Bearer ctl")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var stats struct {
		ByRoute map[string]int `json:"by_route"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&stats)
	n := 0
	for route, c := range stats.ByRoute {
		if strings.Contains(route, "roleManagementPolicyAssignments") {
			n += c
		}
	}
	if n != 1 {
		t.Errorf("ten concurrent checks read the policy %d times, want 1", n)
	}
}
