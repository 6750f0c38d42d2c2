package journal

import (
	"os"
	"path/filepath"
	"testing"
)

// A snapshot replaces the file by renaming a finished temporary file over
// it: the old file's content is never overwritten in place (a hard link to
// it keeps the old bytes), so a crash mid-write leaves the old snapshot or
// the new one, and no temporary file is left behind.
func TestSnapshotIsReplacedAtomically(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if err := os.WriteFile(path, []byte(`{"old":true}`), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "old.json")
	if err := os.Link(path, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte(`{"new":true}`)); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != `{"new":true}` {
		t.Fatalf("snapshot = %s", got)
	}
	if got, _ := os.ReadFile(link); string(got) != `{"old":true}` {
		t.Fatalf("the old snapshot was overwritten in place (now %s): a crash mid-write would tear it", got)
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, ".pimemulator-*.tmp")); len(temps) != 0 {
		t.Fatalf("temporary files left: %v", temps)
	}
}
