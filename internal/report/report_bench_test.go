package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/report"
)

// bigTenant is an emulator with 10,000 eligible assignments and 100,000
// audit entries (restored from a snapshot the test extends).
func bigTenant(b *testing.B) *pimclient.Client {
	b.Helper()
	seed := emulator.DefaultSeed()
	for i := range 10000 {
		upn := fmt.Sprintf("user%d@contoso.example", i)
		seed.Users = append(seed.Users, emulator.SeedUser{UserPrincipalName: upn})
		seed.Assignments = append(seed.Assignments, emulator.SeedAssignment{Type: "eligible", Principal: upn, Role: "Global Reader"})
	}
	clock := emulator.NewFakeClock(epoch)
	srv, err := emulator.New(emulator.Options{Clock: clock, Seed: seed, AdminToken: token, ControlToken: "ctl", PageSize: 100})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	b.Cleanup(hs.Close)
	ctl := func(method, path string, body io.Reader) []byte {
		req, _ := http.NewRequestWithContext(context.Background(), method, hs.URL+"/_emulator/"+path, body)
		req.Header.Set("Authorization", "Bearer ctl")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		data, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
		}
		return data
	}
	var snap map[string]any
	if err := json.Unmarshal(ctl("POST", "snapshot", nil), &snap); err != nil {
		b.Fatal(err)
	}
	audit := make([]any, 0, 100000)
	for i := range 100000 {
		audit = append(audit, map[string]any{"seq": 1000000 + i, "id": fmt.Sprintf("a%07d-0000-4000-8000-000000000000", i),
			"time": epoch.Add(-time.Duration(i) * 20 * time.Second).Format(time.RFC3339Nano), "activity": "Add eligible member to role in PIM completed (permanent)",
			"operationType": "Add", "result": "success", "resultReason": "bench", "initiatorId": emulator.AdminID, "correlationId": "c",
			"details": map[string]string{}, "targets": []any{map[string]any{"ID": emulator.AliceID, "DisplayName": "Alice Analyst", "Type": "User"}}})
	}
	snap["audit"] = audit
	data, _ := json.Marshal(snap)
	ctl("POST", "restore", strings.NewReader(string(data)))
	c, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken(token), Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// peakHeap samples the heap in use while fn runs, above what it was
// before (the emulator's own data, in the same process, is not counted).
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	fn()
	close(done)
	if p := peak.Load(); p > before.HeapInuse {
		return p - before.HeapInuse
	}
	return 0
}

// The HTML report of a tenant of 10,000 assignments and 100,000 audit
// entries, and the CSV download of all 100,000: time, and the report's
// peak heap above the process's at rest (the emulator serving it runs in
// the same process and holds the tenant).
func BenchmarkReportAtScale(b *testing.B) {
	c := bigTenant(b)
	ctx := context.Background()
	b.Run("html_10000_assignments", func(b *testing.B) {
		var heap uint64
		for b.Loop() {
			heap = max(heap, peakHeap(func() {
				d, err := report.Collect(ctx, c, "bench", report.Options{})
				if err != nil || len(d.Assignments) < 10000 {
					b.Fatalf("collect: %v (%d assignments)", err, len(d.Assignments))
				}
				if err := d.WriteHTML(io.Discard, 0); err != nil {
					b.Fatal(err)
				}
			}))
		}
		b.ReportMetric(float64(heap)/(1<<20), "report_heap_MB")
	})
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprintf("csv_%d_audit_entries", n), func(b *testing.B) {
			since := epoch.Add(-time.Duration(n-1) * 20 * time.Second) // one entry every 20 seconds before epoch
			var heap uint64
			for b.Loop() {
				var w countingWriter
				heap = max(heap, peakHeap(func() {
					if err := report.WriteAudit(ctx, c, &w, "csv", since, epoch); err != nil {
						b.Fatal(err)
					}
				}))
				if w.lines != n+1 {
					b.Fatalf("%d lines, want the header and %d entries", w.lines, n)
				}
			}
			b.ReportMetric(float64(heap)/(1<<20), "report_heap_MB")
		})
	}
}

type countingWriter struct{ lines int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.lines += strings.Count(string(p), "\n")
	return len(p), nil
}
