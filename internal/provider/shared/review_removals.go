package shared

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// ReviewRemoval is an eligibility or assignment an access review removed:
// the audit entry's reason names the review, the reviewer and when.
type ReviewRemoval struct {
	Reason string
	At     time.Time
}

// reviewReasonPrefix starts the reason of a removal by an access review in
// the audit log.
const reviewReasonPrefix = "Access review "

// ReviewRemovals are the removals by access reviews of the last 30 days
// (the audit log's retention), read once per process and only when a plan
// or a refresh needs them.
type ReviewRemovals struct {
	once  sync.Once
	byKey map[string]ReviewRemoval
	err   error
}

// NewReviewRemovals returns an empty cache.
func NewReviewRemovals() *ReviewRemovals { return &ReviewRemovals{} }

func removalKey(principal, target string) string {
	return strings.ToLower(principal) + "|" + strings.ToLower(target)
}

// RemovedByReview reports the newest removal by an access review of the
// principal's access to target (a role, or a group), nil when there is
// none or the audit log cannot be read (AuditLog.Read.All).
func (p *ProviderData) RemovedByReview(ctx context.Context, principal, target string) (*ReviewRemoval, error) {
	if p.Reviews == nil {
		return nil, nil
	}
	w := p.Reviews
	w.once.Do(func() {
		f := pimclient.Filter{}.Ge("activityDateTime", p.Clock.Now().AddDate(0, 0, -30)).StartsWith("activityDisplayName", "Remove")
		audits, err := p.Client.ListDirectoryAudits(ctx, f, 999)
		w.byKey, w.err = map[string]ReviewRemoval{}, err
		for _, a := range audits { // newest first: the first one of a key stays
			if !strings.HasPrefix(a.ResultReason, reviewReasonPrefix) {
				continue
			}
			for _, who := range a.TargetResources {
				for _, what := range a.TargetResources {
					k := removalKey(who.ID, what.ID)
					if _, seen := w.byKey[k]; !seen && who.ID != what.ID {
						w.byKey[k] = ReviewRemoval{Reason: a.ResultReason, At: a.ActivityDateTime}
					}
				}
			}
		}
	})
	if r, ok := w.byKey[removalKey(principal, target)]; ok {
		return &r, nil
	}
	return nil, w.err
}
