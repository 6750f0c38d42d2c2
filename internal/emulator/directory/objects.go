package directory

import (
	"net/http"
	"slices"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// Directory objects over HTTP: users, groups and their members, service
// principals, administrative units, and getByIds.
// https://learn.microsoft.com/graph/api/user-list, .../group-list-members,
// .../serviceprincipal-list, .../directory-list-administrativeunits,
// .../directoryobject-getbyids.

var (
	userType = &wire.EntityType{Name: "user", Props: []string{"id", "displayName", "userPrincipalName", "mail", "businessPhones", "givenName",
		"jobTitle", "mobilePhone", "officeLocation", "preferredLanguage", "surname", "accountEnabled", "userType"}}
	groupType = &wire.EntityType{Name: "group", Props: []string{"id", "displayName", "description", "groupTypes", "isAssignableToRole", "mail",
		"mailEnabled", "mailNickname", "membershipRule", "onPremisesSyncEnabled", "securityEnabled", "visibility"}, Navs: []string{"members"}}
	spType = &wire.EntityType{Name: "servicePrincipal", Props: []string{"id", "appId", "appDisplayName", "displayName", "servicePrincipalType", "accountEnabled"}}
	auType = &wire.EntityType{Name: "administrativeUnit", Props: []string{"id", "displayName", "description", "visibility"}, Navs: []string{"members"}}
	// directoryObjectType covers mixed collections (members, getByIds).
	directoryObjectType = &wire.EntityType{Name: "directoryObject", Props: append(append([]string{"@odata.type"}, userType.Props...), "appId", "isAssignableToRole", "securityEnabled")}
)

// userDefaults are the properties Graph returns without $select.
var userDefaults = userType.Props[:11]

func userObject(u tenant.User) odata.Object {
	given, _, _ := strings.Cut(u.DisplayName, " ")
	return odata.Object{{"id", u.ID}, {"displayName", u.DisplayName}, {"userPrincipalName", u.UPN}, {"mail", u.UPN},
		{"businessPhones", []any{}}, {"givenName", given}, {"jobTitle", nil}, {"mobilePhone", nil}, {"officeLocation", nil},
		{"preferredLanguage", nil}, {"surname", nil}, {"accountEnabled", true}, {"userType", "Member"}}
}

func groupObject(g tenant.Group) odata.Object {
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

func spObject(sp tenant.ServicePrincipal) odata.Object {
	return odata.Object{{"id", sp.ID}, {"appId", sp.AppID}, {"appDisplayName", sp.DisplayName}, {"displayName", sp.DisplayName},
		{"servicePrincipalType", "Application"}, {"accountEnabled", true}}
}

func unitObject(au tenant.AdministrativeUnit) odata.Object {
	return odata.Object{{"id", au.ID}, {"displayName", au.DisplayName}, {"description", nil}, {"visibility", nil}}
}

// typed renders any directory object with its @odata.type, for mixed
// collections; nil when the id is unknown.
func typed(d *tenant.Directory, id string) odata.Object {
	id = strings.ToLower(id)
	if u, ok := d.Users[id]; ok {
		return userObject(u).Prepend("@odata.type", "#microsoft.graph.user")
	}
	if g, ok := d.Groups[id]; ok {
		return groupObject(g).Prepend("@odata.type", "#microsoft.graph.group")
	}
	if sp, ok := d.SPs[id]; ok {
		return spObject(sp).Prepend("@odata.type", "#microsoft.graph.servicePrincipal")
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

var errInsufficient = &core.APIError{http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."}

// canRead: member users read the directory; applications need a permission.
func (tx *tx) canRead(perms []string) bool {
	ok := !tx.Caller.App || tx.Caller.HasPermission(perms...)
	if ok {
		tx.RecordAccess(perms, nil)
	}
	return ok
}

func directoryNotFound(id string) *core.APIError {
	return &core.APIError{http.StatusNotFound, "Request_ResourceNotFound",
		"Resource '" + id + "' does not exist or one of its queried reference-property objects are not present."}
}

// objectListing lists directory objects in the seed's order.
func objectListing(set string, typ *wire.EntityType, ids []string, render func(id string) odata.Object) wire.Listing {
	return wire.Listing{Set: set, Typ: typ, Each: func(after string, yield func(wire.Item) bool) {
		for i, id := range ids {
			if it := (wire.Item{Cursor: wire.SeqCursor(uint64(i+1), 0), Obj: render(id)}); it.Cursor > after && !yield(it) {
				return
			}
		}
	}}
}

// listObjects serves a directory collection: permission, query options,
// then the wire.Listing.
func listObjects(perms []string, build func(tx *tx, q *odata.Query) wire.Listing) func(*call) {
	return func(c *call) {
		q, ok := c.Query("$filter", "$select", "$top", "$skiptoken", "$count", "$expand")
		if !ok {
			return
		}
		c.a.view(c.Caller, func(tx *tx) {
			if !tx.canRead(perms) {
				c.Fail(errInsufficient)
				return
			}
			c.WriteCollection(build(tx, q), q)
		})
	}
}

var (
	listUsers = listObjects(permUsersRead, func(tx *tx, q *odata.Query) wire.Listing {
		return objectListing("users", userType, tx.Dir.UserOrder, func(id string) odata.Object {
			if len(q.Select) == 0 {
				return wire.Project(userObject(tx.Dir.Users[id]), userDefaults) // Graph's default properties
			}
			return userObject(tx.Dir.Users[id])
		})
	})
	listGroups = listObjects(permGroupsRead, func(tx *tx, _ *odata.Query) wire.Listing {
		return objectListing("groups", groupType, tx.Dir.GroupOrder, func(id string) odata.Object { return groupObject(tx.Dir.Groups[id]) })
	})
	listServicePrincipals = listObjects(permSPsRead, func(tx *tx, _ *odata.Query) wire.Listing {
		return objectListing("servicePrincipals", spType, tx.Dir.SPOrder, func(id string) odata.Object { return spObject(tx.Dir.SPs[id]) })
	})
	listUnits = listObjects(permUnitsRead, func(tx *tx, _ *odata.Query) wire.Listing {
		return objectListing("directory/administrativeUnits", auType, tx.Dir.UnitOrder, func(id string) odata.Object { return unitObject(tx.Dir.Units[id]) })
	})
)

// getObject serves one object by id (users also by UPN).
func getObject(set string, typ *wire.EntityType, perms []string, find func(d *tenant.Directory, ref string) (odata.Object, bool)) func(*call) {
	return func(c *call) {
		q, ok := c.Query("$select", "$expand")
		if !ok {
			return
		}
		c.a.view(c.Caller, func(tx *tx) {
			obj, found := find(tx.Dir, c.Params[0])
			switch {
			case !tx.canRead(perms):
				c.Fail(errInsufficient)
			case !found:
				c.Fail(directoryNotFound(c.Params[0]))
			default:
				if typ == userType && len(q.Select) == 0 {
					obj = wire.Project(obj, userDefaults)
				}
				c.WriteEntity(set, typ, wire.Item{Obj: obj}, q)
			}
		})
	}
}

var (
	getUser = getObject("users", userType, permUsersRead, func(d *tenant.Directory, ref string) (odata.Object, bool) {
		if u, ok := d.Users[strings.ToLower(ref)]; ok {
			return userObject(u), true
		}
		if u := d.UserByUPN(ref); u != nil {
			return userObject(*u), true
		}
		return nil, false
	})
	getGroup = getObject("groups", groupType, permGroupsRead, func(d *tenant.Directory, ref string) (odata.Object, bool) {
		g, ok := d.Groups[strings.ToLower(ref)]
		return groupObject(g), ok
	})
	getServicePrincipal = getObject("servicePrincipals", spType, permSPsRead, func(d *tenant.Directory, ref string) (odata.Object, bool) {
		sp, ok := d.SPs[strings.ToLower(ref)]
		return spObject(sp), ok
	})
	getUnit = getObject("directory/administrativeUnits", auType, permUnitsRead, func(d *tenant.Directory, ref string) (odata.Object, bool) {
		au, ok := d.Units[strings.ToLower(ref)]
		return unitObject(au), ok
	})
)

// listMembers serves /groups/{id}/members: directory objects with their
// @odata.type.
func listMembers(c *call) {
	q, ok := c.Query("$filter", "$select", "$top", "$skiptoken", "$count")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		g, found := tx.Dir.Groups[strings.ToLower(c.Params[0])]
		switch {
		case !tx.canRead(permGroupsRead):
			c.Fail(errInsufficient)
		case !found:
			c.Fail(directoryNotFound(c.Params[0]))
		default:
			// Active PIM for Groups memberships are members while they last.
			members := slices.Clone(g.Members)
			for _, p := range tx.St.ActiveGroupMembers(g.ID, core.AccessMember, tx.Now) {
				if !slices.Contains(members, p) {
					members = append(members, p)
				}
			}
			c.WriteCollection(objectListing("directoryObjects", directoryObjectType, members, func(id string) odata.Object { return typed(tx.Dir, id) }), q)
		}
	})
}

// getByIds resolves up to 1,000 ids in one call; unknown ids are left out.
func getByIds(c *call) {
	var body struct {
		IDs   []string `json:"ids"`
		Types []string `json:"types"`
	}
	if e := wire.DecodeBody(c.Body, &body, "directoryObject.getByIds"); e != nil {
		c.Fail(e)
		return
	}
	if len(body.IDs) == 0 || len(body.IDs) > 1000 {
		c.Fail(core.BadRequest("Request_BadRequest", "ids must list between 1 and 1000 object ids, got %d.", len(body.IDs)))
		return
	}
	want := map[string]bool{}
	for _, t := range body.Types {
		t = strings.ToLower(t)
		if t != "user" && t != "group" && t != "serviceprincipal" && t != "device" && t != "directoryobjectpartnerreference" {
			c.Fail(core.BadRequest("Request_BadRequest", "types: %q is not a directory object type.", t))
			return
		}
		want[t] = true
	}
	c.a.view(c.Caller, func(tx *tx) {
		if !tx.canRead([]string{"Directory.Read.All", "Directory.ReadWrite.All"}) {
			c.Fail(errInsufficient)
			return
		}
		values := []any{}
		for _, id := range body.IDs {
			obj := typed(tx.Dir, id)
			if obj == nil {
				continue
			}
			t, _ := obj.Get("@odata.type")
			if len(want) > 0 && !want[strings.ToLower(strings.TrimPrefix(t.(string), "#microsoft.graph."))] { //nolint:forcetypeassert // typed sets it
				continue
			}
			values = append(values, obj)
		}
		c.W.JSON(http.StatusOK, odata.Object{{"@odata.context", c.Metadata() + "#directoryObjects"}, {"value", values}})
	})
}

// getMe is the signed-in user (https://learn.microsoft.com/graph/api/user-get):
// a user reads their own profile without a directory permission; an
// app-only token has no user. guess: the code and message are those Graph
// is widely reported to answer.
func getMe(c *call) {
	q, ok := c.Query("$select", "$expand")
	if !ok {
		return
	}
	c.a.view(c.Caller, func(tx *tx) {
		u, found := tx.Dir.Users[strings.ToLower(tx.Caller.PrincipalID)]
		switch {
		case tx.Caller.App || !found:
			c.Fail(core.BadRequest("BadRequest", "/me request is only valid with delegated authentication flow."))
		default:
			obj := userObject(u)
			if len(q.Select) == 0 {
				obj = wire.Project(obj, userDefaults)
			}
			c.WriteEntity("users", userType, wire.Item{Obj: obj}, q)
		}
	})
}
