package core

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
)

// Tx is one call's view of the state: the time it runs at, the caller, the
// directory, and (for writes) the entities it touched, which become journal
// records when the write commits. Areas embed it in a tx of their own.
type Tx struct {
	St     *Store
	Now    time.Time
	Caller Identity
	// Dir is the tenant's directory (read-only after the seed).
	Dir   *tenant.Directory
	state *State
	dirty []ref
	seen  map[ref]bool
}

// ref names a persisted entity.
type ref struct{ typ, id string }

// Persisted entity types.
const (
	EntSchedule = "schedule"
	EntRequest  = "request"
	EntApproval = "approval"
	EntPolicy   = "policy"
	EntAudit    = "audit"
)

// Touch marks an entity as changed (created, updated or removed).
func (tx *Tx) Touch(typ, id string) {
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
func (tx *Tx) records() ([][]byte, error) {
	out := make([][]byte, 0, len(tx.dirty))
	for _, r := range tx.dirty {
		rec := record{Op: "del", Type: r.typ, ID: r.id}
		if v := tx.St.lookup(r); v != nil {
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
func (st *Store) lookup(r ref) any {
	if v, isDoc := st.docLookup(r.typ, r.id); isDoc {
		return v
	}
	switch r.typ {
	case EntSchedule:
		if v, ok := st.Schedules.Get(r.id); ok {
			return v
		}
	case EntRequest:
		if v, ok := st.Requests.Get(r.id); ok {
			return v
		}
	case EntApproval:
		if v, ok := st.Approvals[r.id]; ok {
			return v
		}
	case EntPolicy:
		if v, ok := st.Policies[r.id]; ok {
			return v
		}
	case EntAudit:
		if v, ok := st.AuditLog.Get(r.id); ok {
			return v
		}
	}
	return nil
}

// apply replays one journal record onto the store (loading).
func (st *Store) apply(rec record) error {
	if kind, isDoc := strings.CutPrefix(rec.Type, docPrefix); isDoc {
		delete(st.Docs[kind], rec.ID)
		if rec.Op != "del" {
			st.Docs.put(kind, rec.ID, rec.Value)
		}
		return nil
	}
	if old := st.lookup(ref{rec.Type, rec.ID}); old != nil {
		st.drop(old)
	}
	if rec.Op == "del" {
		return nil
	}
	return st.insert(rec.Type, rec.Value)
}

func (st *Store) drop(v any) {
	switch x := v.(type) {
	case *Schedule:
		st.RemoveSchedule(x)
	case *Request:
		st.RemoveRequest(x)
	case *Approval:
		delete(st.Approvals, x.ID)
	case *AuditRecord:
		st.AuditLog.Remove(x)
	case *Policy:
		for k, p := range st.Policies {
			if p == x {
				delete(st.Policies, k)
			}
		}
	}
}

func (st *Store) insert(typ string, data json.RawMessage) error {
	var err error
	switch typ {
	case EntSchedule:
		var v Schedule
		if err = json.Unmarshal(data, &v); err == nil {
			st.AddSchedule(&v)
		}
	case EntRequest:
		var v Request
		if err = json.Unmarshal(data, &v); err == nil {
			st.AddRequest(&v)
		}
	case EntApproval:
		var v Approval
		if err = json.Unmarshal(data, &v); err == nil {
			st.Approvals[v.ID] = &v
			st.Timeline.ApprovalChanged(&v)
		}
	case EntPolicy:
		var v Policy
		if err = json.Unmarshal(data, &v); err == nil {
			st.Policies[v.Key] = &v
		}
	case EntAudit:
		var v AuditRecord
		if err = json.Unmarshal(data, &v); err == nil {
			st.AuditLog.Insert(&v)
			if v.Seq > st.seq {
				st.seq = v.Seq
			}
		}
	default:
		err = fmt.Errorf("unknown entity type %q", typ)
	}
	return err
}
