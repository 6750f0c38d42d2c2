package main

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
		done <- run(ctx, &out, config{addr: "127.0.0.1:0", data: data, token: "cmd-test-token", control: "cmd-control", readyFile: readyFile}, ready)
	}()
	var endpoint string
	select {
	case endpoint = <-ready:
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
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
