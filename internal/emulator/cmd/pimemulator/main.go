// Command pimemulator serves the local PIM emulator on loopback so that
// `terraform plan` and `apply` can run without a tenant.
//
//	go run ./internal/emulator/cmd/pimemulator -addr 127.0.0.1:8080 -data pim-state.json
//
// It prints the endpoint, a bearer token for the seeded admin
// (avery@contoso.example, Privileged Role Administrator) and one for each
// seeded user, who can activate, approve and deactivate as themselves. Its clock is wall
// time that POST /_emulator/clock/advance?by=6m moves forward.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
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
	readyFile := flag.String("ready-file", "", "write {\"endpoint\",\"token\"} as JSON to this file once listening")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Stdout, *addr, *data, *token, *readyFile, nil)
	stop()
	if err != nil {
		log.Fatalf("pimemulator: %v", err)
	}
}

// run serves until ctx ends. It prints the endpoint and tokens to out, writes
// them to readyFile when set, and sends the endpoint on ready when not nil.
func run(ctx context.Context, out io.Writer, addr, data, token, readyFile string, ready chan<- string) error {
	clock := &emulator.OffsetClock{}
	srv, err := emulator.New(emulator.Options{Clock: clock, DataFile: data, AdminToken: token, UserTokens: true})
	if err != nil {
		return err
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", addr)
	if err != nil {
		return err
	}
	endpoint := fmt.Sprintf("http://%s/v1.0", ln.Addr())
	users := map[string]string{}
	for tok, id := range srv.Tokens() {
		if id.PrincipalID == emulator.AdminID {
			token = tok
		} else {
			users[srv.UserName(id.PrincipalID)] = tok
		}
	}
	var banner strings.Builder
	fmt.Fprintf(&banner, "PIM emulator listening on %s (data file: %q)\n", endpoint, data)
	fmt.Fprintf(&banner, "  export PIM_ENDPOINT=%s\n  export PIM_ACCESS_TOKEN=%s   # avery, Privileged Role Administrator\n", endpoint, token)
	for _, name := range []string{"alice", "bob", "carol", "dave"} {
		fmt.Fprintf(&banner, "  token of %-6s %s\n", name+":", users[name])
	}
	if _, err := io.WriteString(out, banner.String()); err != nil {
		return err
	}
	if readyFile != "" {
		b, _ := json.Marshal(map[string]any{"endpoint": endpoint, "token": token, "users": users})
		if err := os.WriteFile(readyFile, b, 0o600); err != nil {
			return err
		}
	}
	hs := &http.Server{Handler: emulator.ControlHandler(srv, clock), ReadHeaderTimeout: 10 * time.Second}
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
