package shared

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// nameLookupTimeout bounds a lookup made only to name someone in a message:
// an error must not wait long for its decoration.
const nameLookupTimeout = 15 * time.Second

// batchLinger is how long the first lookup of an idle batcher waits for
// others before it calls Graph. Terraform plans (and, at apply, re-plans)
// resources at most -parallelism at a time, as others finish: without the
// wait each sends its own getByIds; with 25 ms, an apply of 1,000 new
// assignments sends about 630 instead of 1,040 (measured with make bench),
// and a plan of one resource is 25 ms slower.
var batchLinger = 25 * time.Millisecond

// DirectoryNames turns principal and role ids into what people read, once
// per provider process (one plan, one apply). Principals are resolved in
// bulk with directoryObjects/getByIds: every principal of the tenant's
// schedules when a refresh lists them, and the ids of concurrent plan-time
// checks together (a caller that finds a lookup in flight queues its ids for
// the next one, as a group commit does). A name is decoration: lookups never
// fail an operation, except the plan-time existence check, which reports
// what it knows.
type DirectoryNames struct {
	client *pimclient.Client

	mu sync.Mutex
	// objects maps a lower-case id to its object; nil when Graph does not
	// know the id.
	objects map[string]*pimclient.DirectoryObject
	queued  *nameBatch            // ids waiting for the next call
	pending map[string]*nameBatch // ids queued or in flight
	running bool                  // a caller is draining the queue
	denied  error                 // Graph's 403: the credentials cannot read the directory
	warned  bool                  // the missing-permission warning has been given

	roles    map[string]string
	rolesErr error
	// azureRoles are Azure role names by lower-case full ARM id;
	// azureScopes the ARM scopes known to exist.
	azureRoles, azureScopes map[string]string
	rolesLoad               chan struct{} // closed when the role list has loaded
}

type nameBatch struct {
	ids  []string
	done chan struct{}
	err  error
}

func NewDirectoryNames(client *pimclient.Client) *DirectoryNames {
	return &DirectoryNames{client: client, objects: map[string]*pimclient.DirectoryObject{}, pending: map[string]*nameBatch{}}
}

