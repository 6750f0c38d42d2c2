package core

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/access"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/journal"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
)

// State owns the emulator's data and time: the store (guarded by one
// RWMutex: reads shared, writes exclusive), the journal that makes writes
// durable, the clock, the timeline of timed changes, replication lag and
// the notification outbox. Every area reads and writes through View and
// Update, so time is applied and writes are journaled in one place.
type State struct {
	mu  sync.RWMutex
	st  *Store
	dir *tenant.Directory
	// outbox holds the e-mails PIM would have sent (guarded by mu).
	outbox  []odata.Object
	clock   Clock
	journal *journal.Journal
	log     *slog.Logger
	timers  Timers
	areas   map[string]AreaTimer
	// Access records what let each operation's callers through.
	Access access.Log
	// Lag hides schedules just written from the next reads.
	Lag Lag
	// written is the journal ticket of the newest write: reads wait until it
	// is on disk, so a write is visible only once it is durable.
	written atomic.Uint64
	// due is when the earliest time-based change falls (unix nanoseconds).
	due        atomic.Int64
	compacting atomic.Bool
}

// Timers are what areas do when time passes: the PIM engine records an
// expiry in the audit log and times out approval stages.
type Timers struct {
	Expired     func(tx *Tx, sc *Schedule, end time.Time)
	ApprovalDue func(tx *Tx, approvalID string)
}

// StateOptions configure a State.
type StateOptions struct {
	Clock Clock
	Dir   *tenant.Directory
	// DataFile, when set, makes state survive restarts.
	DataFile     string
	CompactEvery int
	Logger       *slog.Logger
	// Seed builds the starting state when there is nothing on disk.
	Seed func(now time.Time) *Store
	// openFile creates journal files (tests: one that fails on demand).
	openFile func(path string) (journal.File, error)
}

// OpenState loads the state from DataFile, or seeds it.
func OpenState(o StateOptions) (*State, error) {
	s := &State{dir: o.Dir, clock: o.Clock, log: o.Logger}
	if o.DataFile == "" {
		s.st = o.Seed(o.Clock.Now())
		s.refreshDue()
		return s, nil
	}
	l := &loader{}
	j, err := journal.Open(o.DataFile, o.CompactEvery, l, o.openFile)
	if err != nil {
		return nil, err
	}
	s.journal = j
	if l.st != nil && l.st.TenantID != "" {
		s.st = l.st
		s.refreshDue()
		return s, nil
	}
	s.st = o.Seed(o.Clock.Now())
	s.refreshDue()
	data, err := json.Marshal(snapshotOf(s.st, j.Covered()))
	if err != nil {
		return nil, err
	}
	return s, j.WriteSnapshot(data, j.Covered())
}

// SetTimers registers what happens when timed events fire.
func (s *State) SetTimers(t Timers) { s.timers = t }

// Clock is the state's clock.
func (s *State) Clock() Clock { return s.clock }

// Close flushes and closes the journal.
func (s *State) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.journal.Close()
}

// Update runs a write: time is applied first, fn validates and then
// changes the store, and the changes are journaled; the call returns once
// they are durable. fn must not change anything before it has validated.
func (s *State) Update(caller Identity, fn func(tx *Tx) *APIError) *APIError {
	s.mu.Lock()
	if err := s.Broken(); err != nil {
		s.mu.Unlock()
		return unavailable(err)
	}
	t := s.newTx(caller)
	t.advance()
	aerr := fn(t)
	lines, err := t.records()
	ticket := uint64(0)
	if err == nil {
		ticket = s.journal.Append(lines)
		s.written.Store(max(s.written.Load(), ticket))
	}
	s.refreshDueLocked()
	s.mu.Unlock()
	if err == nil {
		err = s.journal.Wait(ticket)
	}
	if err != nil {
		s.log.Error("persisting emulator state failed", "error", err)
		return unavailable(err)
	}
	s.maybeCompact()
	return aerr
}

// Broken is the journal's failure, if writing or syncing it failed: from
// then on the state on disk is behind memory, and nothing is served.
func (s *State) Broken() error { return s.journal.Err() }

