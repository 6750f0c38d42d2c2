package pim

import (
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

// Remove removes a standing eligibility or assignment the way adminRemove
// does, for areas that remove access on PIM's behalf (an alert's
// remediation, an access review's decision): the same checks (the last
// Global Administrator stays), a Revoked adminRemove request by the
// caller, the audit entry with the reason, the schedule gone.
func (en *Engine) Remove(t *core.Tx, sc *core.Schedule, reason string) *core.APIError {
	x := &tx{t, en}
	if e := x.checkRemove(sc.Key, sc); e != nil && e.Code != "ActiveDurationTooShort" {
		return e
	}
	req := &core.Request{ID: core.NewID(), Key: sc.Key, Action: "adminRemove", Status: core.StatusRevoked, Created: t.Now,
		CreatedBy: strings.ToLower(t.Caller.PrincipalID), CreatedByApp: t.Caller.App}
	x.applyRemove(req, sc, &reason)
	return nil
}
