package core

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Persistence: a snapshot (the data file) plus an append-only journal of
// entity changes beside it (<data file>.journal.<generation>). A write is
// acknowledged once its journal records are fsynced; concurrent writes share
// one fsync (group commit), and readers never wait for the disk. When the
// journal has grown, the store is written as a new snapshot (temporary file,
// fsync, rename) and the journals it covers are deleted. A crash at any
// point leaves a snapshot and the journals after it: loading replays them,
// ignoring a torn last line (a write that was never acknowledged).

const snapshotVersion = 2

type Snapshot struct {
	Version    int            `json:"version"`
	Generation uint64         `json:"generation"` // journals up to this one are included
	TenantID   string         `json:"tenantId"`
	Seq        uint64         `json:"seq"`
	Schedules  []*Schedule    `json:"schedules"`
	Requests   []*Request     `json:"requests"`
	Approvals  []*Approval    `json:"approvals"`
	Policies   []*Policy      `json:"policies"`
	Audit      []*AuditRecord `json:"audit"`
	Docs       Docs           `json:"docs,omitempty"`
}

type Journal struct {
	path         string // the snapshot; journals are path.journal.N
	compactEvery int

	mu       sync.Mutex // file, gen, appended, since, err
	f        journalFile
	gen      uint64
	appended uint64
	since    int
	err      error

	syncMu sync.Mutex // one fsync at a time
	// synced is the newest ticket on disk; read without syncMu so that a
	// read with nothing to wait for takes no lock (the emulator's hot path).
	synced atomic.Uint64
}

// journalFile is where journal records go: an *os.File, or in tests one
// that fails on demand.
type journalFile interface {
	Write(p []byte) (int, error)
	Sync() error
	Close() error
}

// openJournalFile creates a journal generation's file.
var openJournalFile = func(path string) (journalFile, error) {
	return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_EXCL, 0o600)
}

func (j *Journal) journalPath(gen uint64) string {
	return j.path + ".journal." + strconv.FormatUint(gen, 10)
}

// openJournal loads the state at path (nil when there is none) and opens a
// fresh journal generation for new writes.
func openJournal(path string, compactEvery int) (*Journal, *Store, error) {
	j := &Journal{path: path, compactEvery: compactEvery}
	removeStrayTemps(filepath.Dir(path))
	st, lastGen, err := j.load()
	if err != nil {
		return nil, nil, err
	}
	j.gen = lastGen + 1
	if j.f, err = openJournalFile(j.journalPath(j.gen)); err != nil {
		return nil, nil, err
	}
	return j, st, syncDir(filepath.Dir(path))
}

func removeStrayTemps(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, ".pimemulator-*.tmp"))
	for _, m := range matches {
		_ = os.Remove(m)
	}
}

// load reads the snapshot and replays the journals written after it.
func (j *Journal) load() (*Store, uint64, error) {
	var st *Store
	var snapGen uint64
	data, err := os.ReadFile(j.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, 0, err
	default:
		var snap Snapshot
		if err := json.Unmarshal(data, &snap); err != nil {
			return nil, 0, fmt.Errorf("data file %s is corrupt: %w", j.path, err)
		}
		if snap.Version != snapshotVersion {
			return nil, 0, fmt.Errorf("data file %s was written by an older emulator (format %d); delete it to start afresh", j.path, snap.Version)
		}
		st, snapGen = snap.restore(), snap.Generation
	}
	gens, err := j.generations()
	if err != nil {
		return nil, 0, err
	}
	last := snapGen
	for _, g := range gens {
		if g <= snapGen {
			_ = os.Remove(j.journalPath(g)) // covered by the snapshot
			continue
		}
		if st == nil {
			st = NewStore("")
		}
		if err := replay(st, j.journalPath(g)); err != nil {
			return nil, 0, err
		}
		last = g
	}
	return st, last, nil
}

