package core

import (
	"sort"
	"strings"
	"time"
)

// store is the emulator's state with the indexes that keep reads and writes
// independent of its size: entities by id, the one standing schedule and the
// one activation per key, schedules and requests by principal and by role.
// Every method runs under Server.mu (read or write as its name says).
type Store struct {
	TenantID string
	seq      uint64

	Schedules Ordered[*Schedule]
	Requests  Ordered[*Request]
	Approvals map[string]*Approval // by request id (Graph: approvalId = request id)
	Policies  map[string]*Policy   // by policyKey
	AuditLog  AuditLog
	Docs      Docs // areas' own entities (see docs.go)

	Standing    map[Key]*Schedule
	Activations map[Key]*Schedule
	SchedByPrin Index[*Schedule]
	SchedByRole Index[*Schedule]
	ReqByPrin   Index[*Request]

	Timeline Timeline
}

func NewStore(tenantID string) *Store {
	return &Store{
		TenantID:    tenantID,
		Schedules:   newOrdered[*Schedule](),
		Requests:    newOrdered[*Request](),
		Approvals:   map[string]*Approval{},
		Policies:    map[string]*Policy{},
		Docs:        Docs{},
		Standing:    map[Key]*Schedule{},
		Activations: map[Key]*Schedule{},
		SchedByPrin: Index[*Schedule]{},
		SchedByRole: Index[*Schedule]{},
		ReqByPrin:   Index[*Request]{},
	}
}

func (st *Store) NextSeq() uint64 {
	st.seq++
	return st.seq
}

func (sc *Schedule) seqNo() uint64      { return sc.Seq }
func (sc *Schedule) entityID() string   { return sc.ID }
func (r *Request) seqNo() uint64        { return r.Seq }
func (r *Request) entityID() string     { return r.ID }
func (a *AuditRecord) seqNo() uint64    { return a.Seq }
func (a *AuditRecord) entityID() string { return a.ID }

func (st *Store) AddSchedule(sc *Schedule) {
	if sc.Seq == 0 {
		sc.Seq = st.NextSeq()
	} else if sc.Seq > st.seq {
		st.seq = sc.Seq
	}
	st.Schedules.Add(sc)
	if sc.Activated() {
		st.Activations[sc.Key] = sc
	} else {
		st.Standing[sc.Key] = sc
	}
	st.SchedByPrin.Add(sc.Key.Principal, sc)
	st.SchedByRole.Add(sc.Key.Role, sc)
	st.Timeline.ScheduleChanged(sc)
}

func (st *Store) RemoveSchedule(sc *Schedule) {
	st.Schedules.Remove(sc)
	if sc.Activated() {
		if st.Activations[sc.Key] == sc {
			delete(st.Activations, sc.Key)
		}
	} else if st.Standing[sc.Key] == sc {
		delete(st.Standing, sc.Key)
	}
	st.SchedByPrin.Remove(sc.Key.Principal, sc)
	st.SchedByRole.Remove(sc.Key.Role, sc)
}

func (st *Store) AddRequest(r *Request) {
	if r.Seq == 0 {
		r.Seq = st.NextSeq()
	} else if r.Seq > st.seq {
		st.seq = r.Seq
	}
	st.Requests.Add(r)
	st.ReqByPrin.Add(r.Key.Principal, r)
	if r.CreatedBy != r.Key.Principal {
		st.ReqByPrin.Add(r.CreatedBy, r)
	}
	st.Timeline.RequestChanged(r)
}

func (st *Store) RemoveRequest(r *Request) {
	st.Requests.Remove(r)
	st.ReqByPrin.Remove(r.Key.Principal, r)
	st.ReqByPrin.Remove(r.CreatedBy, r)
	delete(st.Approvals, r.ID)
}

// entity is what ordered and index hold.
type entity interface {
	comparable
	seqNo() uint64
	entityID() string
}

// ordered keeps entities by id and in creation order (their sequence
// numbers), so collections page in a stable order without sorting.
type Ordered[T entity] struct {
	Items []T
	byID  map[string]T
}

func newOrdered[T entity]() Ordered[T] { return Ordered[T]{byID: map[string]T{}} }

func (o *Ordered[T]) Add(x T) {
	o.byID[strings.ToLower(x.entityID())] = x
	if n := len(o.Items); n == 0 || o.Items[n-1].seqNo() < x.seqNo() {
		o.Items = append(o.Items, x)
		return
	}
	i := o.After(x.seqNo() - 1)
	var zero T
	o.Items = append(o.Items, zero)
	copy(o.Items[i+1:], o.Items[i:])
	o.Items[i] = x
}

func (o *Ordered[T]) Remove(x T) {
	delete(o.byID, strings.ToLower(x.entityID()))
	i := o.After(x.seqNo() - 1)
	if i < len(o.Items) && o.Items[i] == x {
		o.Items = append(o.Items[:i], o.Items[i+1:]...)
	}
}

func (o *Ordered[T]) Get(id string) (T, bool) {
	x, ok := o.byID[strings.ToLower(id)]
	return x, ok
}

// after returns the position of the first entity with a sequence number
// greater than seq.
func (o *Ordered[T]) After(seq uint64) int {
	return sort.Search(len(o.Items), func(i int) bool { return o.Items[i].seqNo() > seq })
}

// index maps a lower-case value (a principal id, a role id) to entities.
type Index[T entity] map[string]map[T]struct{}

func (ix Index[T]) Add(k string, x T) {
	set, ok := ix[k]
	if !ok {
		set = map[T]struct{}{}
		ix[k] = set
	}
	set[x] = struct{}{}
}

func (ix Index[T]) Remove(k string, x T) {
	if set, ok := ix[k]; ok {
		delete(set, x)
		if len(set) == 0 {
			delete(ix, k)
		}
	}
}

// sorted returns the entities under k in creation order.
func (ix Index[T]) Sorted(k string) []T {
	set := ix[strings.ToLower(k)]
	out := make([]T, 0, len(set))
	for x := range set {
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seqNo() < out[j].seqNo() })
	return out
}

// ActiveGroupMembers are the principals whose PIM for Groups assignment of
// the access (member or owner) to the group is in effect at now.
func (st *Store) ActiveGroupMembers(groupID, access string, now time.Time) []string {
	var out []string
	for _, sc := range st.Schedules.Items {
		k := sc.Key
		if k.Surface == SurfaceGroup && k.Kind == Active && k.Scope == groupID && k.Role == access && !sc.Spec.Start.After(now) {
			out = append(out, k.Principal)
		}
	}
	return out
}
