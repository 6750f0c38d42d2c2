// Package accessreviews is the client of Graph's access reviews (v1.0),
// through pimclient's transport: definitions, instances, decisions.
package accessreviews

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/pimclient"
)

// Access reviews (Graph v1.0,
// https://learn.microsoft.com/graph/api/resources/accessreviewsv2-overview).

// Service is the access reviews API of a client.
type Service struct{ c *pimclient.Client }

// Of is the access reviews API of c.
func Of(c *pimclient.Client) Service { return Service{c} }

const reviewsPath = "/identityGovernance/accessReviews/definitions"

// AccessReview is an accessReviewScheduleDefinition.
type AccessReview struct {
	ID                      string         `json:"id,omitempty"`
	DisplayName             string         `json:"displayName"`
	DescriptionForAdmins    string         `json:"descriptionForAdmins"`
	DescriptionForReviewers string         `json:"descriptionForReviewers"`
	Status                  string         `json:"status,omitempty"`
	CreatedDateTime         *time.Time     `json:"createdDateTime,omitempty"`
	Scope                   ReviewScope    `json:"scope"`
	Reviewers               []ReviewScope  `json:"reviewers"`
	FallbackReviewers       []ReviewScope  `json:"fallbackReviewers"`
	Settings                ReviewSettings `json:"settings"`
}

// ReviewScope is an accessReviewQueryScope: what is reviewed, or who reviews.
type ReviewScope struct {
	ODataType string `json:"@odata.type,omitempty"`
	Query     string `json:"query"`
	QueryType string `json:"queryType"`
	QueryRoot string `json:"queryRoot,omitempty"`
}

// ReviewSettings are accessReviewScheduleSettings.
type ReviewSettings struct {
	MailNotificationsEnabled        bool        `json:"mailNotificationsEnabled"`
	ReminderNotificationsEnabled    bool        `json:"reminderNotificationsEnabled"`
	JustificationRequiredOnApproval bool        `json:"justificationRequiredOnApproval"`
	DefaultDecisionEnabled          bool        `json:"defaultDecisionEnabled"`
	DefaultDecision                 string      `json:"defaultDecision"`
	InstanceDurationInDays          int         `json:"instanceDurationInDays"`
	AutoApplyDecisionsEnabled       bool        `json:"autoApplyDecisionsEnabled"`
	RecommendationsEnabled          bool        `json:"recommendationsEnabled"`
	Recurrence                      *Recurrence `json:"recurrence,omitempty"`
}

// Recurrence is Graph's patternedRecurrence, as access reviews use it.
type Recurrence struct {
	Pattern struct {
		Type     string `json:"type"`
		Interval int    `json:"interval"`
	} `json:"pattern"`
	Range struct {
		Type                string  `json:"type"`
		StartDate           string  `json:"startDate"`
		EndDate             *string `json:"endDate,omitempty"`
		NumberOfOccurrences int     `json:"numberOfOccurrences"`
	} `json:"range"`
}

// ReviewInstance is an accessReviewInstance.
type ReviewInstance struct {
	ID            string     `json:"id"`
	Status        string     `json:"status"`
	StartDateTime *time.Time `json:"startDateTime"`
	EndDateTime   *time.Time `json:"endDateTime"`
}

// ReviewIdentity is a principal as reviews name it.
type ReviewIdentity struct {
	ID                string `json:"id"`
	DisplayName       string `json:"displayName"`
	UserPrincipalName string `json:"userPrincipalName"`
}

// ReviewDecision is an accessReviewInstanceDecisionItem.
type ReviewDecision struct {
	ID               string          `json:"id"`
	Decision         string          `json:"decision"`
	Justification    string          `json:"justification"`
	Recommendation   string          `json:"recommendation"`
	ApplyResult      string          `json:"applyResult"`
	ReviewedDateTime *time.Time      `json:"reviewedDateTime"`
	AppliedDateTime  *time.Time      `json:"appliedDateTime"`
	Principal        *ReviewIdentity `json:"principal"`
	ReviewedBy       *ReviewIdentity `json:"reviewedBy"`
	Resource         *struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	} `json:"resource"`
}

// The scope queries of reviews of privileged access (Learn: configure the
// scope of your access review definition).
const (
	reviewRoleQuery     = "/roleManagement/directory/roleDefinitions/%s"
	reviewEligibleQuery = "/roleManagement/directory/roleEligibilityScheduleInstances?$expand=principal&$filter=(isof(principal,'microsoft.graph.%s') and roleDefinitionId eq '%s')"
	reviewActiveQuery   = "/roleManagement/directory/roleAssignmentScheduleInstances?$expand=principal&$filter=(assignmentType eq 'Assigned' and isof(principal,'microsoft.graph.%s') and roleDefinitionId eq '%s')"
)

// ReviewTarget is what a review covers, in the provider's terms.
type ReviewTarget struct {
	RoleDefinitionID string // a directory role, or
	GroupID          string // a PIM group
	AssignmentType   string // all, eligible or active (roles)
	PrincipalType    string // user or servicePrincipal (eligible, active)
	GroupAccess      string // member or owner (groups)
}

// Query is the target's scope query.
func (t ReviewTarget) Query() string {
	switch {
	case t.GroupID != "" && t.GroupAccess == "owner":
		return "/groups/" + t.GroupID + "/owners"
	case t.GroupID != "":
		return "/groups/" + t.GroupID + "/transitiveMembers"
	case t.AssignmentType == "eligible":
		return fmt.Sprintf(reviewEligibleQuery, t.PrincipalType, t.RoleDefinitionID)
	case t.AssignmentType == "active":
		return fmt.Sprintf(reviewActiveQuery, t.PrincipalType, t.RoleDefinitionID)
	}
	return fmt.Sprintf(reviewRoleQuery, t.RoleDefinitionID)
}

