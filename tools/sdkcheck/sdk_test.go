// Package sdkcheck drives the emulator with Microsoft's Graph SDK for Go (and its ARM side with the Azure SDK for Go, arm_test.go)
// (msgraph-sdk-go) in its default configuration, compressed request bodies
// included, through every call the provider makes and then some. It is a
// module of its own so the SDK (a very large dependency) stays out of the
// provider's build; run it with `make sdkcheck`, which starts an emulator
// and passes its ready file in PIM_SDKCHECK_READY.
package sdkcheck

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microsoft/kiota-abstractions-go/authentication"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	khttp "github.com/microsoft/kiota-http-go"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/auditlogs"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"
)

// Seeded ids of the emulator's demo tenant.
const (
	alice          = "a11ce000-0000-4000-8000-000000000002"
	bob            = "a11ce000-0000-4000-8000-000000000003"
	carol          = "a11ce000-0000-4000-8000-000000000004"
	helpdeskAdmin  = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
	globalReader   = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
	userAdmin      = "fe930be7-5e62-47db-91af-98c3a49a38b1"
	roleCount      = 20
	standingAtSeed = 3
)

type ready struct {
	Endpoint    string            `json:"endpoint"`
	ARMEndpoint string            `json:"arm_endpoint"`
	Token       string            `json:"token"`
	Users       map[string]string `json:"users"`
}

func emulator(t *testing.T) ready {
	t.Helper()
	path := os.Getenv("PIM_SDKCHECK_READY")
	if path == "" {
		t.Fatal("PIM_SDKCHECK_READY is not set: run `make sdkcheck`, which starts an emulator and sets it")
	}
	data, err := os.ReadFile(path)
	var r ready
	if err == nil {
		err = json.Unmarshal(data, &r)
	}
	if err != nil {
		t.Fatalf("reading the emulator's ready file %s: %v", path, err)
	}
	return r
}

// staticToken is a bearer token for any host (the emulator is not graph.microsoft.com).
type staticToken string

func (s staticToken) GetAuthorizationToken(context.Context, *url.URL, map[string]any) (string, error) {
	return string(s), nil
}

func (s staticToken) GetAllowedHostsValidator() *authentication.AllowedHostsValidator {
	v := authentication.NewAllowedHostsValidator(nil)
	return &v
}

// wire records what leaves the SDK's middleware: the body encoding of each
// write and every status, so a test can tell that compressed bodies were
// accepted (the SDK falls back to plain bodies on 415).
type wire struct {
	mu        sync.Mutex
	encodings []string
	statuses  []int
}

func (w *wire) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	w.mu.Lock()
	defer w.mu.Unlock()
	if req.Method == http.MethodPost || req.Method == http.MethodPatch {
		w.encodings = append(w.encodings, req.Header.Get("Content-Encoding"))
	}
	if resp != nil {
		w.statuses = append(w.statuses, resp.StatusCode)
	}
	return resp, err
}

// client is the SDK with its default middleware (retry, redirect,
// compression of request bodies, ...), pointed at the emulator.
func client(t *testing.T, endpoint, token string) (*msgraph.GraphServiceClient, *msgraph.GraphRequestAdapter, *wire) {
	t.Helper()
	opts := msgraph.GetDefaultClientOptions()
	w := &wire{}
	httpClient := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(w, msgraphcore.GetDefaultMiddlewaresWithOptions(&opts)...)}
	adapter, err := msgraph.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		authentication.NewBaseBearerTokenAuthenticationProvider(staticToken(token)), nil, nil, httpClient)
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl(endpoint)
	return msgraph.NewGraphServiceClient(adapter), adapter, w
}

func ptr[T any](v T) *T { return &v }

func graphCode(err error) string {
	var odataErr *odataerrors.ODataError
	if errors.As(err, &odataErr) && odataErr.GetErrorEscaped() != nil && odataErr.GetErrorEscaped().GetCode() != nil {
		return *odataErr.GetErrorEscaped().GetCode()
	}
	return ""
}

