package shared

import (
	"context"
	"strings"
	"sync"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// ScheduleCache is the read-through cache of one provider process (one
// plan, one apply): refreshing N assignments of a kind costs one paged list
// of that kind's direct schedules instead of N filtered reads. Concurrent
// readers share one load. The process's own writes go through it (a create
// adds its schedule, a delete removes it), so a read after a write in the
// same run sees the write; a new run loads afresh and sees changes made
// outside Terraform.
type ScheduleCache struct {
	client *pimclient.Client
	names  *DirectoryNames
	mu     sync.Mutex
	kinds  map[snapshotKey]*kindSnapshot
}

// snapshotKey names one list: a kind of directory role schedules, or a kind
// of one group's schedules (Graph lists PIM for Groups per group).
type snapshotKey struct {
	kind  pimclient.Kind
	group string
}

func keyOf(svc *pimclient.ScheduleService, k pimclient.AssignmentKey) snapshotKey {
	if svc.Surface().ListsPerScope() {
		return snapshotKey{kind: svc.Kind(), group: strings.ToLower(k.DirectoryScopeID)}
	}
	return snapshotKey{kind: svc.Kind()}
}

type kindSnapshot struct {
	byKey   map[string]*pimclient.Schedule
	err     error
	done    chan struct{} // closed when the load has finished
	started bool
}

func NewScheduleCache(client *pimclient.Client, names *DirectoryNames) *ScheduleCache {
	return &ScheduleCache{client: client, names: names, kinds: map[snapshotKey]*kindSnapshot{}}
}

// CacheKey is an assignment's key, canonical for every surface: ids (and a
// group, the scope of PIM for Groups) compare without case, as Graph does.
func CacheKey(k pimclient.AssignmentKey) string {
	return strings.ToLower(k.PrincipalID) + "|" + strings.ToLower(k.RoleDefinitionID) + "|" + strings.ToLower(k.DirectoryScopeID)
}

// Find returns the key's direct standing schedule, nil when there is none.
func (c *ScheduleCache) Find(ctx context.Context, svc *pimclient.ScheduleService, k pimclient.AssignmentKey) (*pimclient.Schedule, error) {
	snap, err := c.snapshot(ctx, svc, keyOf(svc, k), false)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return snap.byKey[CacheKey(k)], nil
}

// Reload drops the kind's snapshot and loads it again (a schedule this run
// wrote and did not find yet: replication lag).
func (c *ScheduleCache) Reload(ctx context.Context, svc *pimclient.ScheduleService, k pimclient.AssignmentKey) (*pimclient.Schedule, error) {
	snap, err := c.snapshot(ctx, svc, keyOf(svc, k), true)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return snap.byKey[CacheKey(k)], nil
}

// snapshot returns the kind's snapshot, loading it once for all callers
// (fresh: a new load even when one exists).
func (c *ScheduleCache) snapshot(ctx context.Context, svc *pimclient.ScheduleService, sk snapshotKey, fresh bool) (*kindSnapshot, error) {
	c.mu.Lock()
	snap := c.kinds[sk]
	if snap == nil || fresh && isDone(snap.done) || snap.err != nil && isDone(snap.done) {
		snap = &kindSnapshot{done: make(chan struct{})}
		c.kinds[sk] = snap
	}
	start := !snap.started
	snap.started = true
	c.mu.Unlock()
	if start {
		byKey, err := c.load(ctx, svc, sk)
		c.mu.Lock()
		snap.byKey, snap.err = byKey, err
		c.mu.Unlock()
		close(snap.done)
	}
	select {
	case <-snap.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return snap, snap.err
}

func isDone(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// load lists every direct schedule of the kind, in pages of up to 999, and
// looks up the names of their principals in bulk (1,000 per call), so that
// each refreshed resource finds its principal's name without a call.
func (c *ScheduleCache) load(ctx context.Context, svc *pimclient.ScheduleService, sk snapshotKey) (map[string]*pimclient.Schedule, error) {
	var all []pimclient.Schedule
	var err error
	if sk.group != "" {
		all, err = svc.ListScopeDirectSchedules(ctx, sk.group)
	} else {
		all, err = svc.ListDirectSchedules(ctx)
	}
	if err != nil {
		return nil, err
	}
	byKey := make(map[string]*pimclient.Schedule, len(all))
	principals := make([]string, 0, len(all))
	for i := range all {
		sc := &all[i]
		byKey[CacheKey(pimclient.AssignmentKey{PrincipalID: sc.PrincipalID, RoleDefinitionID: sc.RoleDefinitionID, DirectoryScopeID: sc.DirectoryScopeID})] = sc
		principals = append(principals, sc.PrincipalID)
	}
	if c.names != nil {
		_ = c.names.Resolve(ctx, principals) // a name is decoration: Read reports a failure once
	}
	return byKey, nil
}

// Put records a schedule this process wrote; remove one it removed. A
// snapshot still loading is replaced, so that a load that began before the
// write cannot bring back what the write changed.
func (c *ScheduleCache) Put(svc *pimclient.ScheduleService, k pimclient.AssignmentKey, sc *pimclient.Schedule) {
	c.mu.Lock()
	defer c.mu.Unlock()
	sk := keyOf(svc, k)
	snap := c.kinds[sk]
	if snap == nil {
		return // nothing loaded yet: the first read will load the write
	}
	if !isDone(snap.done) {
		delete(c.kinds, sk)
		return
	}
	if snap.err != nil {
		return
	}
	if sc == nil {
		delete(snap.byKey, CacheKey(k))
	} else {
		snap.byKey[CacheKey(k)] = sc
	}
}

// All returns every direct standing schedule of the kind.
func (c *ScheduleCache) All(ctx context.Context, svc *pimclient.ScheduleService) ([]*pimclient.Schedule, error) {
	snap, err := c.snapshot(ctx, svc, snapshotKey{kind: svc.Kind()}, false)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*pimclient.Schedule, 0, len(snap.byKey))
	for _, sc := range snap.byKey {
		out = append(out, sc)
	}
	return out, nil
}
