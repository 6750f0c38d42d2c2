package alerts

import (
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
)

var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// remediate applies an incident's mitigation (Learn: "remediating the
// incident means that Microsoft Entra ID removes the user from the role"):
// the offending eligibility or assignment is removed through PIM's own
// removal path, with an audit entry that names the alert; for roles whose
// activation needs no MFA, MFA becomes required. The incident is gone.
func remediate(c *call) {
	e := c.a.onAlert(c, "alerts", func(tx *tx, t *alertType) *core.APIError {
		if !t.remediatable {
			return core.BadRequest("BadRequest", "The alert %q has no mitigation to apply: %s", t.display, t.mitigate)
		}
		a := tx.load(t)
		in := a.incident(c.Params[1])
		if in == nil {
			return core.NotFound("alertIncidents", c.Params[1])
		}
		if e := tx.mitigate(t, in); e != nil {
			return e
		}
		kept := a.Incidents[:0]
		for _, x := range a.Incidents {
			if x.ID != in.ID {
				kept = append(kept, x)
			}
		}
		now := tx.Now
		a.Incidents, a.Modified = kept, &now
		return tx.save(t, a)
	})
	if e != nil {
		c.Fail(e)
		return
	}
	c.W.WriteHeader(200)
}

func (tx *tx) mitigate(t *alertType, in *incident) *core.APIError {
	if t.name == NoMfaOnActivation {
		p := tx.PolicyOf(core.DirectorySubject(in.Role)).Clone()
		p.Key = core.DirectoryPolicyKey(in.Role)
		r := p.Rule("Enablement_EndUser_Assignment")
		if !core.ContainsFold(r.EnabledRules, "MultiFactorAuthentication") {
			r.EnabledRules = append(r.EnabledRules, "MultiFactorAuthentication")
		}
		now := tx.Now
		p.LastModified, p.LastModifiedByID = &now, tx.Caller.PrincipalID
		tx.St.Policies[p.Key] = p
		tx.Touch(core.EntPolicy, p.Key)
		tx.Audit(core.AuditEntry{Activity: "Update role setting in PIM", Op: "Update", Initiator: tx.Caller.PrincipalID,
			Reason: "Remediated PIM alert: " + t.display, Key: core.Key{Surface: core.SurfaceDirectory, Role: in.Role, Scope: "/"}})
		return nil
	}
	for _, id := range in.Schedules {
		sc, ok := tx.St.Schedules.Get(id)
		if !ok {
			continue // removed since the scan
		}
		if e := tx.a.remove.Remove(tx.Tx, sc, "Remediated PIM alert: "+t.display); e != nil {
			return e
		}
	}
	return nil
}
