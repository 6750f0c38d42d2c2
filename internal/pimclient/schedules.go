package pimclient

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// Kind selects eligibility (roleEligibility*) or active assignment
// (roleAssignment*) collections; their operations are the same.
type Kind int

const (
	Eligibility Kind = iota
	Assignment
)

func (k Kind) String() string {
	if k == Assignment {
		return "active assignment"
	}
	return "eligible assignment"
}

// Surface is a PIM surface: where its collections live and how its key is
// spelled on the wire. Directory roles key on a role and a directory scope;
// PIM for Groups on an access id (member or owner) and a group, which this
// client carries in AssignmentKey's RoleDefinitionID and DirectoryScopeID.
type Surface struct {
	name                    string
	eligibility, assignment string // path prefixes of each kind's collections
	roleField, scopeField   string // the key's fields on the wire
	scopeRequiredInListings bool   // Graph refuses a schedule list without groupId or principalId
	// approvals is where activations' approvals are, with the name of their
	// stages (directory roles: beta roleAssignmentApprovals and steps; PIM
	// for Groups: v1.0 assignmentApprovals and stages).
	approvals, stages string
	approvalsBeta     bool
	// wire is how the surface's collections are called: Graph's OData, or
	// ARM's resources under a scope.
	wire scheduleWire
}

// scheduleWire is what differs between Graph and ARM in the calls of a
// ScheduleService.
type scheduleWire interface {
	createRequest(ctx context.Context, s *ScheduleService, r *ScheduleRequest) (*ScheduleRequest, error)
	listRequests(ctx context.Context, s *ScheduleService, f Filter) ([]ScheduleRequest, error)
	getRequest(ctx context.Context, s *ScheduleService, id string) (*ScheduleRequest, error)
	getSchedule(ctx context.Context, s *ScheduleService, id string) (*Schedule, error)
	listSchedules(ctx context.Context, s *ScheduleService, f Filter) ([]Schedule, error)
	keyFilter(s *ScheduleService, k AssignmentKey) Filter
	// scopeFilter selects what is listed per scope: a group's schedules,
	// or those at an ARM scope.
	scopeFilter(scope string) Filter
	// Approvals of activations: read one, decide a stage, list the
	// requests waiting for the caller (at an ARM scope; Graph's are tenant-wide).
	getApproval(ctx context.Context, s *ScheduleService, id string) (*Approval, error)
	reviewStep(ctx context.Context, s *ScheduleService, approvalID, stepID, result, justification string) error
	requestsToApprove(ctx context.Context, s *ScheduleService, scope string) ([]ScheduleRequest, error)
}

// The surfaces.
var (
	DirectoryRoles = &Surface{name: "directory role", eligibility: "/roleManagement/directory/roleEligibility",
		assignment: "/roleManagement/directory/roleAssignment", roleField: "roleDefinitionId", scopeField: "directoryScopeId",
		approvals: "/roleManagement/directory/roleAssignmentApprovals/", stages: "steps", approvalsBeta: true, wire: graphWire{}}
	// Groups is PIM for Groups (https://learn.microsoft.com/graph/api/resources/privilegedidentitymanagement-for-groups-api-overview).
	Groups = &Surface{name: "group", eligibility: "/identityGovernance/privilegedAccess/group/eligibility",
		assignment: "/identityGovernance/privilegedAccess/group/assignment", roleField: "accessId", scopeField: "groupId",
		scopeRequiredInListings: true, approvals: "/identityGovernance/privilegedAccess/group/assignmentApprovals/", stages: "stages", wire: graphWire{}}
)

// IsGroups reports whether the surface is PIM for Groups.
func (s *Surface) IsGroups() bool { return s == Groups }

// ListsPerScope reports whether the surface's schedules are listed one
// scope at a time (a group's, or an ARM scope's), not tenant-wide.
func (s *Surface) ListsPerScope() bool { return s.scopeRequiredInListings }

