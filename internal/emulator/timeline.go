package emulator

import (
	"container/heap"
	"time"
)

// The passage of time: future schedules start, schedules expire at their
// end, requests waiting for a future start take effect, approval stages time
// out, and old requests and audit records are purged. Instead of scanning
// every schedule on every call, each timed change is an event in a heap;
// a call only takes the write lock when the earliest event is due.

type eventKind int

const (
	evScheduleStart eventKind = iota
	evScheduleEnd
	evRequestStart
	evApprovalTimeout
)

type event struct {
	at   time.Time
	kind eventKind
	id   string
}

// timeline holds pending events. Events are hints: when one fires, its
// handler checks that the entity still exists and is still due, so changes
// (an update that moves an end) never need to remove old events.
type timeline []event

func (t timeline) Len() int           { return len(t) }
func (t timeline) Less(i, j int) bool { return t[i].at.Before(t[j].at) }
func (t timeline) Swap(i, j int)      { t[i], t[j] = t[j], t[i] }
func (t *timeline) Push(x any)        { *t = append(*t, x.(event)) } //nolint:forcetypeassert // heap.Interface contract
func (t *timeline) Pop() any {
	old := *t
	e := old[len(old)-1]
	*t = old[:len(old)-1]
	return e
}

func (t *timeline) at(at time.Time, kind eventKind, id string) {
	heap.Push(t, event{at: at, kind: kind, id: id})
}

func (t *timeline) scheduleChanged(sc *schedule) {
	if sc.Status == statusGranted {
		t.at(sc.Spec.Start, evScheduleStart, sc.ID)
	}
	if end := sc.Spec.end(); end != nil {
		t.at(*end, evScheduleEnd, sc.ID)
	}
}

func (t *timeline) requestChanged(r *request) {
	if r.Status == statusGranted && r.Schedule != nil && !r.Schedule.Start.IsZero() {
		t.at(r.Schedule.Start, evRequestStart, r.ID)
	}
}

// next is the earliest pending event.
func (t timeline) next() (time.Time, bool) {
	if len(t) == 0 {
		return time.Time{}, false
	}
	return t[0].at, true
}

// dueAt is the earliest moment anything time-based changes: an event, the
// purge of the oldest request or of the oldest audit record.
func (st *store) dueAt() time.Time {
	due := maxDateTime
	if t, ok := st.timeline.next(); ok && t.Before(due) {
		due = t
	}
	if len(st.requests.items) > 0 {
		if t := st.requests.items[0].Created.Add(requestPurgeAge); t.Before(due) {
			due = t
		}
	}
	if t, ok := st.audit.oldest(); ok && t.Add(auditRetention).Before(due) {
		due = t.Add(auditRetention)
	}
	return due
}

// advance applies everything due at tx.now.
func (tx *tx) advance() {
	st := tx.st
	for {
		at, ok := st.timeline.next()
		if !ok || at.After(tx.now) {
			break
		}
		e := heap.Pop(&st.timeline).(event) //nolint:forcetypeassert // only events are pushed
		tx.fire(e)
	}
	for len(st.requests.items) > 0 && !st.requests.items[0].Created.Add(requestPurgeAge).After(tx.now) {
		r := st.requests.items[0]
		st.removeRequest(r)
		tx.touch(entRequest, r.ID)
		tx.touch(entApproval, r.ID)
	}
	for _, id := range st.audit.purge(tx.now.Add(-auditRetention)) {
		tx.touch(entAudit, id)
	}
}

func (tx *tx) fire(e event) {
	st := tx.st
	switch e.kind {
	case evScheduleStart:
		if sc, ok := st.schedules.get(e.id); ok && sc.Status == statusGranted && !sc.Spec.Start.After(tx.now) {
			sc.Status = statusProvisioned
			tx.touch(entSchedule, sc.ID)
		}
	case evScheduleEnd:
		if sc, ok := st.schedules.get(e.id); ok {
			if end := sc.Spec.end(); end != nil && !end.After(tx.now) {
				tx.expire(sc, *end)
			}
		}
	case evRequestStart:
		if r, ok := st.requests.get(e.id); ok && r.Status == statusGranted && r.Schedule != nil && !r.Schedule.Start.After(tx.now) {
			r.Status = statusProvisioned
			start := r.Schedule.Start
			r.Completed = &start
			tx.touch(entRequest, r.ID)
		}
	case evApprovalTimeout:
		tx.timeoutApproval(e.id)
	}
}

// expire removes a schedule that reached its end and records it, dated at
// the end rather than when the emulator noticed.
func (tx *tx) expire(sc *schedule, end time.Time) {
	tx.st.removeSchedule(sc)
	tx.touch(entSchedule, sc.ID)
	tx.auditExpiry(sc, end)
}
