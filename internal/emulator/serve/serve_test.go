package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// start runs the command until the test ends and returns its endpoint.
func start(t *testing.T, data, readyFile string) (string, *bytes.Buffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() {
		done <- Run(ctx, &out, Config{Addr: "127.0.0.1:0", Data: data, Token: "cmd-test-token", Control: "cmd-control", ReadyFile: readyFile}, ready)
	}()
	var endpoint string
	select {
	case endpoint = <-ready:
	case err := <-done:
		t.Fatalf("Run: %v", err)
	}
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
	return endpoint, &out, stop
}

func call(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer cmd-test-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

func TestServesPrintsAndPersists(t *testing.T) {
	dir := t.TempDir()
	data, readyFile := filepath.Join(dir, "state.json"), filepath.Join(dir, "ready.json")
	endpoint, out, stop := start(t, data, readyFile)
	status, _ := call(t, "POST", endpoint+"/roleManagement/directory/roleEligibilityScheduleRequests",
		`{"action":"adminAssign","principalId":"a11ce000-0000-4000-8000-000000000002","roleDefinitionId":"f2ef992c-3afb-46b9-b7cf-a126ee74c451","directoryScopeId":"/"}`)
	if status != http.StatusCreated {
		t.Fatalf("adminAssign: HTTP %d", status)
	}
	stop()
	for _, want := range []string{"export PIM_ENDPOINT=" + endpoint, "export PIM_ACCESS_TOKEN=cmd-test-token", "token of alice:",
		"control token:  cmd-control", "PIM emulator stopped"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	var rf struct {
		Endpoint, Token string
		Control         string `json:"control_token"`
		Users           map[string]string
	}
	b, err := os.ReadFile(readyFile)
	if err != nil || json.Unmarshal(b, &rf) != nil || rf.Endpoint != endpoint || rf.Token != "cmd-test-token" || rf.Control != "cmd-control" || rf.Users["alice"] == "" {
		t.Errorf("ready file %s: %+v (%v)", b, rf, err)
	}

	// A restarted emulator, on another port, serves the same assignment.
	endpoint, _, stop = start(t, data, "")
	defer stop()
	_, body := call(t, "GET", endpoint+"/roleManagement/directory/roleEligibilitySchedules?$filter=principalId%20eq%20'a11ce000-0000-4000-8000-000000000002'", "")
	var list struct{ Value []map[string]any }
	if err := json.Unmarshal(body, &list); err != nil || len(list.Value) != 1 {
		t.Fatalf("after restart: %v %v", list, err)
	}
}

func TestParseFlags(t *testing.T) {
	var errOut bytes.Buffer
	c, err := Parse("pimemulator", []string{"-addr", "127.0.0.1:0", "-seed", "tenant.yaml", "-faults", "f.json", "-data", "", "-ready-file", "r.json"}, &errOut)
	if err != nil || c.Addr != "127.0.0.1:0" || c.Seed != "tenant.yaml" || c.Faults != "f.json" || c.Data != "" || c.ReadyFile != "r.json" {
		t.Errorf("Parse: %+v %v", c, err)
	}
	if _, err := Parse("pimemulator", []string{"-nope"}, &errOut); err == nil {
		t.Error("an unknown flag parsed")
	}
	if _, err := Parse("pimemulator", []string{"stray"}, &errOut); err == nil {
		t.Error("a stray argument parsed")
	}
}

// A seed file and a faults file given as flags take effect.
func TestSeedAndFaultFiles(t *testing.T) {
	dir := t.TempDir()
	seed := filepath.Join(dir, "tenant.yaml")
	faults := filepath.Join(dir, "faults.json")
	if err := os.WriteFile(seed, []byte("tenant: {domain: fabrikam.example}\nusers:\n  - user_principal_name: kim@fabrikam.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(faults, []byte(`{"rules":[{"match":{"method":"GET","path":"/v1.0/users"},"status":503,"count":1}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() {
		done <- Run(ctx, &out, Config{Addr: "127.0.0.1:0", Seed: seed, Faults: faults, Token: "admin-token", Control: "ctl"}, ready)
	}()
	endpoint := <-ready
	defer func() {
		cancel()
		<-done
	}()
	get := func() (int, string) {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", endpoint+"/users", nil)
		req.Header.Set("Authorization", "Bearer admin-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if s, _ := get(); s != 503 {
		t.Errorf("first GET /users: %d, want the injected 503", s)
	}
	if s, body := get(); s != 200 || !strings.Contains(body, "kim@fabrikam.example") || !strings.Contains(body, "admin@fabrikam.example") {
		t.Errorf("second GET /users: %d %s, want the seeded user and the built-in admin", s, body)
	}
}

func TestBadSeedFails(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "tenant.yaml")
	if err := os.WriteFile(seed, []byte("tenant: {domain: x.example}\nassignments:\n  - {type: eligible, principal: nobody, role: Global Reader}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Run(t.Context(), io.Discard, Config{Addr: "127.0.0.1:0", Seed: seed}, nil)
	if err == nil || !strings.Contains(err.Error(), "assignments[0].principal") {
		t.Errorf("Run with an unknown principal in the seed: %v", err)
	}
}
