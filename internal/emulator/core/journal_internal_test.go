package core

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
)

// An area's documents survive a restart (replayed from the journal), a
// removal too, and a snapshot carries them (compaction, restore).
func TestAreaDocumentsAreDurable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	open := func() *State {
		st, err := OpenState(StateOptions{Clock: NewFakeClock(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)), Dir: tenant.NewDirectory("contoso.example"),
			DataFile: path, Seed: func(time.Time) *Store { return NewStore("c0ffee00-0000-4000-8000-000000000001") }})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	type doc struct{ N int }
	st := open()
	if e := st.Update(Identity{}, func(tx *Tx) *APIError {
		tx.DelDoc("thing", "gone")
		_ = tx.PutDoc("thing", "gone", doc{1})
		tx.DelDoc("thing", "gone")
		return tx.PutDoc("thing", "kept", doc{2})
	}); e != nil {
		t.Fatal(e)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = open()
	var got doc
	st.View(Identity{}, func(tx *Tx) {
		if !tx.Doc("thing", "kept", &got) || got.N != 2 || tx.Doc("thing", "gone", &got) || len(tx.DocIDs("thing")) != 1 {
			t.Errorf("after a restart: kept %+v, ids %v", got, tx.DocIDs("thing"))
		}
	})
	data, err := st.SnapshotJSON()
	if err != nil {
		t.Fatal(err)
	}
	restored, err := ParseSnapshot(data)
	if err != nil || string(restored.Docs["thing"]["kept"]) != `{"N":2}` {
		t.Errorf("snapshot lost the document: %v %s", err, restored.Docs["thing"]["kept"])
	}
}
