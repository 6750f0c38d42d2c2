package identity

import (
	"crypto/rand"
	"encoding/hex"
	"sync"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// endpoint adds tokens while calls are being served.
type Tokens struct {
	mu sync.RWMutex
	m  map[string]core.Identity
}

func (t *Tokens) Get(tok string) (core.Identity, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	id, ok := t.m[tok]
	return id, ok
}

func (t *Tokens) Add(tok string, id core.Identity) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m[tok] = id
}

func (t *Tokens) All() map[string]core.Identity {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make(map[string]core.Identity, len(t.m))
	for k, v := range t.m {
		out[k] = v
	}
	return out
}

func RandomToken(prefix string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// IdentityFor is who a token of the control API stands for: a user (with
// or without MFA and authentication contexts) or a service principal
// (app-only, with its permissions or the ones given).
func (s *Service) IdentityFor(id string, mfa bool, app *bool, acrs, perms []string) (core.Identity, *core.APIError) {
	if sp, ok := s.dir.SPs[id]; ok {
		if app != nil && !*app || mfa || len(acrs) > 0 {
			return core.Identity{}, core.BadRequest("BadRequest", "%s is a service principal: its tokens are app-only, without MFA or authentication contexts.", sp.DisplayName)
		}
		if perms == nil {
			perms = sp.Permissions
		}
		return core.Identity{PrincipalID: id, App: true, Permissions: perms}, nil
	}
	u, ok := s.dir.Users[id]
	switch {
	case !ok:
		return core.Identity{}, core.BadRequest("BadRequest", "%s is a group: tokens are for users and service principals.", id)
	case app != nil && *app:
		return core.Identity{}, core.BadRequest("BadRequest", "%s is a user: app-only tokens are for service principals.", u.UPN)
	case mfa && !u.MFARegistered:
		return core.Identity{}, core.BadRequest("BadRequest", "%s has no MFA method registered (mfa_registered: false in the seed).", u.UPN)
	case len(perms) > 0:
		return core.Identity{}, core.BadRequest("BadRequest", "permissions are for app-only tokens; a user's access follows their directory roles.")
	}
	return core.Identity{PrincipalID: id, MFA: mfa, ACRS: acrs}, nil
}

// Issue makes a new bearer token for an identity.
func (s *Service) Issue(id core.Identity) string {
	tok := RandomToken("pimemu_")
	s.Tokens.Add(tok, id)
	return tok
}
