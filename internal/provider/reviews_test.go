package provider_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/pim-as-code/terraform-provider-pim/internal/acctest"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider"
)

func reviewConfig(env *acctest.Env, withAlice bool, name string, instances bool) string {
	alice := ""
	if withAlice {
		alice = `
resource "pim_eligible_assignment" "alice" {
  principal_id       = "` + emulator.AliceID + `"
  role_definition_id = "` + emulator.RoleGlobalAdministrator + `"
  justification      = "incident response"
}`
	}
	data := ""
	if instances {
		data = `
data "pim_access_review_instances" "ga" {
  access_review_id = pim_access_review.ga.id
}`
	}
	return env.ProviderBlock() + alice + data + fmt.Sprintf(`
resource "pim_eligible_assignment" "bob" {
  principal_id       = "%s"
  role_definition_id = "%s"
  justification      = "on call"
}

resource "pim_access_review" "ga" {
  display_name = %q
  scope = {
    role_definition_id = "%s"
    assignment_type    = "eligible"
  }
  reviewers        = ["%s"]
  recurrence       = "quarterly"
  duration_in_days = 14
  auto_apply       = true
  depends_on       = [pim_eligible_assignment.bob]
}
`, emulator.BobID, emulator.RoleGlobalAdministrator, name, emulator.RoleGlobalAdministrator, emulator.CarolID)
}

// carolDecides records Carol's decisions with her own token: Deny Alice,
// Approve Bob.
func carolDecides(t *testing.T, env *acctest.Env, reviewID string) {
	base := "/v1.0/identityGovernance/accessReviews/definitions/" + reviewID + "/instances"
	ins := env.Call(t, "GET", base, acctest.Token, nil, http.StatusOK)["value"].([]any)
	inst := base + "/" + ins[0].(map[string]any)["id"].(string)
	mine := env.Call(t, "GET", inst+"/decisions/filterByCurrentUser(on='reviewer')", acctest.UserToken(emulator.CarolID), nil, http.StatusOK)
	for _, d := range mine["value"].([]any) {
		d := d.(map[string]any)
		decision := "Approve"
		if d["principal"].(map[string]any)["id"] == emulator.AliceID {
			decision = "Deny"
		}
		env.Call(t, "PATCH", inst+"/decisions/"+d["id"].(string), acctest.UserToken(emulator.CarolID),
			map[string]any{"decision": decision, "justification": "quarterly check"}, http.StatusNoContent)
	}
}

// The walk-through: a quarterly review of Global Administrator
// eligibility declared in Terraform runs on the emulator's clock, the
// reviewer denies one principal with their own token, auto-apply removes
// that eligibility when the instance ends, the next plan wants it back,
// and the instances data source says who decided what. The review is
// updated in place and imports by id.
func TestAccAccessReview_quarterlyGlobalAdministratorReview(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	var reviewID string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(env),
		Steps: []resource.TestStep{
			{
				Config: reviewConfig(env, true, "Quarterly Global Administrator review", false),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("pim_access_review.ga", "status", "InProgress"),
					resource.TestCheckResourceAttr("pim_access_review.ga", "scope.principal_type", "user"),
					resource.TestCheckResourceAttr("pim_access_review.ga", "default_decision", "None"),
					func(s *terraform.State) error {
						reviewID = s.RootModule().Resources["pim_access_review.ga"].Primary.ID
						return nil
					}),
			},
			{
				PreConfig: func() {
					carolDecides(t, env, reviewID)
					env.Clock.Advance(15 * 24 * time.Hour)
				},
				Config:             reviewConfig(env, true, "Quarterly Global Administrator review", false),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true, // the review removed Alice's eligibility: the plan would grant it again
			},
			{
				Config: reviewConfig(env, false, "Quarterly Global Administrator review", true),
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("data.pim_access_review_instances.ga", "instances.0.status", "Applied"),
					resource.TestCheckResourceAttr("data.pim_access_review_instances.ga", "instances.0.reviewers.0.display_name", "Carol Compliance"),
					resource.TestCheckTypeSetElemNestedAttrs("data.pim_access_review_instances.ga", "instances.0.decisions.*", map[string]string{
						"principal_display_name": "Alice Analyst", "decision": "Deny", "reviewed_by_display_name": "Carol Compliance",
						"apply_result": "AppliedSuccessfully"}),
					env.CheckGone(emulator.Eligible, emulator.AliceID, emulator.RoleGlobalAdministrator)),
			},
			{
				// The full pattern, in place: Graph applies it to future instances.
				Config: strings.Replace(reviewConfig(env, false, "Global Administrator review (every two months)", true),
					`recurrence       = "quarterly"`, `recurrence       = "every 2 months"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("pim_access_review.ga", plancheck.ResourceActionUpdate)}},
				Check: resource.ComposeTestCheckFunc(
					resource.TestCheckResourceAttr("pim_access_review.ga", "display_name", "Global Administrator review (every two months)"),
					resource.TestCheckResourceAttr("pim_access_review.ga", "recurrence", "every 2 months"),
					func(s *terraform.State) error {
						def := env.Call(t, "GET", "/v1.0/identityGovernance/accessReviews/definitions/"+reviewID, acctest.Token, nil, http.StatusOK)
						p := def["settings"].(map[string]any)["recurrence"].(map[string]any)["pattern"].(map[string]any)
						if p["type"] != "absoluteMonthly" || p["interval"] != 2.0 {
							return fmt.Errorf("Graph holds the pattern %v, want absoluteMonthly every 2", p)
						}
						return nil
					}),
			},
			{ResourceName: "pim_access_review.ga", ImportState: true, ImportStateVerify: true},
		},
	})
}

// Bad input fails at plan, naming the field: an unknown role, a reviewer
// who does not exist, a recurrence Graph refuses, a duration longer than
// the recurrence.
func TestAccAccessReview_badInput(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	review := func(scope, rest string) string {
		return env.ProviderBlock() + "resource \"pim_access_review\" \"x\" {\n  display_name = \"x\"\n  scope = { " + scope + " }\n" + rest + "\n}\n"
	}
	ga := `role_definition_id = "` + emulator.RoleGlobalAdministrator + `"`
	cases := map[string]string{
		review(`role_definition_id = "0000dead-0000-4000-8000-000000000001"`, ""):         `(?s)Role Not Found.*No directory role definition has id 0000dead`,
		review(ga, `  reviewers = ["0000dead-0000-4000-8000-000000000002"]`):              `(?s)Principal Not Found.*reviewers = \["0000dead`,
		review(ga, `  recurrence = "daily"`):                                              `(?s)recurrence.*quarterly`,
		review(ga, `  recurrence = "weekly"`+"\n"+`  duration_in_days = 10`):              `(?s)Review Longer Than Its Recurrence.*duration_in_days`,
		review(ga, `  reviewers = ["self", "manager"]`):                                   `(?s)Invalid Reviewers`,
		review(`group_id = "`+emulator.AliceID+`"`+"\n"+`assignment_type = "active"`, ""): `(?s)assignment_type and principal_type go with role_definition_id`,
	}
	var steps []resource.TestStep
	for config, want := range cases {
		steps = append(steps, resource.TestStep{Config: config, PlanOnly: true, ExpectError: regexp.MustCompile(want)})
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(env), Steps: steps})
}