func eligibilityRequest(action models.UnifiedRoleScheduleRequestActions, principal, role string, d *serialization.ISODuration) models.UnifiedRoleEligibilityScheduleRequestable {
	body := models.NewUnifiedRoleEligibilityScheduleRequest()
	body.SetAction(&action)
	body.SetPrincipalId(ptr(principal))
	body.SetRoleDefinitionId(ptr(role))
	body.SetDirectoryScopeId(ptr("/"))
	body.SetJustification(ptr("sdk check"))
	schedule := models.NewRequestSchedule()
	schedule.SetStartDateTime(ptr(time.Now().UTC()))
	exp := models.NewExpirationPattern()
	if d == nil {
		exp.SetTypeEscaped(ptr(models.NOEXPIRATION_EXPIRATIONPATTERNTYPE))
	} else {
		exp.SetTypeEscaped(ptr(models.AFTERDURATION_EXPIRATIONPATTERNTYPE))
		exp.SetDuration(d)
	}
	schedule.SetExpiration(exp)
	body.SetScheduleInfo(schedule)
	return body
}

// Create, update, read back with $filter/$select/$expand, and remove an
// eligibility: the provider's whole resource lifecycle.
func TestEligibilityLifecycle(t *testing.T) {
	r := emulator(t)
	c, _, w := client(t, r.Endpoint, r.Token)
	ctx := t.Context()
	reqs := c.RoleManagement().Directory().RoleEligibilityScheduleRequests()
	created, err := reqs.Post(ctx, eligibilityRequest(models.ADMINASSIGN_UNIFIEDROLESCHEDULEREQUESTACTIONS, bob, helpdeskAdmin, serialization.NewDuration(0, 0, 30, 0, 0, 0, 0)), nil)
	if err != nil {
		t.Fatalf("adminAssign (gzip-compressed by the SDK): %v %s", err, graphCode(err))
	}
	if len(w.encodings) != 1 || w.encodings[0] != "gzip" || w.statuses[0] != 201 {
		t.Errorf("the SDK's first write went out %q and got %v: want one gzip-compressed POST answered 201", w.encodings, w.statuses)
	}
	if got := *created.GetStatus(); got != "Provisioned" || *created.GetTargetScheduleId() != *created.GetId() {
		t.Errorf("created: status %s target %s id %s", got, *created.GetTargetScheduleId(), *created.GetId())
	}
	if _, err := reqs.Post(ctx, eligibilityRequest(models.ADMINUPDATE_UNIFIEDROLESCHEDULEREQUESTACTIONS, bob, helpdeskAdmin, nil), nil); err != nil {
		t.Fatalf("adminUpdate: %v %s", err, graphCode(err))
	}
	filter := "principalId eq '" + bob + "' and roleDefinitionId eq '" + helpdeskAdmin + "' and directoryScopeId eq '/'"
	list, err := c.RoleManagement().Directory().RoleEligibilitySchedules().Get(ctx, &rolemanagement.DirectoryRoleEligibilitySchedulesRequestBuilderGetRequestConfiguration{
		QueryParameters: &rolemanagement.DirectoryRoleEligibilitySchedulesRequestBuilderGetQueryParameters{
			Filter: &filter, Expand: []string{"principal", "roleDefinition"}}})
	if err != nil {
		t.Fatalf("filtered list with $expand: %v %s", err, graphCode(err))
	}
	if n := len(list.GetValue()); n != 1 {
		t.Fatalf("filtered list: %d schedules, want 1", n)
	}
	sc := list.GetValue()[0]
	user, ok := sc.GetPrincipal().(models.Userable)
	if !ok || *user.GetUserPrincipalName() != "bob@contoso.example" || *sc.GetRoleDefinition().GetDisplayName() != "Helpdesk Administrator" {
		t.Errorf("expanded principal %T / role: %+v", sc.GetPrincipal(), sc.GetRoleDefinition())
	}
	if sc.GetScheduleInfo().GetExpiration().GetTypeEscaped().String() != "noExpiration" || sc.GetModifiedDateTime() == nil {
		t.Errorf("after adminUpdate the schedule is not permanent: %v", sc.GetScheduleInfo().GetExpiration().GetTypeEscaped())
	}
	if _, err := reqs.Post(ctx, eligibilityRequest(models.ADMINREMOVE_UNIFIEDROLESCHEDULEREQUESTACTIONS, bob, helpdeskAdmin, nil), nil); err != nil {
		t.Fatalf("adminRemove: %v %s", err, graphCode(err))
	}
	_, err = reqs.Post(ctx, eligibilityRequest(models.ADMINUPDATE_UNIFIEDROLESCHEDULEREQUESTACTIONS, bob, helpdeskAdmin, nil), nil)
	if code := graphCode(err); code != "RoleAssignmentDoesNotExist" {
		t.Errorf("update after remove: %v, want the Graph error RoleAssignmentDoesNotExist", err)
	}
}

