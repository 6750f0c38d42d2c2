package core

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"
)

// Docs are the entities of areas that own their model (alerts, ...): JSON
// documents by kind and id, journaled and snapshotted like every other
// entity, so that a new area needs no change to the store.
type Docs map[string]map[string]json.RawMessage

// docPrefix marks a document's journal record type: "doc:<kind>".
const docPrefix = "doc:"

// PutDoc stores an area's document (encoded as JSON) and journals it.
func (tx *Tx) PutDoc(kind, id string, v any) *APIError {
	data, err := json.Marshal(v)
	if err != nil {
		return &APIError{http.StatusInternalServerError, "InternalServerError", "encoding " + kind + " " + id + ": " + err.Error()}
	}
	tx.St.Docs.put(kind, id, data)
	tx.Touch(docPrefix+kind, id)
	return nil
}

// DelDoc removes an area's document.
func (tx *Tx) DelDoc(kind, id string) {
	delete(tx.St.Docs[kind], id)
	tx.Touch(docPrefix+kind, id)
}

// Doc decodes an area's document into v; it reports whether it exists.
func (tx *Tx) Doc(kind, id string, v any) bool {
	data, ok := tx.St.Docs[kind][id]
	return ok && json.Unmarshal(data, v) == nil
}

// DocIDs lists the ids of an area's documents of a kind, sorted.
func (tx *Tx) DocIDs(kind string) []string {
	ids := make([]string, 0, len(tx.St.Docs[kind]))
	for id := range tx.St.Docs[kind] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (d Docs) put(kind, id string, data json.RawMessage) {
	if d[kind] == nil {
		d[kind] = map[string]json.RawMessage{}
	}
	d[kind][id] = data
}

// docLookup is lookup for a document record type (nil when absent).
func (st *Store) docLookup(typ, id string) (any, bool) {
	kind, ok := strings.CutPrefix(typ, docPrefix)
	if !ok {
		return nil, false
	}
	if data, ok := st.Docs[kind][id]; ok {
		return data, true
	}
	return nil, true
}
