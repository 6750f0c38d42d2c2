package reviews

import (
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// decisionBody is what a reviewer sends.
type decisionBody struct {
	Decision      string `json:"decision"`
	Justification string `json:"justification"`
	PrincipalID   string `json:"principalId"`
	ResourceID    string `json:"resourceId"`
}

// record checks and records a reviewer's decision on one item.
func (tx *tx) record(d *definition, in *instance, dec *decision, b *decisionBody) *core.APIError {
	switch {
	case !tx.reviews(dec):
		return core.Forbidden("Only a reviewer of this decision can record it, with their own sign-in.")
	case in.Status != statusInProgress:
		return core.BadRequest("AccessReviewInstanceNotActive", "The access review instance has ended (%s): decisions can no longer be recorded.", in.Status)
	case b.Decision != "Approve" && b.Decision != "Deny" && b.Decision != "DontKnow":
		return core.BadRequest("BadRequest", "decision %q: want Approve, Deny or DontKnow.", b.Decision)
	case b.Decision == "Approve" && d.Settings.JustificationRequiredOnApproval && strings.TrimSpace(b.Justification) == "":
		return core.BadRequest("JustificationRequired", "This access review requires a justification to approve.")
	}
	now := tx.Now
	dec.Decision, dec.Justification, dec.ReviewedBy, dec.Reviewed = b.Decision, b.Justification, strings.ToLower(tx.Caller.PrincipalID), &now
	return nil
}

// patchDecision records one decision as the signed-in reviewer (204).
func patchDecision(c *call) {
	var b decisionBody
	if e := wire.DecodeBody(c.Body, &b, "accessReviewInstanceDecisionItem"); e != nil {
		c.Fail(e)
		return
	}
	c.decide(func(tx *tx, d *definition, in *instance) *core.APIError {
		for i := range in.Decisions {
			if in.Decisions[i].ID == c.Params[2] {
				return tx.record(d, in, &in.Decisions[i], &b)
			}
		}
		return core.NotFound("accessReviewInstanceDecisionItem", c.Params[2])
	})
}

// batchRecordDecisions records a decision on every item the caller
// reviews, or those of a principal or resource.
func batchRecordDecisions(c *call) {
	var b decisionBody
	if e := wire.DecodeBody(c.Body, &b, "batchRecordDecisions"); e != nil {
		c.Fail(e)
		return
	}
	c.decide(func(tx *tx, d *definition, in *instance) *core.APIError {
		n := 0
		for i := range in.Decisions {
			dec := &in.Decisions[i]
			if !tx.reviews(dec) || (b.PrincipalID != "" && !strings.EqualFold(dec.Principal, b.PrincipalID)) ||
				(b.ResourceID != "" && !strings.EqualFold(dec.Resource, b.ResourceID)) {
				continue
			}
			if e := tx.record(d, in, dec, &b); e != nil {
				return e
			}
			n++
		}
		if n == 0 {
			return core.Forbidden("The signed-in user reviews none of the selected decisions.")
		}
		return nil
	})
}

// decide runs a reviewer's change on an instance: only a signed-in user
// decides (an application cannot review).
func (c *call) decide(fn func(*tx, *definition, *instance) *core.APIError) {
	c.onInstance(func(tx *tx) *core.APIError {
		if tx.Caller.App {
			return core.Forbidden("Decisions are recorded by a signed-in reviewer, not an application.")
		}
		return nil
	}, fn)
}

// admin runs an administrator's change on an instance.
func (c *call) admin(fn func(*tx, *definition, *instance) *core.APIError) {
	c.onInstance(func(tx *tx) *core.APIError {
		if !tx.Allowed(permWrite, writerRoles) {
			return errWrite
		}
		return nil
	}, fn)
}

// onInstance runs a change on the call's instance once who checks the
// caller, saves the instance and answers 204.
func (c *call) onInstance(who func(*tx) *core.APIError, fn func(*tx, *definition, *instance) *core.APIError) {
	e := c.a.update(c.Caller, func(tx *tx) *core.APIError {
		if e := who(tx); e != nil {
			return e
		}
		var d definition
		var in instance
		switch {
		case !tx.Doc(docDefinition, c.Params[0], &d):
			return core.NotFound("accessReviewScheduleDefinition", c.Params[0])
		case !tx.Doc(docInstance, c.Params[1], &in) || in.Definition != d.ID:
			return core.NotFound("accessReviewInstance", c.Params[1])
		}
		if e := fn(tx, &d, &in); e != nil {
			return e
		}
		return tx.PutDoc(docInstance, in.ID, &in)
	})
	if e != nil {
		c.Fail(e)
		return
	}
	c.W.NoContent()
}

// stopInstance ends an instance now (the default decision applies, and
// auto-apply if set).
func stopInstance(c *call) {
	c.admin(func(tx *tx, _ *definition, in *instance) *core.APIError {
		if in.Status != statusInProgress {
			return core.BadRequest("AccessReviewInstanceNotActive", "The access review instance is not in progress (%s).", in.Status)
		}
		in.End = tx.Now
		tx.endInstance(in)
		return nil
	})
}

// applyDecisions applies a completed instance's decisions (manual apply).
func applyDecisions(c *call) {
	c.admin(func(tx *tx, d *definition, in *instance) *core.APIError {
		if in.Status != statusCompleted {
			return core.BadRequest("AccessReviewInstanceNotCompleted", "Decisions are applied once the instance has completed (it is %s).", in.Status)
		}
		tx.apply(d, in)
		return nil
	})
}

// sendReminder mails the reviewers who have not decided everything.
func sendReminder(c *call) {
	c.admin(func(tx *tx, d *definition, in *instance) *core.APIError {
		if in.Status != statusInProgress {
			return core.BadRequest("AccessReviewInstanceNotActive", "The access review instance is not in progress (%s).", in.Status)
		}
		tx.remind(d, in)
		return nil
	})
}
