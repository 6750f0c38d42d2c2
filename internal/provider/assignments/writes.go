package assignments

import (
	"context"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
	"github.com/pim-as-code/terraform-provider-pim/internal/provider/shared"
)

// The three writes of an assignment, each with the read that tells whether
// this write took effect when Graph left its outcome unknown (a 5xx, a cut
// connection, a 429 after commit). The rule for all three: Graph shows what
// this write did, made after it was sent; anything else is not adopted.

// assignWrite: a schedule for the key made after the send. One made before
// is someone else's, never adopted (import it instead); RoleAssignmentExists
// on a resend is the echo of our own earlier attempt.
func (r *Resource) assignWrite(plan *Model, body *pimclient.ScheduleRequest, created **pimclient.ScheduleRequest, found **pimclient.Schedule) shared.Write {
	sent := r.data.Clock.Now()
	return shared.Write{
		Send: func(ctx context.Context) (err error) { *created, err = r.Svc().CreateRequest(ctx, body); return err },
		Landed: func(ctx context.Context) (bool, error) {
			sc, err := r.Svc().FindDirectSchedule(ctx, plan.key())
			switch {
			case err != nil || sc == nil:
				return false, err
			case !shared.MadeSince(sc.CreatedDateTime, sent):
				return false, shared.ErrNotOurs
			}
			*found = sc
			return true, nil
		},
		Echo: func(err error) bool { return pimclient.HasCode(err, pimclient.CodeRoleAssignmentExists) },
	}
}

// updateWrite: the schedule as planned and, when the justification or
// ticket changes, an adminUpdate request made after the send that carries
// them. An update is safe to send again, so anything less is re-sent.
func (r *Resource) updateWrite(plan, state *Model, body *pimclient.ScheduleRequest, updated **pimclient.ScheduleRequest, found **pimclient.Schedule) shared.Write {
	sent := r.data.Clock.Now()
	sameDetails := plan.Justification.Equal(state.Justification) && plan.TicketNumber.Equal(state.TicketNumber) && plan.TicketSystem.Equal(state.TicketSystem)
	want := ticket{plan.TicketNumber.ValueString(), plan.TicketSystem.ValueString()}
	return shared.Write{
		Send: func(ctx context.Context) (err error) { *updated, err = r.Svc().CreateRequest(ctx, body); return err },
		Landed: func(ctx context.Context) (bool, error) {
			sc, err := r.Svc().FindDirectSchedule(ctx, plan.key())
			*found = sc
			if err != nil || sc == nil || !plan.matches(sc) {
				return false, err
			}
			if sameDetails {
				return true, nil
			}
			return r.requestSince(ctx, plan.key(), sent, func(q *pimclient.ScheduleRequest) bool {
				return q.Action == pimclient.ActionAdminUpdate && q.Justification == plan.Justification.ValueString() && ticketOf(q) == want
			})
		},
	}
}

// removeWrite: the schedule is gone and Graph holds this write's adminRemove
// request. A schedule made moments ago can be missing from a lagging
// replica although it exists, so "not found" alone is not proof. A resend
// that meets RoleAssignmentDoesNotExist means the goal is reached, which
// the caller handles.
func (r *Resource) removeWrite(state *Model, body *pimclient.ScheduleRequest) shared.Write {
	sent := r.data.Clock.Now()
	return shared.Write{
		Send: func(ctx context.Context) error { _, err := r.Svc().CreateRequest(ctx, body); return err },
		Landed: func(ctx context.Context) (bool, error) {
			sc, err := r.Svc().FindDirectSchedule(ctx, state.key())
			if err != nil || sc != nil {
				return false, err
			}
			return r.requestSince(ctx, state.key(), sent, func(q *pimclient.ScheduleRequest) bool {
				return q.Action == pimclient.ActionAdminRemove
			})
		},
	}
}

// requestSince reports whether Graph holds a request for the key, made
// after sent, that is.
func (r *Resource) requestSince(ctx context.Context, key pimclient.AssignmentKey, sent time.Time, is func(*pimclient.ScheduleRequest) bool) (bool, error) {
	reqs, err := r.Svc().ListRequests(ctx, r.Svc().KeyFilter(key))
	if err != nil {
		return false, err
	}
	for i := range reqs {
		if q := &reqs[i]; shared.MadeSince(q.CreatedDateTime, sent) && is(q) {
			return true, nil
		}
	}
	return false, nil
}

type ticket struct{ number, system string }

func ticketOf(q *pimclient.ScheduleRequest) ticket {
	if q.TicketInfo == nil {
		return ticket{}
	}
	return ticket{q.TicketInfo.TicketNumber, q.TicketInfo.TicketSystem}
}
