package alerts

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
)

// scanDue reports whether an enabled, undismissed alert was last scanned
// more than scanEvery ago (or never).
func (tx *tx) scanDue() bool {
	for _, t := range catalog {
		a := tx.load(t)
		if a.Config.Enabled && !a.Dismissed && (a.Scanned == nil || !a.Scanned.Add(scanEvery).After(tx.Now)) {
			return true
		}
	}
	return false
}

// scan recomputes the incidents of the given alert types (all when none):
// a refresh (force) reactivates dismissed alerts, as Graph's does.
func (tx *tx) scan(force bool, only ...*alertType) {
	types := only
	if len(types) == 0 {
		types = catalog
	}
	for _, t := range types {
		a := tx.load(t)
		if force {
			a.Dismissed = false
		}
		if a.Dismissed {
			continue
		}
		var found []incident
		if a.Config.Enabled {
			found = tx.find(t, &a.Config)
		}
		if !sameIncidents(a.Incidents, found) {
			now := tx.Now
			a.Modified = &now
		}
		now := tx.Now
		a.Incidents, a.Scanned = found, &now
		_ = tx.save(t, a) // a document of plain values always encodes
	}
}

func sameIncidents(a, b []incident) bool {
	return slices.EqualFunc(a, b, func(x, y incident) bool { return x.ID == y.ID && x.ActivationCount == y.ActivationCount })
}

