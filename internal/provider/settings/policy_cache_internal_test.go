package settings

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// After a role setting is applied, plan-time checks in the same process
// read the new limits, not the ones cached before the apply.
func TestPolicyCacheIsRefreshedAfterARoleSettingApply(t *testing.T) {
	ctx := context.Background()
	srv, err := emulator.New(emulator.Options{Clock: emulator.NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)),
		Tokens: map[string]emulator.Identity{"t": {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	client, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken("t")})
	if err != nil {
		t.Fatal(err)
	}
	data := &shared.ProviderData{Client: client, Policies: shared.NewPolicyCache(FetchLimits), Names: shared.NewDirectoryNames(client)}
	role := emulator.RoleHelpdeskAdministrator
	before, _, err := data.Policies.Get(ctx, client, shared.RolePolicy(role))
	if err != nil || !before.Eligible.AllowPermanent {
		t.Fatalf("default limits: %+v %v", before, err)
	}
	want := defaultRoleSetting()
	want.RoleDefinitionID = types.StringValue(role)
	want.EligibleAssignment.AllowPermanent = false
	var diags diag.Diagnostics
	(&roleSettingResource{subject: directoryRole{}, data: data}).apply(ctx, &want, &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	after, _, err := data.Policies.Get(ctx, client, shared.RolePolicy(role))
	if err != nil || after.Eligible.AllowPermanent {
		t.Fatalf("limits after the apply still allow permanent eligibility (stale cache): %+v %v", after, err)
	}
}
