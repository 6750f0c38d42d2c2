package core

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/journal"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
)

// faultyFile is a journal file that records what was asked of it and fails
// on demand.
type faultyFile struct {
	journal.File
	mu               sync.Mutex
	events           []string
	failWrite, fSync bool
}

func (f *faultyFile) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, "write")
	if f.failWrite {
		return 0, errors.New("disk full")
	}
	return f.File.Write(p)
}

func (f *faultyFile) Sync() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, "sync")
	if f.fSync {
		return errors.New("I/O error")
	}
	return f.File.Sync()
}

func (f *faultyFile) log() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.events...)
}

func faultyState(t *testing.T) (*State, *faultyFile) {
	t.Helper()
	var file *faultyFile
	open := func(path string) (journal.File, error) {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_EXCL, 0o600)
		file = &faultyFile{File: f}
		return file, err
	}
	st, err := OpenState(StateOptions{Clock: NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)), Dir: tenant.NewDirectory("contoso.example"),
		DataFile: filepath.Join(t.TempDir(), "state.json"), CompactEvery: 1000, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Seed: func(time.Time) *Store { return NewStore("c0ffee00-0000-4000-8000-000000000001") }, openFile: open})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st, file
}

func addAudit(tx *Tx, id string) *APIError {
	tx.St.AuditLog.Insert(&AuditRecord{ID: id, Time: tx.Now})
	tx.Touch(EntAudit, id)
	return nil
}

// A write is acknowledged only after its journal records were written and
// synced to disk.
func TestWriteIsSyncedBeforeTheReply(t *testing.T) {
	st, file := faultyState(t)
	if e := st.Update(Identity{}, func(tx *Tx) *APIError { return addAudit(tx, "a1") }); e != nil {
		t.Fatal(e)
	}
	if got := file.log(); len(got) < 2 || got[len(got)-2] != "write" || got[len(got)-1] != "sync" {
		t.Fatalf("journal calls before the reply: %v, want a write then a sync", got)
	}
}

// When the journal cannot be written or synced the emulator stops: that
// write and every later call answer 503, and no later write changes memory.
func TestJournalFailureStopsWrites(t *testing.T) {
	for _, fail := range []string{"write", "sync"} {
		st, file := faultyState(t)
		file.mu.Lock()
		file.failWrite, file.fSync = fail == "write", fail == "sync"
		file.mu.Unlock()
		e := st.Update(Identity{}, func(tx *Tx) *APIError { return addAudit(tx, "lost") })
		if e == nil || e.Status != http.StatusServiceUnavailable {
			t.Fatalf("%s fails: the write answered %v, want 503", fail, e)
		}
		called := false
		e = st.Update(Identity{}, func(tx *Tx) *APIError { called = true; return addAudit(tx, "after") })
		if e == nil || e.Status != http.StatusServiceUnavailable || called {
			t.Errorf("%s failed: a later write answered %v and ran: %v", fail, e, called)
		}
		if st.Unavailable() == nil {
			t.Errorf("%s failed: the state still says it is available", fail)
		}
	}
}
