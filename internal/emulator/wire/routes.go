package wire

import (
	"net/http"
	"strings"
)

// Route is one Graph (or ARM) operation: a method, a path pattern relative
// to the version ({x} matches one segment, given to the handler in order)
// and the handler. Path segments match case-insensitively, as Graph's do.
// Each area lists its routes; the emulator assembles them into a Router.
type Route struct {
	Method  string
	Pattern string
	Beta    bool // served under /beta only
	Handle  func(*Call)
	segs    []string
}

// Router finds the route of a request.
type Router struct{ routes []Route }

// NewRouter compiles the routes of every area.
func NewRouter(areas ...[]Route) *Router {
	r := &Router{}
	for _, rs := range areas {
		for _, rt := range rs {
			rt.segs = strings.Split(rt.Pattern, "/")
			r.routes = append(r.routes, rt)
		}
	}
	return r
}

// Match finds the route of a request: 404 when no pattern matches the
// path, 405 when one does but not for this method.
func (r *Router) Match(method string, segs []string) (*Route, []string, int) {
	status := http.StatusNotFound
	for i := range r.routes {
		rt := &r.routes[i]
		params, ok := matchPath(rt.segs, segs)
		if !ok {
			continue
		}
		if rt.Method != method {
			status = http.StatusMethodNotAllowed
			continue
		}
		return rt, params, http.StatusOK
	}
	return nil, nil, status
}

func matchPath(pattern, segs []string) ([]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var params []string
	for i, p := range pattern {
		switch {
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			if segs[i] == "" {
				return nil, false
			}
			params = append(params, segs[i])
		case !strings.EqualFold(p, segs[i]):
			return nil, false
		}
	}
	return params, true
}