var (
	reReviewRole   = regexp.MustCompile(`(?i)^/roleManagement/directory/roleDefinitions/([0-9a-f-]{36})$`)
	reReviewKinds  = regexp.MustCompile(`(?i)^/roleManagement/directory/role(Eligibility|Assignment)ScheduleInstances\?.*isof\(principal,'microsoft\.graph\.(user|servicePrincipal)'\) and roleDefinitionId eq '([0-9a-f-]{36})'\)$`)
	reReviewGroups = regexp.MustCompile(`(?i)^/groups/([0-9a-f-]{36})/(transitiveMembers|members|owners)$`)
)

// ParseReviewTarget reads a scope query back; false when it is none the
// provider writes.
func ParseReviewTarget(q string) (ReviewTarget, bool) {
	if m := reReviewRole.FindStringSubmatch(q); m != nil {
		return ReviewTarget{RoleDefinitionID: strings.ToLower(m[1]), AssignmentType: "all"}, true
	}
	if m := reReviewKinds.FindStringSubmatch(q); m != nil {
		kind := map[string]string{"eligibility": "eligible", "assignment": "active"}[strings.ToLower(m[1])]
		pt := "user"
		if strings.EqualFold(m[2], "servicePrincipal") {
			pt = "servicePrincipal"
		}
		return ReviewTarget{RoleDefinitionID: strings.ToLower(m[3]), AssignmentType: kind, PrincipalType: pt}, true
	}
	if m := reReviewGroups.FindStringSubmatch(q); m != nil {
		access := "member"
		if strings.EqualFold(m[2], "owners") {
			access = "owner"
		}
		return ReviewTarget{GroupID: strings.ToLower(m[1]), GroupAccess: access}, true
	}
	return ReviewTarget{}, false
}

// CreateAccessReview creates a definition.
func (s Service) CreateAccessReview(ctx context.Context, r *AccessReview) (*AccessReview, error) {
	var out AccessReview
	if err := s.c.Do(ctx, http.MethodPost, reviewsPath, nil, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetAccessReview reads a definition.
func (s Service) GetAccessReview(ctx context.Context, id string) (*AccessReview, error) {
	var out AccessReview
	if err := s.c.Do(ctx, http.MethodGet, reviewsPath+"/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReplaceAccessReview replaces a definition (PUT, the whole object: Graph
// resets what is left out); the change reaches future instances only.
func (s Service) ReplaceAccessReview(ctx context.Context, id string, r *AccessReview) error {
	body := *r
	body.ID, body.Status, body.CreatedDateTime = "", "", nil
	// A full-object PUT is safe to repeat: it is retried like a read.
	return s.c.Do(pimclient.AsRead(ctx), http.MethodPut, reviewsPath+"/"+url.PathEscape(id), nil, &body, nil)
}

// DeleteAccessReview deletes a definition and its instances.
func (s Service) DeleteAccessReview(ctx context.Context, id string) error {
	return s.c.Do(ctx, http.MethodDelete, reviewsPath+"/"+url.PathEscape(id), nil, nil, nil)
}

// ListAccessReviews lists definitions, optionally filtered.
func (s Service) ListAccessReviews(ctx context.Context, f pimclient.Filter) ([]AccessReview, error) {
	return pimclient.List[AccessReview](ctx, s.c, reviewsPath, f.Query())
}

// ListReviewInstances lists a definition's instances; mine keeps those the
// signed-in user reviews (filterByCurrentUser(on='reviewer')), which any
// reviewer may list.
func (s Service) ListReviewInstances(ctx context.Context, defID string, mine bool) ([]ReviewInstance, error) {
	path := reviewsPath + "/" + url.PathEscape(defID) + "/instances"
	if mine {
		path += "/filterByCurrentUser(on='reviewer')"
	}
	return pimclient.List[ReviewInstance](ctx, s.c, path, nil)
}

// ListReviewDecisions lists an instance's decisions; mine keeps those the
// signed-in user reviews (filterByCurrentUser(on='reviewer')).
func (s Service) ListReviewDecisions(ctx context.Context, defID, instanceID string, mine bool) ([]ReviewDecision, error) {
	path := reviewsPath + "/" + url.PathEscape(defID) + "/instances/" + url.PathEscape(instanceID) + "/decisions"
	if mine {
		path += "/filterByCurrentUser(on='reviewer')"
	}
	return pimclient.List[ReviewDecision](ctx, s.c, path, nil)
}

// ListContactedReviewers lists who reviews an instance.
func (s Service) ListContactedReviewers(ctx context.Context, defID, instanceID string) ([]ReviewIdentity, error) {
	return pimclient.List[ReviewIdentity](ctx, s.c, reviewsPath+"/"+url.PathEscape(defID)+"/instances/"+url.PathEscape(instanceID)+"/contactedReviewers", nil)
}

// RecordReviewDecision records a decision as the signed-in reviewer.
func (s Service) RecordReviewDecision(ctx context.Context, defID, instanceID, decisionID, decision, justification string) error {
	return s.c.Do(ctx, http.MethodPatch, reviewsPath+"/"+url.PathEscape(defID)+"/instances/"+url.PathEscape(instanceID)+"/decisions/"+
		url.PathEscape(decisionID), nil, map[string]string{"decision": decision, "justification": justification}, nil)
}