// Resolve looks up the ids not yet known. It returns Graph's error, the
// remembered 403 when the directory cannot be read, or ctx's.
func (n *DirectoryNames) Resolve(ctx context.Context, ids []string) error {
	n.mu.Lock()
	if n.denied != nil {
		n.mu.Unlock()
		return n.denied
	}
	waits := map[*nameBatch]bool{}
	for _, id := range ids {
		id = strings.ToLower(id)
		if _, known := n.objects[id]; known || id == "" {
			continue
		}
		b := n.pending[id]
		if b == nil {
			if n.queued == nil {
				n.queued = &nameBatch{done: make(chan struct{})}
			}
			b = n.queued
			b.ids = append(b.ids, id)
			n.pending[id] = b
		}
		waits[b] = true
	}
	lead := !n.running && n.queued != nil
	n.running = n.running || lead
	n.mu.Unlock()
	if lead {
		linger := time.NewTimer(batchLinger)
		select {
		case <-linger.C:
		case <-ctx.Done():
			linger.Stop()
		}
		n.drain(ctx)
	}
	for b := range waits {
		select {
		case <-b.done:
			if b.err != nil {
				return b.err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// drain sends the queued ids until none are left; ids queued while a call
// is in flight go together in the next one.
func (n *DirectoryNames) drain(ctx context.Context) {
	for {
		n.mu.Lock()
		b := n.queued
		n.queued = nil
		if b == nil {
			n.running = false
			n.mu.Unlock()
			return
		}
		n.mu.Unlock()
		objs, err := n.client.GetByIDs(ctx, b.ids)
		n.mu.Lock()
		switch {
		case err == nil:
			for _, id := range b.ids {
				n.objects[id] = nil
			}
			for i := range objs {
				n.objects[strings.ToLower(objs[i].ID)] = &objs[i]
			}
		case IsDirectoryDenied(err):
			n.denied = err
		}
		for _, id := range b.ids {
			delete(n.pending, id)
		}
		b.err = err
		n.mu.Unlock()
		close(b.done)
	}
}

func IsDirectoryDenied(err error) bool {
	e, ok := pimclient.AsAPIError(err)
	return ok && e.StatusCode == 403
}

// DeniedErr is the remembered 403, nil when the directory can be read.
func (n *DirectoryNames) DeniedErr() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.denied
}

// Principal returns what the last lookup found: the object (nil when Graph
// does not know the id) and whether the id has been looked up at all.
func (n *DirectoryNames) Principal(id string) (*pimclient.DirectoryObject, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	obj, known := n.objects[strings.ToLower(id)]
	return obj, known
}

// Lookup resolves one id and returns its object; known is false when the
// Lookup failed (err says why).
func (n *DirectoryNames) Lookup(ctx context.Context, id string) (obj *pimclient.DirectoryObject, known bool, err error) {
	if err := n.Resolve(ctx, []string{id}); err != nil {
		return nil, false, err
	}
	obj, known = n.Principal(id)
	return obj, known, nil
}

// RoleNames returns every role's display name by lower-case id, listed once.
func (n *DirectoryNames) RoleNames(ctx context.Context) (map[string]string, error) {
	n.mu.Lock()
	load := n.rolesLoad
	first := load == nil
	if first {
		load = make(chan struct{})
		n.rolesLoad = load
	}
	n.mu.Unlock()
	if first {
		defs, err := n.client.ListRoleNames(ctx)
		names := make(map[string]string, len(defs))
		for _, d := range defs {
			names[strings.ToLower(d.ID)] = d.DisplayName
		}
		n.mu.Lock()
		n.roles, n.rolesErr = names, err
		if err != nil {
			n.rolesLoad = nil // a later caller tries again
		}
		n.mu.Unlock()
		close(load)
	}
	select {
	case <-load:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.roles, n.rolesErr
}

// RoleName is the role's display name, "" when unknown.
func (n *DirectoryNames) RoleName(ctx context.Context, id string) string {
	roles, err := n.RoleNames(ctx)
	if err != nil {
		return ""
	}
	return roles[strings.ToLower(id)]
}

// WarnDenied adds, once per process, the warning that the credentials cannot
// read the directory, so names are not shown and principals not checked.
func (n *DirectoryNames) WarnDenied(err error, diags *diag.Diagnostics) {
	n.mu.Lock()
	first := !n.warned
	n.warned = true
	n.mu.Unlock()
	if !first {
		return
	}
	diags.AddWarning("Directory Not Readable: Principal Names Not Shown",
		GraphErrorDetail("Looking up principals by id (POST /directoryObjects/getByIds) was refused", err,
			"Without a directory read permission, principal names are left empty and the plan-time check that each principal exists "+
				"is skipped (Graph still refuses an unknown principal at apply time). Grant the application permission Directory.Read.All "+
				"(or, for a signed-in user, the Directory Readers role) to see who gets which role."))
}

// DescribePrincipal names a principal for a message: `user "Alice Example"
// (alice@contoso.com, id …)`. It falls back to the id when the directory
// cannot be read.
func (n *DirectoryNames) DescribePrincipal(ctx context.Context, id string) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), nameLookupTimeout)
	defer cancel()
	obj, known, err := n.Lookup(ctx, id)
	switch {
	case err != nil || !known:
		return "principal " + id
	case obj == nil:
		return "principal " + id + " (not found in the directory)"
	}
	return DescribeObject(obj)
}

func DescribeObject(obj *pimclient.DirectoryObject) string {
	switch obj.Type() {
	case pimclient.PrincipalUser:
		return fmt.Sprintf("user %q (%s, id %s)", obj.DisplayName, obj.UserPrincipalName, obj.ID)
	case pimclient.PrincipalServicePrincipal:
		return fmt.Sprintf("service principal %q (app id %s, id %s)", obj.DisplayName, obj.AppID, obj.ID)
	}
	return fmt.Sprintf("group %q (id %s)", obj.DisplayName, obj.ID)
}

// DescribeRole names a role for a message: `role "Global Administrator"
// (62e90394-…)`.
func (n *DirectoryNames) DescribeRole(ctx context.Context, id string) string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), nameLookupTimeout)
	defer cancel()
	if name := n.RoleName(ctx, id); name != "" {
		return fmt.Sprintf("role %q (%s)", name, id)
	}
	return "role " + id
}

