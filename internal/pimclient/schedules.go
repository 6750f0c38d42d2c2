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

func (k Kind) prefix() string {
	if k == Assignment {
		return "/roleManagement/directory/roleAssignment"
	}
	return "/roleManagement/directory/roleEligibility"
}

// Schedules returns the operations on one kind's requests, schedules and
// instances.
func (c *Client) Schedules(k Kind) *ScheduleService {
	return &ScheduleService{c: c, kind: k}
}

// ScheduleService is bound to one Kind.
type ScheduleService struct {
	c    *Client
	kind Kind
}

// CreateRequest POSTs a schedule request (adminAssign, adminUpdate,
// adminRemove, …) and returns Graph's view of it.
func (s *ScheduleService) CreateRequest(ctx context.Context, r *ScheduleRequest) (*ScheduleRequest, error) {
	var out ScheduleRequest
	if err := s.c.do(ctx, http.MethodPost, s.kind.prefix()+"ScheduleRequests", nil, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListRequests lists requests matching f, across all pages.
func (s *ScheduleService) ListRequests(ctx context.Context, f Filter) ([]ScheduleRequest, error) {
	return list[ScheduleRequest](ctx, s.c, s.kind.prefix()+"ScheduleRequests", f.query())
}

// GetSchedule reads one schedule by id.
func (s *ScheduleService) GetSchedule(ctx context.Context, id string) (*Schedule, error) {
	var out Schedule
	if err := s.c.do(ctx, http.MethodGet, s.kind.prefix()+"Schedules/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListSchedules lists schedules matching f, across all pages.
func (s *ScheduleService) ListSchedules(ctx context.Context, f Filter) ([]Schedule, error) {
	return list[Schedule](ctx, s.c, s.kind.prefix()+"Schedules", f.query())
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
	all, err := s.ListSchedules(ctx, k.Filter())
	if err != nil {
		return nil, err
	}
	for i := range all {
		sc := &all[i]
		if isStanding(sc) && strings.EqualFold(sc.PrincipalID, k.PrincipalID) && strings.EqualFold(sc.RoleDefinitionID, k.RoleDefinitionID) && sc.DirectoryScopeID == k.DirectoryScopeID {
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
