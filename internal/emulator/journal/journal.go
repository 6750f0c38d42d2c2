// Package journal keeps the emulator's state on disk: a snapshot (the data
// file) plus an append-only journal of records beside it (<data
// file>.journal.<generation>). A write is acknowledged once its records are
// fsynced; concurrent writes share one fsync (group commit), and readers
// never wait for the disk. When the journal has grown, the caller writes a
// new snapshot (temporary file, fsync, rename) and the journals it covers
// are deleted. A crash at any point leaves a snapshot and the journals after
// it: loading replays them, ignoring a torn last line (a write that was
// never acknowledged). The package knows files and lines, not what they
// hold: the core encodes and decodes both.
package journal

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// File is where journal records go: an *os.File, or in tests one that
// fails on demand.
type File interface {
	Write(p []byte) (int, error)
	Sync() error
	Close() error
}

// Loader rebuilds the state from what is on disk: the snapshot, which says
// the newest journal generation it covers, then each record written after.
type Loader interface {
	Snapshot(data []byte) (covered uint64, err error)
	Record(line []byte) error
}

// Journal appends records and syncs them.
type Journal struct {
	path         string // the snapshot; journals are path.journal.N
	compactEvery int
	open         func(path string) (File, error)

	mu       sync.Mutex // file, gen, appended, since, err
	f        File
	gen      uint64
	appended uint64
	since    int
	err      error

	syncMu sync.Mutex // one fsync at a time
	// synced is the newest ticket on disk; read without syncMu so that a
	// read with nothing to wait for takes no lock (the emulator's hot path).
	synced atomic.Uint64
}

// Open loads what is at path through l, then opens a fresh journal
// generation for new writes. open creates a generation's file (nil: a new
// file, never an existing one).
func Open(path string, compactEvery int, l Loader, open func(path string) (File, error)) (*Journal, error) {
	if open == nil {
		open = func(path string) (File, error) {
			return os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_EXCL, 0o600)
		}
	}
	j := &Journal{path: path, compactEvery: compactEvery, open: open}
	removeStrayTemps(filepath.Dir(path))
	lastGen, err := j.load(l)
	if err != nil {
		return nil, err
	}
	j.gen = lastGen + 1
	if j.f, err = open(j.journalPath(j.gen)); err != nil {
		return nil, err
	}
	return j, syncDir(filepath.Dir(path))
}

// Covered is the generation a snapshot written now, before any record,
// covers.
func (j *Journal) Covered() uint64 { return j.gen - 1 }

func (j *Journal) journalPath(gen uint64) string {
	return j.path + ".journal." + strconv.FormatUint(gen, 10)
}

func removeStrayTemps(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, ".pimemulator-*.tmp"))
	for _, m := range matches {
		_ = os.Remove(m)
	}
}

// load reads the snapshot and replays the journals written after it; it
// returns the newest generation read.
func (j *Journal) load(l Loader) (uint64, error) {
	var snapGen uint64
	data, err := os.ReadFile(j.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return 0, err
	default:
		if snapGen, err = l.Snapshot(data); err != nil {
			return 0, fmt.Errorf("data file %s: %w", j.path, err)
		}
	}
	gens, err := j.generations()
	if err != nil {
		return 0, err
	}
	last := snapGen
	for _, g := range gens {
		if g <= snapGen {
			_ = os.Remove(j.journalPath(g)) // covered by the snapshot
			continue
		}
		if err := replay(l, j.journalPath(g)); err != nil {
			return 0, err
		}
		last = g
	}
	return last, nil
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

func replay(l Loader, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for line := 1; sc.Scan(); line++ {
		if err := l.Record(sc.Bytes()); err != nil {
			if !bytes.HasSuffix(data, []byte("\n")) && bytes.HasSuffix(data, sc.Bytes()) {
				return nil // a torn last line: that write was never acknowledged
			}
			return fmt.Errorf("journal %s is corrupt at line %d: %w", path, line, err)
		}
	}
	return sc.Err()
}

// Append writes records (one line each) and returns the ticket to wait for.
// Callers serialise their writes, so lines keep the order of the writes.
func (j *Journal) Append(lines [][]byte) uint64 {
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

// Wait returns once the records of ticket are on disk.
func (j *Journal) Wait(ticket uint64) error {
	if j == nil || ticket == 0 {
		return nil
	}
	if j.synced.Load() >= ticket {
		return j.Err()
	}
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.synced.Load() >= ticket {
		return j.Err()
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

// Err is the journal's failure, if writing or syncing it failed: it stays.
func (j *Journal) Err() error {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Due reports whether enough records were written to take a snapshot.
func (j *Journal) Due() bool {
	if j == nil {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.since >= j.compactEvery
}

// Rotate syncs and closes the current journal and opens the next
// generation; it returns the generation a snapshot taken now covers.
// Callers make sure no write is appending.
func (j *Journal) Rotate() (uint64, error) {
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
	f, err := j.open(j.journalPath(j.gen))
	if err != nil {
		j.err = err
		return 0, err
	}
	j.f, j.since = f, 0
	j.synced.Store(j.appended)
	return covered, nil
}

// WriteSnapshot replaces the snapshot atomically, then deletes the journals
// it covers.
func (j *Journal) WriteSnapshot(data []byte, covered uint64) error {
	if err := WriteFileAtomic(j.path, data); err != nil {
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

// Close syncs and closes the journal.
func (j *Journal) Close() error {
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

// WriteFileAtomic writes a temporary file in the same directory, fsyncs it
// and renames it over path: a crash leaves the old or the new file, never a
// torn one.
func WriteFileAtomic(path string, data []byte) error {
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
