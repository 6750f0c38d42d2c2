package shared

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// SettleReads is how many reads a write whose outcome is unknown gets to
// show up (replication lag) before it is sent again.
const SettleReads = 5

// Write is one Write whose outcome Graph may leave unknown, with the read
// that tells whether it took effect.
type Write struct {
	// Send sends the write.
	Send func(context.Context) error
	// Landed reads Graph and reports whether the write has taken effect.
	Landed func(context.Context) (bool, error)
	// Echo reports whether an error is what re-sending a write that did
	// take effect answers (RoleAssignmentExists after an assign).
	Echo func(error) bool
}

// ErrNotOurs is what Landed answers when Graph holds what the write would
// have made, but made by someone else (before this write was sent): the
// write did not take effect and must not adopt it.
var ErrNotOurs = errors.New("what Graph holds was not made by this write")

// clockSlack is how far the server time this provider estimates (from
// Date headers of one-second resolution) may be from Graph's own.
const clockSlack = 2 * time.Second

// MadeSince reports whether Graph made something (created at made) after a
// write sent at sent, by Graph's clock: only then is it this write's doing.
func MadeSince(made *time.Time, sent time.Time) bool {
	return made != nil && !made.Before(sent.Add(-clockSlack))
}

// Resolve sends a write and, when Graph leaves its outcome unknown (a 5xx,
// a connection cut after sending), reads before doing anything else: a
// write that took effect is adopted, one that did not is sent again, all
// within ctx's deadline. Never a duplicate, never an orphan. It returns
// whether the write was adopted by reading (then the send's answer is lost
// and only landed's read describes the result).
func (p *ProviderData) Resolve(ctx context.Context, w Write) (bool, error) {
	uncertain := false
	for {
		err := w.Send(ctx)
		switch {
		case err == nil:
			return false, nil
		case pimclient.Ambiguous(err):
		case (uncertain || pimclient.Retried(err)) && (w.Echo != nil && w.Echo(err) || pimclient.HasCode(err, pimclient.CodeRequestExists)):
			// The echo of an earlier attempt that took effect (ARM: a request
			// of this write's own name exists, so an earlier send arrived).
		default:
			return false, err
		}
		uncertain = true
		tflog.Warn(ctx, "Graph left the outcome of a write unknown; reading before writing again", map[string]any{"error": err.Error()})
		ok, rerr := p.Settle(ctx, w.Landed)
		if ok {
			return true, nil
		}
		if errors.Is(rerr, ErrNotOurs) {
			return false, err // someone else's: the write's own answer stands
		}
		if ctx.Err() != nil {
			return true, fmt.Errorf("the outcome of the write is unknown and the timeout ran out while reading it back (last read: %v): %w", orNotFound(rerr), err)
		}
	}
}

// Settle reads up to settleReads times, waiting a poll interval between
// reads; transient read failures count as misses.
func (p *ProviderData) Settle(ctx context.Context, landed func(context.Context) (bool, error)) (bool, error) {
	var last error
	for i := range SettleReads {
		ok, err := landed(ctx)
		if err == nil && ok {
			return true, nil
		}
		if errors.Is(err, ErrNotOurs) {
			return false, err
		}
		last = err
		if i < SettleReads-1 {
			if werr := p.Clock.Sleep(ctx, p.Poll); werr != nil {
				return false, last
			}
		}
	}
	return false, last
}

func orNotFound(err error) string {
	if err == nil {
		return "not found"
	}
	return err.Error()
}
