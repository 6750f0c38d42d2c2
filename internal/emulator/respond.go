package emulator

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

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// writer writes Graph-shaped responses and remembers whether it has.
type writer struct {
	http.ResponseWriter
	reqID, clientReqID string
	wrote              bool
	status             int
}

func newWriter(w http.ResponseWriter, r *http.Request) *writer {
	gw := &writer{ResponseWriter: w, reqID: uuid.NewString(), clientReqID: r.Header.Get("client-request-id")}
	if len(gw.clientReqID) > 64 {
		gw.clientReqID = gw.clientReqID[:64]
	}
	w.Header().Set("request-id", gw.reqID)
	if gw.clientReqID != "" {
		w.Header().Set("client-request-id", gw.clientReqID)
	}
	return gw
}

func (w *writer) WriteHeader(status int) {
	w.wrote, w.status = true, status
	w.ResponseWriter.WriteHeader(status)
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func (w *writer) json(status int, v any) {
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
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

func (w *writer) noContent() { w.WriteHeader(http.StatusNoContent) }

// error writes Graph's error envelope
// (https://learn.microsoft.com/graph/errors).
func (w *writer) error(status int, code, message string) {
	inner := odata.Object{{"date", time.Now().UTC().Format("2006-01-02T15:04:05")}, {"request-id", w.reqID}}
	if w.clientReqID != "" {
		inner = append(inner, odata.Property{Name: "client-request-id", Value: w.clientReqID})
	}
	w.json(status, odata.Object{{"error", odata.Object{{"code", code}, {"message", message}, {"innerError", inner}}}})
}

// apiError is a Graph error decided while serving a call.
type apiError struct {
	status        int
	code, message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func badRequest(code, format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, code, fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) *apiError {
	return &apiError{http.StatusForbidden, "accessDenied", fmt.Sprintf(format, args...)}
}

// notFound answers an unknown id. guess: the PIM pages document no 404
// body; this follows Graph's generic shape.
func notFound(set, id string) *apiError {
	return &apiError{http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The %s object with id '%s' was not found.", set, id)}
}

// query parses the call's system query options; allowed lists those the
// resource supports.
func (c *call) query(allowed ...string) (*odata.Query, bool) {
	q, err := odata.ParseQuery(c.r.URL.RawQuery, allowed...)
	if err == nil {
		return q, true
	}
	msg := strings.TrimPrefix(err.Error(), odata.ErrQuery.Error()+": ")
	if errors.Is(err, odata.ErrFilter) {
		msg = "Invalid filter clause: " + strings.TrimPrefix(err.Error(), odata.ErrFilter.Error()+": ")
	}
	c.fail(badRequest("BadRequest", "%s", msg))
	return nil, false
}

// entityType describes what $select and $expand may name on a type.
type entityType struct {
	name  string   // e.g. unifiedRoleEligibilitySchedule
	props []string // structural properties
	navs  []string // navigation properties $expand accepts
}

// check validates $select and $expand against the type and rewrites the
// names to the type's spelling.
func (t *entityType) check(q *odata.Query) *apiError {
	for i, s := range q.Select {
		if s == "*" {
			continue
		}
		name, ok := canonical(s, t.props, t.navs)
		if !ok {
			return badRequest("BadRequest", "Could not find a property named '%s' on type 'microsoft.graph.%s'.", s, t.name)
		}
		q.Select[i] = name
	}
	for i, e := range q.Expand {
		name, ok := canonical(e.Name, t.navs)
		if !ok {
			return badRequest("BadRequest", "Could not find a navigation property named '%s' on type 'microsoft.graph.%s'.", e.Name, t.name)
		}
		q.Expand[i].Name = name
	}
	return nil
}

func canonical(name string, lists ...[]string) (string, bool) {
	for _, l := range lists {
		for _, p := range l {
			if strings.EqualFold(p, name) {
				return p, true
			}
		}
	}
	return "", false
}

// item is one entity of a collection: its structural properties, the key
// that orders it (for $skiptoken) and how to expand its navigations.
type item struct {
	cursor string
	obj    odata.Object
	expand func(e odata.Expand) any
}

// shape applies $select and $expand to an entity.
func shape(it item, q *odata.Query) odata.Object {
	out := it.obj
	if len(q.Select) > 0 && (len(q.Select) != 1 || q.Select[0] != "*") {
		out = project(it.obj, q.Select)
	}
	for _, e := range q.Expand {
		var v any
		if it.expand != nil {
			v = it.expand(e)
		}
		if obj, ok := v.(odata.Object); ok && len(e.Select) > 0 {
			v = project(obj, e.Select)
		}
		out = out.With(e.Name, v)
	}
	return out
}

// project keeps the selected properties, in the order selected (and the
// @odata.type annotation of polymorphic entities).
func project(o odata.Object, sel []string) odata.Object {
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

// listing describes a collection response.
type listing struct {
	set string      // entity set path, for @odata.context
	typ *entityType // for $select/$expand and function results
	// function marks a function result (filterByCurrentUser): Graph answers
	// with a Collection(type) context and an @odata.type on each item.
	function bool
	// each yields the items after the cursor (all when ""), in order, until
	// yield returns false.
	each func(after string, yield func(item) bool)
}

// writeCollection filters, pages and shapes a collection.
func (c *call) writeCollection(l listing, q *odata.Query) {
	if aerr := l.typ.check(q); aerr != nil {
		c.fail(aerr)
		return
	}
	after, aerr := decodeSkipToken(q.SkipToken)
	if aerr != nil {
		c.fail(aerr)
		return
	}
	size := c.s.opts.PageSize
	if q.Top > 0 {
		size = q.Top
	}
	page := make([]any, 0, min(size, 64))
	var last string
	more := false
	l.each(after, func(it item) bool {
		if !q.Filter.Match(it.obj) {
			return true
		}
		if len(page) == size {
			more = true
			return false
		}
		obj := shape(it, q)
		if l.function {
			obj = obj.Prepend("@odata.type", "#microsoft.graph."+l.typ.name)
		}
		page, last = append(page, obj), it.cursor
		return true
	})
	ctx := odata.ContextURL(c.metadata(), l.set, q, false)
	if l.function {
		ctx = c.metadata() + "#Collection(" + l.typ.name + ")"
	}
	body := odata.Object{{"@odata.context", ctx}}
	if q.Count {
		n := 0
		l.each("", func(it item) bool {
			if q.Filter.Match(it.obj) {
				n++
			}
			return true
		})
		body = append(body, odata.Property{Name: "@odata.count", Value: n})
	}
	body = append(body, odata.Property{Name: "value", Value: page})
	if more {
		body = append(body, odata.Property{Name: "@odata.nextLink", Value: c.nextLink(last)})
	}
	c.w.json(http.StatusOK, body)
}

// writeEntity shapes and writes one entity.
func (c *call) writeEntity(set string, typ *entityType, it item, q *odata.Query) {
	if aerr := typ.check(q); aerr != nil {
		c.fail(aerr)
		return
	}
	obj := shape(it, q).Prepend("@odata.context", odata.ContextURL(c.metadata(), set, q, true))
	c.w.json(http.StatusOK, obj)
}

// nextLink is the request's own URL, with its scheme and host, and the
// skip token of the next page.
func (c *call) nextLink(cursor string) string {
	scheme := "http"
	if c.r.TLS != nil || strings.EqualFold(c.r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	var parts []string
	for _, p := range strings.Split(c.r.URL.RawQuery, "&") {
		if p != "" && !strings.HasPrefix(strings.ToLower(p), "$skiptoken=") && !strings.HasPrefix(strings.ToLower(p), "%24skiptoken=") {
			parts = append(parts, p)
		}
	}
	parts = append(parts, "$skiptoken="+base64.RawURLEncoding.EncodeToString([]byte("c:"+cursor)))
	u := url.URL{Scheme: scheme, Host: c.r.Host, Path: c.r.URL.Path, RawQuery: strings.Join(parts, "&")}
	return u.String()
}

func decodeSkipToken(tok string) (string, *apiError) {
	if tok == "" {
		return "", nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	cursor, ok := strings.CutPrefix(string(raw), "c:")
	if err != nil || !ok || cursor == "" {
		return "", badRequest("BadRequest", "The $skiptoken is invalid: use the @odata.nextLink of the previous page as it is.")
	}
	return cursor, nil
}

// seqCursor orders entities by creation (zero-padded so cursors sort as
// strings); sub orders group-inherited copies after their schedule.
func seqCursor(seq uint64, sub int) string { return fmt.Sprintf("%020d.%06d", seq, sub) }
