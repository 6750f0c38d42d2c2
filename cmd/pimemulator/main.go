// Command pimemulator serves the local, Graph-compatible PIM emulator so
// that `terraform plan` and `apply` can run without a tenant.
//
//	go install github.com/pim-as-code/terraform-provider-pim/cmd/pimemulator@latest
//	pimemulator -addr 127.0.0.1:8080 -seed tenant.yaml -ready-file ready.json
//
// The provider binary serves the same emulator: terraform-provider-pim emulator [flags].
// It prints the endpoint, the admin's bearer token, tokens of a few users
// and the control token of /_emulator/ (see docs/guides/emulator-control-api.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/serve"
)

func main() {
	cfg, err := serve.Parse("pimemulator", os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err = serve.Run(ctx, os.Stdout, cfg, nil)
		stop()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pimemulator:", err)
		os.Exit(1)
	}
}