// find computes an alert type's incidents from the state, sorted by id.
func (tx *tx) find(t *alertType, c *config) []incident {
	var out []incident
	switch t.name {
	case TooManyGlobalAdmins:
		out = tx.tooManyGlobalAdmins(c)
	case OutsidePim:
		out = tx.assignedOutsidePim()
	case NoMfaOnActivation:
		out = tx.noMfaOnActivation()
	case SequentialRenewals:
		out = tx.sequentialActivations(c)
	case Redundant:
		out = tx.unusedEligibilities(c)
	case StaleSignIn:
		out = tx.staleSignIns(c)
	case InvalidLicense:
		if l := tx.Dir.License; l != "P2" && l != "Governance" {
			out = []incident{{ID: tx.St.TenantID, License: l}}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// standing calls fn for each directory-role eligibility and assignment in
// effect (not activations: they rest on an eligibility).
func (tx *tx) standing(fn func(sc *core.Schedule)) {
	for k, sc := range tx.St.Standing {
		if k.Surface == core.SurfaceDirectory && !sc.Spec.Start.After(tx.Now) {
			fn(sc)
		}
	}
}

func (tx *tx) privileged(roleID string) bool {
	r, ok := tx.Dir.Role(roleID)
	return ok && r.Privileged
}

// tooManyGlobalAdmins: the principals holding Global Administrator at the
// tenant (eligible ones count) reach the count threshold, and Global
// Administrator assignments reach the percentage of all directory role
// assignments. Learn: only both together raise the alert.
func (tx *tx) tooManyGlobalAdmins(c *config) []incident {
	holders := map[string][]string{}
	total, ga := 0, 0
	tx.standing(func(sc *core.Schedule) {
		total++
		if sc.Key.Role == tenant.RoleGlobalAdministrator && sc.Key.Scope == "/" {
			ga++
			holders[sc.Key.Principal] = append(holders[sc.Key.Principal], sc.ID)
		}
	})
	if total == 0 || len(holders) < *c.GlobalAdminCount || ga*100 < *c.GlobalAdminPercent*total {
		return nil
	}
	out := make([]incident, 0, len(holders))
	for p, ids := range holders {
		sort.Strings(ids)
		out = append(out, incident{ID: p, Assignee: p, Schedules: ids})
	}
	return out
}

// assignedOutsidePim: direct role assignments of the last 30 days.
func (tx *tx) assignedOutsidePim() []incident {
	var out []incident
	tx.standing(func(sc *core.Schedule) {
		if sc.OutsidePIM && !sc.Created.Add(lookBack).Before(tx.Now) {
			created := sc.Created
			out = append(out, incident{ID: sc.ID, Assignee: sc.Key.Principal, Role: sc.Key.Role, Schedules: []string{sc.ID}, AssignmentCreated: &created})
		}
	})
	return out
}

// noMfaOnActivation: privileged roles whose activation needs neither MFA
// nor an authentication context.
func (tx *tx) noMfaOnActivation() []incident {
	var out []incident
	for _, r := range tx.Dir.Roles {
		if !r.Privileged {
			continue
		}
		p := tx.PolicyOf(core.DirectorySubject(r.ID))
		mfa := core.ContainsFold(p.Rule("Enablement_EndUser_Assignment").EnabledRules, "MultiFactorAuthentication")
		if ac := p.Rule("AuthenticationContext_EndUser_Assignment"); !mfa && (ac == nil || !ac.IsEnabled) {
			out = append(out, incident{ID: r.ID, Role: r.ID})
		}
	}
	return out
}

// activations are the times a principal activated each privileged role.
func (tx *tx) activations() map[[2]string][]time.Time {
	out := map[[2]string][]time.Time{}
	for _, r := range tx.St.Requests.Items {
		if r.Action == "selfActivate" && r.Status == core.StatusProvisioned && r.Key.Surface == core.SurfaceDirectory && tx.privileged(r.Key.Role) {
			k := [2]string{r.Key.Principal, r.Key.Role}
			out[k] = append(out[k], r.Created)
		}
	}
	return out
}

// sequentialActivations: a principal activated the same privileged role at
// least the threshold's times within the interval.
func (tx *tx) sequentialActivations(c *config) []incident {
	interval, err := isoduration.Parse(c.Interval)
	if err != nil {
		return nil
	}
	var out []incident
	for k, times := range tx.activations() {
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		best, from, to := 0, 0, 0
		for i, j := 0, 0; j < len(times); j++ {
			for interval.AddTo(times[i]).Before(times[j]) {
				i++
			}
			if n := j - i + 1; n > best {
				best, from, to = n, i, j
			}
		}
		if best >= *c.ActivationCount {
			start, end := times[from], times[to]
			out = append(out, incident{ID: k[0] + "_" + k[1], Assignee: k[0], Role: k[1], ActivationCount: best, SequenceStart: &start, SequenceEnd: &end})
		}
	}
	return out
}

// unusedEligibilities: eligibilities for privileged roles, older than the
// duration, not activated within it.
func (tx *tx) unusedEligibilities(c *config) []incident {
	d, err := isoduration.Parse(c.Duration)
	if err != nil {
		return nil
	}
	last := map[[2]string]time.Time{}
	for k, times := range tx.activations() {
		last[k] = slices.MaxFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	}
	var out []incident
	tx.standing(func(sc *core.Schedule) {
		if sc.Key.Kind != core.Eligible || !tx.privileged(sc.Key.Role) || d.AddTo(sc.Spec.Start).After(tx.Now) {
			return
		}
		inc := incident{ID: sc.ID, Assignee: sc.Key.Principal, Role: sc.Key.Role, Schedules: []string{sc.ID}}
		if t, ok := last[[2]string{sc.Key.Principal, sc.Key.Role}]; ok {
			if d.AddTo(t).After(tx.Now) {
				return // activated within the duration
			}
			inc.LastActivation = &t
		}
		out = append(out, inc)
	})
	return out
}

// staleSignIns: users in a privileged role who have not signed in within
// the duration. Users without a known sign-in are left out.
func (tx *tx) staleSignIns(c *config) []incident {
	d, err := isoduration.Parse(c.Duration)
	if err != nil {
		return nil
	}
	var out []incident
	tx.standing(func(sc *core.Schedule) {
		u, ok := tx.Dir.Users[strings.ToLower(sc.Key.Principal)]
		if !ok || u.LastSignIn == nil || !tx.privileged(sc.Key.Role) || d.AddTo(*u.LastSignIn).After(tx.Now) {
			return
		}
		created, signIn := sc.Created, *u.LastSignIn
		out = append(out, incident{ID: sc.ID, Assignee: sc.Key.Principal, Role: sc.Key.Role, Schedules: []string{sc.ID},
			AssignmentCreated: &created, LastSignIn: &signIn})
	})
	return out
}