// PrincipalNames are the attributes that say who a principal id is.
type PrincipalNames struct {
	PrincipalDisplayName       types.String `tfsdk:"principal_display_name"`
	PrincipalType              types.String `tfsdk:"principal_type"`
	PrincipalUserPrincipalName types.String `tfsdk:"principal_user_principal_name"`
}

// NamesOf is what a looked-up object sets; obj nil (not found) sets nulls.
func NamesOf(obj *pimclient.DirectoryObject) PrincipalNames {
	if obj == nil {
		return PrincipalNames{types.StringNull(), types.StringNull(), types.StringNull()}
	}
	return PrincipalNames{StringOrNull(obj.DisplayName), StringOrNull(obj.Type()), StringOrNull(obj.UserPrincipalName)}
}

// EntryNames fills the names of many data source entries with one bulk
// lookup; when the directory cannot be read they stay null, with one warning.
func (n *DirectoryNames) EntryNames(ctx context.Context, principalIDs []string, diags *diag.Diagnostics) func(principalID, roleID string) (PrincipalNames, types.String) {
	err := n.Resolve(ctx, principalIDs)
	if err != nil {
		if IsDirectoryDenied(err) {
			n.WarnDenied(err, diags)
		} else {
			diags.AddWarning("Principal Names Not Shown", GraphErrorDetail("Looking up principals by id failed", err, "The names are left empty; the ids are complete."))
		}
	}
	roles, roleErr := n.RoleNames(ctx)
	if roleErr != nil {
		diags.AddWarning("Role Names Not Shown", GraphErrorDetail("Listing role definitions failed", roleErr, "The role names are left empty; the ids are complete."))
	}
	return func(principalID, roleID string) (PrincipalNames, types.String) {
		names := NamesOf(nil)
		if obj, known := n.Principal(principalID); known {
			names = NamesOf(obj)
		}
		return names, StringOrNull(roles[strings.ToLower(roleID)])
	}
}

// EntryNameAttributes are the name attributes of a data source entry.
func EntryNameAttributes(attrs map[string]dschema.Attribute) map[string]dschema.Attribute {
	attrs["principal_display_name"] = dschema.StringAttribute{Computed: true,
		MarkdownDescription: "Display name of the principal; null when the credentials cannot read the directory or the principal no longer exists."}
	attrs["principal_type"] = dschema.StringAttribute{Computed: true, MarkdownDescription: "`user`, `group` or `servicePrincipal`."}
	attrs["principal_user_principal_name"] = dschema.StringAttribute{Computed: true, MarkdownDescription: "Sign-in name of a user principal."}
	attrs["role_display_name"] = dschema.StringAttribute{Computed: true, MarkdownDescription: "Display name of the role."}
	return attrs
}

// AzureRoleName is the name of an Azure role definition (its full ARM id);
// "" when ARM cannot be read, and the caller shows the id instead.
func (n *DirectoryNames) AzureRoleName(ctx context.Context, id string) string {
	name, _ := n.AzureRole(ctx, id)
	return name
}

// AzureRole reads an Azure role definition's name once per process and id
// (built-in roles are never renamed): a plan of many assignments of one
// role reads it once. Failures are not kept.
func (n *DirectoryNames) AzureRole(ctx context.Context, id string) (string, error) {
	key := strings.ToLower(id)
	n.mu.Lock()
	name, ok := n.azureRoles[key]
	n.mu.Unlock()
	if ok {
		return name, nil
	}
	def, err := n.client.GetAzureRoleDefinition(ctx, id)
	if err != nil {
		return "", err
	}
	n.remember(&n.azureRoles, key, def.RoleName)
	return def.RoleName, nil
}

// AzureScope reads an ARM scope once per process: nil when it exists (a
// plan of many assignments at one scope reads it once). Failures, "not
// found" included, are not kept.
func (n *DirectoryNames) AzureScope(ctx context.Context, scope string) error {
	key := strings.ToLower(strings.TrimRight(scope, "/"))
	n.mu.Lock()
	_, ok := n.azureScopes[key]
	n.mu.Unlock()
	if ok {
		return nil
	}
	if _, err := n.client.GetAzureScope(ctx, scope); err != nil {
		return err
	}
	n.remember(&n.azureScopes, key, "")
	return nil
}

func (n *DirectoryNames) remember(m *map[string]string, key, value string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if *m == nil {
		*m = map[string]string{}
	}
	(*m)[key] = value
}
