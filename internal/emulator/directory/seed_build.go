package directory

import (
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/core"
	"github.com/pim-as-code/terraform-provider-pim/internal/emulator/tenant"
	"github.com/pim-as-code/terraform-provider-pim/internal/isoduration"
)

// Built is a validated seed: the directory, the admin's identity and
// the assignments with every name resolved to an id.
type Built struct {
	Dir         *tenant.Directory
	TenantID    string
	Admin       core.Identity
	assignments []seededAssignment
}

type seededAssignment struct {
	Key           core.Key
	outsidePIM    bool
	start, end    *time.Time
	duration      string
	justification string
}

// Build validates the seed and resolves its names; errors name the entry
// and the field.
func (s *Seed) Build() (*Built, error) {
	if s.Tenant.Domain == "" {
		return nil, errNoTenant
	}
	tenantID := s.Tenant.ID
	if tenantID == "" {
		tenantID = derivedID(s.Tenant.Domain, "tenant", s.Tenant.Domain)
	} else if !core.IsGUID(tenantID) {
		return nil, seedError("tenant.id", "%q is not a GUID", tenantID)
	}
	b := &Built{Dir: tenant.NewDirectory(s.Tenant.Domain), TenantID: strings.ToLower(tenantID)}
	switch l := strings.ToLower(s.Tenant.License); l {
	case "":
	case "p2", "governance", "p1", "free":
		b.Dir.License = map[string]string{"p2": "P2", "governance": "Governance", "p1": "P1", "free": "Free"}[l]
	default:
		return nil, seedError("tenant.license", "%q: want P2, Governance, P1 or Free", s.Tenant.License)
	}
	steps := []func(*Built) error{s.buildUsers, s.buildServicePrincipals, s.buildGroups, s.buildUnits, s.buildRoles, s.buildAdmin, s.buildAssignments, s.buildAzure}
	for _, step := range steps {
		if err := step(b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (s *Seed) id(given, kind, name, where string) (string, error) {
	if given == "" {
		return derivedID(s.Tenant.Domain, kind, name), nil
	}
	if !core.IsGUID(given) {
		return "", seedError(where+".id", "%q is not a GUID", given)
	}
	return strings.ToLower(given), nil
}

func (s *Seed) buildUsers(b *Built) error {
	for i, u := range s.Users {
		where := fmt.Sprintf("users[%d]", i)
		if !strings.Contains(u.UserPrincipalName, "@") {
			return seedError(where+".user_principal_name", "%q is not a user principal name (name@domain)", u.UserPrincipalName)
		}
		id, err := s.id(u.ID, "user", u.UserPrincipalName, where)
		if err != nil {
			return err
		}
		if u.DisplayName == "" {
			u.DisplayName, _, _ = strings.Cut(u.UserPrincipalName, "@")
		}
		if b.Dir.Taken(id) || b.Dir.UserByUPN(u.UserPrincipalName) != nil {
			return seedError(where, "user %q (%s) is listed twice", u.UserPrincipalName, id)
		}
		user := tenant.User{ID: id, DisplayName: u.DisplayName, UPN: u.UserPrincipalName, MFARegistered: u.MFARegistered == nil || *u.MFARegistered}
		if u.LastSignIn != "" {
			t, err := time.Parse(time.RFC3339, u.LastSignIn)
			if err != nil {
				return seedError(where+".last_sign_in", "%q is not an RFC 3339 timestamp", u.LastSignIn)
			}
			t = t.UTC()
			user.LastSignIn = &t
		}
		b.Dir.AddUser(user)
	}
	return s.buildManagers(b)
}

// buildManagers resolves each user's manager once every user exists.
func (s *Seed) buildManagers(b *Built) error {
	for i, u := range s.Users {
		if u.Manager == "" {
			continue
		}
		where := fmt.Sprintf("users[%d].manager", i)
		id, err := b.Dir.ResolvePrincipal(u.Manager)
		if _, isUser := b.Dir.Users[id]; err != nil || !isUser {
			return seedError(where, "%q is not a user of the seed", u.Manager)
		}
		self := b.Dir.UserByUPN(u.UserPrincipalName)
		if self.ID == id {
			return seedError(where, "a user cannot be their own manager")
		}
		b.Dir.SetManager(self.ID, id)
	}
	return nil
}

func (s *Seed) buildServicePrincipals(b *Built) error {
	for i, sp := range s.ServicePrincipals {
		where := fmt.Sprintf("service_principals[%d]", i)
		if sp.DisplayName == "" {
			return seedError(where+".display_name", "required")
		}
		id, err := s.id(sp.ID, "servicePrincipal", sp.DisplayName, where)
		if err != nil {
			return err
		}
		appID := sp.AppID
		if appID == "" {
			appID = derivedID(s.Tenant.Domain, "application", sp.DisplayName)
		} else if !core.IsGUID(appID) {
			return seedError(where+".app_id", "%q is not a GUID", appID)
		}
		if b.Dir.Taken(id) {
			return seedError(where, "id %s is used twice", id)
		}
		var federated []tenant.FederatedCredential
		for j, fc := range sp.FederatedCredentials {
			if fc.Issuer == "" || fc.Subject == "" {
				return seedError(fmt.Sprintf("%s.federated_credentials[%d]", where, j), "issuer and subject are required")
			}
			federated = append(federated, tenant.FederatedCredential{Issuer: fc.Issuer, Subject: fc.Subject})
		}
		if block, _ := pem.Decode(sp.certificate); len(sp.certificate) > 0 && (block == nil || block.Type != "CERTIFICATE") {
			return seedError(where+".certificate_file", "%q is not a PEM certificate", sp.CertificateFile)
		}
		b.Dir.AddServicePrincipal(tenant.ServicePrincipal{ID: id, AppID: strings.ToLower(appID), DisplayName: sp.DisplayName,
			Permissions: append([]string{}, sp.Permissions...), Managed: sp.ManagedIdentity || sp.UserAssignedIdentity, UserAssigned: sp.UserAssignedIdentity,
			Secret: sp.ClientSecret, Certificate: sp.certificate, Federated: federated})
	}
	return nil
}

func (s *Seed) buildGroups(b *Built) error {
	// Ids first, so that groups can contain groups listed after them.
	ids := make([]string, len(s.Groups))
	for i, g := range s.Groups {
		where := fmt.Sprintf("groups[%d]", i)
		if g.DisplayName == "" {
			return seedError(where+".display_name", "required")
		}
		if g.RoleAssignable && g.MembershipRule != "" {
			return seedError(where, "a role-assignable group cannot have a membership_rule (Microsoft Entra refuses dynamic role-assignable groups)")
		}
		id, err := s.id(g.ID, "group", g.DisplayName, where)
		if err != nil {
			return err
		}
		if b.Dir.Taken(id) {
			return seedError(where, "id %s is used twice", id)
		}
		ids[i] = id
		b.Dir.AddGroup(tenant.Group{ID: id, DisplayName: g.DisplayName, RoleAssignable: g.RoleAssignable, MembershipRule: g.MembershipRule,
			OnPremisesSync: g.OnPremisesSync})
	}
	for i, g := range s.Groups {
		for j, m := range g.Members {
			id, err := b.Dir.ResolvePrincipal(m)
			if err != nil {
				return seedError(fmt.Sprintf("groups[%d].members[%d]", i, j), "%v", err)
			}
			b.Dir.AddMember(ids[i], id)
		}
	}
	return nil
}

func (s *Seed) buildUnits(b *Built) error {
	for i, u := range s.AdministrativeUnits {
		where := fmt.Sprintf("administrative_units[%d]", i)
		if u.DisplayName == "" {
			return seedError(where+".display_name", "required")
		}
		id, err := s.id(u.ID, "administrativeUnit", u.DisplayName, where)
		if err != nil {
			return err
		}
		unit := tenant.AdministrativeUnit{ID: id, DisplayName: u.DisplayName}
		for j, m := range u.Members {
			mid, err := b.Dir.ResolvePrincipal(m)
			if err != nil {
				return seedError(fmt.Sprintf("%s.members[%d]", where, j), "%v", err)
			}
			unit.Members = append(unit.Members, mid)
		}
		b.Dir.AddUnit(unit)
	}
	return nil
}

func (s *Seed) buildRoles(b *Built) error {
	for i, r := range s.RoleDefinitions {
		where := fmt.Sprintf("role_definitions[%d]", i)
		if r.DisplayName == "" {
			return seedError(where+".display_name", "required")
		}
		if _, err := b.Dir.ResolveRole(r.DisplayName); err == nil {
			return seedError(where+".display_name", "a role named %q already exists", r.DisplayName)
		}
		id, err := s.id(r.ID, "roleDefinition", r.DisplayName, where)
		if err != nil {
			return err
		}
		b.Dir.AddRole(tenant.RoleDefinition{ID: id, DisplayName: r.DisplayName, Description: r.Description, Permissions: r.Permissions})
	}
	return nil
}

// buildAdmin resolves the admin, adding a built-in one when the seed names
// none, and gives it standing Privileged Role Administrator and Global
// Administrator assignments.
func (s *Seed) buildAdmin(b *Built) error {
	name := s.Admin
	if name == "" {
		name = "admin@" + s.Tenant.Domain
		b.Dir.AddUser(tenant.User{ID: derivedID(s.Tenant.Domain, "user", name), DisplayName: "Emulator Admin", UPN: name, MFARegistered: true})
	}
	id, err := b.Dir.ResolvePrincipal(name)
	if err != nil {
		return seedError("admin", "%v", err)
	}
	switch {
	case b.Dir.Users[id].ID != "":
		b.Admin = core.Identity{PrincipalID: id, MFA: true}
	case b.Dir.SPs[id].ID != "":
		b.Admin = core.Identity{PrincipalID: id, App: true, Permissions: b.Dir.SPs[id].Permissions}
	default:
		return seedError("admin", "%q is a group: the admin is a user or a service principal", name)
	}
	for _, role := range []string{tenant.RolePrivilegedRoleAdministrator, tenant.RoleGlobalAdministrator} {
		b.assignments = append(b.assignments, seededAssignment{Key: core.Key{core.SurfaceDirectory, core.Active, id, role, "/"}})
	}
	return nil
}

func (s *Seed) buildAssignments(b *Built) error {
	seen := map[core.Key]bool{}
	for _, a := range b.assignments {
		seen[a.Key] = true
	}
	for i, a := range s.Assignments {
		where := fmt.Sprintf("assignments[%d]", i)
		sa, err := b.resolveAssignment(a, where)
		if err != nil {
			return err
		}
		if seen[sa.Key] {
			continue // the admin's roles, listed again
		}
		seen[sa.Key] = true
		b.assignments = append(b.assignments, sa)
	}
	return nil
}

func (b *Built) resolveAssignment(a SeedAssignment, where string) (seededAssignment, error) {
	var sa seededAssignment
	kind := map[string]core.Kind{"eligible": core.Eligible, "active": core.Active}[strings.ToLower(a.Type)]
	if kind == "" {
		return sa, seedError(where+".type", "%q: want eligible or active", a.Type)
	}
	principal, err := b.Dir.ResolvePrincipal(a.Principal)
	if err != nil {
		return sa, seedError(where+".principal", "%v", err)
	}
	if _, isSP := b.Dir.SPs[principal]; isSP && kind == core.Eligible {
		return sa, seedError(where+".principal", "service principals can only hold active assignments, not eligibility")
	}
	role, err := b.Dir.ResolveRole(a.Role)
	if err != nil {
		return sa, seedError(where+".role", "%v", err)
	}
	scope, err := b.Dir.ResolveScope(a.Scope)
	if err != nil {
		return sa, seedError(where+".scope", "%v", err)
	}
	sa = seededAssignment{Key: core.Key{core.SurfaceDirectory, kind, principal, role, scope}, duration: a.Duration, justification: a.Justification,
		outsidePIM: a.OutsidePIM}
	if a.OutsidePIM && (kind != core.Active || a.End != "" || a.Duration != "") {
		return sa, seedError(where+".outside_pim", "only a permanent active assignment is made outside PIM")
	}
	if a.End != "" && a.Duration != "" {
		return sa, seedError(where, "end and duration are exclusive")
	}
	if a.Duration != "" {
		if d, err := isoduration.Parse(a.Duration); err != nil || d.IsZero() {
			return sa, seedError(where+".duration", "%q is not a positive ISO 8601 duration", a.Duration)
		}
	}
	for _, f := range []struct {
		name, value string
		dst         **time.Time
	}{{"start", a.Start, &sa.start}, {"end", a.End, &sa.end}} {
		if f.value == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, f.value)
		if err != nil {
			return sa, seedError(where+"."+f.name, "%q is not an RFC 3339 timestamp", f.value)
		}
		t = t.UTC()
		*f.dst = &t
	}
	return sa, nil
}

// Store is the tenant's starting point: the seed's assignments, the
// admin's Privileged Role Administrator and Global Administrator among them.
func (b *Built) Store(now time.Time) *core.Store {
	st := core.NewStore(b.TenantID)
	for _, a := range b.assignments {
		id := core.NewID()
		spec := core.ScheduleSpec{Start: now, ExpType: "noExpiration"}
		if a.start != nil && a.start.After(now) {
			spec.Start = *a.start
		}
		switch {
		case a.end != nil:
			spec.ExpType, spec.End = "afterDateTime", a.end
		case a.duration != "":
			spec.ExpType, spec.Duration = "afterDuration", a.duration
		}
		sc := &core.Schedule{ID: id, Key: a.Key, CreatedUsing: id, Created: now, Status: core.StatusProvisioned, Spec: spec, OutsidePIM: a.outsidePIM}
		if spec.Start.After(now) {
			sc.Status = core.StatusGranted
		}
		if a.Key.Kind == core.Active {
			sc.AssignmentType = core.AssignmentAssigned
		}
		st.AddSchedule(sc)
	}
	return st
}
