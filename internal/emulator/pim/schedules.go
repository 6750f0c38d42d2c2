package pim

import (
	"crypto/sha256"
	"encoding/base64"
	"sort"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Reading schedules, instances and requests, with $filter, $select,
// $expand and paging. Lists pick their candidates from an index when the
// filter names a principal, a role or an id, so a filtered read costs the
// same at ten schedules and at ten thousand.

func requestsSet(k core.Kind) string  { return roleMgmt + rolePrefix(k) + "ScheduleRequests" }
func schedulesSet(k core.Kind) string { return roleMgmt + rolePrefix(k) + "Schedules" }
func instancesSet(k core.Kind) string { return roleMgmt + rolePrefix(k) + "ScheduleInstances" }

func rolePrefix(k core.Kind) string {
	if k == core.Active {
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

	types = map[core.Kind]struct{ Request, Schedule, instance *wire.EntityType }{
		core.Eligible: {
			&wire.EntityType{"unifiedRoleEligibilityScheduleRequest", requestProps, append(baseNavs, "targetSchedule")},
			&wire.EntityType{"unifiedRoleEligibilitySchedule", scheduleProps, baseNavs},
			&wire.EntityType{"unifiedRoleEligibilityScheduleInstance", instanceProps, baseNavs},
		},
		core.Active: {
			&wire.EntityType{"unifiedRoleAssignmentScheduleRequest", requestProps, append(baseNavs, "targetSchedule", "activatedUsing")},
			&wire.EntityType{"unifiedRoleAssignmentSchedule", scheduleProps, append(baseNavs, "activatedUsing")},
			&wire.EntityType{"unifiedRoleAssignmentScheduleInstance", instanceProps, append(baseNavs, "activatedUsing")},
		},
	}
)

func requestType(k core.Kind) *wire.EntityType { return types[k].Request }

var errPIMRead = core.Forbidden("Listing PIM schedules and requests of the whole tenant needs a role such as Global Reader, Security Reader " +
	"or Privileged Role Administrator (or, app-only, RoleManagement.Read.Directory). Use filterByCurrentUser(on='principal') for your own.")

func (tx *tx) canReadPIM() bool { return tx.Allowed(permPIMRead, core.PIMReaderRoles) }

// entry is a schedule as a list shows it: its own (memberType Direct), or
// a group member's inherited copy (memberType Group).
type entry struct {
	sc        *core.Schedule
	principal string // the member for an inherited copy
	sub       int    // 0 for the schedule itself
}

func (e entry) cursor() string { return wire.SeqCursor(e.sc.Seq, e.sub) }

func (e entry) id() string {
	if e.sub == 0 {
		return e.sc.ID
	}
	return e.sc.ID + "_" + e.principal
}

// entries yields a schedule and its group-inherited copies.
func (tx *tx) entries(sc *core.Schedule) []entry {
	out := []entry{{sc: sc, principal: sc.Key.Principal}}
	if g, ok := tx.Dir.Groups[sc.Key.Principal]; ok {
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
func (tx *tx) eachEntry(k core.Kind, eq map[string][]string, after string, yield func(entry) bool) {
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
	for _, sc := range tx.St.Schedules.Items[tx.St.Schedules.After(start):] {
		if sc.Key.Kind != k || sc.Key.Surface != core.SurfaceDirectory || tx.a.st.Lag.Hidden(sc.ID) {
			continue
		}
		for _, e := range tx.entries(sc) {
			if e.cursor() > after && !yield(e) {
				return
			}
		}
	}
}

func (tx *tx) pinnedSchedules(eq map[string][]string) ([]*core.Schedule, bool) {
	var scheds []*core.Schedule
	switch {
	case len(eq["id"]) > 0:
		for _, id := range eq["id"] {
			base, _, _ := strings.Cut(id, "_")
			if sc, ok := tx.St.Schedules.Get(base); ok {
				scheds = append(scheds, sc)
			}
		}
	case len(eq["principalid"]) > 0:
		for _, p := range eq["principalid"] {
			p = strings.ToLower(p)
			scheds = append(scheds, tx.St.SchedByPrin.Sorted(p)...)
			for _, g := range tx.Dir.MemberOf[p] {
				scheds = append(scheds, tx.St.SchedByPrin.Sorted(g)...)
			}
		}
	case len(eq["roledefinitionid"]) > 0:
		for _, r := range eq["roledefinitionid"] {
			scheds = append(scheds, tx.St.SchedByRole.Sorted(r)...)
		}
	default:
		return nil, false
	}
	return scheds, true
}

func (tx *tx) expandEntries(k core.Kind, scheds []*core.Schedule, after string) []entry {
	seen := map[*core.Schedule]bool{}
	var out []entry
	for _, sc := range scheds {
		if seen[sc] || sc.Key.Kind != k || sc.Key.Surface != core.SurfaceDirectory {
			continue
		}
		seen[sc] = true
		if tx.a.st.Lag.Hidden(sc.ID) {
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
		{"appScopeId", nil}, {"createdUsing", sc.CreatedUsing}, {"createdDateTime", core.GraphTime(sc.Created)},
		{"modifiedDateTime", core.GraphTimePtr(sc.Modified)}, {"status", sc.Status}}
	if sc.Key.Kind == core.Active {
		o = append(o, odata.Property{Name: "assignmentType", Value: sc.AssignmentType})
	}
	return append(o, odata.Property{Name: "memberType", Value: memberType}, odata.Property{Name: "scheduleInfo", Value: scheduleInfoObject(&sc.Spec)})
}

func scheduleInfoObject(sp *core.ScheduleSpec) any {
	if sp == nil {
		return nil
	}
	exp := odata.Object{{"type", sp.ExpType}, {"endDateTime", nil}, {"duration", nil}}
	switch sp.ExpType {
	case "afterDateTime":
		exp = exp.With("endDateTime", core.GraphTimePtr(sp.End))
	case "afterDuration":
		exp = exp.With("duration", sp.Duration)
	}
	return odata.Object{{"startDateTime", core.GraphTimePtr(&sp.Start)}, {"recurrence", nil}, {"expiration", exp}}
}

func (tx *tx) scheduleItem(e entry) wire.Item {
	return wire.Item{Cursor: e.cursor(), Obj: tx.scheduleObject(e), Expand: func(x odata.Expand) any {
		if x.Name == "activatedUsing" {
			if elig, ok := tx.St.Schedules.Get(e.sc.ActivatedUsing); ok {
				return tx.scheduleObject(entry{sc: elig, principal: elig.Key.Principal})
			}
			return nil
		}
		return tx.expandCommon(x.Name, e.principal, e.sc.Key)
	}}
}

// expandCommon expands the navigations every PIM entity has.
func (tx *tx) expandCommon(nav, principal string, k core.Key) any {
	switch nav {
	case "principal":
		return tx.Dir.PrincipalObject(principal)
	case "roleDefinition":
		if r, ok := tx.Dir.Role(k.Role); ok {
			return r.Object()
		}
	case "directoryScope":
		return tx.Dir.ScopeObject(k.Scope)
	}
	return nil // appScope: application scopes are not emulated
}

// instanceID makes the opaque, non-GUID instance ids Graph uses.
func instanceID(k core.Kind, scheduleID string) string {
	sum := sha256.Sum256([]byte(scheduleID))
	id := base64.RawURLEncoding.EncodeToString(sum[:32])
	if k == core.Eligible {
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
		{"appScopeId", nil}, {"startDateTime", core.GraphTimePtr(&sc.Spec.Start)}, {"endDateTime", core.GraphTimePtr(sc.Spec.EffectiveEnd())}}
	if k == core.Eligible {
		return append(o, odata.Object{{"memberType", memberType}, {"roleEligibilityScheduleId", sc.ID}}...)
	}
	return append(o, odata.Object{{"assignmentType", sc.AssignmentType}, {"memberType", memberType},
		{"roleAssignmentOriginId", id}, {"roleAssignmentScheduleId", sc.ID}}...)
}

func (tx *tx) instanceItem(e entry) wire.Item {
	return wire.Item{Cursor: e.cursor(), Obj: tx.instanceObject(e), Expand: func(x odata.Expand) any {
		if x.Name == "activatedUsing" {
			if elig, ok := tx.St.Schedules.Get(e.sc.ActivatedUsing); ok {
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
