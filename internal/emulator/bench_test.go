package emulator_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// The emulator's cost must stay flat as the tenant grows: a filtered read
// and a persisted write at 10,000 schedules, with a stationary workload
// (each write is undone by the next), stay under 5 ms each.

const benchSchedules = 10000

// benchServer seeds n eligibilities (one per user) and returns the server,
// its base URL and the users.
func benchServer(b *testing.B, dataFile string, n int) (string, []string) {
	b.Helper()
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)),
		DataFile: dataFile, Tokens: map[string]emulator.Identity{token: {PrincipalID: emulator.AdminID}}, PageSize: 100})
	if err != nil {
		b.Fatal(err)
	}
	users := srv.AddUsers(n)
	hs := httptest.NewServer(srv)
	b.Cleanup(func() { hs.Close(); _ = srv.Close() })
	base := hs.URL + "/v1.0"
	var wg sync.WaitGroup
	for w := range 8 { // concurrent writers share fsyncs: seeding stays quick
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				post(b, base+eligReqs, assignBody("adminAssign", users[i]), http.StatusCreated)
			}
		})
	}
	wg.Wait()
	if got := len(srv.Schedules(emulator.Eligible)); got != n {
		b.Fatalf("seeded %d schedules, want %d", got, n)
	}
	return base, users
}

func assignBody(action, principal string) string {
	return fmt.Sprintf(`{"action":%q,"principalId":%q,"roleDefinitionId":%q,"directoryScopeId":"/"}`, action, principal, emulator.RoleGlobalReader)
}

func post(b *testing.B, u, body string, want int) {
	req, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != want {
		b.Errorf("POST %s: HTTP %d, want %d", body, resp.StatusCode, want)
	}
}

func get(b *testing.B, u string) {
	req, _ := http.NewRequestWithContext(b.Context(), http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body) // drained so the connection is reused
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"memberType":"Direct"`) {
		b.Fatalf("GET: HTTP %d %.200s", resp.StatusCode, body)
	}
}

// BenchmarkFilteredRead10k is the provider's refresh of one assignment:
// a list filtered by principal, role and scope.
func BenchmarkFilteredRead10k(b *testing.B) {
	base, users := benchServer(b, "", benchSchedules)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		f := "principalId eq '" + users[i%len(users)] + "' and roleDefinitionId eq '" + emulator.RoleGlobalReader + "' and directoryScopeId eq '/'"
		get(b, base+eligScheds+"?$filter="+url.QueryEscape(f))
		i += 7919
	}
}

// BenchmarkPersistedWrite10k is one write (an assign or a remove, each
// fsynced to the journal) in a tenant of 10,000 schedules.
func BenchmarkPersistedWrite10k(b *testing.B) {
	base, _ := benchServer(b, filepath.Join(b.TempDir(), "state.json"), benchSchedules)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		action := "adminAssign"
		if i%2 == 1 {
			action = "adminRemove"
		}
		post(b, base+eligReqs, assignBody(action, emulator.AliceID), http.StatusCreated)
		i++
	}
}

// BenchmarkUnfilteredPage10k is one page of 100 of an unfiltered list.
func BenchmarkUnfilteredPage10k(b *testing.B) {
	base, _ := benchServer(b, "", benchSchedules)
	b.ResetTimer()
	for b.Loop() {
		get(b, base+eligScheds+"?$skiptoken=YzowMDAwMDAwMDAwMDAwMDAwNTAwMC4wMDAwMDA")
	}
}
