package control

import (
	"strconv"
	"sync"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// requestStats counts the Graph calls the emulator serves, so a user (and
// the benchmarks) can see what a plan costs: GET /_emulator/requests.
type requestStats struct {
	mu        sync.Mutex
	total     int
	byRoute   map[string]int
	byStatus  map[int]int
	early     int
	throttled int
	injected  int
	last      []odata.Object // the newest lastRequests calls
}

const lastRequests = 100

func newRequestStats() *requestStats {
	return &requestStats{byRoute: map[string]int{}, byStatus: map[int]int{}}
}

func (s *requestStats) record(at time.Time, method, path, route string, status int, client string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total++
	s.byRoute[method+" "+route]++
	s.byStatus[status]++
	s.last = append(s.last, odata.Object{{"time", core.GraphTime(at)}, {"method", method}, {"path", path}, {"route", route},
		{"status", status}, {"client", client}})
	if len(s.last) > lastRequests {
		s.last = s.last[len(s.last)-lastRequests:]
	}
}

func (s *requestStats) earlyRetry() {
	// called with faults.mu held; stats has its own lock
	s.mu.Lock()
	s.early++
	s.mu.Unlock()
}

func (s *requestStats) count(throttled, injected bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if throttled {
		s.throttled++
	}
	if injected {
		s.injected++
	}
}

func (s *requestStats) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total, s.early, s.throttled, s.injected, s.last = 0, 0, 0, 0, nil
	s.byRoute, s.byStatus = map[string]int{}, map[int]int{}
}

func (s *requestStats) Object() odata.Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	routes := odata.Object{}
	for k, v := range s.byRoute {
		routes = append(routes, odata.Property{Name: k, Value: v})
	}
	statuses := odata.Object{}
	for k, v := range s.byStatus {
		statuses = append(statuses, odata.Property{Name: strconv.Itoa(k), Value: v})
	}
	last := make([]any, len(s.last))
	for i, l := range s.last {
		last[i] = l
	}
	return odata.Object{{"total", s.total}, {"by_route", sorted(routes)}, {"by_status", sorted(statuses)},
		{"early_retries", s.early}, {"throttled", s.throttled}, {"faults_injected", s.injected}, {"last", last}}
}

func sorted(o odata.Object) odata.Object {
	for i := 1; i < len(o); i++ {
		for j := i; j > 0 && o[j].Name < o[j-1].Name; j-- {
			o[j], o[j-1] = o[j-1], o[j]
		}
	}
	return o
}

// Record counts a served call.
func (f *Faults) Record(at time.Time, method, path, route string, status int, client string) {
	f.stats.record(at, method, path, route, status, client)
}
