package settings

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
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
	data := &shared.ProviderData{Client: client, Policies: shared.NewPolicyCache(FetchLimits, FetchRoleLimits), Names: shared.NewDirectoryNames(client)}
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

// The limits of many roles cost one paged list, not a GET per role: a
// refresh's requests do not grow with the number of roles. Each role still
// gets its own policy's limits.
func TestPolicyCacheReadsManyRolesInOneList(t *testing.T) {
	ctx := context.Background()
	srv, err := emulator.New(emulator.Options{Tokens: map[string]emulator.Identity{"t": {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatal(err)
	}
	strict := emulator.DefaultPolicy()
	strict.Rule("Expiration_Admin_Eligibility").IsExpirationRequired = true
	srv.SetPolicy(emulator.RoleSecurityReader, strict)
	var gets, lists int
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "roleManagementPolicyAssignments") {
			if strings.Contains(r.URL.RawQuery, "roleDefinitionId") {
				gets++
			} else {
				lists++
			}
		}
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	client, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken("t")})
	if err != nil {
		t.Fatal(err)
	}
	cache := shared.NewPolicyCache(FetchLimits, FetchRoleLimits)
	roles := []string{emulator.RoleGlobalReader, emulator.RoleUserAdministrator, emulator.RoleHelpdeskAdministrator,
		emulator.RoleSecurityAdministrator, emulator.RoleSecurityReader, emulator.RoleReportsReader, emulator.RoleGlobalAdministrator}
	for _, role := range roles {
		l, _, err := cache.Get(ctx, client, shared.RolePolicy(role))
		if err != nil {
			t.Fatal(err)
		}
		if want := role != emulator.RoleSecurityReader; l.Eligible.AllowPermanent != want {
			t.Errorf("role %s: permanent eligibility allowed %v, want %v", role, l.Eligible.AllowPermanent, want)
		}
	}
	if gets != 0 || lists != 1 {
		t.Errorf("%d roles read with %d single reads and %d lists; want one list", len(roles), gets, lists)
	}
}

// A failed apply restores the rules it had already changed even when the
// apply's own context has ended (its timeout ran out, or Terraform was
// interrupted mid-apply): the rollback has a context of its own.
func TestRollbackOutlivesTheApplysContext(t *testing.T) {
	srv, err := emulator.New(emulator.Options{Tokens: map[string]emulator.Identity{"t": {PrincipalID: emulator.AdminID}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	patches := 0
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPatch {
			if patches++; patches == 2 {
				cancel() // the apply ends while its second rule is in flight
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		}
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	client, err := pimclient.New(pimclient.Options{BaseURL: hs.URL + "/v1.0", TokenSource: pimclient.StaticToken("t")})
	if err != nil {
		t.Fatal(err)
	}
	data := &shared.ProviderData{Client: client, Policies: shared.NewPolicyCache(FetchLimits, FetchRoleLimits), Names: shared.NewDirectoryNames(client)}
	want := defaultRoleSetting()
	want.RoleDefinitionID = types.StringValue(emulator.RoleHelpdeskAdministrator)
	want.EligibleAssignment.AllowPermanent = false
	want.ActiveAssignment.AllowPermanent = false
	var diags diag.Diagnostics
	(&roleSettingResource{subject: directoryRole{}, data: data}).apply(ctx, &want, &diags)
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), "were restored") {
		t.Fatalf("diagnostics %v, want an error that says the changed rule was restored", diags)
	}
	after, err := shared.RolePolicy(emulator.RoleHelpdeskAdministrator).Fetch(context.Background(), client)
	if err != nil {
		t.Fatal(err)
	}
	if r := after.Rules["Expiration_Admin_Eligibility"]; r.IsExpirationRequired {
		t.Errorf("the first rule is still changed after the failed apply: %+v", r)
	}
}
