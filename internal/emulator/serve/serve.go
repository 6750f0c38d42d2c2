// Package serve is the emulator's command line, shared by the pimemulator
// command and `terraform-provider-pim emulator`: flags, start-up banner,
// ready file, HTTP server with timeouts, and graceful shutdown.
package serve

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

// Config is what the flags set.
type Config struct {
	Addr, Data, Seed, Faults, Token, Control, ReadyFile string
}

// Parse reads the flags of args (without the program name). Output of -h
// and flag errors go to errOut.
func Parse(name string, args []string, errOut io.Writer) (Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(errOut)
	var c Config
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	fs.StringVar(&c.Data, "data", "pimemulator-state.json", "data file: state survives restarts (empty: in memory only)")
	fs.StringVar(&c.Seed, "seed", "", "tenant seed file, YAML or JSON (default: the demo tenant)")
	fs.StringVar(&c.Faults, "faults", "", "fault configuration file, as PUT /_emulator/faults takes it")
	fs.StringVar(&c.Token, "token", os.Getenv("PIM_EMULATOR_TOKEN"), "bearer token of the seed's admin (default: $PIM_EMULATOR_TOKEN, else random)")
	fs.StringVar(&c.Control, "control-token", os.Getenv("PIM_EMULATOR_CONTROL_TOKEN"),
		"bearer token of the /_emulator/ control API (default: $PIM_EMULATOR_CONTROL_TOKEN, else random)")
	fs.StringVar(&c.ReadyFile, "ready-file", "", `once listening, write {"endpoint","arm_endpoint","token","control_token","users","dashboard"} as JSON to this file`)
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, err
}

// Run serves until ctx ends. It prints the endpoint and tokens to out,
// writes them to the ready file when set, and sends the endpoint on ready
// when not nil.
func Run(ctx context.Context, out io.Writer, cfg Config, ready chan<- string) error {
	srv, err := build(cfg)
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return err
	}
	endpoint := fmt.Sprintf("http://%s/v1.0", ln.Addr())
	if err := announce(out, srv, endpoint, cfg); err != nil {
		_ = ln.Close()
		return err
	}
	// Timeouts bound what one slow or silent client can hold; it never
	// holds up another, since bodies are read before any lock is taken.
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: time.Minute,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 1 << 20}
	if ready != nil {
		ready <- endpoint
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	_, _ = fmt.Fprintln(out, "PIM emulator stopped")
	return nil
}

func build(cfg Config) (*emulator.Server, error) {
	opts := emulator.Options{Clock: &emulator.OffsetClock{}, DataFile: cfg.Data, AdminToken: cfg.Token, ControlToken: cfg.Control,
		UserTokens: true, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))}
	if cfg.Seed != "" {
		seed, err := emulator.LoadSeed(cfg.Seed)
		if err != nil {
			return nil, err
		}
		opts.Seed = seed
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return nil, err
	}
	if cfg.Faults != "" {
		if err := loadFaults(srv, cfg.Faults); err != nil {
			_ = srv.Close()
			return nil, err
		}
	}
	return srv, nil
}

func loadFaults(srv *emulator.Server, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var fc emulator.FaultConfig
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil {
		return fmt.Errorf("faults file %s: %w", path, err)
	}
	if err := srv.SetFaults(fc); err != nil {
		return fmt.Errorf("faults file %s: %w", path, err)
	}
	return nil
}

// announce prints the endpoint and tokens and writes the ready file.
func announce(out io.Writer, srv *emulator.Server, endpoint string, cfg Config) error {
	users := map[string]string{}
	for tok, id := range srv.Tokens() {
		if tok != srv.AdminToken() && !id.App {
			users[srv.UserName(id.PrincipalID)] = tok
		}
	}
	names := make([]string, 0, len(users))
	for n := range users {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "PIM emulator listening on %s (data file: %q, seed: %s)\n", endpoint, cfg.Data, orDefault(cfg.Seed, "demo tenant"))
	fmt.Fprintf(&b, "  export PIM_ENDPOINT=%s\n  export PIM_ACCESS_TOKEN=%s   # the admin, %s (Privileged Role Administrator)\n",
		endpoint, srv.AdminToken(), srv.PrincipalName(srv.AdminID()))
	for i, name := range names {
		if i == 4 {
			fmt.Fprintf(&b, "  … and %d more user tokens in the ready file (POST /_emulator/tokens makes any)\n", len(names)-4)
			break
		}
		fmt.Fprintf(&b, "  token of %-6s %s\n", name+":", users[name])
	}
	fmt.Fprintf(&b, "  control token:  %s   # /_emulator/ (clock, tokens, faults, requests, snapshot, outbox)\n", srv.ControlToken())
	dashboard := strings.TrimSuffix(endpoint, "/v1.0") + "/"
	fmt.Fprintf(&b, "  dashboard:      %s   # privileged access at a glance, live\n", dashboard)
	armEndpoint := strings.TrimSuffix(dashboard, "/")
	fmt.Fprintf(&b, "  export PIM_ARM_ENDPOINT=%s   # Azure Resource Manager (PIM for Azure resources)\n", armEndpoint)
	if _, err := io.WriteString(out, b.String()); err != nil {
		return err
	}
	if cfg.ReadyFile == "" {
		return nil
	}
	data, err := json.Marshal(map[string]any{"endpoint": endpoint, "token": srv.AdminToken(), "control_token": srv.ControlToken(), "users": users,
		"dashboard": dashboard, "arm_endpoint": armEndpoint})
	if err != nil {
		return err
	}
	return os.WriteFile(cfg.ReadyFile, data, 0o600)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
