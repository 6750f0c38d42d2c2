package emulator

import (
	"net/http"
	"slices"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
)

// Directory objects over HTTP: users, groups and their members, service
// principals, administrative units, and getByIds.
// https://learn.microsoft.com/graph/api/user-list, .../group-list-members,
// .../serviceprincipal-list, .../directory-list-administrativeunits,
// .../directoryobject-getbyids.

var (
	userType = &entityType{name: "user", props: []string{"id", "displayName", "userPrincipalName", "mail", "businessPhones", "givenName",
		"jobTitle", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "accountEnabled", "userType"}}
	groupType = &entityType{name: "group", props: []string{"id", "displayName", "description", "groupTypes", "isAssignableToRole", "mail",
		"mailEnabled", "mailNickname", "membershipRule", "onPremisesSyncEnabled", "securityEnabled", "visibility"}, navs: []string{"members"}}
	spType = &entityType{name: "servicePrincipal", props: []string{"id", "appId", "appDisplayName", "displayName", "servicePrincipalType", "accountEnabled"}}
	auType = &entityType{name: "administrativeUnit", props: []string{"id", "displayName", "description", "visibility"}, navs: []string{"members"}}
	// directoryObjectType covers mixed collections (members, getByIds).
	directoryObjectType = &entityType{name: "directoryObject", props: append(append([]string{"@odata.type"}, userType.props...), "appId", "isAssignableToRole", "securityEnabled")}
)

// userDefaults are the properties Graph returns without $select.
var userDefaults = userType.props[:11]

func (u user) object() odata.Object {
	given, _, _ := strings.Cut(u.DisplayName, " ")
	return odata.Object{{"id", u.ID}, {"displayName", u.DisplayName}, {"userPrincipalName", u.UPN}, {"mail", u.UPN},
		{"businessPhones", []any{}}, {"givenName", given}, {"jobTitle", nil}, {"mobilePhone", nil}, {"officeLocation", nil},
		{"preferredLanguage", nil}, {"surname", nil}, {"accountEnabled", true}, {"userType", "Member"}}
}

func (g group) object() odata.Object {
	types := []any{}
	if g.MembershipRule != "" {
		types = append(types, "DynamicMembership")
	}
	var rule any
	if g.MembershipRule != "" {
		rule = g.MembershipRule
	}
	return odata.Object{{"id", g.ID}, {"displayName", g.DisplayName}, {"description", nil}, {"groupTypes", types},
		{"isAssignableToRole", g.RoleAssignable}, {"mail", nil}, {"mailEnabled", false}, {"mailNickname", strings.ReplaceAll(strings.ToLower(g.DisplayName), " ", "-")},
		{"membershipRule", rule}, {"onPremisesSyncEnabled", onPremises(g.OnPremisesSync)}, {"securityEnabled", true}, {"visibility", nil}}
}

func onPremises(synced bool) any {
	if synced {
		return true
	}
	return nil
}

func (sp servicePrincipal) object() odata.Object {
	return odata.Object{{"id", sp.ID}, {"appId", sp.AppID}, {"appDisplayName", sp.DisplayName}, {"displayName", sp.DisplayName},
		{"servicePrincipalType", "Application"}, {"accountEnabled", true}}
}

func (au administrativeUnit) object() odata.Object {
	return odata.Object{{"id", au.ID}, {"displayName", au.DisplayName}, {"description", nil}, {"visibility", nil}}
}

// typed renders any directory object with its @odata.type, for mixed
// collections; nil when the id is unknown.
func (d *directory) typed(id string) odata.Object {
	id = strings.ToLower(id)
	if u, ok := d.users[id]; ok {
		return u.object().Prepend("@odata.type", "#microsoft.graph.user")
	}
	if g, ok := d.groups[id]; ok {
		return g.object().Prepend("@odata.type", "#microsoft.graph.group")
	}
	if sp, ok := d.sps[id]; ok {
		return sp.object().Prepend("@odata.type", "#microsoft.graph.servicePrincipal")
	}
	return nil
}

