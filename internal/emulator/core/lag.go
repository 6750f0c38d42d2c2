package core

import "sync"

// Lag reproduces replication lag: schedule ids that the next n reads must
// miss (Graph's and ARM's replicas answer a write before every replica
// serves it). It has its own lock because reads share the state's lock.
type Lag struct {
	mu sync.Mutex
	m  map[string]int
}

// Set hides a schedule from the next n reads.
func (l *Lag) Set(id string, n int) {
	if n <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[string]int{}
	}
	l.m[id] = n
}

// Hidden reports whether a read must miss the schedule, counting the read.
func (l *Lag) Hidden(id string) bool {
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
