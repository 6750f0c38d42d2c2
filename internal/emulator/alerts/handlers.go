package alerts

import (
	"net/http"
	"strings"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/odata"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/wire"
)

// tenantScope checks the filter every alerts collection requires (Learn:
// "Not specifying the correct scope and scopeType returns a 400").
func tenantScope(c *call, q *odata.Query) bool {
	eq := q.Filter.Equalities()
	if len(eq["scopeid"]) == 1 && eq["scopeid"][0] == "/" && len(eq["scopetype"]) == 1 && strings.EqualFold(eq["scopetype"][0], "DirectoryRole") {
		return true
	}
	c.Fail(core.BadRequest("BadRequest", "The $filter must select the tenant scope: scopeId eq '/' and scopeType eq 'DirectoryRole'."))
	return false
}

// query parses the query options and expands * to every navigation.
func query(c *call, typ *wire.EntityType, allowed ...string) (*odata.Query, bool) {
	q, ok := c.Query(allowed...)
	if !ok {
		return nil, false
	}
	if len(q.Expand) == 1 && q.Expand[0].Name == "*" {
		q.Expand = nil
		for _, n := range typ.Navs {
			q.Expand = append(q.Expand, odata.Expand{Name: n})
		}
	}
	return q, true
}

// readable runs fn on a view when the caller may read alerts.
func readable(c *call, fn func(*tx)) {
	c.a.view(c.Caller, func(tx *tx) {
		if !tx.Allowed(permRead, readerRoles) {
			c.Fail(errRead)
			return
		}
		fn(tx)
	})
}

// each yields every alert type's item.
func each(item func(*alertType) wire.Item) func(string, func(wire.Item) bool) {
	return func(after string, yield func(wire.Item) bool) {
		for _, t := range catalog {
			if t.name > after && !yield(item(t)) {
				return
			}
		}
	}
}

func listAlerts(c *call) {
	q, ok := query(c, alertEntity, "$filter", "$select", "$expand", "$top", "$skiptoken", "$count")
	if !ok || !tenantScope(c, q) {
		return
	}
	readable(c, func(tx *tx) {
		c.WriteCollection(wire.Listing{Set: base + "alerts", Typ: alertEntity, Each: each(func(t *alertType) wire.Item {
			return tx.alertItem(t, tx.load(t))
		})}, q)
	})
}

func getAlert(c *call) {
	q, ok := query(c, alertEntity, "$select", "$expand")
	if !ok {
		return
	}
	readable(c, func(tx *tx) {
		if t := tx.found(c, "alerts"); t != nil {
			c.WriteEntity(base+"alerts", alertEntity, tx.alertItem(t, tx.load(t)), q)
		}
	})
}

// found resolves the call's alert id, failing the call when it names none.
func (tx *tx) found(c *call, set string) *alertType {
	t := tx.typeOf(c.Params[0])
	if t == nil {
		c.Fail(core.NotFound(set, c.Params[0]))
	}
	return t
}

// patchAlert dismisses an alert (isActive false) or reactivates it.
func patchAlert(c *call) {
	var body struct {
		IsActive *bool `json:"isActive"`
	}
	if e := wire.DecodeBody(c.Body, &body, "unifiedRoleManagementAlert"); e != nil {
		c.Fail(e)
		return
	}
	if body.IsActive == nil {
		c.Fail(core.BadRequest("BadRequest", "Only isActive can be updated on an alert."))
		return
	}
	e := c.a.onAlert(c, "alerts", func(tx *tx, t *alertType) *core.APIError {
		a := tx.load(t)
		a.Dismissed = !*body.IsActive
		now := tx.Now
		a.Modified = &now
		return tx.save(t, a)
	})
	if e != nil {
		c.Fail(e)
		return
	}
	c.W.NoContent()
}

func refreshOne(c *call) {
	var opID string
	e := c.a.onAlert(c, "alerts", func(tx *tx, t *alertType) *core.APIError {
		tx.scan(true, t)
		opID = "refresh:" + tx.alertID(t)
		return tx.PutDoc(docOperation, opID, operation{Created: tx.Now, Alert: tx.alertID(t)})
	})
	accepted(c, opID, e)
}

func refreshAll(c *call) {
	var body struct {
		ScopeID   string `json:"scopeId"`
		ScopeType string `json:"scopeType"`
	}
	if e := wire.DecodeBody(c.Body, &body, "refresh"); e != nil {
		c.Fail(e)
		return
	}
	if body.ScopeID != "/" || !strings.EqualFold(body.ScopeType, "DirectoryRole") {
		c.Fail(core.BadRequest("BadRequest", "Only the tenant scope is supported: scopeId '/' and scopeType 'DirectoryRole'."))
		return
	}
	var opID string
	e := c.a.update(c.Caller, func(tx *tx) *core.APIError {
		if !tx.Allowed(permWrite, writerRoles) {
			return errWrite
		}
		tx.scan(true)
		// guess: Learn's example names one alert in the operation id of a
		// refresh of all; the emulator names the tenant's scope.
		opID = "refresh:DirectoryRole_" + tx.St.TenantID
		return tx.PutDoc(docOperation, opID, operation{Created: tx.Now})
	})
	accepted(c, opID, e)
}

