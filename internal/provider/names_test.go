package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider"
)

// A configuration that names people only by sign-in name and groups only by
// display name plans and applies against an emulator seeded from a file
// (examples/emulator/tenant.yaml), and the plan says who gets which role.
func TestAccNames_configurationByName(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t, acctest.WithSeedFile(t, "../../examples/emulator/tenant.yaml"))
	lookups := env.ProviderBlock() + `
data "pim_principals" "tier1" {
  user_principal_names = ["kim@fabrikam.example", "LEE@fabrikam.example"]
}

data "pim_principal" "support" {
  display_name = "tier 1 support"
}

data "pim_role_definition" "reader" {
  display_name = "Global Reader"
}
`
	people := lookups + `
resource "pim_eligible_assignment" "kim" {
  principal_id       = data.pim_principals.tier1.ids["kim@fabrikam.example"]
  role_definition_id = data.pim_role_definition.reader.id
  justification      = "Tier 1 on call"
}

resource "pim_eligible_assignment" "lee" {
  principal_id       = data.pim_principals.tier1.ids["LEE@fabrikam.example"]
  role_definition_id = data.pim_role_definition.reader.id
  justification      = "Tier 1 on call"
}

resource "pim_eligible_assignment" "support" {
  principal_id       = data.pim_principal.support.id
  role_definition_id = data.pim_role_definition.reader.id
  justification      = "Tier 1 reads the tenant"
}
`
	kim := "pim_eligible_assignment.kim"
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config: lookups + `
data "pim_principal" "dynamic" {
  display_name = "All Staff (dynamic)"
}
resource "pim_eligible_assignment" "everyone" {
  principal_id       = data.pim_principal.dynamic.id
  role_definition_id = data.pim_role_definition.reader.id
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Group Cannot Hold Directory Roles.*principal_id.*group "All Staff \(dynamic\)".*not\s+role-assignable`),
			},
			{
				Config: lookups + `
data "pim_principal" "ci" {
  app_id = "11111111-2222-4333-8444-555555555555"
}
resource "pim_eligible_assignment" "ci" {
  principal_id       = data.pim_principal.ci.id
  role_definition_id = data.pim_role_definition.reader.id
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Service Principals Cannot Be Eligible.*service principal "terraform-ci".*Use\s+pim_active_assignment`),
			},
			{
				Config: people,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(kim, tfjsonpath.New("principal_display_name"), knownvalue.StringExact("Kim Akers")),
					plancheck.ExpectKnownValue(kim, tfjsonpath.New("principal_user_principal_name"), knownvalue.StringExact("kim@fabrikam.example")),
					plancheck.ExpectKnownValue(kim, tfjsonpath.New("role_display_name"), knownvalue.StringExact("Global Reader")),
					plancheck.ExpectKnownValue("pim_eligible_assignment.support", tfjsonpath.New("principal_display_name"), knownvalue.StringExact("Tier 1 Support")),
					plancheck.ExpectKnownValue("pim_eligible_assignment.support", tfjsonpath.New("principal_type"), knownvalue.StringExact("group")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.pim_principals.tier1",
						tfjsonpath.New("principals").AtMapKey("LEE@fabrikam.example").AtMapKey("display_name"), knownvalue.StringExact("Lee Gu")),
					statecheck.ExpectKnownValue("data.pim_principal.support", tfjsonpath.New("role_assignable"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("pim_eligible_assignment.lee", tfjsonpath.New("principal_display_name"),
						knownvalue.StringExact("Lee Gu")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					eligibleInEmulator(t, env, kim), eligibleInEmulator(t, env, "pim_eligible_assignment.support")),
			},
			{
				// The data sources name each entry, in bulk.
				Config: people + `
data "pim_eligible_assignments" "readers" {
  role_definition_id = data.pim_role_definition.reader.id
  depends_on         = [pim_eligible_assignment.kim, pim_eligible_assignment.lee, pim_eligible_assignment.support]
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckTypeSetElemNestedAttrs("data.pim_eligible_assignments.readers", "assignments.*", map[string]string{
						"principal_display_name": "Tier 1 Support", "principal_type": "group", "role_display_name": "Global Reader",
					}),
					resource.TestCheckTypeSetElemNestedAttrs("data.pim_eligible_assignments.readers", "assignments.*", map[string]string{
						"principal_display_name": "Kim Akers", "principal_user_principal_name": "kim@fabrikam.example", "principal_type": "user",
					}),
				),
			},
		},
	})
}

// eligibleInEmulator checks the emulator holds the eligibility the resource
// in state describes.
func eligibleInEmulator(t *testing.T, env *acctest.Env, name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		a := rs.Primary.Attributes
		body := env.Call(t, http.MethodGet, "/v1.0/roleManagement/directory/roleEligibilitySchedules?$filter="+url.QueryEscape(fmt.Sprintf("principalId eq '%s' and roleDefinitionId eq '%s' and memberType eq 'Direct'",
			a["principal_id"], a["role_definition_id"])), acctest.Token, nil, http.StatusOK)
		if vals, _ := body["value"].([]any); len(vals) != 1 {
			return fmt.Errorf("emulator holds %d eligibility schedules of %s (%s), want 1", len(vals), a["principal_display_name"], a["principal_id"])
		}
		return nil
	}
}

func TestAccPrincipalDataSource(t *testing.T) {
	t.Parallel()
	seed := filepath.Join(t.TempDir(), "tenant.yaml")
	writeFile(t, seed, `
tenant: {domain: contoso.example}
users:
  - {user_principal_name: sam.a@contoso.example, display_name: Sam Smith}
  - {user_principal_name: sam.b@contoso.example, display_name: Sam Smith}
  - {user_principal_name: admin@contoso.example, display_name: Admin}
groups:
  - {display_name: Sam Smith, role_assignable: false}
  - {display_name: Cloud Ops, role_assignable: true}
service_principals:
  - {display_name: deploy-bot, app_id: 22222222-3333-4444-8555-666666666666}
admin: admin@contoso.example
`)
	env := acctest.NewEnv(t, acctest.WithSeedFile(t, seed))
	ds := func(body string) string {
		return env.ProviderBlock() + "data \"pim_principal\" \"p\" {\n" + body + "\n}\n"
	}
	check := func(attr, want string) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.pim_principal.p", tfjsonpath.New(attr), knownvalue.StringExact(want))
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config:      ds(`display_name = "Sam Smith"`),
				ExpectError: regexp.MustCompile(`(?s)Ambiguous Principal.*3 principals have display_name "Sam Smith".*user "Sam Smith" \(sam.a@contoso.example.*user "Sam Smith" \(sam.b@contoso.example.*group "Sam Smith"`),
			},
			{
				Config:      ds(`display_name = "Nobody"`),
				ExpectError: regexp.MustCompile(`(?s)Principal Not Found.*No user, group or service principal has display_name "Nobody"`),
			},
			{
				Config:      ds(`user_principal_name = "x@contoso.example"` + "\n" + `app_id = "22222222-3333-4444-8555-666666666666"`),
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
			},
			{
				Config:            ds(`display_name = "Sam Smith"` + "\n" + `type = "group"`),
				ConfigStateChecks: []statecheck.StateCheck{check("type", "group"), statecheck.ExpectKnownValue("data.pim_principal.p", tfjsonpath.New("role_assignable"), knownvalue.Bool(false))},
			},
			{
				Config:            ds(`user_principal_name = "SAM.B@contoso.example"`),
				ConfigStateChecks: []statecheck.StateCheck{check("type", "user"), check("display_name", "Sam Smith"), check("user_principal_name", "SAM.B@contoso.example")},
			},
			{
				Config:            ds(`app_id = "22222222-3333-4444-8555-666666666666"`),
				ConfigStateChecks: []statecheck.StateCheck{check("type", "servicePrincipal"), check("display_name", "deploy-bot")},
			},
			{
				Config:            ds(`mail = "admin@contoso.example"`),
				ConfigStateChecks: []statecheck.StateCheck{check("display_name", "Admin"), check("type", "user")},
			},
		},
	})
}

func TestAccPrincipalDataSource_byObjectID(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			Config: env.ProviderBlock() + fmt.Sprintf(`data "pim_principal" "p" { object_id = %q }`, emulator.DaveID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.pim_principal.p", tfjsonpath.New("display_name"), knownvalue.StringExact("Dave Devops")),
				statecheck.ExpectKnownValue("data.pim_principal.p", tfjsonpath.New("user_principal_name"), knownvalue.StringExact("dave@contoso.example")),
				statecheck.ExpectKnownValue("data.pim_principal.p", tfjsonpath.New("id"), knownvalue.StringExact(emulator.DaveID)),
			},
		}},
	})
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// twentyUsers seeds 20 users; sign-in names user01@… to user20@….
func twentyUsers(t *testing.T, opts ...acctest.Option) (*acctest.Env, []string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("tenant: {domain: contoso.example}\nadmin: user01@contoso.example\nusers:\n")
	var upns []string
	for i := 1; i <= 20; i++ {
		upn := fmt.Sprintf("user%02d@contoso.example", i)
		upns = append(upns, upn)
		fmt.Fprintf(&b, "  - {user_principal_name: %s, display_name: User %02d}\n", upn, i)
	}
	seed := filepath.Join(t.TempDir(), "tenant.yaml")
	writeFile(t, seed, b.String())
	return acctest.NewEnv(t, append(opts, acctest.WithSeedFile(t, seed))...), upns
}

func TestAccPrincipalsDataSource(t *testing.T) {
	t.Parallel()
	env, upns := twentyUsers(t)
	list := `["` + strings.Join(append(slices.Clone(upns), "ghost@contoso.example", "nobody@contoso.example"), `", "`) + `"]`
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config:      env.ProviderBlock() + `data "pim_principals" "team" { user_principal_names = ` + list + ` }`,
				ExpectError: regexp.MustCompile(`(?s)Principals Not Found.*2 of the names.*- ghost@contoso.example\s+- nobody@contoso.example.*ignore_missing`),
			},
			{
				Config: env.ProviderBlock() + `data "pim_principals" "team" {
  user_principal_names = ` + list + `
  ignore_missing       = true
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.pim_principals.team", tfjsonpath.New("missing"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("ghost@contoso.example"), knownvalue.StringExact("nobody@contoso.example")})),
					statecheck.ExpectKnownValue("data.pim_principals.team", tfjsonpath.New("ids"), knownvalue.MapSizeExact(20)),
					statecheck.ExpectKnownValue("data.pim_principals.team", tfjsonpath.New("principals").AtMapKey("user17@contoso.example").AtMapKey("display_name"),
						knownvalue.StringExact("User 17")),
				},
			},
		},
	})
}

