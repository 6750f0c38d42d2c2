package report

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// Config is the report command's flags.
type Config struct {
	Endpoint     string
	Format       string // html, csv or json
	Out          string // a file, or standard output
	State        string // a state file or terraform show -json output
	Since, Until string // the audit history's period (RFC 3339 or YYYY-MM-DD)
	Inventory    bool   // csv/json: the assignments instead of the audit history
	// ControlToken is the emulator's control token: with it, a report of
	// the emulator includes what the calls so far needed (least privilege).
	ControlToken string
}

// Usage is the command's synopsis.
const Usage = "terraform-provider-pim report [-endpoint URL] [-format html|csv|json] [-out FILE] [-state terraform.tfstate] " +
	"[-since DATE] [-until DATE] [-inventory]"

// ParseArgs reads the command line.
func ParseArgs(args []string, stderr io.Writer) (*Config, error) {
	fs := flag.NewFlagSet("terraform-provider-pim report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &Config{}
	fs.StringVar(&c.Endpoint, "endpoint", "", "Graph base URL with the version (default PIM_ENDPOINT, else Microsoft Graph)")
	fs.StringVar(&c.Format, "format", "html", "html (the dashboard), csv or json (the audit history, or with -inventory the assignments)")
	fs.StringVar(&c.Out, "out", "", "write to this file instead of standard output")
	fs.StringVar(&c.State, "state", "", "a Terraform state file (or terraform show -json output): marks what Terraform manages")
	fs.StringVar(&c.Since, "since", "", "audit history from this date or time (default 30 days ago)")
	fs.StringVar(&c.Until, "until", "", "audit history until this date or time (default now)")
	fs.BoolVar(&c.Inventory, "inventory", false, "csv/json: every assignment with names, kind, start, end and whether Terraform manages it")
	fs.StringVar(&c.ControlToken, "emulator-control-token", os.Getenv("PIM_EMULATOR_CONTROL_TOKEN"),
		"against the emulator: its control token, to add the least privilege the calls so far needed (default PIM_EMULATOR_CONTROL_TOKEN)")
	fs.Usage = func() {
		_, _ = fmt.Fprintf(stderr, "Usage: %s\n\nSigns in as the provider does, from the environment.\n\n", Usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.Format != "html" && c.Format != "csv" && c.Format != "json":
		return nil, fmt.Errorf("-format %q: want html, csv or json", c.Format)
	case c.Inventory && c.Format == "html":
		return nil, errors.New("-inventory is for -format csv or json (the HTML report shows the inventory already)")
	}
	return c, nil
}

// period resolves -since and -until against Graph's time.
func (c *Config) period(now time.Time) (time.Time, time.Time, error) {
	since, until := now.AddDate(0, 0, -30), now
	for _, f := range []struct {
		name, v string
		dst     *time.Time
	}{{"-since", c.Since, &since}, {"-until", c.Until, &until}} {
		if f.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, f.v)
		if err != nil {
			if t, err = time.Parse(time.DateOnly, f.v); err != nil {
				return since, until, fmt.Errorf("%s %q: want a date (2026-11-01) or an RFC 3339 time", f.name, f.v)
			}
		}
		*f.dst = t
	}
	if until.Before(since) {
		return since, until, errors.New("-until is before -since")
	}
	return since, until, nil
}

// Run writes the report. Nothing is written to -out unless the whole
// report could be read: the file appears complete or not at all.
func Run(ctx context.Context, client *pimclient.Client, endpoint string, c *Config, stdout io.Writer) error {
	var managed map[string]bool
	if c.State != "" {
		data, err := os.ReadFile(c.State)
		if err != nil {
			return fmt.Errorf("-state: %w", err)
		}
		if managed, err = ManagedFromState(data); err != nil {
			return fmt.Errorf("-state %s: %w", c.State, err)
		}
	}
	write := func(w io.Writer) error {
		if c.Format != "html" && !c.Inventory {
			since, until, err := c.period(client.Now())
			if err != nil {
				return err
			}
			return WriteAudit(ctx, client, w, c.Format, since, until)
		}
		d, err := Collect(ctx, client, endpoint, Options{Managed: managed})
		if err != nil {
			return fmt.Errorf("reading the tenant's PIM assignments: %w", err)
		}
		if c.Inventory {
			return d.WriteInventory(w, c.Format)
		}
		if c.ControlToken != "" {
			if d.LeastPrivilege, err = EmulatorLeastPrivilege(ctx, endpoint, c.ControlToken); err != nil {
				return err
			}
		}
		return d.WriteHTML(w, 0)
	}
	if c.Out == "" {
		bw := bufio.NewWriter(stdout)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	return writeFileAtomic(c.Out, write)
}

// writeFileAtomic writes through a temporary file renamed into place.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(dirOf(path), ".pim-report-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	bw := bufio.NewWriter(tmp)
	if err := write(bw); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if os.IsPathSeparator(path[i]) {
			return path[:i+1]
		}
	}
	return "."
}
