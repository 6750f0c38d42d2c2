package provider_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider"
)

func TestMain(m *testing.M) {
	// The registry is unreachable here and in CI: never phone home, and do
	// not read the machine's CLI configuration (a missing one only warns).
	empty, err := os.CreateTemp("", "pim-acctest-*.tfrc")
	if err == nil {
		err = empty.Close()
	}
	if err == nil {
		err = errors.Join(os.Setenv("CHECKPOINT_DISABLE", "1"), os.Setenv("TF_CLI_CONFIG_FILE", empty.Name()))
	}
	if err != nil {
		panic(err)
	}
	code := m.Run()
	_ = os.Remove(empty.Name())
	os.Exit(code)
}

// factories wires a provider to env's private emulator and fake clock.
func factories(env *acctest.Env) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"pim": server(provider.NewProtocol6Server("test",
			provider.WithEndpoint(env.URL),
			provider.WithAccessToken(acctest.Token),
			provider.WithClock(env.Clock),
			provider.WithPollInterval(time.Second),
		)),
	}
}

// server is the provider as Terraform runs it: provider.NewProtocol6Server,
// every call on a detached context.
func server(f func() tfprotov6.ProviderServer) func() (tfprotov6.ProviderServer, error) {
	return func() (tfprotov6.ProviderServer, error) { return f(), nil }
}