// An active assignment read back by id with $select and $expand, as the
// Graph reference's example does.
func TestSelectAndExpandByID(t *testing.T) {
	r := emulator(t)
	c, _, _ := client(t, r.Endpoint, r.Token)
	ctx := t.Context()
	body := models.NewUnifiedRoleAssignmentScheduleRequest()
	body.SetAction(ptr(models.ADMINASSIGN_UNIFIEDROLESCHEDULEREQUESTACTIONS))
	body.SetPrincipalId(ptr(alice))
	body.SetRoleDefinitionId(ptr(userAdmin))
	body.SetDirectoryScopeId(ptr("/"))
	body.SetJustification(ptr("sdk check"))
	created, err := c.RoleManagement().Directory().RoleAssignmentScheduleRequests().Post(ctx, body, nil)
	if err != nil {
		t.Fatalf("active adminAssign: %v %s", err, graphCode(err))
	}
	got, err := c.RoleManagement().Directory().RoleAssignmentScheduleRequests().ByUnifiedRoleAssignmentScheduleRequestId(*created.GetId()).Get(ctx,
		&rolemanagement.DirectoryRoleAssignmentScheduleRequestsUnifiedRoleAssignmentScheduleRequestItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &rolemanagement.DirectoryRoleAssignmentScheduleRequestsUnifiedRoleAssignmentScheduleRequestItemRequestBuilderGetQueryParameters{
				Select: []string{"principalId", "action", "roleDefinitionId"}, Expand: []string{"roleDefinition", "principal", "targetSchedule"}}})
	if err != nil {
		t.Fatalf("GET with $select/$expand: %v %s", err, graphCode(err))
	}
	if got.GetId() != nil || got.GetAction().String() != "adminAssign" || *got.GetTargetSchedule().GetId() != *created.GetId() || *got.GetRoleDefinition().GetDisplayName() != "User Administrator" {
		t.Errorf("projection: id %v action %v target %v", got.GetId(), got.GetAction(), got.GetTargetSchedule())
	}
}

// The SDK's page iterator follows @odata.nextLink through a list.
func TestPaging(t *testing.T) {
	r := emulator(t)
	c, adapter, _ := client(t, r.Endpoint, r.Token)
	first, err := c.RoleManagement().Directory().RoleDefinitions().Get(t.Context(), &rolemanagement.DirectoryRoleDefinitionsRequestBuilderGetRequestConfiguration{
		QueryParameters: &rolemanagement.DirectoryRoleDefinitionsRequestBuilderGetQueryParameters{Top: ptr(int32(3))}})
	if err != nil {
		t.Fatalf("first page: %v %s", err, graphCode(err))
	}
	it, err := msgraphcore.NewPageIterator[models.UnifiedRoleDefinitionable](first, adapter, models.CreateUnifiedRoleDefinitionCollectionResponseFromDiscriminatorValue)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := it.Iterate(t.Context(), func(models.UnifiedRoleDefinitionable) bool { n++; return true }); err != nil {
		t.Fatalf("paging: %v", err)
	}
	if n != roleCount {
		t.Errorf("paged through %d role definitions, want %d", n, roleCount)
	}
	filter := "displayName in ('Global Reader','Helpdesk Administrator')"
	some, err := c.RoleManagement().Directory().RoleDefinitions().Get(t.Context(), &rolemanagement.DirectoryRoleDefinitionsRequestBuilderGetRequestConfiguration{
		QueryParameters: &rolemanagement.DirectoryRoleDefinitionsRequestBuilderGetQueryParameters{Filter: &filter}})
	if err != nil || len(some.GetValue()) != 2 {
		t.Errorf("$filter with in: %v %s", err, graphCode(err))
	}
}

