package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
)

// requestPurgeAge is how long Graph keeps schedule requests (observed: about
// 45 days). Schedules live on; only the request objects go.
const requestPurgeAge = 45 * 24 * time.Hour

// minActiveDuration is the observed minimum life of an active assignment
// before it can be removed (ActiveDurationTooShort).
const minActiveDuration = 5 * time.Minute

var actions = map[string]string{}

func init() {
	for _, a := range []string{"adminAssign", "adminUpdate", "adminRemove", "adminExtend", "adminRenew",
		"selfActivate", "selfDeactivate", "selfExtend", "selfRenew"} {
		actions[strings.ToLower(a)] = a
	}
}

var expirationTypes = map[string]string{
	"noexpiration": "noExpiration", "afterdatetime": "afterDateTime", "afterduration": "afterDuration", "notspecified": "notSpecified",
}

type requestBody struct {
	Action           string  `json:"action"`
	PrincipalID      string  `json:"principalId"`
	RoleDefinitionID string  `json:"roleDefinitionId"`
	DirectoryScopeID *string `json:"directoryScopeId"`
	AppScopeID       *string `json:"appScopeId"`
	Justification    *string `json:"justification"`
	ScheduleInfo     *struct {
		StartDateTime *string `json:"startDateTime"`
		Expiration    *struct {
			Type        string  `json:"type"`
			EndDateTime *string `json:"endDateTime"`
			Duration    *string `json:"duration"`
		} `json:"expiration"`
	} `json:"scheduleInfo"`
	TicketInfo *struct {
		TicketNumber *string `json:"ticketNumber"`
		TicketSystem *string `json:"ticketSystem"`
	} `json:"ticketInfo"`
	IsValidationOnly bool `json:"isValidationOnly"`
}

// apiError is a Graph error decided while processing a request.
type apiError struct {
	status        int
	code, message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func badRequest(code, format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, code, fmt.Sprintf(format, args...)}
}

func (c *call) createRequest(k kind) {
	var body requestBody
	if !c.decode(&body) {
		return
	}
	req, err := c.s.process(k, body, c.caller)
	if err != nil {
		c.w.error(err.status, err.code, err.message)
		return
	}
	w := req.wire()
	w.ODataContext = c.context("roleManagement/directory/"+requestsSet(k), true)
	c.w.json(http.StatusCreated, w)
}

func requestsSet(k kind) string {
	if k == kindAssignment {
		return "roleAssignmentScheduleRequests"
	}
	return "roleEligibilityScheduleRequests"
}

func schedulesSet(k kind) string {
	if k == kindAssignment {
		return "roleAssignmentSchedules"
	}
	return "roleEligibilitySchedules"
}

func instancesSet(k kind) string {
	if k == kindAssignment {
		return "roleAssignmentScheduleInstances"
	}
	return "roleEligibilityScheduleInstances"
}

