package report_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/report"
)

// browser starts headless Chromium (the Debian package), or skips saying
// how to install it; CI installs it.
func browser(t *testing.T) context.Context {
	t.Helper()
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Skip("Chromium is not installed: apt-get install -y chromium (CI installs it) to run the browser tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1280, 1000))
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(cancelCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTimeout)
	return ctx
}

// seen reads what a person sees: every tile's number, and the names in the
// assignments table.
func seen(t *testing.T, ctx context.Context, url string, shot string) (map[string]string, string) {
	t.Helper()
	step := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := chromedp.Run(ctx, chromedp.Navigate(url))
	step(err)
	_, err = chromedp.Run(ctx, chromedp.WaitVisible(`[data-tile]`))
	step(err)
	tiles, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](
		`Object.fromEntries([...document.querySelectorAll('[data-tile]')].map(e => [e.dataset.tile, e.querySelector('.value').innerText]))`))
	step(err)
	names, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#assignments').innerText`))
	step(err)
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	step(err)
	if shot != "" && os.Getenv("PIM_UPDATE_SCREENSHOTS") == "1" {
		if err := os.WriteFile(shot, png, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return tiles, names
}

// graphCounts are what Graph itself says the tiles must show.
func graphCounts(t *testing.T, c *pimclient.Client) (eligible, active, standingGA int) {
	t.Helper()
	for _, k := range []pimclient.Kind{pimclient.Eligibility, pimclient.Assignment} {
		list, err := c.Schedules(k).ListDirectSchedules(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, sc := range list {
			if k == pimclient.Eligibility {
				eligible++
				continue
			}
			active++
			if strings.EqualFold(sc.RoleDefinitionID, pimclient.RoleGlobalAdministrator) && sc.ScheduleInfo.Expiration.Type == "noExpiration" {
				standingGA++
			}
		}
	}
	return
}

// A person opening the report sees the numbers Graph gives, and the
// principals by name.
func TestReportInABrowser(t *testing.T) {
	ctx := browser(t)
	_, c, _ := tenant(t, nil)
	grant(t, c, pimclient.Eligibility, emulator.AliceID, emulator.RoleGlobalAdministrator, "P7D")
	grant(t, c, pimclient.Assignment, emulator.BobID, emulator.RoleGlobalAdministrator, "")
	d, err := report.Collect(context.Background(), c, "contoso.example", report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "report.html")
	f, _ := os.Create(file)
	if err := d.WriteHTML(f, 0); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	tiles, names := seen(t, ctx, "file://"+file, "../../examples/report/report.png")
	eligible, active, standingGA := graphCounts(t, c)
	if tiles["eligible-active"] != strconv.Itoa(eligible)+" / "+strconv.Itoa(active) || tiles["standing-global-admins"] != strconv.Itoa(standingGA) ||
		tiles["expiring-14d"] != "1" {
		t.Errorf("tiles %v; Graph: %d eligible, %d active, %d standing Global Administrators", tiles, eligible, active, standingGA)
	}
	if !strings.Contains(names, "Alice Analyst") || !strings.Contains(names, "Bob Builder") {
		t.Errorf("the assignments table does not name Alice and Bob: %q", names)
	}
}

// The emulator's live dashboard shows the tenant, and after a change the
// change.
func TestLiveDashboardInABrowser(t *testing.T) {
	ctx := browser(t)
	hs, c, _ := tenant(t, nil)
	tiles, _ := seen(t, ctx, hs.URL+"/", "")
	before := tiles["standing-global-admins"]
	grant(t, c, pimclient.Assignment, emulator.CarolID, emulator.RoleGlobalAdministrator, "")
	tiles, names := seen(t, ctx, hs.URL+"/", "../../examples/report/dashboard.png")
	_, _, standingGA := graphCounts(t, c)
	if before == tiles["standing-global-admins"] || tiles["standing-global-admins"] != strconv.Itoa(standingGA) || !strings.Contains(names, "Carol") {
		t.Errorf("after a new Global Administrator: tiles %v (before %s), Graph says %d", tiles, before, standingGA)
	}
}
