package reviews

import (
	"sort"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

var (
	instanceEntity = &wire.EntityType{Name: "accessReviewInstance", Props: []string{"id", "startDateTime", "endDateTime", "status", "scope",
		"reviewers", "fallbackReviewers"}}
	decisionEntity = &wire.EntityType{Name: "accessReviewInstanceDecisionItem", Props: []string{"id", "accessReviewId", "reviewedDateTime",
		"decision", "justification", "appliedDateTime", "applyResult", "recommendation", "principalLink", "resourceLink", "resource",
		"reviewedBy", "appliedBy", "principal"}}
	reviewerEntity = &wire.EntityType{Name: "accessReviewReviewer", Props: []string{"id", "displayName", "userPrincipalName", "createdDateTime"}}
)

// mine is the filterByCurrentUser(on='reviewer') function segment.
func mine(seg string) bool {
	return strings.EqualFold(strings.ReplaceAll(seg, `"`, "'"), "filterByCurrentUser(on='reviewer')")
}

// reviews reports whether the caller reviews a decision.
func (tx *tx) reviews(dec *decision) bool {
	for _, r := range dec.Reviewers {
		if strings.EqualFold(r, tx.Caller.PrincipalID) {
			return true
		}
	}
	return false
}

// reviewsAny reports whether the caller reviews anything of a definition.
func (tx *tx) reviewsAny(defID string) bool {
	for _, in := range tx.instancesOf(defID) {
		for i := range in.Decisions {
			if tx.reviews(&in.Decisions[i]) {
				return true
			}
		}
	}
	return false
}

// lookup finds the call's definition and instance; it fails the call and
// returns nil when either is missing or the caller may not read them.
func (tx *tx) lookup(c *call, needInstance bool) (*definition, *instance) {
	var d definition
	if !tx.Doc(docDefinition, c.Params[0], &d) {
		c.Fail(core.NotFound("accessReviewScheduleDefinition", c.Params[0]))
		return nil, nil
	}
	if !tx.Allowed(permRead, readerRoles) && !tx.reviewsAny(d.ID) {
		c.Fail(errRead)
		return nil, nil
	}
	if !needInstance {
		return &d, nil
	}
	var in instance
	if !tx.Doc(docInstance, c.Params[1], &in) || in.Definition != d.ID {
		c.Fail(core.NotFound("accessReviewInstance", c.Params[1]))
		return nil, nil
	}
	return &d, &in
}

func listInstances(c *call) {
	q, ok := c.Query("$filter", "$select", "$top", "$skiptoken", "$count")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		d, _ := tx.lookup(c, false)
		if d == nil {
			return
		}
		c.WriteCollection(tx.instancesListing(d, false), q)
	})
}

// instancesListing lists a definition's instances oldest first (all, or
// those the caller reviews, as filterByCurrentUser's result).
func (tx *tx) instancesListing(d *definition, mine bool) wire.Listing {
	return wire.Listing{Set: base + "('" + d.ID + "')/instances", Typ: instanceEntity, Function: mine, Each: func(after string, yield func(wire.Item) bool) {
		for _, in := range tx.instancesOf(d.ID) {
			cur := in.Start.UTC().Format(time.RFC3339Nano) + in.ID
			if cur > after && (!mine || tx.reviewsIn(in)) && !yield(wire.Item{Cursor: cur, Obj: tx.instanceObject(d, in)}) {
				return
			}
		}
	}}
}

// getInstance reads one instance, or with filterByCurrentUser the
// instances the caller reviews.
func getInstance(c *call) {
	q, ok := c.Query("$filter", "$select", "$top", "$skiptoken")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		if mine(c.Params[1]) {
			var d definition
			if !tx.Doc(docDefinition, c.Params[0], &d) {
				c.Fail(core.NotFound("accessReviewScheduleDefinition", c.Params[0]))
				return
			}
			c.WriteCollection(tx.instancesListing(&d, true), q)
			return
		}
		if d, in := tx.lookup(c, true); in != nil {
			c.WriteEntity(base+"('"+d.ID+"')/instances", instanceEntity, wire.Item{Obj: tx.instanceObject(d, in)}, q)
		}
	})
}

func (tx *tx) reviewsIn(in *instance) bool {
	for i := range in.Decisions {
		if tx.reviews(&in.Decisions[i]) {
			return true
		}
	}
	return false
}

// listDecisions lists an instance's decisions: everyone's for a reader of
// reviews, only the caller's for a reviewer.
func listDecisions(c *call) {
	q, ok := c.Query("$filter", "$select", "$top", "$skiptoken", "$count")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		_, in := tx.lookup(c, true)
		if in == nil {
			return
		}
		onlyMine := !tx.Allowed(permRead, readerRoles)
		tx.writeDecisions(c, in, onlyMine, false, q)
	})
}

func (tx *tx) writeDecisions(c *call, in *instance, onlyMine, function bool, q *odata.Query) {
	c.WriteCollection(wire.Listing{Set: base + "('" + in.Definition + "')/instances('" + in.ID + "')/decisions", Typ: decisionEntity,
		Function: function, Each: func(after string, yield func(wire.Item) bool) {
			for i := range in.Decisions {
				dec := &in.Decisions[i]
				if dec.ID > after && (!onlyMine || tx.reviews(dec)) && !yield(wire.Item{Cursor: dec.ID, Obj: tx.decisionObject(in, dec)}) {
					return
				}
			}
		}}, q)
}

func getDecision(c *call) {
	q, ok := c.Query("$filter", "$select", "$top", "$skiptoken")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		_, in := tx.lookup(c, true)
		if in == nil {
			return
		}
		if mine(c.Params[2]) {
			tx.writeDecisions(c, in, true, true, q)
			return
		}
		for i := range in.Decisions {
			if dec := &in.Decisions[i]; dec.ID == c.Params[2] && (tx.Allowed(permRead, readerRoles) || tx.reviews(dec)) {
				c.WriteEntity(base+"('"+in.Definition+"')/instances('"+in.ID+"')/decisions", decisionEntity, wire.Item{Obj: tx.decisionObject(in, dec)}, q)
				return
			}
		}
		c.Fail(core.NotFound("accessReviewInstanceDecisionItem", c.Params[2]))
	})
}

func listContactedReviewers(c *call) {
	q, ok := c.Query("$select", "$top", "$skiptoken")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		_, in := tx.lookup(c, true)
		if in == nil {
			return
		}
		seen := map[string]bool{}
		var ids []string
		for _, dec := range in.Decisions {
			for _, r := range dec.Reviewers {
				if !seen[r] {
					seen[r] = true
					ids = append(ids, r)
				}
			}
		}
		sort.Strings(ids)
		c.WriteCollection(wire.Listing{Set: base + "('" + in.Definition + "')/instances('" + in.ID + "')/contactedReviewers", Typ: reviewerEntity,
			Each: func(after string, yield func(wire.Item) bool) {
				for _, id := range ids {
					var upn any
					if u, ok := tx.Dir.Users[id]; ok {
						upn = u.UPN
					}
					if id > after && !yield(wire.Item{Cursor: id, Obj: odata.Object{{"id", id}, {"displayName", tx.Dir.DisplayName(id)},
						{"userPrincipalName", upn}, {"createdDateTime", core.GraphTime(in.Start)}}}) {
						return
					}
				}
			}}, q)
	})
}