// An eligibility an access review removed: refresh says which review and
// who denied it, the plan that would grant it again warns that applying
// undoes the decision, and access_review_decisions = "enforce" makes that
// plan fail unless the resource sets allow_undoing_review.
func TestReviewRemovalIsExplained(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.MakeEligible(t, emulator.AliceID, emulator.RoleGlobalAdministrator)
	review := env.Call(t, "POST", "/v1.0/identityGovernance/accessReviews/definitions", acctest.Token, map[string]any{
		"displayName": "GA review", "scope": map[string]any{"query": "/roleManagement/directory/roleDefinitions/" + emulator.RoleGlobalAdministrator,
			"queryType": "MicrosoftGraph"},
		"reviewers": []any{map[string]any{"query": "/users/" + emulator.CarolID, "queryType": "MicrosoftGraph"}},
		"settings":  map[string]any{"instanceDurationInDays": 3, "autoApplyDecisionsEnabled": true}}, http.StatusCreated)
	carolDecides(t, env, review["id"].(string))
	env.Clock.Advance(4 * 24 * time.Hour)

	p := newProtocol(t, env, acctest.Token)
	read := p.read("pim_eligible_assignment", map[string]tftypes.Value{"id": str("gone"), "principal_id": str(emulator.AliceID),
		"role_definition_id": str(emulator.RoleGlobalAdministrator), "directory_scope_id": str("/"), "status": str("Provisioned")})
	if d := findDiag(read.Diagnostics, "Eligible Assignment No Longer Exists"); d == nil ||
		!strings.Contains(d.Detail, `an access review removed it (Access review "GA review"`) || !strings.Contains(d.Detail, "denied by Carol Compliance") {
		t.Errorf("refresh: %v", read.Diagnostics)
	}
	config := map[string]tftypes.Value{"principal_id": str(emulator.AliceID), "role_definition_id": str(emulator.RoleGlobalAdministrator)}
	if d := findDiag(p.planCreate("pim_eligible_assignment", config).Diagnostics, "Plan Undoes An Access Review"); d == nil ||
		d.Severity != tfprotov6.DiagnosticSeverityWarning || !strings.Contains(d.Detail, "GA review") {
		t.Errorf("plan: %+v", d)
	}
	strict := newProtocolWith(t, env, map[string]tftypes.Value{"access_review_decisions": str("enforce")}, provider.WithAccessToken(acctest.Token))
	if d := findDiag(strict.planCreate("pim_eligible_assignment", config).Diagnostics, "Plan Undoes An Access Review"); d == nil ||
		d.Severity != tfprotov6.DiagnosticSeverityError {
		t.Errorf("enforced plan: %+v", d)
	}
	config["allow_undoing_review"] = tftypes.NewValue(tftypes.Bool, true)
	if d := findDiag(strict.planCreate("pim_eligible_assignment", config).Diagnostics, "Plan Undoes An Access Review"); d == nil ||
		d.Severity != tfprotov6.DiagnosticSeverityWarning {
		t.Errorf("enforced plan with allow_undoing_review: %+v", d)
	}
}

