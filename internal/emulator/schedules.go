package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"sort"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// Reading schedules, instances and requests, with $filter, $select,
// $expand and paging. Lists pick their candidates from an index when the
// filter names a principal, a role or an id, so a filtered read costs the
// same at ten schedules and at ten thousand.

func requestsSet(k Kind) string  { return roleMgmt + rolePrefix(k) + "ScheduleRequests" }
func schedulesSet(k Kind) string { return roleMgmt + rolePrefix(k) + "Schedules" }
func instancesSet(k Kind) string { return roleMgmt + rolePrefix(k) + "ScheduleInstances" }

func rolePrefix(k Kind) string {
	if k == Active {
		return "roleAssignment"
	}
	return "roleEligibility"
}

var (
	baseNavs     = []string{"appScope", "directoryScope", "principal", "roleDefinition"}
	requestProps = []string{"id", "status", "createdDateTime", "completedDateTime", "approvalId", "customData", "action",
		"principalId", "roleDefinitionId", "directoryScopeId", "appScopeId", "isValidationOnly", "targetScheduleId",
		"justification", "createdBy", "scheduleInfo", "ticketInfo"}
	scheduleProps = []string{"id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId", "createdUsing",
		"createdDateTime", "modifiedDateTime", "status", "assignmentType", "memberType", "scheduleInfo"}
	instanceProps = []string{"id", "principalId", "roleDefinitionId", "directoryScopeId", "appScopeId", "startDateTime",
		"endDateTime", "assignmentType", "memberType", "roleEligibilityScheduleId", "roleAssignmentOriginId", "roleAssignmentScheduleId"}

	types = map[Kind]struct{ request, schedule, instance *entityType }{
		Eligible: {
			&entityType{"unifiedRoleEligibilityScheduleRequest", requestProps, append(baseNavs, "targetSchedule")},
			&entityType{"unifiedRoleEligibilitySchedule", scheduleProps, baseNavs},
			&entityType{"unifiedRoleEligibilityScheduleInstance", instanceProps, baseNavs},
		},
		Active: {
			&entityType{"unifiedRoleAssignmentScheduleRequest", requestProps, append(baseNavs, "targetSchedule", "activatedUsing")},
			&entityType{"unifiedRoleAssignmentSchedule", scheduleProps, append(baseNavs, "activatedUsing")},
			&entityType{"unifiedRoleAssignmentScheduleInstance", instanceProps, append(baseNavs, "activatedUsing")},
		},
	}
)

func requestType(k Kind) *entityType { return types[k].request }

var errPIMRead = forbidden("Listing PIM schedules and requests of the whole tenant needs a role such as Global Reader, Security Reader " +
	"or Privileged Role Administrator (or, app-only, RoleManagement.Read.Directory). Use filterByCurrentUser(on='principal') for your own.")

func (tx *tx) canReadPIM() bool { return tx.allowed(permPIMRead, pimReaderRoles) }

// entry is a schedule as a list shows it: its own (memberType Direct), or
// a group member's inherited copy (memberType Group).
type entry struct {
	sc        *schedule
	principal string // the member for an inherited copy
	sub       int    // 0 for the schedule itself
}

func (e entry) cursor() string { return seqCursor(e.sc.Seq, e.sub) }

func (e entry) id() string {
	if e.sub == 0 {
		return e.sc.ID
	}
	return e.sc.ID + "_" + e.principal
}

// entries yields a schedule and its group-inherited copies.
func (tx *tx) entries(sc *schedule) []entry {
	out := []entry{{sc: sc, principal: sc.Key.Principal}}
	if g, ok := tx.s.dir.groups[sc.Key.Principal]; ok {
		// guess: the docs list memberType Group without showing its shape;
		// one copy per member, its id suffixed with the member's id.
		for i, m := range g.Members {
			out = append(out, entry{sc: sc, principal: m, sub: i + 1})
		}
	}
	return out
}

// eachEntry yields, in order after the cursor, the entries a filter can
// match: from an index when the filter pins an id, a principal or a role,
// else from a scan that stops as soon as the page is full.
func (tx *tx) eachEntry(k Kind, eq map[string][]string, after string, yield func(entry) bool) {
	if pinned, ok := tx.pinnedSchedules(eq); ok {
		for _, e := range tx.expandEntries(k, pinned, after) {
			if !yield(e) {
				return
			}
		}
		return
	}
	start := cursorSeq(after)
	if start > 0 {
		start-- // the cursor's own schedule may have inherited copies left
	}
	for _, sc := range tx.st.schedules.items[tx.st.schedules.after(start):] {
		if sc.Key.Kind != k || sc.Key.Surface != surfaceDirectory || tx.s.lag.hidden(sc.ID) {
			continue
		}
		for _, e := range tx.entries(sc) {
			if e.cursor() > after && !yield(e) {
				return
			}
		}
	}
}

func (tx *tx) pinnedSchedules(eq map[string][]string) ([]*schedule, bool) {
	var scheds []*schedule
	switch {
	case len(eq["id"]) > 0:
		for _, id := range eq["id"] {
			base, _, _ := strings.Cut(id, "_")
			if sc, ok := tx.st.schedules.get(base); ok {
				scheds = append(scheds, sc)
			}
		}
	case len(eq["principalid"]) > 0:
		for _, p := range eq["principalid"] {
			p = strings.ToLower(p)
			scheds = append(scheds, tx.st.schedByPrin.sorted(p)...)
			for _, g := range tx.s.dir.memberOf[p] {
				scheds = append(scheds, tx.st.schedByPrin.sorted(g)...)
			}
		}
	case len(eq["roledefinitionid"]) > 0:
		for _, r := range eq["roledefinitionid"] {
			scheds = append(scheds, tx.st.schedByRole.sorted(r)...)
		}
	default:
		return nil, false
	}
	return scheds, true
}

