package main

import (
	"os"
	"path/filepath"
	"testing"
)

// `terraform-provider-pim emulator` is wired to the emulator's command line:
// help succeeds, a bad listen address fails with exit code 1.
func TestEmulatorSubcommand(t *testing.T) {
	if code := emulator([]string{"-h"}); code != 0 {
		t.Errorf("emulator -h: exit %d, want 0", code)
	}
	if code := emulator([]string{"-addr", "256.0.0.1:1", "-data", ""}); code != 1 {
		t.Errorf("emulator with a bad address: exit %d, want 1", code)
	}
	if code := emulator([]string{"-no-such-flag"}); code != 1 {
		t.Errorf("emulator with an unknown flag: exit %d, want 1", code)
	}
}

// `terraform-provider-pim report` signs in as the provider does: without
// credentials it fails with one clear error and writes nothing; bad flags
// are usage errors.
func TestReportSubcommand(t *testing.T) {
	for _, env := range []string{"PIM_ACCESS_TOKEN", "ARM_TENANT_ID", "ARM_CLIENT_ID", "ARM_CLIENT_SECRET", "ARM_USE_OIDC", "ARM_USE_MSI",
		"ARM_USE_CLI", "ARM_OIDC_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL", "TFC_AZURE_PROVIDER_AUTH", "AZURE_FEDERATED_TOKEN_FILE"} {
		t.Setenv(env, "")
	}
	out := filepath.Join(t.TempDir(), "report.html")
	if code := runReport([]string{"-endpoint", "http://127.0.0.1:1/v1.0", "-out", out}); code != 1 {
		t.Errorf("report without credentials: exit %d, want 1", code)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("report without credentials wrote %s", out)
	}
	if code := runReport([]string{"-format", "pdf"}); code != 2 {
		t.Errorf("report -format pdf: exit %d, want 2", code)
	}
	if code := runReport([]string{"-h"}); code != 0 {
		t.Errorf("report -h: exit %d, want 0", code)
	}
}
