package emulator

import (
	"sort"
	"strings"
)

// store is the emulator's state with the indexes that keep reads and writes
// independent of its size: entities by id, the one standing schedule and the
// one activation per key, schedules and requests by principal and by role.
// Every method runs under Server.mu (read or write as its name says).
type store struct {
	TenantID string
	seq      uint64

	schedules ordered[*schedule]
	requests  ordered[*request]
	approvals map[string]*approval // by request id (Graph: approvalId = request id)
	policies  map[string]*Policy   // by policyKey
	audit     auditLog

	standing    map[key]*schedule
	activations map[key]*schedule
	schedByPrin index[*schedule]
	schedByRole index[*schedule]
	reqByPrin   index[*request]

	timeline timeline
}

func newStore(tenantID string) *store {
	return &store{
		TenantID:    tenantID,
		schedules:   newOrdered[*schedule](),
		requests:    newOrdered[*request](),
		approvals:   map[string]*approval{},
		policies:    map[string]*Policy{},
		standing:    map[key]*schedule{},
		activations: map[key]*schedule{},
		schedByPrin: index[*schedule]{},
		schedByRole: index[*schedule]{},
		reqByPrin:   index[*request]{},
	}
}

func (st *store) nextSeq() uint64 {
	st.seq++
	return st.seq
}

func (sc *schedule) seqNo() uint64      { return sc.Seq }
func (sc *schedule) entityID() string   { return sc.ID }
func (r *request) seqNo() uint64        { return r.Seq }
func (r *request) entityID() string     { return r.ID }
func (a *auditRecord) seqNo() uint64    { return a.Seq }
func (a *auditRecord) entityID() string { return a.ID }

func (st *store) addSchedule(sc *schedule) {
	if sc.Seq == 0 {
		sc.Seq = st.nextSeq()
	} else if sc.Seq > st.seq {
		st.seq = sc.Seq
	}
	st.schedules.add(sc)
	if sc.activated() {
		st.activations[sc.Key] = sc
	} else {
		st.standing[sc.Key] = sc
	}
	st.schedByPrin.add(sc.Key.Principal, sc)
	st.schedByRole.add(sc.Key.Role, sc)
	st.timeline.scheduleChanged(sc)
}

func (st *store) removeSchedule(sc *schedule) {
	st.schedules.remove(sc)
	if sc.activated() {
		if st.activations[sc.Key] == sc {
			delete(st.activations, sc.Key)
		}
	} else if st.standing[sc.Key] == sc {
		delete(st.standing, sc.Key)
	}
	st.schedByPrin.remove(sc.Key.Principal, sc)
	st.schedByRole.remove(sc.Key.Role, sc)
}

func (st *store) addRequest(r *request) {
	if r.Seq == 0 {
		r.Seq = st.nextSeq()
	} else if r.Seq > st.seq {
		st.seq = r.Seq
	}
	st.requests.add(r)
	st.reqByPrin.add(r.Key.Principal, r)
	if r.CreatedBy != r.Key.Principal {
		st.reqByPrin.add(r.CreatedBy, r)
	}
	st.timeline.requestChanged(r)
}

func (st *store) removeRequest(r *request) {
	st.requests.remove(r)
	st.reqByPrin.remove(r.Key.Principal, r)
	st.reqByPrin.remove(r.CreatedBy, r)
	delete(st.approvals, r.ID)
}

// entity is what ordered and index hold.
type entity interface {
	comparable
	seqNo() uint64
	entityID() string
}

// ordered keeps entities by id and in creation order (their sequence
// numbers), so collections page in a stable order without sorting.
type ordered[T entity] struct {
	items []T
	byID  map[string]T
}

func newOrdered[T entity]() ordered[T] { return ordered[T]{byID: map[string]T{}} }

func (o *ordered[T]) add(x T) {
	o.byID[strings.ToLower(x.entityID())] = x
	if n := len(o.items); n == 0 || o.items[n-1].seqNo() < x.seqNo() {
		o.items = append(o.items, x)
		return
	}
	i := o.after(x.seqNo() - 1)
	var zero T
	o.items = append(o.items, zero)
	copy(o.items[i+1:], o.items[i:])
	o.items[i] = x
}

func (o *ordered[T]) remove(x T) {
	delete(o.byID, strings.ToLower(x.entityID()))
	i := o.after(x.seqNo() - 1)
	if i < len(o.items) && o.items[i] == x {
		o.items = append(o.items[:i], o.items[i+1:]...)
	}
}

func (o *ordered[T]) get(id string) (T, bool) {
	x, ok := o.byID[strings.ToLower(id)]
	return x, ok
}

// after returns the position of the first entity with a sequence number
// greater than seq.
func (o *ordered[T]) after(seq uint64) int {
	return sort.Search(len(o.items), func(i int) bool { return o.items[i].seqNo() > seq })
}

// index maps a lower-case value (a principal id, a role id) to entities.
type index[T entity] map[string]map[T]struct{}

func (ix index[T]) add(k string, x T) {
	set, ok := ix[k]
	if !ok {
		set = map[T]struct{}{}
		ix[k] = set
	}
	set[x] = struct{}{}
}

func (ix index[T]) remove(k string, x T) {
	if set, ok := ix[k]; ok {
		delete(set, x)
		if len(set) == 0 {
			delete(ix, k)
		}
	}
}

// sorted returns the entities under k in creation order.
func (ix index[T]) sorted(k string) []T {
	set := ix[strings.ToLower(k)]
	out := make([]T, 0, len(set))
	for x := range set {
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seqNo() < out[j].seqNo() })
	return out
}