// 22 sign-in names take two Graph calls (15 to an `in` filter), not 22.
func TestPrincipalsDataSourceChunksRequests(t *testing.T) {
	t.Parallel()
	env, upns := twentyUsers(t, acctest.WithPageSize(100)) // Graph's default page of users is 100
	p := newProtocol(t, env, acctest.Token)
	values := make([]tftypes.Value, 0, 22)
	for _, u := range append(upns, "ghost@contoso.example", "nobody@contoso.example") {
		values = append(values, str(u))
	}
	env.Control(t, http.MethodDelete, "requests", "", http.StatusNoContent)
	s := p.schemas.DataSourceSchemas["pim_principals"]
	cfg := p.value(s, map[string]tftypes.Value{
		"user_principal_names": tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, values),
		"ignore_missing":       tftypes.NewValue(tftypes.Bool, true),
	})
	resp, err := p.srv.ReadDataSource(context.Background(), &tfprotov6.ReadDataSourceRequest{TypeName: "pim_principals", Config: cfg})
	if err != nil || hasErrors(resp.Diagnostics) {
		t.Fatalf("read: %v %v", err, summaries(resp.Diagnostics))
	}
	if n := env.RouteCount(t, "GET /v1.0/users"); n != 2 {
		t.Fatalf("GET /users calls = %d, want 2", n)
	}
}

