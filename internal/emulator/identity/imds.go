package identity

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// The managed identity endpoint of an Azure VM (IMDS,
// https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token):
//
//	GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…[&client_id=…] (header Metadata: true)
//
// A user-assigned identity is named by client_id (a service principal's
// app id); without one, the system-assigned identity is the first service
// principal the seed marks managed_identity.
func (s *Service) serveIMDS(w *wire.Writer, r *http.Request) bool {
	if r.URL.Path != "/metadata/identity/oauth2/token" {
		return false
	}
	q := r.URL.Query()
	fail := func(desc string) {
		w.JSON(http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": desc})
	}
	switch {
	case r.Method != http.MethodGet:
		fail("Only GET is supported.")
	case !strings.EqualFold(r.Header.Get("Metadata"), "true"):
		fail("Required metadata header not specified")
	case q.Get("resource") == "":
		fail("Required query variable 'resource' is missing")
	case Audience(q.Get("resource")) == "":
		fail("This emulator issues managed identity tokens for Microsoft Graph and Azure Resource Manager only, not for " + q.Get("resource"))
	default:
		sp, ok := s.managedIdentity(q.Get("client_id"))
		if !ok {
			fail("Identity not found: no managed identity in the seed has that client_id (service principals must be marked managed_identity)")
			return true
		}
		tok := RandomToken("pimemu_")
		s.Tokens.Add(tok, core.Identity{PrincipalID: sp.ID, App: true, Permissions: sp.Permissions, Audience: Audience(q.Get("resource"))})
		exp := s.clock.Now().Add(24 * time.Hour).Unix()
		w.JSON(http.StatusOK, map[string]string{"access_token": tok, "client_id": sp.AppID, "expires_in": "86399",
			"expires_on": strconv.FormatInt(exp, 10), "ext_expires_in": "86399", "not_before": strconv.FormatInt(exp-86400, 10),
			"resource": q.Get("resource"), "token_type": "Bearer"})
	}
	return true
}

func (s *Service) managedIdentity(clientID string) (tenant.ServicePrincipal, bool) {
	if clientID != "" {
		sp, ok := s.dir.SPByAppID(clientID)
		return sp, ok && sp.Managed // only managed identities, never an app registration
	}
	for _, id := range s.dir.SPOrder {
		if sp := s.dir.SPs[id]; sp.Managed && !sp.UserAssigned {
			return sp, true
		}
	}
	return tenant.ServicePrincipal{}, false
}
