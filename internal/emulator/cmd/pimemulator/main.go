// Command pimemulator serves the local PIM emulator on loopback so that
// `terraform plan` and `apply` can run without a tenant.
//
//	go run ./internal/emulator/cmd/pimemulator -addr 127.0.0.1:8080 -data pim-state.json
//
// It prints the endpoint, a bearer token for the seeded admin
// (avery@contoso.example, Privileged Role Administrator), one for each
// seeded user, who can activate, approve and deactivate as themselves, and
// the control token of /_emulator/. Its clock is wall time that
// POST /_emulator/clock {"advance": "6m"} moves forward.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address (port 0 picks a free port)")
	data := flag.String("data", "pimemulator-state.json", "data file; state survives restarts (empty: in memory only)")
	token := flag.String("token", os.Getenv("PIM_EMULATOR_TOKEN"), "bearer token for the seeded admin (default: $PIM_EMULATOR_TOKEN, else random)")
	control := flag.String("control-token", os.Getenv("PIM_EMULATOR_CONTROL_TOKEN"),
		"bearer token of the /_emulator/ control API (default: $PIM_EMULATOR_CONTROL_TOKEN, else random)")
	readyFile := flag.String("ready-file", "", "write {\"endpoint\",\"token\",\"control_token\",\"users\"} as JSON to this file once listening")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout, config{addr: *addr, data: *data, token: *token, control: *control, readyFile: *readyFile}, nil)
	stop()
	if err != nil {
		log.Fatalf("pimemulator: %v", err)
	}
}

// config is what the flags set.
type config struct {
	addr, data, token, control, readyFile string
}

// run serves until ctx ends. It prints the endpoint and tokens to out, writes
// them to readyFile when set, and sends the endpoint on ready when not nil.
func run(ctx context.Context, out io.Writer, cfg config, ready chan<- string) error {
	clock := &emulator.OffsetClock{}
	srv, err := emulator.New(emulator.Options{Clock: clock, DataFile: cfg.data, AdminToken: cfg.token, ControlToken: cfg.control, UserTokens: true,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err != nil {
		return err
	}
	defer func() { _ = srv.Close() }()
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.addr)
	if err != nil {
		return err
	}
	endpoint := fmt.Sprintf("http://%s/v1.0", ln.Addr())
	if err := announce(out, srv, endpoint, cfg); err != nil {
		_ = ln.Close()
		return err
	}
	// Timeouts bound what one slow or silent client can hold: it never
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

// announce prints the endpoint and tokens and writes the ready file.
func announce(out io.Writer, srv *emulator.Server, endpoint string, cfg config) error {
	token := cfg.token
	users := map[string]string{}
	for tok, id := range srv.Tokens() {
		if id.PrincipalID == emulator.AdminID {
			token = tok
		} else {
			users[srv.UserName(id.PrincipalID)] = tok
		}
	}
	var banner strings.Builder
	fmt.Fprintf(&banner, "PIM emulator listening on %s (data file: %q)\n", endpoint, cfg.data)
	fmt.Fprintf(&banner, "  export PIM_ENDPOINT=%s\n  export PIM_ACCESS_TOKEN=%s   # avery, Privileged Role Administrator\n", endpoint, token)
	for _, name := range []string{"alice", "bob", "carol", "dave"} {
		fmt.Fprintf(&banner, "  token of %-6s %s\n", name+":", users[name])
	}
	fmt.Fprintf(&banner, "  control token:  %s   # /_emulator/ (clock)\n", srv.ControlToken())
	if _, err := io.WriteString(out, banner.String()); err != nil {
		return err
	}
	if cfg.readyFile == "" {
		return nil
	}
	b, err := json.Marshal(map[string]any{"endpoint": endpoint, "token": token, "control_token": srv.ControlToken(), "users": users})
	if err != nil {
		return err
	}
	return os.WriteFile(cfg.readyFile, b, 0o600)
}