// unavailable is the answer once the journal failed: 503, the emulator
// accepts nothing rather than answer from a state it could not keep.
func unavailable(err error) *APIError {
	return &APIError{http.StatusServiceUnavailable, "serviceNotAvailable",
		"The emulator could not write its data file (" + err.Error() + "): it accepts no more calls until it is restarted " +
			"on a writable disk; what it had acknowledged is on disk."}
}

// Unavailable is Broken's answer for a call (nil while the journal is sound).
func (s *State) Unavailable() *APIError {
	if err := s.Broken(); err != nil {
		return unavailable(err)
	}
	return nil
}

// View runs a read under the shared lock, after applying what time has
// made due.
func (s *State) View(caller Identity, fn func(tx *Tx)) {
	if s.clock.Now().UnixNano() >= s.due.Load() {
		_ = s.Update(caller, func(*Tx) *APIError { return nil })
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	_ = s.journal.Wait(s.written.Load()) // what is read is on disk
	fn(s.newTx(caller))
}

func (s *State) newTx(caller Identity) *Tx {
	return &Tx{St: s.st, Now: s.clock.Now(), Caller: caller, Dir: s.dir, state: s}
}

func (s *State) refreshDue() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshDueLocked()
}

func (s *State) refreshDueLocked() { s.due.Store(s.st.DueAt().UnixNano()) }

// maybeCompact writes a new snapshot when the journal has grown. Readers
// go on meanwhile; writers wait for the capture, not for the disk.
func (s *State) maybeCompact() {
	if !s.journal.Due() || !s.compacting.CompareAndSwap(false, true) {
		return
	}
	defer s.compacting.Store(false)
	s.mu.RLock()
	covered, err := s.journal.Rotate()
	var data []byte
	if err == nil {
		data, err = json.Marshal(snapshotOf(s.st, covered))
	}
	s.mu.RUnlock()
	if err == nil {
		err = s.journal.WriteSnapshot(data, covered)
	}
	if err != nil {
		s.log.Error("writing emulator snapshot failed", "error", err)
	}
}

// SnapshotJSON is the whole state as a snapshot (POST /_emulator/snapshot).
func (s *State) SnapshotJSON() ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return json.Marshal(snapshotOf(s.st, 0))
}

// Replace swaps the whole state (restore, reset) and writes it as a new
// snapshot at once.
func (s *State) Replace(st *Store) error {
	s.mu.Lock()
	s.st, s.outbox = st, nil
	for _, t := range s.areas {
		t.Rebuild(s.newTx(Identity{}))
	}
	s.refreshDueLocked()
	var data []byte
	var covered uint64
	var err error
	if s.journal != nil {
		if covered, err = s.journal.Rotate(); err == nil {
			data, err = json.Marshal(snapshotOf(st, covered))
		}
	}
	s.mu.Unlock()
	if s.journal == nil || err != nil {
		return err
	}
	return s.journal.WriteSnapshot(data, covered)
}

// Mail appends an e-mail to the outbox (under Update), keeping the last
// outboxSize.
func (tx *Tx) Mail(m odata.Object) {
	s := tx.state
	s.outbox = append(s.outbox, m)
	if len(s.outbox) > outboxSize {
		s.outbox = s.outbox[len(s.outbox)-outboxSize:]
	}
}

const outboxSize = 1000

// Outbox returns a copy of the outbox, after what time has made due (a
// review's reminder, say) has been sent.
func (s *State) Outbox() []odata.Object {
	s.View(Identity{}, func(*Tx) {})
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.outbox)
}

// ClearOutbox empties the outbox.
func (s *State) ClearOutbox() {
	s.mu.Lock()
	s.outbox = nil
	s.mu.Unlock()
}

// GraphTime formats like Graph: UTC with seven fractional digits.
func GraphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

// GraphTimePtr is GraphTime, or null for a missing time.
func GraphTimePtr(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return GraphTime(*t)
}

// NewID is a new object id.
func NewID() string { return uuid.NewString() }