// The role setting: policy assignments with the policy and its rules
// expanded, and a rule PATCH, which the SDK sends with its @odata.type.
func TestRoleSetting(t *testing.T) {
	r := emulator(t)
	c, _, _ := client(t, r.Endpoint, r.Token)
	ctx := t.Context()
	filter := "scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '" + helpdeskAdmin + "'"
	assignments, err := c.Policies().RoleManagementPolicyAssignments().Get(ctx, &policies.RoleManagementPolicyAssignmentsRequestBuilderGetRequestConfiguration{
		QueryParameters: &policies.RoleManagementPolicyAssignmentsRequestBuilderGetQueryParameters{Filter: &filter, Expand: []string{"policy($expand=rules)"}}})
	if err != nil || len(assignments.GetValue()) != 1 {
		t.Fatalf("policy assignment with $expand=policy($expand=rules): %v %s", err, graphCode(err))
	}
	policy := assignments.GetValue()[0].GetPolicy()
	if n := len(policy.GetRules()); n != 17 {
		t.Fatalf("%d rules, want 17", n)
	}
	rule := models.NewUnifiedRoleManagementPolicyExpirationRule()
	rule.SetId(ptr("Expiration_EndUser_Assignment"))
	rule.SetIsExpirationRequired(ptr(true))
	rule.SetMaximumDuration(serialization.NewDuration(0, 0, 0, 4, 0, 0, 0))
	rules := c.Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(*policy.GetId()).Rules()
	if _, err := rules.ByUnifiedRoleManagementPolicyRuleId("Expiration_EndUser_Assignment").Patch(ctx, rule, nil); err != nil {
		t.Fatalf("PATCH rule (PT4H): %v %s", err, graphCode(err))
	}
	// The SDK writes 90 days as P12W6D; Graph refuses week designators in
	// policy rules, and so does the emulator.
	long := models.NewUnifiedRoleManagementPolicyExpirationRule()
	long.SetId(ptr("Expiration_Admin_Eligibility"))
	long.SetIsExpirationRequired(ptr(true))
	long.SetMaximumDuration(serialization.NewDuration(0, 0, 90, 0, 0, 0, 0))
	_, err = rules.ByUnifiedRoleManagementPolicyRuleId("Expiration_Admin_Eligibility").Patch(ctx, long, nil)
	if code := graphCode(err); code != "InvalidPolicyRule" || !strings.Contains(long.GetMaximumDuration().String(), "W") {
		t.Errorf("90 days as %s: %v (%s), want InvalidPolicyRule", long.GetMaximumDuration(), err, code)
	}
}

// A user's own view (filterByCurrentUser) and the audit log.
func TestCurrentUserAndAudit(t *testing.T) {
	r := emulator(t)
	admin, _, _ := client(t, r.Endpoint, r.Token)
	ctx := t.Context()
	if _, err := admin.RoleManagement().Directory().RoleEligibilityScheduleRequests().Post(ctx,
		eligibilityRequest(models.ADMINASSIGN_UNIFIEDROLESCHEDULEREQUESTACTIONS, alice, globalReader, nil), nil); err != nil {
		t.Fatalf("adminAssign: %v %s", err, graphCode(err))
	}
	c, _, _ := client(t, r.Endpoint, r.Users["alice"])
	mine, err := c.RoleManagement().Directory().RoleEligibilityScheduleInstances().FilterByCurrentUserWithOn(ptr("principal")).GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	if err != nil {
		t.Fatalf("filterByCurrentUser: %v %s", err, graphCode(err))
	}
	found := false
	for _, in := range mine.GetValue() {
		found = found || *in.GetRoleDefinitionId() == globalReader
	}
	if !found {
		t.Errorf("Alice's instances lack Global Reader: %d instances", len(mine.GetValue()))
	}
	if _, err := c.RoleManagement().Directory().RoleEligibilitySchedules().Get(ctx, nil); graphCode(err) != "accessDenied" {
		t.Errorf("Alice (no directory role) lists the tenant's schedules: %v", err)
	}
	filter := "category eq 'RoleManagement' and targetResources/any(t: t/id eq '" + alice + "')"
	audits, err := admin.AuditLogs().DirectoryAudits().Get(ctx, &auditlogs.DirectoryAuditsRequestBuilderGetRequestConfiguration{
		QueryParameters: &auditlogs.DirectoryAuditsRequestBuilderGetQueryParameters{Filter: &filter, Top: ptr(int32(5))}})
	if err != nil || len(audits.GetValue()) == 0 || audits.GetValue()[0].GetInitiatedBy().GetUser() == nil {
		t.Errorf("audit log: %v %s", err, graphCode(err))
	}
}

