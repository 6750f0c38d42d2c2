package sdkcheck

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/authorization/armauthorization/v2"
)

// Microsoft's Azure SDK for Go (armauthorization v2, its default pipeline:
// retries, api-versions, polymorphic policy rules) drives the emulator's
// Azure Resource Manager: role definitions by name, an eligibility request
// validated then created, the same name refused, schedules inherited down
// the scope tree, and a policy's approval rule PATCHed and read back.

const (
	demoSubscription = "5b5c0000-0000-4000-8000-000000000001"
	contributor      = "b24988ac-6180-42a0-ab88-20f7382dd24c"
)

// armToken is a bearer token for the emulator (any audience it serves).
type armToken string

func (t armToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: string(t), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func armFactory(t *testing.T, r ready) *armauthorization.ClientFactory {
	t.Helper()
	if r.ARMEndpoint == "" {
		t.Fatal("the ready file names no arm_endpoint")
	}
	opts := &arm.ClientOptions{ClientOptions: policy.ClientOptions{
		Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: r.ARMEndpoint + "/", Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: r.ARMEndpoint, Audience: "https://management.azure.com"}}},
		InsecureAllowCredentialWithHTTP: true, // the emulator listens on loopback HTTP
	}}
	f, err := armauthorization.NewClientFactory(demoSubscription, armToken(r.Token), opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestAzureResourceManager(t *testing.T) {
	r := emulator(t)
	f := armFactory(t, r)
	ctx := context.Background()
	sub := "/subscriptions/" + demoSubscription
	rg := sub + "/resourceGroups/rg-app"

	pager := f.NewRoleDefinitionsClient().NewListPager(rg, &armauthorization.RoleDefinitionsClientListOptions{Filter: to.Ptr("roleName eq 'Contributor'")})
	page, err := pager.NextPage(ctx)
	if err != nil || len(page.Value) != 1 || *page.Value[0].Name != contributor {
		t.Fatalf("Contributor by name: %v %v", page.Value, err)
	}
	roleID := *page.Value[0].ID

	body := armauthorization.RoleEligibilityScheduleRequest{Properties: &armauthorization.RoleEligibilityScheduleRequestProperties{
		PrincipalID: to.Ptr(alice), RoleDefinitionID: to.Ptr(roleID), RequestType: to.Ptr(armauthorization.RequestTypeAdminAssign),
		Justification: to.Ptr("sdkcheck"), ScheduleInfo: &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfo{
			Expiration: &armauthorization.RoleEligibilityScheduleRequestPropertiesScheduleInfoExpiration{
				Type: to.Ptr(armauthorization.TypeAfterDuration), Duration: to.Ptr("P30D")}}}}
	requests := f.NewRoleEligibilityScheduleRequestsClient()
	const name = "5dca0000-0000-4000-8000-000000000001"
	if _, err := requests.Validate(ctx, rg, name, body, nil); err != nil {
		t.Fatalf("validate: %v", err)
	}
	created, err := requests.Create(ctx, rg, name, body, nil)
	if err != nil || *created.Properties.Status != armauthorization.StatusProvisioned || *created.Name != name {
		t.Fatalf("create: %+v %v", created, err)
	}
	_, err = requests.Create(ctx, rg, name, body, nil)
	var respErr *azcore.ResponseError
	if !errors.As(err, &respErr) || respErr.ErrorCode != "RoleAssignmentRequestExists" || respErr.StatusCode != 400 {
		t.Fatalf("the same name again: %v", err)
	}

	atScope := func(scope string) int {
		p := f.NewRoleEligibilitySchedulesClient().NewListForScopePager(scope, &armauthorization.RoleEligibilitySchedulesClientListForScopeOptions{Filter: to.Ptr("atScope()")})
		n := 0
		for p.More() {
			pg, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("schedules at %s: %v", scope, err)
			}
			n += len(pg.Value)
		}
		return n
	}
	if atScope(rg+"/providers/Microsoft.KeyVault/vaults/kv-app") != 1 || atScope(sub) != 0 {
		t.Fatal("atScope() must include the resource group's eligibility below it and leave it out above")
	}

	var policyID string
	for assignments := f.NewRoleManagementPolicyAssignmentsClient().NewListForScopePager(rg, nil); assignments.More() && policyID == ""; {
		ap, err := assignments.NextPage(ctx)
		if err != nil {
			t.Fatalf("policy assignments: %v", err)
		}
		for _, a := range ap.Value {
			if strings.EqualFold(*a.Properties.RoleDefinitionID, roleID) {
				policyID = *a.Properties.PolicyID
			}
		}
	}
	if policyID == "" {
		t.Fatal("no policy assignment of Contributor at the resource group")
	}
	policyName := policyID[strings.LastIndex(policyID, "/")+1:]
	rule := &armauthorization.RoleManagementPolicyApprovalRule{ID: to.Ptr("Approval_EndUser_Assignment"),
		RuleType: to.Ptr(armauthorization.RoleManagementPolicyRuleTypeRoleManagementPolicyApprovalRule),
		Target:   &armauthorization.RoleManagementPolicyRuleTarget{Caller: to.Ptr("EndUser"), Level: to.Ptr("Assignment"), Operations: []*string{to.Ptr("All")}},
		Setting: &armauthorization.ApprovalSettings{IsApprovalRequired: to.Ptr(true), ApprovalMode: to.Ptr(armauthorization.ApprovalModeSingleStage),
			ApprovalStages: []*armauthorization.ApprovalStage{{ApprovalStageTimeOutInDays: to.Ptr[int32](1), IsApproverJustificationRequired: to.Ptr(true),
				PrimaryApprovers: []*armauthorization.UserSet{{ID: to.Ptr(carol), UserType: to.Ptr(armauthorization.UserTypeUser), IsBackup: to.Ptr(false)}}}}}}
	updated, err := f.NewRoleManagementPoliciesClient().Update(ctx, rg, policyName, armauthorization.RoleManagementPolicy{
		Properties: &armauthorization.RoleManagementPolicyProperties{Rules: []armauthorization.RoleManagementPolicyRuleClassification{rule}}}, nil)
	if err != nil || len(updated.Properties.EffectiveRules) != 17 {
		t.Fatalf("policy update: %v", err)
	}
	got, err := f.NewRoleManagementPoliciesClient().Get(ctx, rg, policyName, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range got.Properties.Rules {
		if a, ok := r.(*armauthorization.RoleManagementPolicyApprovalRule); ok && *a.ID == "Approval_EndUser_Assignment" {
			if !*a.Setting.IsApprovalRequired || *a.Setting.ApprovalStages[0].PrimaryApprovers[0].ID != carol {
				t.Fatalf("approval rule read back: %+v", a.Setting)
			}
			return
		}
	}
	t.Fatal("the approval rule is not among the policy's rules, as the SDK decodes them")
}
