package shared

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// Plan-time checks of many new assignments share getByIds calls: while one
// call is in flight, every id asked for meanwhile waits for the next call.
// The first call is held until all ten callers have queued, so the count is
// exact.
func TestDirectoryNamesBatchConcurrentLookups(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)),
		Tokens: map[string]emulator.Identity{"t": {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu      sync.Mutex
		batches [][]string
	)
	release := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/directoryObjects/getByIds") {
			body, _ := io.ReadAll(r.Body)
			var req struct{ IDs []string }
			_ = json.Unmarshal(body, &req)
			mu.Lock()
			batches = append(batches, req.IDs)
			first := len(batches) == 1
			mu.Unlock()
			if first {
				<-release
			}
			r.Body = io.NopCloser(strings.NewReader(string(body)))
		}
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	client, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken("t")})
	if err != nil {
		t.Fatal(err)
	}
	n := NewDirectoryNames(client)
	ids := []string{emulator.AliceID, emulator.BobID, emulator.CarolID, emulator.DaveID, emulator.OpsGroupID, emulator.SecGroupID,
		emulator.AppServicePrincipalID, emulator.AdminID, "0000dead-0000-4000-8000-000000000001", "0000dead-0000-4000-8000-000000000002"}
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = n.Resolve(context.Background(), []string{id})
		}()
		if i == 0 {
			waitFor(func() bool { mu.Lock(); defer mu.Unlock(); return len(batches) == 1 })
		}
	}
	waitFor(func() bool { n.mu.Lock(); defer n.mu.Unlock(); return len(n.pending) == len(ids) })
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("resolve %s: %v", ids[i], err)
		}
	}
	if len(batches) != 2 || len(batches[0]) != 1 || len(batches[1]) != 9 {
		t.Fatalf("getByIds calls = %v, want two: the first id alone, then the nine asked for while it was in flight", batches)
	}
	if obj, known := n.Principal(emulator.BobID); !known || obj == nil || obj.UserPrincipalName != "bob@contoso.example" {
		t.Fatalf("bob = %+v (known %v)", obj, known)
	}
	if obj, known := n.Principal(ids[8]); !known || obj != nil {
		t.Fatalf("an unknown id must be remembered as not found, got %+v (known %v)", obj, known)
	}
	before := len(batches)
	if err := n.Resolve(context.Background(), ids); err != nil || len(batches) != before {
		t.Fatalf("a second lookup of known ids must not call Graph: %v, %d calls", err, len(batches)-before)
	}
}

// waitFor yields until cond holds (goroutines reaching a state), without
// sleeping.
func waitFor(cond func() bool) {
	for !cond() {
		runtime.Gosched()
	}
}

// A refused directory read is remembered: later lookups do not call Graph
// again, and the warning is given once per process.
func TestDirectoryNamesRememberDenial(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)),
		Tokens: map[string]emulator.Identity{"t": {PrincipalID: emulator.AppServicePrincipalID, App: true,
			Permissions: []string{"RoleManagement.ReadWrite.Directory"}}}})
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/getByIds") {
			calls++
		}
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	client, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken("t")})
	if err != nil {
		t.Fatal(err)
	}
	n := NewDirectoryNames(client)
	for range 3 {
		if err := n.Resolve(context.Background(), []string{emulator.AliceID}); !IsDirectoryDenied(err) {
			t.Fatalf("want the 403, got %v", err)
		}
	}
	if calls != 1 {
		t.Fatalf("getByIds calls = %d, want 1", calls)
	}
	if got := n.DescribePrincipal(context.Background(), emulator.AliceID); got != "principal "+emulator.AliceID {
		t.Fatalf("describePrincipal = %q, want the bare id", got)
	}
}
