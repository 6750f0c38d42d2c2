package control

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Faults rehearse what Graph does to clients on a bad day: throttling with
// Retry-After, transient 5xx, responses lost after the write took effect,
// connections reset, latency, replication lag and principals that are not
// yet visible. They are set through the control API (PUT /_emulator/faults)
// or the -faults flag; random draws are reproducible from Seed.

// FaultConfig is the document PUT /_emulator/faults takes.
type FaultConfig struct {
	Seed  uint64       `json:"seed,omitempty"`
	Rules []*FaultRule `json:"rules"`
	// ReplicationLagReads hides each new or changed schedule from the next
	// N reads that would show it.
	ReplicationLagReads int `json:"replication_lag_reads,omitempty"`
	// PrincipalLagRequests answers SubjectNotFound to the first N schedule
	// requests naming each principal (a principal not yet replicated).
	PrincipalLagRequests int       `json:"principal_lag_requests,omitempty"`
	Throttle             *Throttle `json:"throttle,omitempty"`
}

// FaultRule injects an error into matching calls.
type FaultRule struct {
	Match struct {
		Method string `json:"method,omitempty"`
		Path   string `json:"path,omitempty"` // a path pattern (path.Match), e.g. /v1.0/roleManagement/directory/*
	} `json:"match"`
	Status     int     `json:"status,omitempty"`      // 429, 500, 502, 503, 504 ...
	RetryAfter string  `json:"retry_after,omitempty"` // Go duration, sent as seconds
	Rate       float64 `json:"rate,omitempty"`        // probability per matching call (default 1)
	Count      int     `json:"count,omitempty"`       // at most this many hits (0: unlimited)
	// AfterCommit applies the call, then answers the error: the client
	// cannot tell that its write took effect (a lost response).
	AfterCommit bool `json:"after_commit,omitempty"`
	// ResetConnection closes the connection instead of answering.
	ResetConnection bool   `json:"reset_connection,omitempty"`
	Latency         string `json:"latency,omitempty"` // Go duration added before the call
	Hits            int    `json:"hits"`              // read-only: how often the rule fired

	latency, retryAfter time.Duration
}

// Throttle is a tenant-wide token bucket, as Graph throttles per app and
// tenant: Rate requests per second, bursts of Burst.
type Throttle struct {
	Rate  float64 `json:"rate"`
	Burst int     `json:"burst"`
}

func (c *FaultConfig) validate() error {
	for i, r := range c.Rules {
		where := fmt.Sprintf("rules[%d]", i)
		var err error
		switch {
		case r == nil:
			return fmt.Errorf("%s: a rule is an object, not null", where)
		case r.Count < 0:
			return fmt.Errorf("%s.count: %d is negative (0 means every matching call)", where, r.Count)
		case !r.ResetConnection && (r.Status < 400 || r.Status > 599) && r.Latency == "":
			return fmt.Errorf("%s.status: %d is not an HTTP error status (4xx or 5xx)", where, r.Status)
		case r.Rate < 0 || r.Rate > 1:
			return fmt.Errorf("%s.rate: %v is not a probability between 0 and 1", where, r.Rate)
		case r.Match.Path != "" && !strings.HasPrefix(r.Match.Path, "/"):
			return fmt.Errorf("%s.match.path: %q must start with /, for example /v1.0/roleManagement/directory/roleEligibilityScheduleRequests", where, r.Match.Path)
		}
		if _, err = path.Match(r.Match.Path, "/"); err != nil {
			return fmt.Errorf("%s.match.path: %w", where, err)
		}
		if r.latency, err = optionalDuration(r.Latency); err != nil {
			return fmt.Errorf("%s.latency: %w", where, err)
		}
		if r.retryAfter, err = optionalDuration(r.RetryAfter); err != nil {
			return fmt.Errorf("%s.retry_after: %w", where, err)
		}
	}
	if t := c.Throttle; t != nil && (t.Rate <= 0 || t.Burst < 1) {
		return fmt.Errorf("throttle: rate must be positive and burst at least 1")
	}
	if c.ReplicationLagReads < 0 || c.PrincipalLagRequests < 0 {
		return fmt.Errorf("replication_lag_reads and principal_lag_requests cannot be negative")
	}
	return nil
}

func optionalDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 || d > time.Hour {
		return 0, fmt.Errorf("%q is not a Go duration between 0 and 1h", s)
	}
	return d, nil
}

// faults is the live fault state, with its own lock.
// Faults are the fault rules in force, the throttle and the request counts.
type Faults struct {
	mu        sync.Mutex
	cfg       FaultConfig
	rng       *rand.Rand
	tokens    float64
	refilled  time.Time
	notBefore map[string]time.Time // client -> when it may retry
	principal map[string]int       // requests seen per principal
	stats     *requestStats
}

// NewFaults has no rules.
func NewFaults() *Faults {
	return &Faults{rng: rand.New(rand.NewPCG(1, 2)), notBefore: map[string]time.Time{}, principal: map[string]int{}, stats: newRequestStats()}
}

func (f *Faults) setRules(cfg FaultConfig) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg = cfg
	f.rng = rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	f.tokens, f.refilled = -1, time.Time{}
	f.notBefore, f.principal = map[string]time.Time{}, map[string]int{}
}

