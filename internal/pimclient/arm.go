package pimclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
)

// PIM for Azure resources, over Azure Resource Manager
// (https://learn.microsoft.com/rest/api/authorization/privileged-role-eligibility-rest-sample):
// the same requests, schedules and instances as directory roles, as ARM
// resources under a scope, each call with its api-version. A request is
// PUT under a name the client chooses: the name is fixed before the first
// send, so a request whose answer was lost is read back by its name, and
// ARM refuses the same name twice.

// DefaultARMBaseURL is Azure Resource Manager in the global cloud.
const DefaultARMBaseURL = "https://management.azure.com"

// API versions: schedules, requests and policies are stable at 2020-10-01;
// role definitions at 2022-04-01.
const (
	armPIMVersion     = "2020-10-01"
	armRoleDefVersion = "2022-04-01"
	armSubVersion     = "2022-12-01"
	armRGVersion      = "2021-04-01"
)

// AzureRoles is PIM for Azure resources: an Azure role, by its full ARM id
// (/subscriptions/{id}/providers/Microsoft.Authorization/roleDefinitions/{guid}),
// at an ARM scope (a management group, subscription, resource group or
// resource), carried in AssignmentKey's RoleDefinitionID and
// DirectoryScopeID.
var AzureRoles = &Surface{name: "Azure role", eligibility: "roleEligibility", assignment: "roleAssignment",
	scopeRequiredInListings: true, wire: armWire{}}

// AzureSchedules returns the operations of PIM for Azure resources.
func (c *Client) AzureSchedules(k Kind) *ScheduleService {
	return &ScheduleService{c: c, kind: k, surface: AzureRoles}
}

func armEndpoint(opts Options) (endpoint, error) {
	raw := opts.ARMBaseURL
	if raw == "" {
		raw = DefaultARMBaseURL
	}
	base, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || base.Scheme == "" || base.Host == "" {
		return endpoint{}, fmt.Errorf("invalid Azure Resource Manager base URL %q: want an absolute URL such as %s", raw, DefaultARMBaseURL)
	}
	return endpoint{name: "Azure Resource Manager", base: base, tokens: opts.ARMTokenSource}, nil
}

// armDo sends one ARM call with its api-version.
func (c *Client) armDo(ctx context.Context, method, path, version string, query url.Values, in, out any) error {
	if strings.Contains(path, "://") {
		return c.send(ctx, &c.arm, method, path, nil, in, out) // a nextLink carries its query
	}
	if query == nil {
		query = url.Values{}
	}
	query.Set("api-version", version)
	return c.send(ctx, &c.arm, method, path, query, in, out)
}

// armList reads every page of an ARM collection, following nextLink.
func armList[T any](ctx context.Context, c *Client, path, version string, query url.Values) ([]T, error) {
	var all []T
	next := path
	for next != "" {
		var p struct {
			Value    []T    `json:"value"`
			NextLink string `json:"nextLink"`
		}
		if err := c.armDo(ctx, http.MethodGet, next, version, query, nil, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Value...)
		next, query = p.NextLink, nil
	}
	return all, nil
}

const authzProvider = "/providers/Microsoft.Authorization/"

// armResource is ARM's envelope.
type armResource[T any] struct {
	ID         string `json:"id,omitempty"`
	Name       string `json:"name,omitempty"`
	Properties T      `json:"properties"`
}

type armSchedule struct {
	PrincipalID      string     `json:"principalId"`
	RoleDefinitionID string     `json:"roleDefinitionId"`
	Scope            string     `json:"scope"`
	Status           string     `json:"status"`
	StartDateTime    *time.Time `json:"startDateTime"`
	EndDateTime      *time.Time `json:"endDateTime"`
	MemberType       string     `json:"memberType"`
	AssignmentType   string     `json:"assignmentType"`
	CreatedOn        *time.Time `json:"createdOn"`
	UpdatedOn        *time.Time `json:"updatedOn"`
	Condition        string     `json:"condition"`
	ConditionVersion string     `json:"conditionVersion"`
	EligibilityReq   string     `json:"roleEligibilityScheduleRequestId"`
	AssignmentReq    string     `json:"roleAssignmentScheduleRequestId"`
}

