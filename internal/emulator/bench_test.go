package emulator_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// benchServer seeds n eligibilities (n/4 per seeded user and role pair is not
// possible, so roles cycle) and returns a Graph base URL.
func benchServer(b *testing.B, dataFile string, n int) (*emulator.Server, string) {
	b.Helper()
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)),
		DataFile: dataFile, Tokens: map[string]emulator.Identity{token: {PrincipalID: emulator.AdminID}}, PageSize: 100})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	b.Cleanup(hs.Close)
	principals := []string{emulator.AliceID, emulator.BobID, emulator.CarolID, emulator.DaveID, emulator.OpsGroupID, emulator.SecGroupID}
	roles := []string{emulator.RoleGlobalReader, emulator.RoleHelpdeskAdministrator, emulator.RoleUserAdministrator, emulator.RoleSecurityAdministrator}
	for i := 0; i < n && i < len(principals)*len(roles); i++ {
		post(b, hs.URL+"/v1.0"+eligReqs, fmt.Sprintf(`{"action":"adminAssign","principalId":%q,"roleDefinitionId":%q,"directoryScopeId":"/"}`,
			principals[i%len(principals)], roles[i/len(principals)]))
	}
	return srv, hs.URL + "/v1.0"
}

func post(b *testing.B, u, body string) {
	req, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b.Fatalf("POST: HTTP %d", resp.StatusCode)
	}
}

// BenchmarkListSchedulesFiltered is the provider's Read: one filtered list
// call per assignment per plan.
func BenchmarkListSchedulesFiltered(b *testing.B) {
	_, base := benchServer(b, "", 24)
	u := base + eligScheds + "?$filter=" + url.QueryEscape("principalId eq '"+emulator.BobID+"' and roleDefinitionId eq '"+emulator.RoleGlobalReader+"' and directoryScopeId eq '/'")
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(b.Context(), http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body) // drain so the connection is reused
		_ = resp.Body.Close()
	}
}

// BenchmarkAssignAndRemovePersisted measures a write round trip including the
// atomic snapshot of the state file.
func BenchmarkAssignAndRemovePersisted(b *testing.B) {
	_, base := benchServer(b, filepath.Join(b.TempDir(), "state.json"), 24)
	assignBody := fmt.Sprintf(`{"action":"adminAssign","principalId":%q,"roleDefinitionId":%q,"directoryScopeId":"/"}`, emulator.AdminID, emulator.RoleGlobalReader)
	removeBody := strings.Replace(assignBody, "adminAssign", "adminRemove", 1)
	b.ResetTimer()
	for b.Loop() {
		post(b, base+eligReqs, assignBody)
		post(b, base+eligReqs, removeBody)
	}
}