// Application permissions that read each kind of object.
var (
	permUsersRead  = []string{"User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	permGroupsRead = []string{"Group.Read.All", "GroupMember.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	permSPsRead    = []string{"Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	permUnitsRead  = []string{"AdministrativeUnit.Read.All", "AdministrativeUnit.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
)

var errInsufficient = &apiError{http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."}

// canRead: member users read the directory; applications need a permission.
func (tx *tx) canRead(perms []string) bool {
	return !tx.caller.App || tx.caller.hasPermission(perms...)
}

func directoryNotFound(id string) *apiError {
	return &apiError{http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '" + id + "' does not exist or one of its queried reference-property objects are not present."}
}

// objectListing lists directory objects in the seed's order.
func objectListing(set string, typ *entityType, ids []string, render func(id string) odata.Object) listing {
	return listing{set: set, typ: typ, each: func(after string, yield func(item) bool) {
		for i, id := range ids {
			if it := (item{cursor: seqCursor(uint64(i+1), 0), obj: render(id)}); it.cursor > after && !yield(it) {
				return
			}
		}
	}}
}

// listObjects serves a directory collection: permission, query options,
// then the listing.
func listObjects(perms []string, build func(tx *tx, q *odata.Query) listing) func(*call) {
	return func(c *call) {
		q, ok := c.query("$filter", "$select", "$top", "$skiptoken", "$count", "$expand")
		if !ok {
			return
		}
		c.s.view(c.caller, func(tx *tx) {
			if !tx.canRead(perms) {
				c.fail(errInsufficient)
				return
			}
			c.writeCollection(build(tx, q), q)
		})
	}
}

var (
	listUsers = listObjects(permUsersRead, func(tx *tx, q *odata.Query) listing {
		return objectListing("users", userType, tx.s.dir.userOrder, func(id string) odata.Object {
			if len(q.Select) == 0 {
				return project(tx.s.dir.users[id].object(), userDefaults) // Graph's default properties
			}
			return tx.s.dir.users[id].object()
		})
	})
	listGroups = listObjects(permGroupsRead, func(tx *tx, _ *odata.Query) listing {
		return objectListing("groups", groupType, tx.s.dir.groupOrder, func(id string) odata.Object { return tx.s.dir.groups[id].object() })
	})
	listServicePrincipals = listObjects(permSPsRead, func(tx *tx, _ *odata.Query) listing {
		return objectListing("servicePrincipals", spType, tx.s.dir.spOrder, func(id string) odata.Object { return tx.s.dir.sps[id].object() })
	})
	listUnits = listObjects(permUnitsRead, func(tx *tx, _ *odata.Query) listing {
		return objectListing("directory/administrativeUnits", auType, tx.s.dir.auOrder, func(id string) odata.Object { return tx.s.dir.aus[id].object() })
	})
)

// getObject serves one object by id (users also by UPN).
func getObject(set string, typ *entityType, perms []string, find func(d *directory, ref string) (odata.Object, bool)) func(*call) {
	return func(c *call) {
		q, ok := c.query("$select", "$expand")
		if !ok {
			return
		}
		c.s.view(c.caller, func(tx *tx) {
			obj, found := find(tx.s.dir, c.params[0])
			switch {
			case !tx.canRead(perms):
				c.fail(errInsufficient)
			case !found:
				c.fail(directoryNotFound(c.params[0]))
			default:
				if typ == userType && len(q.Select) == 0 {
					obj = project(obj, userDefaults)
				}
				c.writeEntity(set, typ, item{obj: obj}, q)
			}
		})
	}
}

var (
	getUser = getObject("users", userType, permUsersRead, func(d *directory, ref string) (odata.Object, bool) {
		if u, ok := d.users[strings.ToLower(ref)]; ok {
			return u.object(), true
		}
		if u := d.userByUPN(ref); u != nil {
			return u.object(), true
		}
		return nil, false
	})
	getGroup = getObject("groups", groupType, permGroupsRead, func(d *directory, ref string) (odata.Object, bool) {
		g, ok := d.groups[strings.ToLower(ref)]
		return g.object(), ok
	})
	getServicePrincipal = getObject("servicePrincipals", spType, permSPsRead, func(d *directory, ref string) (odata.Object, bool) {
		sp, ok := d.sps[strings.ToLower(ref)]
		return sp.object(), ok
	})
	getUnit = getObject("directory/administrativeUnits", auType, permUnitsRead, func(d *directory, ref string) (odata.Object, bool) {
		au, ok := d.aus[strings.ToLower(ref)]
		return au.object(), ok
	})
)

// listMembers serves /groups/{id}/members: directory objects with their
// @odata.type.
func listMembers(c *call) {
	q, ok := c.query("$filter", "$select", "$top", "$skiptoken", "$count")
	if !ok {
		return
	}
	c.s.view(c.caller, func(tx *tx) {
		g, found := tx.s.dir.groups[strings.ToLower(c.params[0])]
		switch {
		case !tx.canRead(permGroupsRead):
			c.fail(errInsufficient)
		case !found:
			c.fail(directoryNotFound(c.params[0]))
		default:
			// Active PIM for Groups memberships are members while they last.
			members := slices.Clone(g.Members)
			for _, p := range tx.activeGroupMembers(g.ID, accessMember) {
				if !slices.Contains(members, p) {
					members = append(members, p)
				}
			}
			c.writeCollection(objectListing("directoryObjects", directoryObjectType, members, tx.s.dir.typed), q)
		}
	})
}

// getByIds resolves up to 1,000 ids in one call; unknown ids are left out.
func getByIds(c *call) {
	var body struct {
		IDs   []string `json:"ids"`
		Types []string `json:"types"`
	}
	if e := decodeBody(c.body, &body, "directoryObject.getByIds"); e != nil {
		c.fail(e)
		return
	}
	if len(body.IDs) == 0 || len(body.IDs) > 1000 {
		c.fail(badRequest("Request_BadRequest", "ids must list between 1 and 1000 object ids, got %d.", len(body.IDs)))
		return
	}
	want := map[string]bool{}
	for _, t := range body.Types {
		t = strings.ToLower(t)
		if t != "user" && t != "group" && t != "serviceprincipal" && t != "device" && t != "directoryobjectpartnerreference" {
			c.fail(badRequest("Request_BadRequest", "types: %q is not a directory object type.", t))
			return
		}
		want[t] = true
	}
	c.s.view(c.caller, func(tx *tx) {
		if !tx.canRead([]string{"Directory.Read.All", "Directory.ReadWrite.All"}) {
			c.fail(errInsufficient)
			return
		}
		values := []any{}
		for _, id := range body.IDs {
			obj := tx.s.dir.typed(id)
			if obj == nil {
				continue
			}
			t, _ := obj.Get("@odata.type")
			if len(want) > 0 && !want[strings.ToLower(strings.TrimPrefix(t.(string), "#microsoft.graph."))] { //nolint:forcetypeassert // typed sets it
				continue
			}
			values = append(values, obj)
		}
		c.w.json(http.StatusOK, odata.Object{{"@odata.context", c.metadata() + "#directoryObjects"}, {"value", values}})
	})
}

// getMe is the signed-in user (https://learn.microsoft.com/graph/api/user-get):
// a user reads their own profile without a directory permission; an
// app-only token has no user. guess: the code and message are those Graph
// is widely reported to answer.
func getMe(c *call) {
	q, ok := c.query("$select", "$expand")
	if !ok {
		return
	}
	c.s.view(c.caller, func(tx *tx) {
		u, found := tx.s.dir.users[strings.ToLower(tx.caller.PrincipalID)]
		switch {
		case tx.caller.App || !found:
			c.fail(badRequest("BadRequest", "/me request is only valid with delegated authentication flow."))
		default:
			obj := u.object()
			if len(q.Select) == 0 {
				obj = project(obj, userDefaults)
			}
			c.writeEntity("users", userType, item{obj: obj}, q)
		}
	})
}
