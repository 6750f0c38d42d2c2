package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// settleReads is how many reads a write whose outcome is unknown gets to
// show up (replication lag) before it is sent again.
const settleReads = 5

// write is one write whose outcome Graph may leave unknown, with the read
// that tells whether it took effect.
type write struct {
	// send sends the write.
	send func(context.Context) error
	// landed reads Graph and reports whether the write has taken effect.
	landed func(context.Context) (bool, error)
	// echo reports whether an error is what re-sending a write that did
	// take effect answers (RoleAssignmentExists after an assign).
	echo func(error) bool
}

// resolve sends a write and, when Graph leaves its outcome unknown (a 5xx,
// a connection cut after sending), reads before doing anything else: a
// write that took effect is adopted, one that did not is sent again, all
// within ctx's deadline. Never a duplicate, never an orphan. It returns
// whether the write was adopted by reading (then the send's answer is lost
// and only landed's read describes the result).
func (p *providerData) resolve(ctx context.Context, w write) (bool, error) {
	uncertain := false
	for {
		err := w.send(ctx)
		switch {
		case err == nil:
			return false, nil
		case pimclient.Ambiguous(err):
		case (uncertain || pimclient.Retried(err)) && w.echo != nil && w.echo(err):
			// The echo of an earlier attempt that took effect.
		default:
			return false, err
		}
		uncertain = true
		tflog.Warn(ctx, "Graph left the outcome of a write unknown; reading before writing again", map[string]any{"error": err.Error()})
		ok, rerr := p.settle(ctx, w.landed)
		if ok {
			return true, nil
		}
		if ctx.Err() != nil {
			return true, fmt.Errorf("the outcome of the write is unknown and the timeout ran out while reading it back (last read: %v): %w", orNotFound(rerr), err)
		}
	}
}

// settle reads up to settleReads times, waiting a poll interval between
// reads; transient read failures count as misses.
func (p *providerData) settle(ctx context.Context, landed func(context.Context) (bool, error)) (bool, error) {
	var last error
	for i := range settleReads {
		ok, err := landed(ctx)
		if err == nil && ok {
			return true, nil
		}
		last = err
		if i < settleReads-1 {
			if werr := p.clock.Sleep(ctx, p.poll); werr != nil {
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
