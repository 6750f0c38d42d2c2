package emulator_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const crashEnv = "PIM_EMULATOR_CRASH_DATA"

// TestCrashHelper is the emulator process the crash test kills; it does
// nothing unless started by it.
func TestCrashHelper(t *testing.T) {
	data := os.Getenv(crashEnv)
	if data == "" {
		return
	}
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(epoch), DataFile: data, CompactEvery: 25,
		Tokens: map[string]emulator.Identity{token: {PrincipalID: emulator.AdminID, MFA: true}}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := (&net.ListenConfig{}).Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("LISTENING", ln.Addr())
	_ = http.Serve(ln, srv) // until killed
}

var crashPrincipals = []string{emulator.AliceID, emulator.BobID, emulator.CarolID, emulator.DaveID, emulator.OpsGroupID, emulator.SecGroupID}

// TestCrashDuringWrites kills the emulator process (SIGKILL) while clients
// write, restarts it on the same data file and checks that every
// acknowledged write survived, the files load, and no temporary file is
// left behind; three times, with snapshots (compaction) in between.
func TestCrashDuringWrites(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.json")
	acked := map[string]bool{}
	scopes := []string{"/", "/administrativeUnits/" + emulator.EuropeUnitID, "/" + emulator.AppServicePrincipalID}
	for round, scope := range scopes {
		addr, kill := startCrashHelper(t, data)
		var mu sync.Mutex
		var n atomic.Int32
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := w; i < len(crashPrincipals)*len(crashRoles); i += 4 {
					p, r := crashPrincipals[i%len(crashPrincipals)], crashRoles[i/len(crashPrincipals)]
					body := fmt.Sprintf(`{"action":"adminAssign","principalId":%q,"roleDefinitionId":%q,"directoryScopeId":%q,"justification":"round %d"}`, p, r, scope, round)
					status := postStatus("http://"+addr+"/v1.0"+eligReqs, body)
					if status == 0 {
						return // the process is gone
					}
					if status == 201 {
						mu.Lock()
						acked[p+"|"+r+"|"+scope] = true
						mu.Unlock()
						if n.Add(1) == 60 {
							kill()
						}
					}
				}
			})
		}
		wg.Wait()
		kill()
		t.Logf("round %d: killed after %d acknowledged writes (%d in all)", round, n.Load(), len(acked))
		checkSurvivors(t, data, acked)
	}
}

var crashRoles = []string{emulator.RoleGlobalReader, emulator.RoleHelpdeskAdministrator, emulator.RoleUserAdministrator, emulator.RoleSecurityAdministrator,
	emulator.RoleSecurityReader, emulator.RoleReportsReader, "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", "fdd7a751-b60b-444a-984c-02652fe8fa1c",
	"b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", "c4e39bd9-1100-46d3-8c65-fb160da0071f", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
	"45d8d3c5-c802-45c6-b32a-1d70b5e1e86e", "29232cdf-9323-42fd-ade2-1d097af3e4de", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"}

func startCrashHelper(t *testing.T, data string) (string, func()) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestCrashHelper$")
	cmd.Env = append(os.Environ(), crashEnv+"="+data)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "LISTENING "); ok {
			var once sync.Once
			kill := func() {
				once.Do(func() {
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
				})
			}
			t.Cleanup(kill)
			return addr, kill
		}
	}
	t.Fatalf("the emulator process did not start: %v", sc.Err())
	return "", nil
}

func postStatus(target, body string) int {
	req, _ := http.NewRequestWithContext(context.Background(), "POST", target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

// checkSurvivors loads the data file as a restart would and looks for
// every acknowledged write.
func checkSurvivors(t *testing.T, data string, acked map[string]bool) {
	t.Helper()
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(epoch), DataFile: data,
		Tokens: map[string]emulator.Identity{token: {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatalf("restart after the crash: %v", err)
	}
	defer func() { _ = srv.Close() }()
	have := map[string]bool{}
	for _, sc := range srv.Schedules(emulator.Eligible) {
		have[sc.PrincipalID+"|"+sc.RoleDefinitionID+"|"+sc.DirectoryScopeID] = true
	}
	lost := 0
	for k := range acked {
		if !have[k] {
			lost++
		}
	}
	if lost > 0 || len(acked) == 0 {
		t.Errorf("%d of %d acknowledged writes lost in the crash", lost, len(acked))
	}
	entries, _ := os.ReadDir(filepath.Dir(data))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// A torn last journal line (a write that crashed before its fsync
// returned) is ignored; a damaged line in the middle is reported.
func TestJournalDamage(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "state.json")
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(epoch), DataFile: data,
		Tokens: map[string]emulator.Identity{token: {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := newServerHarness(t, srv)
	hs.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
	_ = srv.Close()
	journals, _ := filepath.Glob(data + ".journal.*")
	if len(journals) == 0 {
		t.Fatal("no journal written")
	}
	last := journals[len(journals)-1]
	appendFile(t, last, `{"op":"put","type":"schedule","id":"x","value":{"id":`)
	reloaded, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(epoch), DataFile: data})
	if err != nil {
		t.Fatalf("a torn last line must be ignored: %v", err)
	}
	if _, ok := reloaded.FindSchedule(emulator.Eligible, emulator.AliceID, emulator.RoleGlobalReader, "/"); !ok {
		t.Error("the acknowledged write before the torn line is lost")
	}
	_ = reloaded.Close()
	journals, _ = filepath.Glob(data + ".journal.*")
	appendFile(t, journals[0], "\nnot json\n"+`{"op":"del","type":"schedule","id":"y"}`+"\n")
	if _, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(epoch), DataFile: data}); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("a damaged line in the middle: %v, want a corrupt-journal error", err)
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// History stays bounded as Microsoft Entra keeps it: requests 45 days,
// audit records 30.
func TestHistoryIsBounded(t *testing.T) {
	h := newHarness(t, "")
	h.do("POST", eligReqs, token, assign(emulator.AliceID, emulator.RoleGlobalReader, nil))
	count := func() int {
		_, m := h.do("GET", "/auditLogs/directoryAudits", token, nil)
		return len(m["value"].([]any)) + pagesLeft(h, m)
	}
	if n := count(); n != 1 {
		t.Fatalf("audit records after one change: %d", n)
	}
	h.clock.Advance(30*24*time.Hour + time.Second)
	if n := count(); n != 0 {
		t.Errorf("audit records older than 30 days: %d, want 0", n)
	}
	if n := len(h.srv.Requests(emulator.Eligible)); n != 1 {
		t.Errorf("requests after 30 days: %d, want 1 (kept 45 days)", n)
	}
}

func newServerHarness(t *testing.T, srv *emulator.Server) *harness {
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &harness{t: t, srv: srv, url: hs.URL + "/v1.0"}
}