// process validates and applies one schedule request. Callers hold mu.
func (s *Server) process(k kind, body requestBody, caller Identity) (*request, *apiError) {
	action, ok := actions[strings.ToLower(body.Action)]
	if !ok {
		return nil, badRequest("BadRequest", "Requested value '%s' was not found in action. Valid values: adminAssign, adminUpdate, adminRemove, adminExtend, adminRenew, selfActivate, selfDeactivate, selfExtend, selfRenew.", body.Action)
	}
	if strings.HasPrefix(action, "self") && k == kindEligibility {
		// guess: principals deactivating or extending their own eligibility is
		// listed in the overview but not emulated.
		return nil, badRequest("NotSupported", "The emulator does not implement %s on eligibility schedule requests.", action)
	}
	if body.PrincipalID == "" || body.RoleDefinitionID == "" {
		return nil, badRequest("BadRequest", "principalId and roleDefinitionId are required.")
	}
	if body.AppScopeID != nil && *body.AppScopeID != "" {
		return nil, badRequest("NotSupported", "appScopeId is not supported by the emulator; use directoryScopeId.")
	}
	if body.DirectoryScopeID == nil || *body.DirectoryScopeID == "" {
		return nil, badRequest("BadRequest", "Either directoryScopeId or appScopeId is required.")
	}
	scope := *body.DirectoryScopeID
	if _, ok := s.role(body.RoleDefinitionID); !ok {
		// guess: the unified API's code is undocumented; the deprecated PIM API used RoleNotFound.
		return nil, badRequest("RoleNotFound", "The role definition '%s' does not exist in this tenant.", body.RoleDefinitionID)
	}
	if !s.principalExists(body.PrincipalID) {
		// guess: as above, SubjectNotFound is the deprecated API's code.
		return nil, badRequest("SubjectNotFound", "The principal '%s' does not exist in this tenant.", body.PrincipalID)
	}
	key := assignmentKey{k, strings.ToLower(body.PrincipalID), strings.ToLower(body.RoleDefinitionID), scope}
	if strings.HasPrefix(action, "self") {
		return s.processSelf(body, action, key, caller)
	}
	if !s.isPrivilegedRoleAdmin(caller.PrincipalID) {
		return nil, &apiError{http.StatusForbidden, "accessDenied",
			"The caller needs an active Privileged Role Administrator or Global Administrator assignment to manage role assignments."}
	}
	now := s.clock.Now()
	existing := s.findSchedule(key)
	req := &request{
		ID: uuid.NewString(), Kind: k, Action: action, PrincipalID: key.PrincipalID, RoleDefinitionID: key.RoleDefinitionID,
		DirectoryScopeID: scope, Justification: body.Justification, Created: now, CreatedBy: caller.PrincipalID,
		IsValidationOnly: body.IsValidationOnly,
	}
	if body.TicketInfo != nil {
		req.TicketNumber, req.TicketSystem = body.TicketInfo.TicketNumber, body.TicketInfo.TicketSystem
	}

	if action == "adminRemove" {
		if existing == nil {
			return nil, badRequest("RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
		}
		if k == kindAssignment && now.Sub(existing.activeSince()) < minActiveDuration {
			return nil, badRequest("ActiveDurationTooShort", "The Active duration is too short. Miniumum Required is 5 minutes.")
		}
		if k == kindAssignment && existing.RoleDefinitionID == RoleGlobalAdministrator && s.activeGlobalAdmins() <= 1 {
			// Entra refuses to remove the last Global Administrator. guess: the
			// code and message of the unified API are not documented.
			return nil, badRequest("LastGlobalAdministratorCannotBeRemoved",
				"The last active Global Administrator assignment cannot be removed. Assign Global Administrator to another principal first.")
		}
		// As in the documented adminRemove response: Revoked, with no
		// schedule, target or completion time, and justification dropped.
		req.Status = "Revoked"
		req.Justification = nil
		if req.IsValidationOnly {
			return req, nil
		}
		s.removeSchedule(existing)
		s.st.Requests = append(s.st.Requests, req)
		s.auditAssignment(k, "remove", existing.Spec, caller.PrincipalID, key, body.Justification, "")
		s.mustPersist()
		return req, nil
	}

	spec, aerr := parseSpec(body, action, now, existing)
	if aerr != nil {
		return nil, aerr
	}
	switch action {
	case "adminAssign", "adminRenew":
		if existing != nil {
			return nil, badRequest("RoleAssignmentExists", "The Role assignment already exists.")
		}
	case "adminUpdate", "adminExtend":
		if existing == nil {
			return nil, badRequest("RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
		}
	}
	if failed := s.policyFailures(k, key.RoleDefinitionID, spec, req, caller); len(failed) > 0 {
		return nil, badRequest("RoleAssignmentRequestPolicyValidationFailed", "The following policy rules failed: [%s]", quoteJoin(failed))
	}
	req.Schedule = &spec
	req.Status = "Provisioned"
	if spec.Start.After(now) {
		req.Status = "Granted"
	} else {
		req.Completed = &now
	}
	if req.IsValidationOnly {
		return req, nil
	}
	verb := "assign"
	if existing == nil {
		sc := &schedule{
			ID: req.ID, Kind: k, PrincipalID: key.PrincipalID, RoleDefinitionID: key.RoleDefinitionID, DirectoryScopeID: scope,
			CreatedUsing: req.ID, Created: now, Status: req.Status, Spec: spec,
		}
		if k == kindAssignment {
			sc.AssignmentType = "Assigned"
		}
		s.st.Schedules = append(s.st.Schedules, sc)
		req.TargetScheduleID = &sc.ID
	} else {
		// guess: the docs do not say whether an update retargets the same
		// schedule; the emulator keeps one schedule per key and updates it in
		// place, so the principal never loses or doubles the assignment.
		verb = "update"
		existing.Spec = spec
		existing.Modified = &now
		existing.Status = req.Status
		req.TargetScheduleID = &existing.ID
	}
	s.st.Requests = append(s.st.Requests, req)
	if s.readLag > 0 {
		s.lagging[*req.TargetScheduleID] = s.readLag
	}
	s.auditAssignment(k, verb, spec, caller.PrincipalID, key, body.Justification, req.ID)
	s.mustPersist()
	return req, nil
}

func quoteJoin(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = `"` + x + `"`
	}
	return strings.Join(q, ",")
}

// parseSpec normalises scheduleInfo. A start that is omitted or in the past
// becomes the processing time, as the documented responses show. An update
// without a start keeps the schedule's start.
func parseSpec(body requestBody, action string, now time.Time, existing *schedule) (scheduleSpec, *apiError) {
	spec := scheduleSpec{Start: now, ExpType: "noExpiration"}
	if existing != nil && (action == "adminUpdate" || action == "adminExtend") {
		spec.Start = existing.Spec.Start
	}
	si := body.ScheduleInfo
	if si == nil {
		return spec, nil
	}
	if si.StartDateTime != nil && *si.StartDateTime != "" {
		t, err := time.Parse(time.RFC3339Nano, *si.StartDateTime)
		if err != nil {
			return spec, badRequest("BadRequest", "scheduleInfo.startDateTime %q is not an ISO 8601 timestamp.", *si.StartDateTime)
		}
		spec.Start = t.UTC()
		if spec.Start.Before(now) {
			spec.Start = now
		}
	}
	if si.Expiration == nil {
		return spec, nil
	}
	et, ok := expirationTypes[strings.ToLower(si.Expiration.Type)]
	if !ok {
		return spec, badRequest("BadRequest", "Requested value '%s' was not found in expiration type. Valid values: notSpecified, noExpiration, afterDateTime, afterDuration.", si.Expiration.Type)
	}
	if et == "notSpecified" {
		et = "noExpiration"
	}
	spec.ExpType = et
	switch et {
	case "afterDateTime":
		if si.Expiration.EndDateTime == nil {
			return spec, badRequest("BadRequest", "scheduleInfo.expiration.endDateTime is required for afterDateTime.")
		}
		t, err := time.Parse(time.RFC3339Nano, *si.Expiration.EndDateTime)
		if err != nil {
			return spec, badRequest("BadRequest", "scheduleInfo.expiration.endDateTime %q is not an ISO 8601 timestamp.", *si.Expiration.EndDateTime)
		}
		t = t.UTC()
		if !t.After(spec.Start) {
			return spec, badRequest("BadRequest", "scheduleInfo.expiration.endDateTime %s must be after the start %s.", graphTime(t), graphTime(spec.Start))
		}
		spec.End = &t
	case "afterDuration":
		if si.Expiration.Duration == nil {
			return spec, badRequest("BadRequest", "scheduleInfo.expiration.duration is required for afterDuration.")
		}
		d, err := isoduration.Parse(*si.Expiration.Duration)
		if err != nil || d.IsZero() {
			return spec, badRequest("BadRequest", "scheduleInfo.expiration.duration %q is not a positive ISO 8601 duration.", *si.Expiration.Duration)
		}
		spec.Duration = *si.Expiration.Duration
	}
	return spec, nil
}

// policyFailures evaluates the role's admin expiration and enablement rules
// (pim-graph-api.md §5.8) and returns the failed rule names.
func (s *Server) policyFailures(k kind, roleID string, spec scheduleSpec, req *request, caller Identity) []string {
	exp, enablement := s.policy(roleID).expirationAndEnablement(k)
	var failed []string
	if exp.IsExpirationRequired && !withinExpiration(exp, spec) {
		failed = append(failed, "ExpirationRule")
	}
	return append(failed, enablementFailures(enablement.EnabledRules, req, caller)...)
}

// withinExpiration reports whether a schedule has an end no later than the
// rule's maximum duration after its start.
func withinExpiration(exp *Rule, spec scheduleSpec) bool {
	end := spec.end()
	if end == nil {
		return false
	}
	limit, err := isoduration.Parse(exp.MaximumDuration)
	return err != nil || !end.After(limit.AddTo(spec.Start))
}

// enablementFailures evaluates an enablement rule's requirements against a
// request and the caller's token.
func enablementFailures(enabled []string, req *request, caller Identity) []string {
	var failed []string
	for _, r := range enabled {
		switch r {
		case "Justification":
			if req.Justification == nil || strings.TrimSpace(*req.Justification) == "" {
				failed = append(failed, "JustificationRule")
			}
		case "Ticketing":
			if req.TicketNumber == nil || *req.TicketNumber == "" {
				failed = append(failed, "TicketingRule")
			}
		case "MultiFactorAuthentication":
			if !caller.MFA {
				failed = append(failed, "MfaRule")
			}
		}
	}
	return failed
}

// policy returns the role's policy, the documented defaults until changed.
func (s *Server) policy(roleID string) *Policy {
	if p, ok := s.st.Policies[strings.ToLower(roleID)]; ok {
		return p
	}
	return DefaultPolicy()
}

func (sc *schedule) activeSince() time.Time {
	if sc.Spec.Start.After(sc.Created) {
		return sc.Spec.Start
	}
	return sc.Created
}

// findSchedule returns the key's eligibility or standing (Assigned) active
// assignment; JIT activations are found with findActivation.
func (s *Server) findSchedule(k assignmentKey) *schedule {
	for _, sc := range s.st.Schedules {
		if sc.key() == k && sc.AssignmentType != "Activated" {
			return sc
		}
	}
	return nil
}

func (s *Server) removeSchedule(target *schedule) {
	kept := s.st.Schedules[:0]
	for _, sc := range s.st.Schedules {
		if sc != target {
			kept = append(kept, sc)
		}
	}
	s.st.Schedules = kept
}

func (s *Server) role(id string) (roleDefinition, bool) {
	for _, r := range s.roles {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return roleDefinition{}, false
}

func (s *Server) principalExists(id string) bool {
	id = strings.ToLower(id)
	_, u := s.users[id]
	_, g := s.groups[id]
	return u || g || id == AppServicePrincipalID
}

// isPrivilegedRoleAdmin reports whether the principal holds an effective
// tenant-wide Privileged Role Administrator or Global Administrator
// assignment, directly or through a group.
func (s *Server) isPrivilegedRoleAdmin(principalID string) bool {
	now := s.clock.Now()
	for _, sc := range s.st.Schedules {
		if sc.Kind != kindAssignment || sc.DirectoryScopeID != "/" || sc.Spec.Start.After(now) {
			continue
		}
		if sc.RoleDefinitionID != RolePrivilegedRoleAdministrator && sc.RoleDefinitionID != RoleGlobalAdministrator {
			continue
		}
		if sc.PrincipalID == principalID {
			return true
		}
		if g, ok := s.groups[sc.PrincipalID]; ok {
			for _, m := range g.Members {
				if m == principalID {
					return true
				}
			}
		}
	}
	return false
}

// activeGlobalAdmins counts the tenant-wide active Global Administrator
// assignments in effect now.
func (s *Server) activeGlobalAdmins() int {
	now := s.clock.Now()
	n := 0
	for _, sc := range s.st.Schedules {
		if sc.Kind == kindAssignment && sc.AssignmentType == "Assigned" && sc.RoleDefinitionID == RoleGlobalAdministrator &&
			sc.DirectoryScopeID == "/" && !sc.Spec.Start.After(now) {
			n++
		}
	}
	return n
}

// tick applies the passage of time: future schedules start, ended schedules
// expire, old requests are purged. Called before serving every call.
func (s *Server) tick() {
	now := s.clock.Now()
	changed := false
	kept := s.st.Schedules[:0]
	for _, sc := range s.st.Schedules {
		if end := sc.Spec.end(); end != nil && !end.After(now) {
			s.auditExpiry(sc)
			changed = true
			continue
		}
		if sc.Status == "Granted" && !sc.Spec.Start.After(now) {
			sc.Status = "Provisioned"
			changed = true
		}
		kept = append(kept, sc)
	}
	s.st.Schedules = kept
	reqs := s.st.Requests[:0]
	for _, r := range s.st.Requests {
		if now.Sub(r.Created) >= requestPurgeAge {
			changed = true
			continue
		}
		if r.Status == "Granted" && r.Schedule != nil && !r.Schedule.Start.After(now) {
			r.Status = "Provisioned"
			start := r.Schedule.Start
			r.Completed = &start
			changed = true
		}
		reqs = append(reqs, r)
	}
	s.st.Requests = reqs
	if s.expireApprovals(now) {
		changed = true
	}
	approvals := s.st.Approvals[:0]
	for _, a := range s.st.Approvals {
		if s.requestByID(a.RequestID) != nil { // purged with its request
			approvals = append(approvals, a)
		}
	}
	s.st.Approvals = approvals
	if changed {
		s.mustPersist()
	}
}

// mustPersist saves state; a failed write is fatal to the emulator's promise
// of durability, so it panics and the HTTP server answers 500.
func (s *Server) mustPersist() {
	if err := s.persist(); err != nil {
		panic(fmt.Sprintf("emulator: saving state: %v", err))
	}
}

func (c *call) listRequests(k kind) {
	items := make([]any, 0, len(c.s.st.Requests))
	for _, r := range c.s.st.Requests {
		if r.Kind == k {
			items = append(items, r.wire())
		}
	}
	c.writeCollection("roleManagement/directory/"+requestsSet(k), items, 0)
}

// filterByCurrentUser parses the function segment filterByCurrentUser(on='x').
func filterByCurrentUser(seg string) (on string, ok bool) {
	rest, found := strings.CutPrefix(seg, "filterByCurrentUser(on=")
	if !found || !strings.HasSuffix(rest, ")") {
		return "", false
	}
	return strings.ToLower(strings.Trim(strings.TrimSuffix(rest, ")"), "'")), true
}

// listRequestsForCurrentUser serves filterByCurrentUser(on='principal' or
// 'approver') (pim-graph-api.md §3.4, E11).
func (c *call) listRequestsForCurrentUser(k kind, on string) {
	var items []any
	switch on {
	case "principal":
		for _, r := range c.s.st.Requests {
			if r.Kind == k && (r.PrincipalID == c.caller.PrincipalID || r.CreatedBy == c.caller.PrincipalID) {
				items = append(items, r.wire())
			}
		}
	case "approver":
		for _, r := range c.s.requestsForApprover(c.caller.PrincipalID) {
			if r.Kind == k {
				items = append(items, r.wire())
			}
		}
	default:
		c.w.error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("filterByCurrentUser: on='%s' is not supported; use principal or approver.", on))
		return
	}
	c.writeCollection("roleManagement/directory/"+requestsSet(k), items, 0)
}

func (c *call) getRequest(k kind, id string) {
	for _, r := range c.s.st.Requests {
		if r.Kind == k && strings.EqualFold(r.ID, id) {
			w := r.wire()
			w.ODataContext = c.context("roleManagement/directory/"+requestsSet(k), true)
			c.w.json(http.StatusOK, w)
			return
		}
	}
	c.notFound(requestsSet(k), id)
}

func (c *call) cancelRequest(k kind, id string) {
	for _, r := range c.s.st.Requests {
		if r.Kind != k || !strings.EqualFold(r.ID, id) {
			continue
		}
		if r.Status != "Granted" {
			c.w.error(http.StatusBadRequest, "BadRequest", fmt.Sprintf("The request is in status %s and cannot be canceled; only Granted requests can.", r.Status))
			return
		}
		r.Status = "Canceled"
		if r.TargetScheduleID != nil {
			if sc := c.s.scheduleByID(k, *r.TargetScheduleID); sc != nil && sc.CreatedUsing == r.ID {
				c.s.removeSchedule(sc)
			}
		}
		c.s.auditCancel(r, c.caller.PrincipalID)
		c.s.mustPersist()
		c.w.WriteHeader(http.StatusNoContent)
		return
	}
	c.notFound(requestsSet(k), id)
}

func (s *Server) scheduleByID(k kind, id string) *schedule {
	for _, sc := range s.st.Schedules {
		if sc.Kind == k && strings.EqualFold(sc.ID, id) {
			return sc
		}
	}
	return nil
}

// expandedSchedules returns wire schedules: each direct one, plus for a group
// principal one memberType Group entry per member (guess: the docs list
// Group as a memberType without an example of its shape). A schedule still
// lagging (Options.ReadLag) is left out, once per read.
func (s *Server) expandedSchedules(k kind) []expanded {
	var out []expanded
	for _, sc := range s.st.Schedules {
		if sc.Kind != k {
			continue
		}
		if n := s.lagging[sc.ID]; n > 0 {
			s.lagging[sc.ID] = n - 1
			continue
		}
		out = append(out, expanded{sc, sc.wire("Direct", sc.PrincipalID, "")})
		if g, ok := s.groups[sc.PrincipalID]; ok {
			for _, m := range g.Members {
				out = append(out, expanded{sc, sc.wire("Group", m, "_"+m)})
			}
		}
	}
	return out
}

// expanded is one wire schedule with the stored schedule it shows.
type expanded struct {
	sc *schedule
	w  wireSchedule
}

func (c *call) listSchedules(k kind) {
	var items []any
	for _, e := range c.s.expandedSchedules(k) {
		if c.onlyCaller && e.w.PrincipalID != c.caller.PrincipalID {
			continue
		}
		items = append(items, e.w)
	}
	c.writeCollection("roleManagement/directory/"+schedulesSet(k), items, 0)
}

func (c *call) getSchedule(k kind, id string) {
	for _, e := range c.s.expandedSchedules(k) {
		if w := e.w; strings.EqualFold(w.ID, id) {
			w.ODataContext = c.context("roleManagement/directory/"+schedulesSet(k), true)
			c.w.json(http.StatusOK, w)
			return
		}
	}
	c.notFound(schedulesSet(k), id)
}

// instanceID makes the opaque, non-GUID instance ids Graph uses.
func instanceID(k kind, scheduleID string) string {
	sum := sha256.Sum256([]byte(scheduleID))
	id := base64.RawURLEncoding.EncodeToString(sum[:32])
	if k == kindEligibility {
		return id + "-1-e"
	}
	return id + "-1"
}

func (s *Server) instances(k kind) []wireInstance {
	now := s.clock.Now()
	var out []wireInstance
	for _, e := range s.expandedSchedules(k) {
		sc, w := e.sc, e.w
		if sc.Spec.Start.After(now) {
			continue
		}
		in := wireInstance{
			ID: instanceID(k, w.ID), PrincipalID: w.PrincipalID, RoleDefinitionID: w.RoleDefinitionID, DirectoryScopeID: w.DirectoryScopeID,
			StartDateTime: graphTimePtr(&sc.Spec.Start), EndDateTime: graphTimePtr(sc.Spec.end()), MemberType: w.MemberType,
		}
		if k == kindEligibility {
			in.RoleEligibilityScheduleID = sc.ID
		} else {
			in.AssignmentType = sc.AssignmentType
			in.RoleAssignmentScheduleID = sc.ID
			in.RoleAssignmentOriginID = in.ID
		}
		out = append(out, in)
	}
	return out
}

func (c *call) listInstances(k kind) {
	var items []any
	for _, in := range c.s.instances(k) {
		if c.onlyCaller && in.PrincipalID != c.caller.PrincipalID {
			continue
		}
		items = append(items, in)
	}
	c.writeCollection("roleManagement/directory/"+instancesSet(k), items, 0)
}

func (c *call) getInstance(k kind, id string) {
	for _, in := range c.s.instances(k) {
		if in.ID == id {
			in.ODataContext = c.context("roleManagement/directory/"+instancesSet(k), true)
			c.w.json(http.StatusOK, in)
			return
		}
	}
	c.notFound(instancesSet(k), id)
}

// notFound answers an unknown id. guess: the PIM pages document no 404 body;
// this follows Graph's generic shape.
func (c *call) notFound(set, id string) {
	c.w.error(http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The %s object with id '%s' was not found.", set, id))
}

type wireRoleDefinition struct {
	ODataContext            string `json:"@odata.context,omitempty"`
	ID                      string `json:"id"`
	Description             string `json:"description"`
	DisplayName             string `json:"displayName"`
	IsBuiltIn               bool   `json:"isBuiltIn"`
	IsEnabled               bool   `json:"isEnabled"`
	TemplateID              string `json:"templateId"`
	Version                 string `json:"version"`
	RolePermissions         []any  `json:"rolePermissions"`         // not emulated: always empty
	InheritsPermissionsFrom []any  `json:"inheritsPermissionsFrom"` // not emulated: always empty
}

func (r roleDefinition) wire() wireRoleDefinition {
	return wireRoleDefinition{ID: r.ID, Description: r.Description, DisplayName: r.DisplayName, IsBuiltIn: true, IsEnabled: true,
		TemplateID: r.ID, Version: "1", RolePermissions: []any{}, InheritsPermissionsFrom: []any{}}
}

func (c *call) listRoleDefinitions() {
	items := make([]any, 0, len(c.s.roles))
	for _, r := range c.s.roles {
		items = append(items, r.wire())
	}
	c.writeCollection("roleManagement/directory/roleDefinitions", items, 0)
}

func (c *call) getRoleDefinition(id string) {
	r, ok := c.s.role(id)
	if !ok {
		c.notFound("roleDefinitions", id)
		return
	}
	w := r.wire()
	w.ODataContext = c.context("roleManagement/directory/roleDefinitions", true)
	c.w.json(http.StatusOK, w)
}
