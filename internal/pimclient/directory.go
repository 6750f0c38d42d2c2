package pimclient

import (
	"context"
	"net/http"
	"strings"
)

// DirectoryObject is a user, group or service principal, reduced to what
// names a principal to people: https://learn.microsoft.com/graph/api/directoryobject-getbyids.
type DirectoryObject struct {
	ODataType          string `json:"@odata.type"`
	ID                 string `json:"id"`
	DisplayName        string `json:"displayName"`
	UserPrincipalName  string `json:"userPrincipalName"`
	Mail               string `json:"mail"`
	AppID              string `json:"appId"`
	IsAssignableToRole *bool  `json:"isAssignableToRole"`
	// GroupTypes holds DynamicMembership for a dynamic group;
	// OnPremisesSyncEnabled is true for a group synchronised from Active
	// Directory. PIM for Groups manages neither.
	GroupTypes            []string `json:"groupTypes"`
	OnPremisesSyncEnabled *bool    `json:"onPremisesSyncEnabled"`
}

// PIMManageable reports whether PIM for Groups can manage the group.
func (o *DirectoryObject) PIMManageable() bool {
	for _, t := range o.GroupTypes {
		if strings.EqualFold(t, "DynamicMembership") {
			return false
		}
	}
	return o.OnPremisesSyncEnabled == nil || !*o.OnPremisesSyncEnabled
}

// Principal types as the provider names them.
const (
	PrincipalUser             = "user"
	PrincipalGroup            = "group"
	PrincipalServicePrincipal = "servicePrincipal"
)

// Type is user, group or servicePrincipal ("" for other objects).
func (o *DirectoryObject) Type() string {
	switch strings.ToLower(strings.TrimPrefix(o.ODataType, "#microsoft.graph.")) {
	case "user":
		return PrincipalUser
	case "group":
		return PrincipalGroup
	case "serviceprincipal":
		return PrincipalServicePrincipal
	}
	return ""
}

// CodeAuthorizationRequestDenied is the directory's 403 code.
const CodeAuthorizationRequestDenied = "Authorization_RequestDenied"

// maxGetByIds is Graph's limit of ids per getByIds call.
const maxGetByIds = 1000

// GetByIDs resolves object ids to users, groups and service principals,
// 1,000 per call; unknown ids are left out of the answer.
func (c *Client) GetByIDs(ctx context.Context, ids []string) ([]DirectoryObject, error) {
	var out []DirectoryObject
	for start := 0; start < len(ids); start += maxGetByIds {
		body := map[string]any{"ids": ids[start:min(start+maxGetByIds, len(ids))], "types": []string{"user", "group", "servicePrincipal"}}
		var p page[DirectoryObject]
		if err := c.do(asRead(ctx), http.MethodPost, "/directoryObjects/getByIds", nil, body, &p); err != nil {
			return nil, err
		}
		out = append(out, p.Value...)
	}
	return out, nil
}

// Directory collections a principal can be looked up in.
const (
	CollectionUsers             = "/users"
	CollectionGroups            = "/groups"
	CollectionServicePrincipals = "/servicePrincipals"
)

var odataTypes = map[string]string{
	CollectionUsers: "#microsoft.graph.user", CollectionGroups: "#microsoft.graph.group", CollectionServicePrincipals: "#microsoft.graph.servicePrincipal",
}

// FindPrincipals lists the objects of a directory collection matching a
// $filter (every page), with only the properties that name them.
// https://learn.microsoft.com/graph/api/user-list (and group-list,
// serviceprincipal-list): eq and in on these properties need no
// ConsistencyLevel header.
func (c *Client) FindPrincipals(ctx context.Context, collection string, f Filter) ([]DirectoryObject, error) {
	q := f.query()
	switch collection {
	case CollectionUsers:
		q.Set("$select", "id,displayName,userPrincipalName,mail")
	case CollectionGroups:
		q.Set("$select", "id,displayName,mail,isAssignableToRole")
	default:
		q.Set("$select", "id,displayName,appId")
	}
	all, err := list[DirectoryObject](ctx, c, collection, q)
	for i := range all {
		all[i].ODataType = odataTypes[collection]
	}
	return all, err
}

// In adds `field in ('a','b',...)` (at most 15 values, Microsoft Entra's
// limit for in).
func (f Filter) In(field string, values []string) Filter {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = quote(v)
	}
	return f.with(field + " in (" + strings.Join(quoted, ",") + ")")
}

// MaxInValues is the most values one In may take: Microsoft Entra refuses
// more than 15 in an in clause.
const MaxInValues = 15

// ListRoleNames lists every role definition's id and display name in one
// call (built-in and custom roles together are a few hundred).
func (c *Client) ListRoleNames(ctx context.Context) ([]RoleDefinition, error) {
	q := Filter{}.query()
	q.Set("$select", "id,displayName")
	return list[RoleDefinition](ctx, c, "/roleManagement/directory/roleDefinitions", q)
}
