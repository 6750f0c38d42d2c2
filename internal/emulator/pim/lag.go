package pim

import "sync"

// lagTracker reproduces replication lag: schedule ids that the next n reads
// must miss. It has its own lock because reads share the state's lock.
type lagTracker struct {
	mu sync.Mutex
	m  map[string]int
}

// set hides a schedule from the next n reads.
func (l *lagTracker) set(id string, n int) {
	if n <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m[id] = n
}

// hidden reports whether a read must miss the schedule, counting the read.
func (l *lagTracker) hidden(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.m[id]
	if n <= 0 {
		return false
	}
	if n == 1 {
		delete(l.m, id)
	} else {
		l.m[id] = n - 1
	}
	return true
}