func (s *ScheduleService) prefix() string {
	if s.kind == Assignment {
		return s.surface.assignment
	}
	return s.surface.eligibility
}

// Schedules returns the operations on one kind's requests, schedules and
// instances of directory roles.
func (c *Client) Schedules(k Kind) *ScheduleService {
	return &ScheduleService{c: c, kind: k, surface: DirectoryRoles}
}

// GroupSchedules returns the operations of PIM for Groups.
func (c *Client) GroupSchedules(k Kind) *ScheduleService {
	return &ScheduleService{c: c, kind: k, surface: Groups}
}

// ScheduleService is bound to one surface and Kind.
type ScheduleService struct {
	c       *Client
	kind    Kind
	surface *Surface
}

// Surface is the service's surface.
func (s *ScheduleService) Surface() *Surface { return s.surface }

// ScopeFilter selects what is listed at one scope of a surface listed per
// scope (a group's, or an ARM scope's).
func (s *ScheduleService) ScopeFilter(scope string) Filter { return s.surface.wire.scopeFilter(scope) }

// KeyFilter selects a key's schedules, in the surface's field names.
func (s *ScheduleService) KeyFilter(k AssignmentKey) Filter { return s.surface.wire.keyFilter(s, k) }

// CreateRequest sends a schedule request (adminAssign, adminUpdate,
// adminRemove, …) and returns the service's view of it.
func (s *ScheduleService) CreateRequest(ctx context.Context, r *ScheduleRequest) (*ScheduleRequest, error) {
	return s.surface.wire.createRequest(ctx, s, r)
}

// ListRequests lists requests matching f, across all pages.
func (s *ScheduleService) ListRequests(ctx context.Context, f Filter) ([]ScheduleRequest, error) {
	return s.surface.wire.listRequests(ctx, s, f)
}

// GetSchedule reads one schedule by id.
func (s *ScheduleService) GetSchedule(ctx context.Context, id string) (*Schedule, error) {
	return s.surface.wire.getSchedule(ctx, s, id)
}

// ListSchedules lists schedules matching f, across all pages.
func (s *ScheduleService) ListSchedules(ctx context.Context, f Filter) ([]Schedule, error) {
	return s.surface.wire.listSchedules(ctx, s, f)
}

// graphWire is Graph's: OData collections, POSTed requests.
type graphWire struct{}

func (graphWire) keyFilter(s *ScheduleService, k AssignmentKey) Filter {
	return Filter{}.Eq("principalId", k.PrincipalID).Eq(s.surface.roleField, k.RoleDefinitionID).Eq(s.surface.scopeField, k.DirectoryScopeID)
}

func (graphWire) scopeFilter(scope string) Filter { return Filter{}.Eq("groupId", scope) }

func (graphWire) createRequest(ctx context.Context, s *ScheduleService, r *ScheduleRequest) (*ScheduleRequest, error) {
	var out ScheduleRequest
	if err := s.c.do(ctx, http.MethodPost, s.prefix()+"ScheduleRequests", nil, s.toWire(r), &out); err != nil {
		return nil, err
	}
	s.fromWireRequest(&out)
	return &out, nil
}

func (graphWire) listRequests(ctx context.Context, s *ScheduleService, f Filter) ([]ScheduleRequest, error) {
	all, err := list[ScheduleRequest](ctx, s.c, s.prefix()+"ScheduleRequests", f.query())
	for i := range all {
		s.fromWireRequest(&all[i])
	}
	return all, err
}