type armRequest struct {
	PrincipalID      string        `json:"principalId"`
	RoleDefinitionID string        `json:"roleDefinitionId"`
	RequestType      string        `json:"requestType"`
	Justification    string        `json:"justification,omitempty"`
	ScheduleInfo     *ScheduleInfo `json:"scheduleInfo,omitempty"`
	TicketInfo       *TicketInfo   `json:"ticketInfo,omitempty"`
	Condition        string        `json:"condition,omitempty"`
	ConditionVersion string        `json:"conditionVersion,omitempty"`
	// Read-only.
	Scope       string     `json:"scope,omitempty"`
	Status      string     `json:"status,omitempty"`
	ApprovalID  string     `json:"approvalId,omitempty"`
	CreatedOn   *time.Time `json:"createdOn,omitempty"`
	RequestorID string     `json:"requestorId,omitempty"`
	TargetElig  string     `json:"targetRoleEligibilityScheduleId,omitempty"`
	TargetAssn  string     `json:"targetRoleAssignmentScheduleId,omitempty"`
}

// armWire is ARM's: resources under {scope}/providers/Microsoft.Authorization/.
type armWire struct{}

func (armWire) collection(s *ScheduleService, scope, what string) string {
	return strings.TrimRight(scope, "/") + authzProvider + s.prefix() + what
}

// keyFilter: ARM filters a scope's list by principal only (at, above and
// below the scope); the key's role and exact scope are matched here.
func (armWire) keyFilter(_ *ScheduleService, k AssignmentKey) Filter {
	f := Filter{}.Eq("principalId", k.PrincipalID)
	f.key = &k
	return f
}

func (armWire) scopeFilter(scope string) Filter {
	f := Filter{}.with("atScope()")
	f.scope = scope
	return f
}

// filterScope is where an ARM list is made: the filter's scope or key's.
func filterScope(f Filter) (string, error) {
	switch {
	case f.scope != "":
		return f.scope, nil
	case f.key != nil:
		return f.key.DirectoryScopeID, nil
	}
	return "", errors.New("listing Azure role schedules needs a scope: Azure Resource Manager lists them one scope at a time")
}

func (w armWire) createRequest(ctx context.Context, s *ScheduleService, r *ScheduleRequest) (*ScheduleRequest, error) {
	if r.ID == "" {
		r.ID = uuid.NewString() // fixed before the first send: a lost answer is read back by this name
	}
	body := armBody(r)
	var out armResource[armRequest]
	path := w.collection(s, r.DirectoryScopeID, "ScheduleRequests/") + url.PathEscape(r.ID)
	if err := s.c.armDo(asOnce(ctx), http.MethodPut, path, armPIMVersion, nil, body, &out); err != nil {
		return nil, err
	}
	return toRequest(&out), nil
}

// ValidateAzureRequest asks ARM whether it would accept a schedule request,
// changing nothing (the validate operation).
func (s *ScheduleService) ValidateAzureRequest(ctx context.Context, r *ScheduleRequest) error {
	if s.surface != AzureRoles {
		return errors.New("only Azure role requests are validated by ARM")
	}
	body := armBody(r)
	path := armWire{}.collection(s, r.DirectoryScopeID, "ScheduleRequests/") + uuid.NewString() + "/validate"
	return s.c.armDo(asRead(ctx), http.MethodPost, path, armPIMVersion, nil, body, nil)
}

// armBody is a request in ARM's envelope and spelling.
func armBody(r *ScheduleRequest) armResource[armRequest] {
	return armResource[armRequest]{Properties: armRequest{PrincipalID: r.PrincipalID, RoleDefinitionID: r.RoleDefinitionID,
		RequestType: pascal(r.Action), Justification: r.Justification, ScheduleInfo: armScheduleInfo(r.ScheduleInfo), TicketInfo: r.TicketInfo,
		Condition: r.Condition, ConditionVersion: r.ConditionVersion}}
}

// armScheduleInfo spells an expiration type as ARM does (PascalCase).
func armScheduleInfo(si *ScheduleInfo) *ScheduleInfo {
	if si == nil || si.Expiration == nil {
		return si
	}
	out := *si
	e := *si.Expiration
	e.Type = pascal(e.Type)
	out.Expiration = &e
	return &out
}

