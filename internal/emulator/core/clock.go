package core

import (
	"context"
	"sync"
	"time"
)

// Clock is the emulator's notion of now. Tests inject a FakeClock and move it
// instead of sleeping; everything time-based (expiry, the 45-day request
// purge, the 5-minute minimum active duration) reads it.
type Clock interface {
	Now() time.Time
}

// RealClock is wall-clock time in UTC.
type RealClock struct{}

// Now implements Clock.
func (RealClock) Now() time.Time { return time.Now().UTC() }

// FakeClock is a manually advanced clock. Its Sleep advances the clock rather
// than blocking, so code that waits on it (the provider's retry of
// ActiveDurationTooShort) finishes at once in tests.
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock returns a FakeClock set to start (UTC).
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{now: start.UTC()} }

// Now implements Clock.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleep advances the clock by d and returns; it honours cancellation.
func (c *FakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// OffsetClock is wall-clock time plus an offset that only grows. The
// standalone emulator uses it so that a demo or a manual session can jump
// ahead (past the five-minute rule, past an expiry) while time still flows.
type OffsetClock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now implements Clock.
func (c *OffsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.offset)
}

// Advance moves the clock forward by d, never backwards and never more
// than maxOffset ahead of real time in total.
func (c *OffsetClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.offset = min(c.offset+min(d, MaxAdvance), maxOffset)
	}
}

// Advancer is a clock that can be moved forward.
type Advancer interface {
	Clock
	Advance(d time.Duration)
}

// MaxAdvance bounds one move of the clock through the control API, and
// maxOffset the emulator's total lead on real time, so that no sequence of
// calls overflows time arithmetic (two large jumps used to wrap around to
// the year 1734).
const (
	MaxAdvance = 10 * 365 * 24 * time.Hour
	maxOffset  = 100 * 365 * 24 * time.Hour
)
