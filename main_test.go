package main

import "testing"

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