// The plan-time existence check: a principal that exists plans with its
// name; one that does not fails on principal_id; without directory read
// permission the check is skipped with one warning for the whole plan.
func TestPlanChecksPrincipalExists(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	plan := func(p *protocol, principal string) *tfprotov6.PlanResourceChangeResponse {
		return p.planCreate("pim_eligible_assignment", map[string]tftypes.Value{"principal_id": str(principal),
			"role_definition_id": str(emulator.RoleGlobalReader), "justification": str("review")})
	}
	missing := "0000dead-0000-4000-8000-000000000001"
	t.Run("found", func(t *testing.T) {
		p := newProtocol(t, env, acctest.Token)
		resp := plan(p, emulator.AliceID)
		if len(resp.Diagnostics) != 0 {
			t.Fatalf("diagnostics: %v", summaries(resp.Diagnostics))
		}
		for attr, want := range map[string]string{"principal_display_name": "Alice Analyst", "principal_user_principal_name": "alice@contoso.example",
			"principal_type": "user", "role_display_name": "Global Reader"} {
			if got, ok := p.planned("pim_eligible_assignment", resp, attr); !ok || got != want {
				t.Errorf("planned %s = %q (known %v), want %q", attr, got, ok, want)
			}
		}
	})
	t.Run("missing", func(t *testing.T) {
		p := newProtocol(t, env, acctest.Token)
		resp := plan(p, missing)
		if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary != "Principal Not Found" ||
			resp.Diagnostics[0].Attribute.String() != tftypes.NewAttributePath().WithAttributeName("principal_id").String() ||
			!strings.Contains(resp.Diagnostics[0].Detail, "No user, group or service principal with object id "+missing) {
			t.Fatalf("diagnostics: %+v", resp.Diagnostics)
		}
	})
	t.Run("no permission", func(t *testing.T) {
		tok, _ := env.Control(t, http.MethodPost, "tokens", fmt.Sprintf(`{"principal":%q,"permissions":["RoleManagement.ReadWrite.Directory","RoleManagementPolicy.ReadWrite.Directory"]}`,
			emulator.AppServicePrincipalID), http.StatusOK)["access_token"].(string)
		p := newProtocol(t, env, tok)
		first := plan(p, missing)
		if got := summaries(first.Diagnostics); len(got) != 1 || got[0] != "WARNING: Directory Not Readable: Principal Names Not Shown" ||
			!strings.Contains(first.Diagnostics[0].Detail, "Directory.Read.All") || !strings.Contains(first.Diagnostics[0].Detail, "Authorization_RequestDenied") {
			t.Fatalf("first plan diagnostics = %v, want the one warning naming the permission", got)
		}
		if _, known := p.planned("pim_eligible_assignment", first, "principal_display_name"); known {
			t.Fatal("principal_display_name must stay unknown at plan when the directory cannot be read")
		}
		if second := plan(p, emulator.BobID); len(second.Diagnostics) != 0 {
			t.Fatalf("second plan diagnostics = %v, want none (one warning per plan)", summaries(second.Diagnostics))
		}
	})
}

