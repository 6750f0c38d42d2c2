package shared

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// Clock is the provider's time source. Tests share the emulator's fake clock
// so that waits (the five-minute minimum active duration) and "end in the
// past" checks follow emulated time instead of sleeping.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type RealClock struct{}

func (RealClock) Now() time.Time { return time.Now().UTC() }

func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ProviderData is handed to every resource and data source.
type ProviderData struct {
	Client    *pimclient.Client
	Clock     Clock
	Poll      time.Duration
	Policies  *PolicyCache
	Schedules *ScheduleCache
	Names     *DirectoryNames
	Alerts    *AlertWatch
	Reviews   *ReviewRemovals
	// EnforceReviews fails a plan that grants again what an access review
	// removed, unless the resource allows it (access_review_decisions).
	EnforceReviews bool
	// SignIn names the sign-in method; appOnly is true when it has no
	// signed-in user (client credentials, federation, an app's token).
	SignIn  string
	AppOnly bool
	// Protected holds the lower-case ids of protected_principal_ids.
	Protected map[string]bool
	// PlanLookups: plans look each new assignment's principal up (its
	// existence and its name); off, new assignments get their names at the
	// next refresh.
	PlanLookups bool
}

// ConfiguredData returns the provider data handed to a resource or data
// source: nil before the provider is configured (validation runs first), and
// an error diagnostic on a wrong type, which would be a bug.
func ConfiguredData(raw any, diags *diag.Diagnostics) *ProviderData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*ProviderData)
	if !ok {
		diags.AddError("Unexpected Provider Data Type",
			fmt.Sprintf("Expected *providerData, got %T. Please report this issue to the provider developers.", raw))
	}
	return data
}

func FirstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// ServerClock is the clock of time decisions (has an assignment ended? is
// an end in the past?): Graph's time as its responses' Date headers show it,
// waiting on the local clock.
func ServerClock(local Clock, client *pimclient.Client) Clock { return serverClock{local, client} }

type serverClock struct {
	Clock
	client *pimclient.Client
}

func (c serverClock) Now() time.Time { return c.client.Now() }
