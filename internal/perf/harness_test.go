//go:build perf

// Package perf holds the long runs that drive the Terraform CLI against an
// emulator: make soak (faults of every kind, then counts of errors,
// duplicates, orphans and final plan changes) and make bench (requests and
// wall time of plans and applies of 1,000 assignments, a throttled apply,
// peak memory). They are tagged `perf` so that make test does not run them.
package perf

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

const adminToken = "perf-admin"

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// providerBinary builds the provider (and the floor provider) once per run.
func providerBinary(t testing.TB) string {
	buildOnce.Do(func() {
		// Shared by every test of the run, so not one test's TempDir.
		binDir, buildErr = os.MkdirTemp("", "pim-perf-bin-") //nolint:usetesting // see above
		if buildErr != nil {
			return
		}
		for _, b := range []struct{ out, pkg string }{
			{"terraform-provider-pim", "../.."},
			{"terraform-provider-floor", "./floor"},
		} {
			out, err := exec.CommandContext(context.Background(), "go", "build", "-o", filepath.Join(binDir, b.out), b.pkg).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("building %s: %w\n%s", b.pkg, err, out)
				return
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

// env is an emulator (in this process, on real time that can be moved on)
// and a directory with a Terraform configuration that uses it.
type env struct {
	t     testing.TB
	srv   *emulator.Server
	clock *emulator.OffsetClock
	url   string
	dir   string
	rc    string
	users []string
}

// newEnv seeds a tenant of n users with fixed ids.
func newEnv(t testing.TB, n int) *env {
	t.Helper()
	bin := providerBinary(t)
	seed := emulator.DefaultSeed()
	e := &env{t: t, clock: &emulator.OffsetClock{}, dir: t.TempDir()}
	for i := range n {
		id := fmt.Sprintf("50000000-0000-4000-8000-%012d", i+1)
		seed.Users = append(seed.Users, emulator.SeedUser{ID: id, UserPrincipalName: fmt.Sprintf("user%d@contoso.example", i+1)})
		e.users = append(e.users, id)
	}
	srv, err := emulator.New(emulator.Options{Clock: e.clock, Seed: seed, AdminToken: adminToken, ControlToken: "ctl"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	e.srv, e.url = srv, hs.URL+"/v1.0"
	e.rc = filepath.Join(e.dir, "terraformrc")
	rc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"pim-as-code/pim\" = %q\n    \"perf/floor\" = %q\n  }\n  direct {}\n}\n", bin, bin)
	if err := os.WriteFile(e.rc, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// write replaces the configuration in dir.
func (e *env) write(dir, hcl string) {
	e.t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(hcl), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// result of one terraform command.
type result struct {
	out      string
	code     int
	took     time.Duration
	peakRSS  int64 // KiB, of the provider process, when sampled
	errCount int
}

// tf runs terraform in dir; sampleRSS samples the provider's peak RSS.
func (e *env) tf(dir string, sampleRSS bool, args ...string) result {
	e.t.Helper()
	cmd := exec.CommandContext(context.Background(), "terraform", append(args, "-no-color")...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+e.rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1",
		"PIM_ENDPOINT="+e.url, "PIM_ACCESS_TOKEN="+adminToken)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	var peak int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		if sampleRSS {
			peak = samplePeakRSS(cmd.Process.Pid, stop)
		}
	}()
	err := cmd.Wait()
	close(stop)
	<-sampled
	r := result{out: out.String(), took: time.Since(start), peakRSS: peak}
	if err != nil {
		r.code = cmd.ProcessState.ExitCode()
	}
	r.errCount = strings.Count(r.out, "Error: ")
	return r
}

// samplePeakRSS polls the providers started under pid (terraform's
// children named terraform-provider-*) for their VmHWM until stop.
func samplePeakRSS(terraformPID int, stop <-chan struct{}) int64 {
	var peak int64
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, pid := range children(terraformPID) {
			if hwm := vmHWM(pid); hwm > peak {
				peak = hwm
			}
		}
		select {
		case <-stop:
			return peak
		case <-tick.C:
		}
	}
}

func children(parent int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 2 && fields[1] == strconv.Itoa(parent) {
			if comm, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "comm")); strings.HasPrefix(string(comm), "terraform-provi") {
				out = append(out, pid)
			}
		}
	}
	return out
}

func vmHWM(pid int) int64 {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return 0
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// planChanges parses "Plan: a to add, c to change, d to destroy".
func planChanges(out string) int {
	var a, c, d int
	if i := strings.Index(out, "Plan: "); i >= 0 {
		_, _ = fmt.Sscanf(out[i:], "Plan: %d to add, %d to change, %d to destroy", &a, &c, &d)
	}
	return a + c + d
}

// control calls the emulator's control API.
func (e *env) control(method, path, body string) string {
	e.t.Helper()
	req := httptest.NewRequestWithContext(context.Background(), method, "/_emulator/"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer ctl")
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	if rec.Code >= 300 {
		e.t.Fatalf("%s /_emulator/%s: HTTP %d %s", method, path, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// requests is the number of Graph calls served since the last reset.
func (e *env) requests() int {
	var n int
	_, _ = fmt.Sscanf(e.control("GET", "requests", "")[len(`{"total":`):], "%d", &n)
	return n
}