// Get returns the configuration with its hits.
func (f *Faults) Get() FaultConfig {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.cfg
	out.Rules = make([]*FaultRule, len(f.cfg.Rules))
	for i, r := range f.cfg.Rules {
		c := *r
		out.Rules[i] = &c
	}
	return out
}

// ReadLag is how many reads a changed schedule misses.
func (f *Faults) ReadLag() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cfg.ReplicationLagReads
}

// principalLagging counts a schedule request naming the principal and
// reports whether it must not see the principal yet.
// PrincipalLagging reports whether a principal is not replicated yet.
func (f *Faults) PrincipalLagging(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cfg.PrincipalLagRequests == 0 {
		return false
	}
	f.principal[id]++
	return f.principal[id] <= f.cfg.PrincipalLagRequests
}

// verdict is what faults decide for one call.
type verdict struct {
	throttled  time.Duration // > 0: answer 429 with this Retry-After
	rule       *FaultRule
	latency    time.Duration
	retryAfter time.Duration
}

// decide draws the faults of a call; client identifies the caller for
// early-retry counting.
func (f *Faults) decide(method, urlPath, client string, now time.Time) verdict {
	f.mu.Lock()
	defer f.mu.Unlock()
	if nb, ok := f.notBefore[client]; ok {
		if now.Before(nb) {
			f.stats.earlyRetry()
		}
		delete(f.notBefore, client)
	}
	var v verdict
	if wait := f.throttle(now); wait > 0 {
		f.notBefore[client] = now.Add(wait)
		v.throttled = wait
		return v
	}
	for _, r := range f.cfg.Rules {
		if !r.matches(method, urlPath) || r.Count > 0 && r.Hits >= r.Count || r.Rate > 0 && r.Rate < 1 && f.rng.Float64() >= r.Rate {
			continue
		}
		r.Hits++
		v.latency += r.latency
		if r.Status != 0 || r.ResetConnection {
			v.rule, v.retryAfter = r, r.retryAfter
			if r.retryAfter > 0 {
				f.notBefore[client] = now.Add(r.retryAfter)
			}
			break
		}
	}
	return v
}

func (r *FaultRule) matches(method, urlPath string) bool {
	if r.Match.Method != "" && !strings.EqualFold(r.Match.Method, method) {
		return false
	}
	if r.Match.Path == "" {
		return true
	}
	ok, _ := path.Match(r.Match.Path, urlPath)
	return ok || strings.EqualFold(r.Match.Path, urlPath)
}

// throttle takes a token from the bucket, or returns how long until one is
// there.
func (f *Faults) throttle(now time.Time) time.Duration {
	t := f.cfg.Throttle
	if t == nil {
		return 0
	}
	if f.tokens < 0 || f.refilled.IsZero() {
		f.tokens, f.refilled = float64(t.Burst), now
	}
	if elapsed := now.Sub(f.refilled).Seconds(); elapsed > 0 {
		f.tokens = math.Min(float64(t.Burst), f.tokens+elapsed*t.Rate)
		f.refilled = now
	}
	if f.tokens >= 1 {
		f.tokens--
		return 0
	}
	return time.Duration((1 - f.tokens) / t.Rate * float64(time.Second))
}

// clientKey identifies a caller without keeping its token.
func ClientKey(r *http.Request) string {
	sum := sha256.Sum256([]byte(wire.Bearer(r)))
	return hex.EncodeToString(sum[:8])
}

func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}

// Set replaces the fault configuration after validating it.
func (f *Faults) Set(cfg FaultConfig) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	f.setRules(cfg)
	return nil
}

// Inject applies the configured faults to a call and reports whether it
// answered the call.
func (f *Faults) Inject(c *wire.Call, handle func(*wire.Call), client string, now time.Time) bool {
	v := f.decide(c.R.Method, c.R.URL.Path, client, now)
	if v.latency > 0 {
		t := time.NewTimer(v.latency)
		select {
		case <-t.C:
		case <-c.R.Context().Done():
		}
		t.Stop()
	}
	switch {
	case v.throttled > 0:
		f.stats.count(true, false)
		c.W.Header().Set("Retry-After", retryAfterSeconds(v.throttled))
		c.W.Error(http.StatusTooManyRequests, "TooManyRequests", "Too many requests: the tenant's request rate is over its limit. Please try again later.")
		return true
	case v.rule == nil:
		return false
	}
	f.stats.count(false, true)
	if v.rule.AfterCommit {
		lost := *c
		lost.W = &wire.Writer{ResponseWriter: &wire.Discard{}, ReqID: c.W.ReqID}
		handle(&lost)
	}
	if v.rule.ResetConnection {
		c.W.Status = 0
		panic(http.ErrAbortHandler) // net/http closes the connection without an answer
	}
	if v.retryAfter > 0 {
		c.W.Header().Set("Retry-After", retryAfterSeconds(v.retryAfter))
	}
	c.W.Error(v.rule.Status, faultCode(v.rule.Status), fmt.Sprintf("Injected fault (HTTP %d) from the emulator's fault rules.", v.rule.Status))
	return true
}

// faultCode is the Graph error code that goes with an injected status.
func faultCode(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "TooManyRequests"
	case http.StatusServiceUnavailable:
		return "serviceNotAvailable"
	case http.StatusGatewayTimeout:
		return "gatewayTimeout"
	case http.StatusBadGateway:
		return "badGateway"
	case http.StatusInternalServerError:
		return "generalException"
	}
	return "injectedFault"
}