// An access review of a role's eligible users, created with the SDK's
// models; the reviewer sees and decides their item with their own token;
// the SDK reads the decision back with who decided.
func TestAccessReview(t *testing.T) {
	r := emulator(t)
	admin, _, _ := client(t, r.Endpoint, r.Token)
	ctx := t.Context()
	if _, err := admin.RoleManagement().Directory().RoleEligibilityScheduleRequests().Post(ctx,
		eligibilityRequest(models.ADMINASSIGN_UNIFIEDROLESCHEDULEREQUESTACTIONS, bob, userAdmin, nil), nil); err != nil {
		t.Fatalf("adminAssign: %v %s", err, graphCode(err))
	}
	def := models.NewAccessReviewScheduleDefinition()
	def.SetDisplayName(ptr("SDK review of User Administrator eligibility"))
	scope := models.NewAccessReviewQueryScope()
	scope.SetQuery(ptr("/roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal&$filter=(isof(principal,'microsoft.graph.user') and roleDefinitionId eq '" + userAdmin + "')"))
	scope.SetQueryType(ptr("MicrosoftGraph"))
	def.SetScope(scope)
	reviewer := models.NewAccessReviewReviewerScope()
	reviewer.SetQuery(ptr("/users/" + carol))
	reviewer.SetQueryType(ptr("MicrosoftGraph"))
	def.SetReviewers([]models.AccessReviewReviewerScopeable{reviewer})
	settings := models.NewAccessReviewScheduleSettings()
	settings.SetInstanceDurationInDays(ptr(int32(3)))
	settings.SetJustificationRequiredOnApproval(ptr(true))
	settings.SetRecommendationsEnabled(ptr(true))
	settings.SetDefaultDecisionEnabled(ptr(false))
	settings.SetDefaultDecision(ptr("None"))
	pattern := models.NewRecurrencePattern()
	pattern.SetTypeEscaped(ptr(models.WEEKLY_RECURRENCEPATTERNTYPE))
	pattern.SetInterval(ptr(int32(1)))
	rng := models.NewRecurrenceRange()
	rng.SetTypeEscaped(ptr(models.NOEND_RECURRENCERANGETYPE))
	rng.SetStartDate(serialization.NewDateOnly(time.Now().AddDate(0, 0, -1)))
	rec := models.NewPatternedRecurrence()
	rec.SetPattern(pattern)
	rec.SetRangeEscaped(rng)
	settings.SetRecurrence(rec)
	def.SetSettings(settings)
	made, err := admin.IdentityGovernance().AccessReviews().Definitions().Post(ctx, def, nil)
	if err != nil || made.GetId() == nil || made.GetSettings().GetRecurrence().GetPattern().GetFirstDayOfWeek() == nil {
		t.Fatalf("create: %v %s", err, graphCode(err))
	}
	item := admin.IdentityGovernance().AccessReviews().Definitions().ByAccessReviewScheduleDefinitionId(*made.GetId())
	instances, err := item.Instances().Get(ctx, nil)
	if err != nil || len(instances.GetValue()) != 1 || *instances.GetValue()[0].GetStatus() != "InProgress" {
		t.Fatalf("instances: %v %s", err, graphCode(err))
	}
	instance := item.Instances().ByAccessReviewInstanceId(*instances.GetValue()[0].GetId())
	reviewerClient, _, _ := client(t, r.Endpoint, r.Users["carol"])
	mine, err := reviewerClient.IdentityGovernance().AccessReviews().Definitions().ByAccessReviewScheduleDefinitionId(*made.GetId()).
		Instances().ByAccessReviewInstanceId(*instances.GetValue()[0].GetId()).Decisions().FilterByCurrentUserWithOn(ptr("reviewer")).
		GetAsFilterByCurrentUserWithOnGetResponse(ctx, nil)
	if err != nil || len(mine.GetValue()) != 1 || *mine.GetValue()[0].GetPrincipal().GetId() != bob {
		t.Fatalf("the reviewer's decisions: %v %s", err, graphCode(err))
	}
	decision := models.NewAccessReviewInstanceDecisionItem()
	decision.SetDecision(ptr("Deny"))
	decision.SetJustification(ptr("left the helpdesk"))
	if _, err := reviewerClient.IdentityGovernance().AccessReviews().Definitions().ByAccessReviewScheduleDefinitionId(*made.GetId()).
		Instances().ByAccessReviewInstanceId(*instances.GetValue()[0].GetId()).Decisions().
		ByAccessReviewInstanceDecisionItemId(*mine.GetValue()[0].GetId()).Patch(ctx, decision, nil); err != nil {
		t.Fatalf("PATCH decision: %v %s", err, graphCode(err))
	}
	got, err := instance.Decisions().ByAccessReviewInstanceDecisionItemId(*mine.GetValue()[0].GetId()).Get(ctx, nil)
	if err != nil || *got.GetDecision() != "Deny" || got.GetReviewedBy() == nil || *got.GetReviewedBy().GetId() != carol {
		t.Errorf("the decision read back: %v %s", err, graphCode(err))
	}
}
