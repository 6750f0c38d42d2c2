package wire

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// Writer writes Graph-shaped responses and remembers whether it has.
type Writer struct {
	http.ResponseWriter
	ReqID, clientReqID string
	// Wrote and Status say whether, and with which status, it answered.
	Wrote  bool
	Status int
	// arm answers as Azure Resource Manager (see ARM).
	arm bool
}

func NewWriter(w http.ResponseWriter, r *http.Request) *Writer {
	gw := &Writer{ResponseWriter: w, ReqID: uuid.NewString(), clientReqID: r.Header.Get("client-request-id")}
	if len(gw.clientReqID) > 64 {
		gw.clientReqID = gw.clientReqID[:64]
	}
	w.Header().Set("request-id", gw.ReqID)
	if gw.clientReqID != "" {
		w.Header().Set("client-request-id", gw.clientReqID)
	}
	return gw
}

func (w *Writer) WriteHeader(status int) {
	w.Wrote, w.Status = true, status
	w.ResponseWriter.WriteHeader(status)
}

func (w *Writer) JSON(status int, v any) {
	var data []byte
	var err error
	if o, ok := v.(odata.Object); ok {
		data, err = o.AppendJSON(make([]byte, 0, 4096))
	} else {
		data, err = json.Marshal(v)
	}
	if err != nil {
		panic(fmt.Sprintf("emulator: encoding a response: %v", err)) // a bug: recovered as a 500
	}
	if w.arm {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	}
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

// ARM makes the writer answer as Azure Resource Manager: x-ms-request-id
// and x-ms-correlation-request-id instead of Graph's request-id, plain JSON,
// and ARM's error envelope {"error": {"code", "message"}}
// (https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
// shows the headers; the envelope is ARM's common error response).
func (w *Writer) ARM(r *http.Request) {
	w.arm = true
	h := w.Header()
	h.Del("request-id")
	h.Del("client-request-id")
	h.Set("x-ms-request-id", w.ReqID)
	corr := r.Header.Get("x-ms-correlation-request-id")
	if corr == "" || len(corr) > 64 {
		corr = w.ReqID
	}
	h.Set("x-ms-correlation-request-id", corr)
}

func (w *Writer) NoContent() { w.WriteHeader(http.StatusNoContent) }

// error writes Graph's error envelope
// (https://learn.microsoft.com/graph/errors).
func (w *Writer) Error(status int, code, message string) {
	if w.arm {
		w.JSON(status, odata.Object{{"error", odata.Object{{"code", code}, {"message", message}}}})
		return
	}
	date := time.Now().UTC()
	if t, err := http.ParseTime(w.Header().Get("Date")); err == nil {
		date = t // the server's clock (the emulator's may have been moved)
	}
	inner := odata.Object{{"date", date.Format("2006-01-02T15:04:05")}, {"request-id", w.ReqID}}
	if w.clientReqID != "" {
		inner = append(inner, odata.Property{Name: "client-request-id", Value: w.clientReqID})
	}
	w.JSON(status, odata.Object{{"error", odata.Object{{"code", code}, {"message", message}, {"innerError", inner}}}})
}

// query parses the call's system query options; allowed lists those the
// resource supports.
func (c *Call) Query(allowed ...string) (*odata.Query, bool) {
	q, err := odata.ParseQuery(c.R.URL.RawQuery, allowed...)
	if err == nil {
		return q, true
	}
	msg := strings.TrimPrefix(err.Error(), odata.ErrQuery.Error()+": ")
	if errors.Is(err, odata.ErrFilter) {
		msg = "Invalid filter clause: " + strings.TrimPrefix(err.Error(), odata.ErrFilter.Error()+": ")
	}
	c.Fail(core.BadRequest("BadRequest", "%s", msg))
	return nil, false
}

// EntityType describes what $select and $expand may name on a type.
type EntityType struct {
	Name  string   // e.g. unifiedRoleEligibilitySchedule
	Props []string // structural properties
	Navs  []string // navigation properties $expand accepts
}

// check validates $select and $expand against the type and rewrites the
// names to the type's spelling.
func (t *EntityType) Check(q *odata.Query) *core.APIError {
	for i, s := range q.Select {
		if s == "*" {
			continue
		}
		name, ok := core.Canonical(s, t.Props, t.Navs)
		if !ok {
			return core.BadRequest("BadRequest", "Could not find a property named '%s' on type 'microsoft.graph.%s'.", s, t.Name)
		}
		q.Select[i] = name
	}
	for i, e := range q.Expand {
		name, ok := core.Canonical(e.Name, t.Navs)
		if !ok {
			return core.BadRequest("BadRequest", "Could not find a navigation property named '%s' on type 'microsoft.graph.%s'.", e.Name, t.Name)
		}
		q.Expand[i].Name = name
	}
	return nil
}

// Item is one entity of a collection: its structural properties, the key
// that orders it (for $skiptoken) and how to expand its navigations.
type Item struct {
	Cursor string
	Obj    odata.Object
	Expand func(e odata.Expand) any
}

// shape applies $select and $expand to an entity.
func Shape(it Item, q *odata.Query) odata.Object {
	out := it.Obj
	if len(q.Select) > 0 && (len(q.Select) != 1 || q.Select[0] != "*") {
		out = Project(it.Obj, q.Select)
	}
	for _, e := range q.Expand {
		var v any
		if it.Expand != nil {
			v = it.Expand(e)
		}
		if obj, ok := v.(odata.Object); ok && len(e.Select) > 0 {
			v = Project(obj, e.Select)
		}
		out = out.With(e.Name, v)
	}
	return out
}

// project keeps the selected properties, in the order selected (and the
// @odata.type annotation of polymorphic entities).
func Project(o odata.Object, sel []string) odata.Object {
	out := odata.Object{}
	if t, ok := o.Get("@odata.type"); ok {
		out = append(out, odata.Property{Name: "@odata.type", Value: t})
	}
	for _, s := range sel {
		if name, ok := o.Name(s); ok {
			v, _ := o.Get(s)
			out = append(out, odata.Property{Name: name, Value: v})
		}
	}
	return out
}

// Listing describes a collection response.
type Listing struct {
	Set string      // entity set path, for @odata.context
	Typ *EntityType // for $select/$expand and function results
	// function marks a function result (filterByCurrentUser): Graph answers
	// with a Collection(type) context and an @odata.type on each Item.
	Function bool
	// each yields the items after the cursor (all when ""), in order, until
	// yield returns false.
	Each func(after string, yield func(Item) bool)
}

// writeCollection filters, pages and shapes a collection.
func (c *Call) WriteCollection(l Listing, q *odata.Query) {
	if aerr := l.Typ.Check(q); aerr != nil {
		c.Fail(aerr)
		return
	}
	after, aerr := decodeSkipToken(q.SkipToken)
	if aerr != nil {
		c.Fail(aerr)
		return
	}
	size := c.PageSize
	if q.Top > 0 {
		size = q.Top
	}
	page := make([]any, 0, min(size, 64))
	var last string
	more := false
	l.Each(after, func(it Item) bool {
		if !q.Filter.Match(it.Obj) {
			return true
		}
		if len(page) == size {
			more = true
			return false
		}
		obj := Shape(it, q)
		if l.Function {
			obj = obj.Prepend("@odata.type", "#microsoft.graph."+l.Typ.Name)
		}
		page, last = append(page, obj), it.Cursor
		return true
	})
	ctx := odata.ContextURL(c.Metadata(), l.Set, q, false)
	if l.Function {
		ctx = c.Metadata() + "#Collection(" + l.Typ.Name + ")"
	}
	body := odata.Object{{"@odata.context", ctx}}
	if q.Count {
		n := 0
		l.Each("", func(it Item) bool {
			if q.Filter.Match(it.Obj) {
				n++
			}
			return true
		})
		body = append(body, odata.Property{Name: "@odata.count", Value: n})
	}
	body = append(body, odata.Property{Name: "value", Value: page})
	if more {
		body = append(body, odata.Property{Name: "@odata.nextLink", Value: c.NextLink(last)})
	}
	c.W.JSON(http.StatusOK, body)
}

// writeEntity shapes and writes one entity.
func (c *Call) WriteEntity(set string, typ *EntityType, it Item, q *odata.Query) {
	if aerr := typ.Check(q); aerr != nil {
		c.Fail(aerr)
		return
	}
	obj := Shape(it, q).Prepend("@odata.context", odata.ContextURL(c.Metadata(), set, q, true))
	c.W.JSON(http.StatusOK, obj)
}

// nextLink is the request's own URL, with its scheme and host, and the
// skip token of the next page.
func (c *Call) NextLink(cursor string) string {
	scheme := "http"
	if c.R.TLS != nil || strings.EqualFold(c.R.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	var parts []string
	for _, p := range strings.Split(c.R.URL.RawQuery, "&") {
		if p != "" && !strings.HasPrefix(strings.ToLower(p), "$skiptoken=") && !strings.HasPrefix(strings.ToLower(p), "%24skiptoken=") {
			parts = append(parts, p)
		}
	}
	parts = append(parts, "$skiptoken="+base64.RawURLEncoding.EncodeToString([]byte("c:"+cursor)))
	u := url.URL{Scheme: scheme, Host: c.R.Host, Path: c.R.URL.Path, RawQuery: strings.Join(parts, "&")}
	return u.String()
}

func decodeSkipToken(tok string) (string, *core.APIError) {
	if tok == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	cursor, ok := strings.CutPrefix(string(raw), "c:")
	if err != nil || !ok || cursor == "" {
		return "", core.BadRequest("BadRequest", "The $skiptoken is invalid: use the @odata.nextLink of the previous page as it is.")
	}
	return cursor, nil
}

// SeqCursor orders entities by creation (zero-padded so cursors sort as
// strings); sub orders group-inherited copies after their schedule.
func SeqCursor(seq uint64, sub int) string { return fmt.Sprintf("%020d.%06d", seq, sub) }
