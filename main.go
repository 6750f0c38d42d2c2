// Command terraform-provider-pim is the Terraform provider for Microsoft
// Entra Privileged Identity Management.
//
// Terraform starts it as a plugin. Run as
//
//	terraform-provider-pim emulator [-addr 127.0.0.1:8080] [-seed tenant.yaml] [-ready-file ready.json] ...
//
// it serves the local PIM emulator instead, so anyone who has the provider
// has the emulator. Run as
//
//	terraform-provider-pim report [-format html|csv|json] [-out FILE] [-state terraform.tfstate] ...
//
// it reports a tenant's privileged access (or the emulator's), signing in
// as the provider does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/serve"
	"github.com/pim-as-code/terraform-provider-pim/internal/logging"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider"
	"github.com/pim-as-code/terraform-provider-pim/internal/report"
)

// version is set by the release build (-ldflags "-X main.version=…").
var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "emulator" {
		os.Exit(emulator(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "report" {
		os.Exit(runReport(os.Args[2:]))
	}
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()
	logging.Quiet()

	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	// The framework's server, each call on a detached context (see
	// provider.NewProtocol6Server: memory that does not grow with every call).
	err := tf6server.Serve("registry.terraform.io/pim-as-code/pim", provider.NewProtocol6Server(version), opts...)
	if err != nil {
		log.Fatal(err.Error())
	}
}

func emulator(args []string) int {
	cfg, err := serve.Parse("terraform-provider-pim emulator", args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err = serve.Run(ctx, os.Stdout, cfg, nil)
		stop()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "terraform-provider-pim emulator:", err)
		return 1
	}
	return 0
}

func runReport(args []string) int {
	cfg, err := report.ParseArgs(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	client, endpoint, _, err := provider.NewClient(ctx, cfg.Endpoint)
	if err == nil {
		err = report.Run(ctx, client, endpoint, cfg, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		return 1
	}
	return 0
}