func pascal(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func camel(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func toRequest(r *armResource[armRequest]) *ScheduleRequest {
	p := &r.Properties
	out := &ScheduleRequest{ID: r.Name, Action: camel(p.RequestType), PrincipalID: p.PrincipalID, RoleDefinitionID: p.RoleDefinitionID,
		DirectoryScopeID: p.Scope, Justification: p.Justification, TicketInfo: p.TicketInfo, Status: p.Status, CreatedDateTime: p.CreatedOn,
		ApprovalID: lastSegment(p.ApprovalID), TargetScheduleID: p.TargetElig + p.TargetAssn, Condition: p.Condition, ConditionVersion: p.ConditionVersion}
	if p.ScheduleInfo != nil {
		si := *p.ScheduleInfo
		if si.Expiration != nil {
			e := *si.Expiration
			e.Type = camel(e.Type)
			si.Expiration = &e
		}
		out.ScheduleInfo = &si
	}
	if p.RequestorID != "" {
		out.CreatedBy = &IdentitySet{User: &Identity{ID: p.RequestorID}}
	}
	return out
}

func lastSegment(id string) string {
	if id == "" {
		return ""
	}
	return id[strings.LastIndex(id, "/")+1:]
}

func (w armWire) listRequests(ctx context.Context, s *ScheduleService, f Filter) ([]ScheduleRequest, error) {
	scope, err := filterScope(f)
	if err != nil {
		return nil, err
	}
	all, err := armList[armResource[armRequest]](ctx, s.c, w.collection(s, scope, "ScheduleRequests"), armPIMVersion, f.query())
	if err != nil {
		return nil, err
	}
	var out []ScheduleRequest
	for i := range all {
		if q := toRequest(&all[i]); f.key == nil || f.key.matches(q.PrincipalID, q.RoleDefinitionID, q.DirectoryScopeID) {
			out = append(out, *q)
		}
	}
	return out, nil
}

// getRequest reads a request by its full ARM id.
func (armWire) getRequest(ctx context.Context, s *ScheduleService, id string) (*ScheduleRequest, error) {
	var out armResource[armRequest]
	if err := s.c.armDo(ctx, http.MethodGet, id, armPIMVersion, nil, nil, &out); err != nil {
		return nil, err
	}
	return toRequest(&out), nil
}

// getSchedule reads a schedule by its full ARM id.
func (armWire) getSchedule(ctx context.Context, s *ScheduleService, id string) (*Schedule, error) {
	if !strings.HasPrefix(id, "/") {
		return nil, fmt.Errorf("an Azure role schedule is read by its full ARM id ({scope}/providers/Microsoft.Authorization/…Schedules/{name}), not %q", id)
	}
	var out armResource[armSchedule]
	if err := s.c.armDo(ctx, http.MethodGet, id, armPIMVersion, nil, nil, &out); err != nil {
		return nil, err
	}
	return toSchedule(&out), nil
}

func (w armWire) listSchedules(ctx context.Context, s *ScheduleService, f Filter) ([]Schedule, error) {
	scope, err := filterScope(f)
	if err != nil {
		return nil, err
	}
	all, err := armList[armResource[armSchedule]](ctx, s.c, w.collection(s, scope, "Schedules"), armPIMVersion, f.query())
	if err != nil {
		return nil, err
	}
	var out []Schedule
	for i := range all {
		if sc := toSchedule(&all[i]); f.key == nil || f.key.matches(sc.PrincipalID, sc.RoleDefinitionID, sc.DirectoryScopeID) {
			out = append(out, *sc)
		}
	}
	return out, nil
}

// schedule restates an ARM schedule: its start and end (ARM keeps no
// duration) as an afterDateTime or noExpiration expiration.
func toSchedule(r *armResource[armSchedule]) *Schedule {
	p := &r.Properties
	exp := &Expiration{Type: ExpirationNoExpiration}
	if p.EndDateTime != nil {
		exp = &Expiration{Type: ExpirationAfterDateTime, EndDateTime: p.EndDateTime}
	}
	return &Schedule{ID: r.ID, PrincipalID: p.PrincipalID, RoleDefinitionID: p.RoleDefinitionID, DirectoryScopeID: p.Scope,
		CreatedUsing: lastSegment(p.EligibilityReq + p.AssignmentReq), CreatedDateTime: p.CreatedOn, ModifiedDateTime: p.UpdatedOn,
		Status: p.Status, MemberType: p.MemberType, AssignmentType: p.AssignmentType, Condition: p.Condition, ConditionVersion: p.ConditionVersion,
		ScheduleInfo: &ScheduleInfo{StartDateTime: p.StartDateTime, Expiration: exp}}
}

func (k AssignmentKey) matches(principal, role, scope string) bool {
	return strings.EqualFold(k.PrincipalID, principal) && strings.EqualFold(k.RoleDefinitionID, role) && strings.EqualFold(k.DirectoryScopeID, scope)
}

// AzureRoleDefinition is an Azure role definition.
type AzureRoleDefinition struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	RoleName         string   `json:"roleName"`
	Type             string   `json:"type"` // BuiltInRole or CustomRole
	Description      string   `json:"description"`
	AssignableScopes []string `json:"assignableScopes"`
}

// ListAzureRoleDefinitions lists the role definitions usable at a scope,
// by name when roleName is set.
func (c *Client) ListAzureRoleDefinitions(ctx context.Context, scope, roleName string) ([]AzureRoleDefinition, error) {
	q := url.Values{}
	if roleName != "" {
		q.Set("$filter", "roleName eq "+quote(roleName))
	}
	all, err := armList[armResource[AzureRoleDefinition]](ctx, c, strings.TrimRight(scope, "/")+authzProvider+"roleDefinitions", armRoleDefVersion, q)
	if err != nil {
		return nil, err
	}
	out := make([]AzureRoleDefinition, 0, len(all))
	for _, r := range all {
		d := r.Properties
		d.ID, d.Name = r.ID, r.Name
		out = append(out, d)
	}
	return out, nil
}

// GetAzureRoleDefinition reads a role definition by its full ARM id.
func (c *Client) GetAzureRoleDefinition(ctx context.Context, id string) (*AzureRoleDefinition, error) {
	var out armResource[AzureRoleDefinition]
	if err := c.armDo(ctx, http.MethodGet, id, armRoleDefVersion, nil, nil, &out); err != nil {
		return nil, err
	}
	d := out.Properties
	d.ID, d.Name = out.ID, out.Name
	return &d, nil
}

// GetAzureScope reads a subscription, resource group, management group or
// resource by its path (a NotFound error when it does not exist).
func (c *Client) GetAzureScope(ctx context.Context, scope string) (map[string]any, error) {
	version := armRGVersion
	segs := strings.Split(strings.Trim(scope, "/"), "/")
	switch {
	case len(segs) == 2 && strings.EqualFold(segs[0], "subscriptions"):
		version = armSubVersion
	case len(segs) >= 2 && strings.EqualFold(segs[1], "Microsoft.Management"):
		version = "2023-04-01"
	}
	var out map[string]any
	err := c.armDo(ctx, http.MethodGet, scope, version, nil, nil, &out)
	return out, err
}

// Approvals of Azure role activations
// (https://learn.microsoft.com/rest/api/authorization/privileged-approval-sample):
// tenant-wide, each stage an ARM resource of its own.

const armApprovalVersion = "2021-01-01-preview"

type armStage struct {
	Name       string `json:"name"`
	Properties struct {
		Status           string     `json:"status"`
		ReviewResult     string     `json:"reviewResult"`
		AssignedToMe     bool       `json:"assignedToMe"`
		Justification    string     `json:"justification"`
		ReviewedDateTime *time.Time `json:"reviewedDateTime"`
	} `json:"properties"`
}

func (armWire) getApproval(ctx context.Context, s *ScheduleService, id string) (*Approval, error) {
	var out struct {
		Name       string `json:"name"`
		Properties struct {
			Stages []armStage `json:"stages"`
		} `json:"properties"`
	}
	if err := s.c.armDo(ctx, http.MethodGet, authzProvider+"roleAssignmentApprovals/"+url.PathEscape(lastSegment(id)), armApprovalVersion, nil, nil, &out); err != nil {
		return nil, err
	}
	a := &Approval{ID: out.Name}
	for _, st := range out.Properties.Stages {
		p := st.Properties
		a.Steps = append(a.Steps, ApprovalStep{ID: st.Name, Status: p.Status, ReviewResult: p.ReviewResult, AssignedToMe: p.AssignedToMe,
			Justification: p.Justification, ReviewedDateTime: p.ReviewedDateTime})
	}
	return a, nil
}

func (armWire) reviewStep(ctx context.Context, s *ScheduleService, approvalID, stepID, result, justification string) error {
	path := authzProvider + "roleAssignmentApprovals/" + url.PathEscape(lastSegment(approvalID)) + "/stages/" + url.PathEscape(stepID)
	body := map[string]any{"properties": map[string]string{"reviewResult": result, "justification": justification}}
	return s.c.armDo(ctx, http.MethodPatch, path, armApprovalVersion, nil, body, nil)
}

// requestsToApprove lists the activation requests at a scope that wait
// for the caller (asApprover()).
func (w armWire) requestsToApprove(ctx context.Context, s *ScheduleService, scope string) ([]ScheduleRequest, error) {
	f := Filter{}.with("asApprover()")
	f.scope = scope
	return w.listRequests(ctx, s, f)
}
