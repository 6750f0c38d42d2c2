package emulator

import (
	"encoding/json"
	"fmt"
	"time"
)

// tx is one call's view of the store: the time it runs at, the caller, and
// (for writes) the entities it touched, which become journal records when
// the write commits.
type tx struct {
	s      *Server
	st     *store
	now    time.Time
	caller Identity
	dirty  []ref
	seen   map[ref]bool
}

// ref names a persisted entity.
type ref struct{ typ, id string }

// Persisted entity types.
const (
	entSchedule = "schedule"
	entRequest  = "request"
	entApproval = "approval"
	entPolicy   = "policy"
	entAudit    = "audit"
)

// touch marks an entity as changed (created, updated or removed).
func (tx *tx) touch(typ, id string) {
	r := ref{typ, id}
	if tx.seen == nil {
		tx.seen = map[ref]bool{}
	}
	if !tx.seen[r] {
		tx.seen[r] = true
		tx.dirty = append(tx.dirty, r)
	}
}

// record is one journal line: an entity's new value, or its removal.
type record struct {
	Op    string          `json:"op"` // put or del
	Type  string          `json:"type"`
	ID    string          `json:"id"`
	Value json.RawMessage `json:"value,omitempty"`
}

// records renders the touched entities as journal lines.
func (tx *tx) records() ([][]byte, error) {
	out := make([][]byte, 0, len(tx.dirty))
	for _, r := range tx.dirty {
		rec := record{Op: "del", Type: r.typ, ID: r.id}
		if v := tx.st.lookup(r); v != nil {
			data, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("encoding %s %s: %w", r.typ, r.id, err)
			}
			rec.Op, rec.Value = "put", data
		}
		line, err := json.Marshal(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, line)
	}
	return out, nil
}

// lookup returns the current value of a persisted entity, or nil.
func (st *store) lookup(r ref) any {
	switch r.typ {
	case entSchedule:
		if v, ok := st.schedules.get(r.id); ok {
			return v
		}
	case entRequest:
		if v, ok := st.requests.get(r.id); ok {
			return v
		}
	case entApproval:
		if v, ok := st.approvals[r.id]; ok {
			return v
		}
	case entPolicy:
		if v, ok := st.policies[r.id]; ok {
			return v
		}
	case entAudit:
		if v, ok := st.audit.get(r.id); ok {
			return v
		}
	}
	return nil
}

// apply replays one journal record onto the store (loading).
func (st *store) apply(rec record) error {
	if old := st.lookup(ref{rec.Type, rec.ID}); old != nil {
		st.drop(old)
	}
	if rec.Op == "del" {
		return nil
	}
	return st.insert(rec.Type, rec.Value)
}

func (st *store) drop(v any) {
	switch x := v.(type) {
	case *schedule:
		st.removeSchedule(x)
	case *request:
		st.removeRequest(x)
	case *approval:
		delete(st.approvals, x.ID)
	case *auditRecord:
		st.audit.remove(x)
	case *Policy:
		for k, p := range st.policies {
			if p == x {
				delete(st.policies, k)
			}
		}
	}
}

func (st *store) insert(typ string, data json.RawMessage) error {
	var err error
	switch typ {
	case entSchedule:
		var v schedule
		if err = json.Unmarshal(data, &v); err == nil {
			st.addSchedule(&v)
		}
	case entRequest:
		var v request
		if err = json.Unmarshal(data, &v); err == nil {
			st.addRequest(&v)
		}
	case entApproval:
		var v approval
		if err = json.Unmarshal(data, &v); err == nil {
			st.approvals[v.ID] = &v
			st.timeline.approvalChanged(&v)
		}
	case entPolicy:
		var v Policy
		if err = json.Unmarshal(data, &v); err == nil {
			st.policies[v.Key] = &v
		}
	case entAudit:
		var v auditRecord
		if err = json.Unmarshal(data, &v); err == nil {
			st.audit.insert(&v)
			if v.Seq > st.seq {
				st.seq = v.Seq
			}
		}
	default:
		err = fmt.Errorf("unknown entity type %q", typ)
	}
	return err
}
