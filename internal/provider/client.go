package provider

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/pim-as-code/terraform-provider-pim/internal/entraauth"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/signin"
)

// NewClient signs in the way a provider block without settings does: from
// the environment (PIM_ENDPOINT, PIM_ACCESS_TOKEN, ARM_* and the CI
// variables), for commands that read Graph outside Terraform
// (terraform-provider-pim report). endpoint, when set, wins over
// PIM_ENDPOINT. It returns the client, the endpoint and the sign-in method.
func NewClient(ctx context.Context, endpoint string) (*pimclient.Client, string, string, error) {
	var cfg signin.Settings
	cloud, err := signin.CloudOf(os.Getenv("ARM_ENVIRONMENT"))
	if err != nil {
		return nil, "", "", err
	}
	endpoint = shared.FirstNonEmpty(endpoint, os.Getenv(EnvEndpoint), cloud.GraphURL())
	tokens, method, err := cfg.Graph(endpoint, cloud, signin.Defaults{})
	if errors.Is(err, entraauth.ErrNoMethod) {
		return nil, "", "", fmt.Errorf("no Graph credentials: set %s (a bearer token, e.g. the emulator's), or ARM_TENANT_ID and "+
			"ARM_CLIENT_ID with ARM_CLIENT_CERTIFICATE_PATH or ARM_CLIENT_SECRET, or ARM_USE_OIDC, ARM_USE_MSI or ARM_USE_CLI, as for the provider", EnvAccessToken)
	}
	if err != nil {
		return nil, "", "", err
	}
	if method != signin.MethodBearer {
		if _, err := tokens.Token(ctx); err != nil {
			return nil, "", "", fmt.Errorf("signing in to Microsoft Entra (%s): %w", method, err)
		}
	}
	client, err := pimclient.New(pimclient.Options{BaseURL: endpoint, TokenSource: tokens, UserAgent: "terraform-provider-pim-report"})
	return client, endpoint, method, err
}