// What a user sees: the plan fails on the attribute, before anything is applied.
func TestAccEligibleAssignment_unknownPrincipalFailsPlan(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{{
			Config: env.ProviderBlock() + `
resource "pim_eligible_assignment" "ghost" {
  principal_id       = "0000dead-0000-4000-8000-000000000001"
  role_definition_id = "` + emulator.RoleGlobalReader + `"
  justification      = "review"
}`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Error: Principal Not Found.*with pim_eligible_assignment.ghost.*principal_id\s+= "0000dead`),
		}},
	})
}

// plan_principal_lookups = false: plans send no getByIds, and the names
// come later (Graph itself refuses an unknown principal at apply).
func TestPlanPrincipalLookupsOff(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	p := newProtocolWith(t, env, map[string]tftypes.Value{"plan_principal_lookups": tftypes.NewValue(tftypes.Bool, false)},
		provider.WithAccessToken(acctest.Token))
	env.Control(t, http.MethodDelete, "requests", "", http.StatusNoContent)
	resp := p.planCreate("pim_eligible_assignment", map[string]tftypes.Value{"principal_id": str("0000dead-0000-4000-8000-000000000001"),
		"role_definition_id": str(emulator.RoleGlobalReader), "justification": str("x")})
	if hasErrors(resp.Diagnostics) {
		t.Fatalf("diagnostics: %v", summaries(resp.Diagnostics))
	}
	if _, known := p.planned("pim_eligible_assignment", resp, "principal_display_name"); known {
		t.Error("the name must be left to apply")
	}
	if n := env.RouteCount(t, "POST /v1.0/directoryObjects/getByIds"); n != 0 {
		t.Errorf("%d getByIds calls, want none", n)
	}
}

// A name lookup that fails beyond the client's retries fails the plan on
// the attribute, with Graph's error and a next step: never a warning with
// the name left unknown, which at apply time's re-plan, after a plan that
// showed the name, is the framework's "inconsistent final plan".
func TestPrincipalLookupThatKeepsFailingIsAnError(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	p := newProtocolWith(t, env, nil, provider.WithAccessToken(acctest.Token))
	env.Control(t, "PUT", "faults", `{"rules":[{"match":{"method":"POST","path":"/v1.0/directoryObjects/getByIds"},"status":503}]}`, http.StatusOK)
	resp := p.planCreate("pim_eligible_assignment", map[string]tftypes.Value{"principal_id": str(emulator.AliceID),
		"role_definition_id": str(emulator.RoleGlobalReader), "justification": str("x")})
	var got string
	for _, d := range resp.Diagnostics {
		got += d.Summary + ": " + d.Detail + "\n"
	}
	if !strings.Contains(got, "Principal Not Looked Up") || !strings.Contains(got, "503") || !strings.Contains(got, emulator.AliceID) {
		t.Fatalf("diagnostics %q, want Principal Not Looked Up with Graph's error", got)
	}
	if _, known := p.planned("pim_eligible_assignment", resp, "principal_display_name"); known {
		t.Error("a name was planned although the lookup failed")
	}
}