func (j *Journal) generations() ([]uint64, error) {
	matches, err := filepath.Glob(j.path + ".journal.*")
	if err != nil {
		return nil, err
	}
	var gens []uint64
	for _, m := range matches {
		if g, err := strconv.ParseUint(strings.TrimPrefix(m, j.path+".journal."), 10, 64); err == nil {
			gens = append(gens, g)
		}
	}
	sort.Slice(gens, func(a, b int) bool { return gens[a] < gens[b] })
	return gens, nil
}

func replay(st *Store, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for line := 1; sc.Scan(); line++ {
		var rec record
		err := json.Unmarshal(sc.Bytes(), &rec)
		if err == nil {
			err = st.apply(rec)
		}
		if err != nil {
			if !bytes.HasSuffix(data, []byte("\n")) && bytes.HasSuffix(data, sc.Bytes()) {
				return nil // a torn last line: that write was never acknowledged
			}
			return fmt.Errorf("journal %s is corrupt at line %d: %w", path, line, err)
		}
	}
	return sc.Err()
}

// append writes records (one line each) and returns the ticket to wait for.
// Callers hold Server.mu for writing, so lines keep the order of the writes.
func (j *Journal) append(lines [][]byte) uint64 {
	if j == nil || len(lines) == 0 {
		return 0
	}
	var buf bytes.Buffer
	for _, l := range lines {
		buf.Write(l)
		buf.WriteByte('\n')
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err == nil {
		_, j.err = j.f.Write(buf.Bytes())
	}
	j.appended++
	j.since += len(lines)
	return j.appended
}

// wait returns once the records of ticket are on disk.
func (j *Journal) wait(ticket uint64) error {
	if j == nil || ticket == 0 {
		return nil
	}
	if j.synced.Load() >= ticket {
		return j.stickyErr()
	}
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.synced.Load() >= ticket {
		return j.stickyErr()
	}
	j.mu.Lock()
	target, f, err := j.appended, j.f, j.err
	j.mu.Unlock()
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		j.mu.Lock()
		j.err = err
		j.mu.Unlock()
		return err
	}
	j.synced.Store(target)
	return nil
}

func (j *Journal) stickyErr() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

func (j *Journal) due() bool {
	if j == nil {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.since >= j.compactEvery
}

// rotate syncs and closes the current journal and opens the next
// generation; it returns the generation a snapshot taken now covers.
// Callers hold Server.mu (at least for reading), so no write is appending.
func (j *Journal) rotate() (uint64, error) {
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return 0, j.err
	}
	if err := j.f.Sync(); err != nil {
		return 0, err
	}
	_ = j.f.Close()
	covered := j.gen
	j.gen++
	f, err := openJournalFile(j.journalPath(j.gen))
	if err != nil {
		j.err = err
		return 0, err
	}
	j.f, j.since = f, 0
	j.synced.Store(j.appended)
	return covered, nil
}

// writeSnapshot replaces the snapshot atomically, then deletes the journals
// it covers.
func (j *Journal) writeSnapshot(data []byte, covered uint64) error {
	if err := writeFileAtomic(j.path, data); err != nil {
		return err
	}
	gens, err := j.generations()
	if err != nil {
		return err
	}
	for _, g := range gens {
		if g <= covered {
			_ = os.Remove(j.journalPath(g))
		}
	}
	return syncDir(filepath.Dir(j.path))
}

func (j *Journal) close() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := errors.Join(j.f.Sync(), j.f.Close())
	j.f = nil
	return err
}

// writeFileAtomic writes a temporary file in the same directory, fsyncs it
// and renames it over path: a crash leaves the old or the new file, never a
// torn one.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pimemulator-*.tmp")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // only exists after a failure
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer func() { _ = d.Close() }()
	return d.Sync()
}