// accepted answers a refresh: 202 with the operation's Location.
func accepted(c *call, opID string, e *core.APIError) {
	if e != nil {
		c.Fail(e)
		return
	}
	scheme := "http"
	if c.R.TLS != nil {
		scheme = "https"
	}
	c.W.Header().Set("Location", scheme+"://"+c.R.Host+"/"+c.Version+"/"+base+"operations/"+opID)
	c.W.WriteHeader(http.StatusAccepted)
}

func getOperation(c *call) {
	readable(c, func(tx *tx) {
		var op operation
		if !tx.Doc(docOperation, c.Params[0], &op) {
			c.Fail(core.NotFound("operations", c.Params[0]))
			return
		}
		at := core.GraphTime(op.Created)
		c.W.JSON(http.StatusOK, odata.Object{{"@odata.context", c.Metadata() + "#identityGovernance/roleManagementAlerts/operations/$entity"},
			{"id", c.Params[0]}, {"createdDateTime", at}, {"lastActionDateTime", at}, {"resourceLocation", nil},
			{"status", "succeeded"}, {"statusDetail", nil}})
	})
}

func listIncidents(c *call) {
	q, ok := query(c, incidentEntity, "$filter", "$select", "$top", "$skiptoken", "$count")
	if !ok {
		return
	}
	readable(c, func(tx *tx) {
		t := tx.found(c, "alerts")
		if t == nil {
			return
		}
		a := tx.load(t)
		c.WriteCollection(wire.Listing{Set: base + "alerts('" + tx.alertID(t) + "')/alertIncidents", Typ: incidentEntity,
			Each: func(after string, yield func(wire.Item) bool) {
				for i := range a.Incidents {
					if in := &a.Incidents[i]; in.ID > after && !yield(wire.Item{Cursor: in.ID, Obj: tx.incidentObject(t, in)}) {
						return
					}
				}
			}}, q)
	})
}

func getIncident(c *call) {
	q, ok := query(c, incidentEntity, "$select")
	if !ok {
		return
	}
	readable(c, func(tx *tx) {
		t := tx.found(c, "alerts")
		if t == nil {
			return
		}
		in := tx.load(t).incident(c.Params[1])
		if in == nil {
			c.Fail(core.NotFound("alertIncidents", c.Params[1]))
			return
		}
		c.WriteEntity(base+"alerts('"+tx.alertID(t)+"')/alertIncidents", incidentEntity, wire.Item{Obj: tx.incidentObject(t, in)}, q)
	})
}

func listDefinitions(c *call) {
	q, ok := query(c, definitionEntity, "$filter", "$select", "$top", "$skiptoken", "$count")
	if !ok || !tenantScope(c, q) {
		return
	}
	readable(c, func(tx *tx) {
		c.WriteCollection(wire.Listing{Set: base + "alertDefinitions", Typ: definitionEntity, Each: each(func(t *alertType) wire.Item {
			return wire.Item{Cursor: t.name, Obj: tx.definitionObject(t)}
		})}, q)
	})
}

func getDefinition(c *call) {
	q, ok := query(c, definitionEntity, "$select")
	if !ok {
		return
	}
	readable(c, func(tx *tx) {
		if t := tx.found(c, "alertDefinitions"); t != nil {
			c.WriteEntity(base+"alertDefinitions", definitionEntity, wire.Item{Obj: tx.definitionObject(t)}, q)
		}
	})
}

func (tx *tx) configurationItem(t *alertType) wire.Item {
	return wire.Item{Cursor: t.name, Obj: tx.configurationObject(t, &tx.load(t).Config), Expand: func(odata.Expand) any { return tx.definitionObject(t) }}
}

func listConfigurations(c *call) {
	q, ok := query(c, configurationEntity, "$filter", "$select", "$expand", "$top", "$skiptoken", "$count")
	if !ok || !tenantScope(c, q) {
		return
	}
	readable(c, func(tx *tx) {
		c.WriteCollection(wire.Listing{Set: base + "alertConfigurations", Typ: configurationEntity, Each: each(tx.configurationItem)}, q)
	})
}

func getConfiguration(c *call) {
	q, ok := query(c, configurationEntity, "$select", "$expand")
	if !ok {
		return
	}
	readable(c, func(tx *tx) {
		if t := tx.found(c, "alertConfigurations"); t != nil {
			c.WriteEntity(base+"alertConfigurations", configurationEntity, tx.configurationItem(t), q)
		}
	})
}
