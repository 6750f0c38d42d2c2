package shared

import (
	"context"
	"strings"
	"sync"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// AssignmentLimits are the parts of a role setting that decide whether Graph
// accepts an admin assignment request.
type AssignmentLimits struct {
	AllowPermanent       bool
	RequireMFA           bool
	MaximumDuration      string
	RequireJustification bool
	RequireTicket        bool
}

type PolicyLimits struct {
	Eligible, Active AssignmentLimits
}

func (l PolicyLimits) ForKind(k pimclient.Kind) (AssignmentLimits, string, string) {
	if k == pimclient.Assignment {
		return l.Active, "active_assignment", "Expiration_Admin_Assignment"
	}
	return l.Eligible, "eligible_assignment", "Expiration_Admin_Eligibility"
}

// PolicyCache holds, for one provider process (one plan or one apply), the
// limits of each role: planned by a pim_role_setting in the same plan, or
// read from Graph once.
type PolicyCache struct {
	// fetch reads a policy's limits from Graph, and fetchRoles every
	// directory role's in one paged list (the settings family knows how to
	// read rules).
	fetch      func(ctx context.Context, client *pimclient.Client, ref PolicyRef) (PolicyLimits, error)
	fetchRoles func(ctx context.Context, client *pimclient.Client) (map[string]PolicyLimits, error)
	mu         sync.Mutex
	planned    map[string]PolicyLimits
	fetched    map[string]PolicyLimits
	// loading holds, per role, the read in flight: concurrent misses share
	// it (single flight) instead of each reading the policy.
	loading map[string]*policyLoad
}

type policyLoad struct {
	done   chan struct{}
	limits PolicyLimits
	err    error
}

// allRoles is the single-flight key of the list of every role's policy.
const allRoles = "*roles"

// NewPolicyCache reads every directory role's policy with fetchRoles, in one
// paged list the first time a role's is needed, so a plan's requests do not
// grow with its roles (a refresh of 1,000 assignments across 17 roles sends
// 12); fetch reads a group's policy, or a role the list lacks.
func NewPolicyCache(fetch func(context.Context, *pimclient.Client, PolicyRef) (PolicyLimits, error),
	fetchRoles func(context.Context, *pimclient.Client) (map[string]PolicyLimits, error)) *PolicyCache {
	return &PolicyCache{fetch: fetch, fetchRoles: fetchRoles, planned: map[string]PolicyLimits{}, fetched: map[string]PolicyLimits{}, loading: map[string]*policyLoad{}}
}

// PolicyRef names a PIM policy: a directory role's, or a group's
// membership or ownership.
type PolicyRef struct {
	Group string // "" for a directory role
	ID    string // the role definition id, or member / owner
	// Scope is an Azure role's ARM scope (PIM for Azure resources; ID is
	// then the role's full ARM id).
	Scope string
}

func RolePolicy(roleID string) PolicyRef             { return PolicyRef{ID: roleID} }
func GroupPolicy(groupID, accessID string) PolicyRef { return PolicyRef{Group: groupID, ID: accessID} }

// AzurePolicy is the policy of an Azure role at an ARM scope.
func AzurePolicy(scope, roleID string) PolicyRef { return PolicyRef{Scope: scope, ID: roleID} }

func (p PolicyRef) Key() string {
	if p.Scope != "" {
		return strings.ToLower("azure:" + strings.TrimRight(p.Scope, "/") + "|" + p.ID)
	}
	return strings.ToLower(p.Group + "/" + p.ID)
}

func (p PolicyRef) Fetch(ctx context.Context, client *pimclient.Client) (*pimclient.RolePolicy, error) {
	if p.Scope != "" {
		return client.GetAzureRolePolicy(ctx, p.Scope, p.ID)
	}
	if p.Group != "" {
		return client.GetGroupPolicy(ctx, p.Group, p.ID)
	}
	return client.GetRolePolicy(ctx, p.ID)
}

func (c *PolicyCache) Plan(ref PolicyRef, l PolicyLimits) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.planned[ref.Key()] = l
}

func (c *PolicyCache) Forget(ref PolicyRef) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.fetched, ref.Key())
}

// Get returns the policy's limits and whether they come from a planned setting.
func (c *PolicyCache) Get(ctx context.Context, client *pimclient.Client, ref PolicyRef) (PolicyLimits, bool, error) {
	key := ref.Key()
	c.mu.Lock()
	if l, ok := c.planned[key]; ok {
		c.mu.Unlock()
		return l, true, nil
	}
	if l, ok := c.fetched[key]; ok {
		c.mu.Unlock()
		return l, false, nil
	}
	c.mu.Unlock()
	if ref.Group == "" && ref.Scope == "" && c.fetchRoles != nil {
		_, err := c.load(ctx, allRoles, func() (PolicyLimits, error) {
			all, err := c.fetchRoles(ctx, client)
			c.mu.Lock()
			for k, l := range all {
				c.fetched[k] = l
			}
			c.mu.Unlock()
			return PolicyLimits{}, err
		})
		c.mu.Lock()
		l, ok := c.fetched[key]
		c.mu.Unlock()
		if err == nil && ok {
			return l, false, nil
		}
	}
	l, err := c.load(ctx, key, func() (PolicyLimits, error) { return c.fetch(ctx, client, ref) })
	return l, false, err
}

// load runs read once for concurrent callers of the same key (single
// flight) and keeps what it read.
func (c *PolicyCache) load(ctx context.Context, key string, read func() (PolicyLimits, error)) (PolicyLimits, error) {
	c.mu.Lock()
	load, inFlight := c.loading[key]
	if !inFlight {
		load = &policyLoad{done: make(chan struct{})}
		c.loading[key] = load
	}
	c.mu.Unlock()
	if !inFlight {
		load.limits, load.err = read()
		c.mu.Lock()
		if load.err == nil && key != allRoles {
			c.fetched[key] = load.limits
		}
		delete(c.loading, key)
		c.mu.Unlock()
		close(load.done)
	}
	select {
	case <-load.done:
		return load.limits, load.err
	case <-ctx.Done():
		return PolicyLimits{}, ctx.Err()
	}
}