func (tx *tx) expandEntries(k Kind, scheds []*schedule, after string) []entry {
	seen := map[*schedule]bool{}
	var out []entry
	for _, sc := range scheds {
		if seen[sc] || sc.Key.Kind != k || sc.Key.Surface != surfaceDirectory {
			continue
		}
		seen[sc] = true
		if tx.s.lag.hidden(sc.ID) {
			continue
		}
		for _, e := range tx.entries(sc) {
			if e.cursor() > after {
				out = append(out, e)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].cursor() < out[j].cursor() })
	return out
}

// cursorSeq reads the sequence number back from a cursor.
func cursorSeq(cursor string) uint64 {
	var seq uint64
	for i := 0; i < len(cursor) && cursor[i] >= '0' && cursor[i] <= '9'; i++ {
		seq = seq*10 + uint64(cursor[i]-'0')
	}
	return seq
}

func (tx *tx) scheduleObject(e entry) odata.Object {
	sc := e.sc
	memberType := "Direct"
	if e.sub > 0 {
		memberType = "Group"
	}
	o := odata.Object{{"id", e.id()}, {"principalId", e.principal}, {"roleDefinitionId", sc.Key.Role}, {"directoryScopeId", sc.Key.Scope},
		{"appScopeId", nil}, {"createdUsing", sc.CreatedUsing}, {"createdDateTime", graphTime(sc.Created)},
		{"modifiedDateTime", graphTimePtr(sc.Modified)}, {"status", sc.Status}}
	if sc.Key.Kind == Active {
		o = append(o, odata.Property{Name: "assignmentType", Value: sc.AssignmentType})
	}
	return append(o, odata.Property{Name: "memberType", Value: memberType}, odata.Property{Name: "scheduleInfo", Value: scheduleInfoObject(&sc.Spec)})
}

func scheduleInfoObject(sp *scheduleSpec) any {
	if sp == nil {
		return nil
	}
	exp := odata.Object{{"type", sp.ExpType}, {"endDateTime", nil}, {"duration", nil}}
	switch sp.ExpType {
	case "afterDateTime":
		exp = exp.With("endDateTime", graphTimePtr(sp.End))
	case "afterDuration":
		exp = exp.With("duration", sp.Duration)
	}
	return odata.Object{{"startDateTime", graphTimePtr(&sp.Start)}, {"recurrence", nil}, {"expiration", exp}}
}

func (tx *tx) scheduleItem(e entry) item {
	return item{cursor: e.cursor(), obj: tx.scheduleObject(e), expand: func(x odata.Expand) any {
		if x.Name == "activatedUsing" {
			if elig, ok := tx.st.schedules.get(e.sc.ActivatedUsing); ok {
				return tx.scheduleObject(entry{sc: elig, principal: elig.Key.Principal})
			}
			return nil
		}
		return tx.expandCommon(x.Name, e.principal, e.sc.Key)
	}}
}

// expandCommon expands the navigations every PIM entity has.
func (tx *tx) expandCommon(nav, principal string, k key) any {
	switch nav {
	case "principal":
		return tx.s.dir.principalObject(principal)
	case "roleDefinition":
		if r, ok := tx.s.dir.role(k.Role); ok {
			return r.object()
		}
	case "directoryScope":
		return tx.s.dir.scopeObject(k.Scope)
	}
	return nil // appScope: application scopes are not emulated
}

// instanceID makes the opaque, non-GUID instance ids Graph uses.
func instanceID(k Kind, scheduleID string) string {
	sum := sha256.Sum256([]byte(scheduleID))
	id := base64.RawURLEncoding.EncodeToString(sum[:32])
	if k == Eligible {
		return id + "-1-e"
	}
	return id + "-1"
}

func (tx *tx) instanceObject(e entry) odata.Object {
	sc := e.sc
	k := sc.Key.Kind
	s := tx.scheduleObject(e)
	memberType, _ := s.Get("memberType")
	id := instanceID(k, e.id())
	o := odata.Object{{"id", id}, {"principalId", e.principal}, {"roleDefinitionId", sc.Key.Role}, {"directoryScopeId", sc.Key.Scope},
		{"appScopeId", nil}, {"startDateTime", graphTimePtr(&sc.Spec.Start)}, {"endDateTime", graphTimePtr(sc.Spec.end())}}
	if k == Eligible {
		return append(o, odata.Object{{"memberType", memberType}, {"roleEligibilityScheduleId", sc.ID}}...)
	}
	return append(o, odata.Object{{"assignmentType", sc.AssignmentType}, {"memberType", memberType},
		{"roleAssignmentOriginId", id}, {"roleAssignmentScheduleId", sc.ID}}...)
}

func (tx *tx) instanceItem(e entry) item {
	return item{cursor: e.cursor(), obj: tx.instanceObject(e), expand: func(x odata.Expand) any {
		if x.Name == "activatedUsing" {
			if elig, ok := tx.st.schedules.get(e.sc.ActivatedUsing); ok {
				return tx.instanceObject(entry{sc: elig, principal: elig.Key.Principal})
			}
			return nil
		}
		return tx.expandCommon(x.Name, e.principal, e.sc.Key)
	}}
}

// currentUserFunction parses the filterByCurrentUser(on='…') segment.
func currentUserFunction(seg string) (on string, ok bool) {
	rest, found := strings.CutPrefix(strings.ToLower(seg), "filterbycurrentuser(on=")
	if !found || !strings.HasSuffix(rest, ")") {
		return "", false
	}
	return strings.Trim(strings.TrimSuffix(rest, ")"), "'"), true
}
