package core

import (
	"container/heap"
	"strings"
	"time"
)

// The passage of time: future schedules start, schedules expire at their
// end, requests waiting for a future start take effect, approval stages time
// out, and old requests and audit records are purged. Instead of scanning
// every schedule on every call, each timed change is an event in a heap;
// a call only takes the write lock when the earliest event is due.

type EventKind int

const (
	EvScheduleStart EventKind = iota
	EvScheduleEnd
	EvRequestStart
	EvApprovalTimeout
	EvArea // an area's own event (Tx.After): id is "area\x00id"
)

type event struct {
	at   time.Time
	kind EventKind
	id   string
}

// timeline holds pending events. Events are hints: when one fires, its
// handler checks that the entity still exists and is still due, so changes
// (an update that moves an end) never need to remove old events.
type Timeline []event

func (t Timeline) Len() int           { return len(t) }
func (t Timeline) Less(i, j int) bool { return t[i].at.Before(t[j].at) }
func (t Timeline) Swap(i, j int)      { t[i], t[j] = t[j], t[i] }
func (t *Timeline) Push(x any)        { *t = append(*t, x.(event)) } //nolint:forcetypeassert // heap.Interface contract
func (t *Timeline) Pop() any {
	old := *t
	e := old[len(old)-1]
	*t = old[:len(old)-1]
	return e
}

func (t *Timeline) at(at time.Time, kind EventKind, id string) {
	heap.Push(t, event{at: at, kind: kind, id: id})
}

func (t *Timeline) ScheduleChanged(sc *Schedule) {
	if sc.Status == StatusGranted {
		t.at(sc.Spec.Start, EvScheduleStart, sc.ID)
	}
	if end := sc.Spec.EffectiveEnd(); end != nil {
		t.at(*end, EvScheduleEnd, sc.ID)
	}
}

func (t *Timeline) RequestChanged(r *Request) {
	if r.Status == StatusGranted && r.Schedule != nil && !r.Schedule.Start.IsZero() {
		t.at(r.Schedule.Start, EvRequestStart, r.ID)
	}
}

// next is the earliest pending event.
func (t Timeline) next() (time.Time, bool) {
	if len(t) == 0 {
		return time.Time{}, false
	}
	return t[0].at, true
}

// dueAt is the earliest moment anything time-based changes: an event, the
// purge of the oldest request or of the oldest audit record.
func (st *Store) DueAt() time.Time {
	due := MaxDateTime
	if t, ok := st.Timeline.next(); ok && t.Before(due) {
		due = t
	}
	if len(st.Requests.Items) > 0 {
		if t := st.Requests.Items[0].Created.Add(RequestPurgeAge); t.Before(due) {
			due = t
		}
	}
	if t, ok := st.AuditLog.Oldest(); ok && t.Add(AuditRetention).Before(due) {
		due = t.Add(AuditRetention)
	}
	return due
}

// advance applies everything due at tx.now.
func (tx *Tx) advance() {
	st := tx.St
	for {
		at, ok := st.Timeline.next()
		if !ok || at.After(tx.Now) {
			break
		}
		e := heap.Pop(&st.Timeline).(event) //nolint:forcetypeassert // only events are pushed
		tx.fire(e)
	}
	for len(st.Requests.Items) > 0 && !st.Requests.Items[0].Created.Add(RequestPurgeAge).After(tx.Now) {
		r := st.Requests.Items[0]
		st.RemoveRequest(r)
		tx.Touch(EntRequest, r.ID)
		tx.Touch(EntApproval, r.ID)
	}
	for _, id := range st.AuditLog.Purge(tx.Now.Add(-AuditRetention)) {
		tx.Touch(EntAudit, id)
	}
}

func (tx *Tx) fire(e event) {
	st := tx.St
	switch e.kind {
	case EvScheduleStart:
		if sc, ok := st.Schedules.Get(e.id); ok && sc.Status == StatusGranted && !sc.Spec.Start.After(tx.Now) {
			sc.Status = StatusProvisioned
			tx.Touch(EntSchedule, sc.ID)
		}
	case EvScheduleEnd:
		if sc, ok := st.Schedules.Get(e.id); ok {
			if end := sc.Spec.EffectiveEnd(); end != nil && !end.After(tx.Now) {
				tx.expire(sc, *end)
			}
		}
	case EvRequestStart:
		if r, ok := st.Requests.Get(e.id); ok && r.Status == StatusGranted && r.Schedule != nil && !r.Schedule.Start.After(tx.Now) {
			r.Status = StatusProvisioned
			start := r.Schedule.Start
			r.Completed = &start
			tx.Touch(EntRequest, r.ID)
		}
	case EvApprovalTimeout:
		if f := tx.state.timers.ApprovalDue; f != nil {
			f(tx, e.id)
		}
	case EvArea:
		area, id, _ := strings.Cut(e.id, "\x00")
		if t, ok := tx.state.areas[area]; ok {
			t.Fire(tx, id)
		}
	}
}

// expire removes a schedule that reached its end and records it, dated at
// the end rather than when the emulator noticed.
func (tx *Tx) expire(sc *Schedule, end time.Time) {
	tx.St.RemoveSchedule(sc)
	tx.Touch(EntSchedule, sc.ID)
	if f := tx.state.timers.Expired; f != nil {
		f(tx, sc, end)
	}
}

// AreaTimer is an area's time-based work. Fire runs an event the area
// scheduled with Tx.After; Rebuild schedules its pending events again from
// its documents, after the state was loaded or restored (the timeline is
// not persisted: it is rebuilt from the entities).
type AreaTimer struct {
	Fire    func(tx *Tx, id string)
	Rebuild func(tx *Tx)
}

// After schedules an area's event at a time; like every event it is a
// hint, and Fire checks that it is still due.
func (tx *Tx) After(at time.Time, area, id string) {
	tx.St.Timeline.at(at, EvArea, area+"\x00"+id)
}

// AddAreaTimer registers an area's timer and lets it schedule what is
// pending in the current state.
func (s *State) AddAreaTimer(area string, t AreaTimer) {
	s.mu.Lock()
	if s.areas == nil {
		s.areas = map[string]AreaTimer{}
	}
	s.areas[area] = t
	s.mu.Unlock()
	_ = s.Update(Identity{}, func(tx *Tx) *APIError { t.Rebuild(tx); return nil })
}
