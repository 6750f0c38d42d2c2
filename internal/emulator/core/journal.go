package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// What the store looks like on disk: a snapshot of every entity, and
// journal records (see Tx.records) of the changes since. The journal
// package keeps the files; this is how their contents are written and read.

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

// loader rebuilds a store from the journal package's files.
type loader struct{ st *Store }

func (l *loader) Snapshot(data []byte) (uint64, error) {
	var snap Snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return 0, fmt.Errorf("corrupt: %w", err)
	}
	if snap.Version != snapshotVersion {
		return 0, fmt.Errorf("written by an older emulator (format %d); delete it to start afresh", snap.Version)
	}
	l.st = snap.restore()
	return snap.Generation, nil
}

func (l *loader) Record(line []byte) error {
	var rec record
	if err := json.Unmarshal(line, &rec); err != nil {
		return err
	}
	if l.st == nil {
		l.st = NewStore("")
	}
	return l.st.apply(rec)
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
		if (k.Kind != Eligible && k.Kind != Active) || (k.Surface != SurfaceDirectory && k.Surface != SurfaceGroup && k.Surface != SurfaceAzure) || k.Principal == "" {
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