// snapshotOf captures the store. Callers hold Server.mu.
func snapshotOf(st *Store, covered uint64) Snapshot {
	snap := Snapshot{Version: snapshotVersion, Generation: covered, TenantID: st.TenantID, Seq: st.seq,
		Schedules: st.Schedules.Items, Requests: st.Requests.Items, Audit: st.AuditLog.Records, Docs: st.Docs}
	for _, a := range st.Approvals {
		snap.Approvals = append(snap.Approvals, a)
	}
	sort.Slice(snap.Approvals, func(a, b int) bool { return snap.Approvals[a].ID < snap.Approvals[b].ID })
	for _, p := range st.Policies {
		snap.Policies = append(snap.Policies, p)
	}
	sort.Slice(snap.Policies, func(a, b int) bool { return snap.Policies[a].Key < snap.Policies[b].Key })
	return snap
}

func (snap *Snapshot) restore() *Store {
	st := NewStore(snap.TenantID)
	for _, sc := range snap.Schedules {
		st.AddSchedule(sc)
	}
	for _, r := range snap.Requests {
		st.AddRequest(r)
	}
	for _, a := range snap.Approvals {
		st.Approvals[a.ID] = a
		st.Timeline.ApprovalChanged(a)
	}
	for _, p := range snap.Policies {
		st.Policies[p.Key] = p
	}
	for _, a := range snap.Audit {
		st.AuditLog.Insert(a)
	}
	for kind, docs := range snap.Docs {
		for id, data := range docs {
			st.Docs.put(kind, id, data)
		}
	}
	if snap.Seq > st.seq {
		st.seq = snap.Seq
	}
	return st
}

// ParseSnapshot reads a snapshot written by SnapshotJSON.
func ParseSnapshot(data []byte) (*Store, error) {
	var snap Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return nil, err
	}
	if snap.Version != snapshotVersion || snap.TenantID == "" {
		return nil, fmt.Errorf("not a snapshot of format %d", snapshotVersion)
	}
	if err := snap.check(); err != nil {
		return nil, err
	}
	return snap.restore(), nil
}

// check refuses a snapshot the store could not hold: missing entities,
// unknown kinds or surfaces, duplicate ids.
func (snap *Snapshot) check() error {
	ids := map[string]bool{}
	unique := func(what, id string) error {
		if id == "" || ids[what+"/"+strings.ToLower(id)] {
			return fmt.Errorf("%s %q: an id is missing or appears twice", what, id)
		}
		ids[what+"/"+strings.ToLower(id)] = true
		return nil
	}
	validKey := func(what, id string, k Key) error {
		if (k.Kind != Eligible && k.Kind != Active) || (k.Surface != SurfaceDirectory && k.Surface != SurfaceGroup) || k.Principal == "" {
			return fmt.Errorf("%s %q: unknown kind %q or surface %q, or no principal", what, id, k.Kind, k.Surface)
		}
		return nil
	}
	for _, sc := range snap.Schedules {
		if sc == nil {
			return errors.New("schedules: null entry")
		}
		if err := errors.Join(unique("schedule", sc.ID), validKey("schedule", sc.ID, sc.Key)); err != nil {
			return err
		}
	}
	for _, r := range snap.Requests {
		if r == nil {
			return errors.New("requests: null entry")
		}
		if err := errors.Join(unique("request", r.ID), validKey("request", r.ID, r.Key)); err != nil {
			return err
		}
	}
	for _, a := range snap.Approvals {
		if a == nil || slices.Contains(a.Steps, nil) {
			return errors.New("approvals: null entry or step")
		}
		if err := unique("approval", a.ID); err != nil {
			return err
		}
	}
	for _, p := range snap.Policies {
		if p == nil || p.Rules == nil {
			return errors.New("policies: null entry or rules")
		}
		if err := unique("policy", p.Key); err != nil {
			return err
		}
	}
	for _, a := range snap.Audit {
		if a == nil {
			return errors.New("audit: null entry")
		}
		if err := unique("audit record", a.ID); err != nil {
			return err
		}
	}
	return nil
}
