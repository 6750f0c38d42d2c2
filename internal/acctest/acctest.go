// Package acctest is the test harness: it starts a private emulator per test
// (on httptest, with a fake clock) and offers the checks the tests share. It
// does not import the provider package, so provider tests can import it.
package acctest

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// Token is the seeded admin's bearer token in every test emulator.
const Token = "acctest-admin-token"

// Epoch is where every test emulator's clock starts; fixed so configurations
// can name absolute times.
var Epoch = time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)

// Env is one test's private emulator.
type Env struct {
	Emulator *emulator.Server
	Clock    *emulator.FakeClock
	URL      string // Graph base URL including /v1.0
	DataFile string
}

// NewEnv starts an emulator for t and stops it when t ends.
func NewEnv(t testing.TB) *Env {
	t.Helper()
	clock := emulator.NewFakeClock(Epoch)
	dataFile := filepath.Join(t.TempDir(), "state.json")
	srv, err := emulator.New(emulator.Options{
		Clock:    clock,
		DataFile: dataFile,
		Tokens:   map[string]emulator.Identity{Token: {PrincipalID: emulator.AdminID}}, // no MFA claim: an app-only token
		PageSize: 2,                                                                    // small pages so every list call exercises @odata.nextLink
	})
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &Env{Emulator: srv, Clock: clock, URL: hs.URL + "/v1.0", DataFile: dataFile}
}

// ProviderBlock is the provider configuration for this environment. Tests
// also get the endpoint through provider options; the block keeps configs
// self-describing when a test prints them.
func (e *Env) ProviderBlock() string {
	return fmt.Sprintf("provider \"pim\" {\n  endpoint = %q\n}\n", e.URL)
}

// CheckGone returns a CheckDestroy that fails when any schedule of the given
// kind remains for the principal and role.
func (e *Env) CheckGone(k emulator.Kind, principalID, roleID string) func(*terraform.State) error {
	return func(*terraform.State) error {
		if sc, ok := e.Emulator.FindSchedule(k, principalID, roleID, "/"); ok {
			return fmt.Errorf("schedule %s of %s for role %s still exists after destroy", sc.ID, principalID, roleID)
		}
		return nil
	}
}