func findDiag(diags []*tfprotov6.Diagnostic, summary string) *tfprotov6.Diagnostic {
	for _, d := range diags {
		if d.Summary == summary {
			return d
		}
	}
	return nil
}

// terraform query lists the tenant's reviews of roles and groups, named by
// what they review; import by identity adopts one.
func TestListAndImportAccessReviews(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	made := env.Call(t, "POST", "/v1.0/identityGovernance/accessReviews/definitions", acctest.Token, map[string]any{
		"displayName": "Portal-made GA review", "scope": map[string]any{"queryType": "MicrosoftGraph",
			"query": "/roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal&$filter=(isof(principal,'microsoft.graph.user') and roleDefinitionId eq '" + emulator.RoleGlobalAdministrator + "')"},
		"reviewers": []any{map[string]any{"query": "./manager", "queryType": "MicrosoftGraph", "queryRoot": "decisions"}},
		"settings": map[string]any{"instanceDurationInDays": 14, "recurrence": map[string]any{"pattern": map[string]any{"type": "absoluteMonthly", "interval": 3},
			"range": map[string]any{"type": "noEnd", "startDate": "2030-02-01"}}}}, http.StatusCreated)
	p := newProtocol(t, env, acctest.Token)
	got := p.list("pim_access_review", map[string]tftypes.Value{}, true, 0)
	if len(got) != 1 || got[0].display != `Portal-made GA review: eligible assignments of role "Global Administrator" (`+emulator.RoleGlobalAdministrator+`), quarterly, not started` {
		t.Fatalf("results: %+v", got)
	}
	if strOf(got[0].identity["id"]) != made["id"] || strOf(got[0].resource["start_date"]) != "2030-02-01" {
		t.Fatalf("identity %v, resource %v", got[0].identity, got[0].resource)
	}
	if none := p.list("pim_access_review", map[string]tftypes.Value{"group_id": str(emulator.AliceID)}, false, 0); len(none) != 0 {
		t.Errorf("group filter: %+v", none)
	}
	state := p.importByIdentity("pim_access_review", map[string]tftypes.Value{"id": str(made["id"].(string))})
	if strOf(state["display_name"]) != "Portal-made GA review" || strOf(state["recurrence"]) != "quarterly" {
		t.Errorf("imported %v", state)
	}
}

// pim_review_decision records a decision as the signed-in reviewer; a
// principal the reviewer does not review is a clear error.
func TestReviewDecisionAction(t *testing.T) {
	t.Parallel()
	env := acctest.NewEnv(t)
	env.MakeEligible(t, emulator.AliceID, emulator.RoleGlobalReader)
	review := env.Call(t, "POST", "/v1.0/identityGovernance/accessReviews/definitions", acctest.Token, map[string]any{
		"displayName": "Global Reader review", "scope": map[string]any{"query": "/roleManagement/directory/roleDefinitions/" + emulator.RoleGlobalReader,
			"queryType": "MicrosoftGraph"},
		"reviewers": []any{map[string]any{"query": "/users/" + emulator.CarolID, "queryType": "MicrosoftGraph"}},
		"settings":  map[string]any{"instanceDurationInDays": 3}}, http.StatusCreated)
	id := review["id"].(string)
	carol := newProtocol(t, env, acctest.UserToken(emulator.CarolID))
	progress, diags := carol.invoke("pim_review_decision", map[string]tftypes.Value{"access_review_id": str(id), "principal_id": str(emulator.AliceID),
		"decision": str("Deny"), "justification": str("no longer on the team")})
	if hasErrors(diags) || !strings.Contains(strings.Join(progress, "\n"), "Deny: ") {
		t.Fatalf("decision: %v %v", progress, summaries(diags))
	}
	base := "/v1.0/identityGovernance/accessReviews/definitions/" + id + "/instances"
	inst := env.Call(t, "GET", base, acctest.Token, nil, http.StatusOK)["value"].([]any)[0].(map[string]any)["id"].(string)
	decisions := env.Call(t, "GET", base+"/"+inst+"/decisions", acctest.Token, nil, http.StatusOK)["value"].([]any)
	found := false
	for _, d := range decisions {
		d := d.(map[string]any)
		found = found || d["principal"].(map[string]any)["id"] == emulator.AliceID && d["decision"] == "Deny" &&
			d["reviewedBy"].(map[string]any)["id"] == emulator.CarolID
	}
	if !found {
		t.Errorf("Carol's Deny on Alice is not recorded: %v", decisions)
	}
	dave := newProtocol(t, env, acctest.UserToken(emulator.DaveID))
	if _, diags := dave.invoke("pim_review_decision", map[string]tftypes.Value{"access_review_id": str(id), "principal_id": str(emulator.AliceID),
		"decision": str("Approve"), "justification": str("me too")}); findDiag(diags, "Nothing To Decide") == nil {
		t.Errorf("a user who reviews nothing: %v", summaries(diags))
	}
}