func (graphWire) getRequest(ctx context.Context, s *ScheduleService, id string) (*ScheduleRequest, error) {
	var out ScheduleRequest
	if err := s.c.do(ctx, http.MethodGet, s.prefix()+"ScheduleRequests/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	s.fromWireRequest(&out)
	return &out, nil
}

func (graphWire) getSchedule(ctx context.Context, s *ScheduleService, id string) (*Schedule, error) {
	var out Schedule
	if err := s.c.do(ctx, http.MethodGet, s.prefix()+"Schedules/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	s.fromWireSchedule(&out)
	return &out, nil
}

func (graphWire) listSchedules(ctx context.Context, s *ScheduleService, f Filter) ([]Schedule, error) {
	all, err := list[Schedule](ctx, s.c, s.prefix()+"Schedules", f.query())
	for i := range all {
		s.fromWireSchedule(&all[i])
	}
	return all, err
}

// ListDirectSchedules lists every direct (not group-inherited) standing
// schedule of the kind: eligibilities, or active assignments that are not
// just-in-time activations. One paged list serves a whole refresh.
func (s *ScheduleService) ListDirectSchedules(ctx context.Context) ([]Schedule, error) {
	all, err := s.ListSchedules(ctx, Filter{}.Eq("memberType", MemberTypeDirect))
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, sc := range all {
		if isStanding(&sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// isStanding: memberType Group/Inherited schedules belong to a group's
// assignment; an assignment of type Activated is a JIT activation.
func isStanding(sc *Schedule) bool {
	return (sc.MemberType == "" || strings.EqualFold(sc.MemberType, MemberTypeDirect)) &&
		(sc.AssignmentType == "" || strings.EqualFold(sc.AssignmentType, "Assigned"))
}

// FindDirectSchedule returns the direct (not group-inherited) schedule of a
// key, or nil when there is none.
func (s *ScheduleService) FindDirectSchedule(ctx context.Context, k AssignmentKey) (*Schedule, error) {
	all, err := s.ListSchedules(ctx, s.KeyFilter(k))
	if err != nil {
		return nil, err
	}
	for i := range all {
		sc := &all[i]
		if isStanding(sc) && strings.EqualFold(sc.PrincipalID, k.PrincipalID) && strings.EqualFold(sc.RoleDefinitionID, k.RoleDefinitionID) && strings.EqualFold(sc.DirectoryScopeID, k.DirectoryScopeID) {
			return sc, nil
		}
	}
	return nil, nil
}

// ListRoleDefinitions lists directory role definitions matching f.
func (c *Client) ListRoleDefinitions(ctx context.Context, f Filter) ([]RoleDefinition, error) {
	return list[RoleDefinition](ctx, c, "/roleManagement/directory/roleDefinitions", f.query())
}

// GetRoleDefinition reads one role definition by id (= template id for built-ins).
func (c *Client) GetRoleDefinition(ctx context.Context, id string) (*RoleDefinition, error) {
	var out RoleDefinition
	if err := c.do(ctx, http.MethodGet, "/roleManagement/directory/roleDefinitions/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListScopeDirectSchedules lists the direct standing schedules of the kind
// at one scope, on surfaces listed per scope: a group's (Graph requires a
// group or principal filter on PIM for Groups), or an ARM scope's.
func (s *ScheduleService) ListScopeDirectSchedules(ctx context.Context, scope string) ([]Schedule, error) {
	all, err := s.ListSchedules(ctx, s.surface.wire.scopeFilter(scope))
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, sc := range all {
		if isStanding(&sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// toWire spells a request in the surface's fields.
func (s *ScheduleService) toWire(r *ScheduleRequest) *ScheduleRequest {
	if !s.surface.IsGroups() {
		return r
	}
	w := *r
	w.AccessID, w.GroupID, w.RoleDefinitionID, w.DirectoryScopeID = r.RoleDefinitionID, r.DirectoryScopeID, "", ""
	return &w
}

func (s *ScheduleService) fromWireRequest(r *ScheduleRequest) {
	if s.surface.IsGroups() {
		r.RoleDefinitionID, r.DirectoryScopeID = r.AccessID, r.GroupID
	}
}

func (s *ScheduleService) fromWireSchedule(sc *Schedule) {
	if s.surface.IsGroups() {
		sc.RoleDefinitionID, sc.DirectoryScopeID = sc.AccessID, sc.GroupID
	}
}

// Kind is the service's kind.
func (s *ScheduleService) Kind() Kind { return s.kind }
