package emulator

import (
	"github.com/google/uuid"
)

// Admin actions: adminAssign, adminUpdate, adminExtend, adminRenew and
// adminRemove of eligibilities and standing active assignments.

func newID() string { return uuid.NewString() }

func (tx *tx) submitAdmin(cmd *command) (*request, *apiError) {
	if e := tx.checkScheduleWrite(cmd.key); e != nil {
		return nil, e
	}
	existing := tx.st.standing[cmd.key]
	req := tx.newRequest(cmd)
	if cmd.action == "adminRemove" {
		if e := tx.checkRemove(cmd.key, existing); e != nil {
			return nil, e
		}
		// As in the documented adminRemove response: Revoked, with no
		// schedule, target or completion time, and justification dropped.
		req.Status, req.Justification = statusRevoked, nil
		if !cmd.validationOnly {
			tx.applyRemove(req, existing, cmd.body.Justification)
		}
		return req, nil
	}
	spec, e := tx.planAssign(cmd, existing, req)
	if e != nil {
		return nil, e
	}
	req.Schedule, req.Status = &spec, statusProvisioned
	if spec.Start.After(tx.now) {
		req.Status = statusGranted
	} else {
		now := tx.now
		req.Completed = &now
	}
	if !cmd.validationOnly {
		tx.applyAssign(req, existing, cmd.body.Justification)
	}
	return req, nil
}

func (tx *tx) checkRemove(k key, existing *schedule) *apiError {
	switch {
	case existing == nil:
		return badRequest("RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
	case k.Kind == Active && tx.now.Sub(existing.activeSince()) < minActiveDuration:
		return badRequest("ActiveDurationTooShort", "The Active duration is too short. Miniumum Required is 5 minutes.")
	case k.Kind == Active && k.Role == RoleGlobalAdministrator && k.Scope == "/" && tx.activeGlobalAdmins(false) <= 1:
		// Microsoft Entra keeps at least one Global Administrator. guess:
		// the unified API's code and message are not documented.
		return badRequest("LastGlobalAdministratorCannotBeRemoved",
			"The last active Global Administrator assignment cannot be removed. Assign Global Administrator to another principal first.")
	}
	return nil
}

// planAssign validates an assign, update, extend or renew and returns the
// schedule it results in.
func (tx *tx) planAssign(cmd *command, existing *schedule, req *request) (scheduleSpec, *apiError) {
	var keep *scheduleSpec
	if existing != nil && (cmd.action == "adminUpdate" || cmd.action == "adminExtend") {
		keep = &existing.Spec
	}
	spec, e := parseSpec(cmd.body.ScheduleInfo, tx.now, keep)
	if e != nil {
		return spec, e
	}
	switch cmd.action {
	case "adminAssign", "adminRenew":
		if existing != nil {
			return spec, badRequest("RoleAssignmentExists", "The Role assignment already exists.")
		}
	case "adminUpdate", "adminExtend":
		if existing == nil {
			return spec, badRequest("RoleAssignmentDoesNotExist", "The Role assignment does not exist.")
		}
		if e := tx.checkLastPermanentGA(cmd.key, existing, spec); e != nil {
			return spec, e
		}
	}
	if failed := tx.policyFor(cmd.key).adminFailures(cmd.key.Kind, spec, req, tx.caller); len(failed) > 0 {
		return spec, policyFailed(failed)
	}
	return spec, nil
}

// checkLastPermanentGA refuses to make the last active permanent Global
// Administrator time-bound: the tenant would be left without one when it
// ends.
func (tx *tx) checkLastPermanentGA(k key, existing *schedule, spec scheduleSpec) *apiError {
	if k.Kind != Active || k.Role != RoleGlobalAdministrator || k.Scope != "/" || existing.Spec.end() != nil || spec.end() == nil {
		return nil
	}
	if tx.activeGlobalAdmins(true) <= 1 {
		// guess: Graph's code for this is undocumented.
		return badRequest("LastGlobalAdministratorCannotBeRemoved",
			"The last active permanent Global Administrator assignment cannot be made time-bound. Assign Global Administrator permanently to another principal first.")
	}
	return nil
}

// activeGlobalAdmins counts the tenant-wide standing Global Administrator
// assignments in effect now (only permanent ones when permanentOnly).
func (tx *tx) activeGlobalAdmins(permanentOnly bool) int {
	n := 0
	for sc := range tx.st.schedByRole[RoleGlobalAdministrator] {
		if sc.Key.Kind != Active || sc.activated() || sc.Key.Scope != "/" || sc.Spec.Start.After(tx.now) {
			continue
		}
		if permanentOnly && sc.Spec.end() != nil {
			continue
		}
		n++
	}
	return n
}

func (tx *tx) applyRemove(req *request, existing *schedule, justification *string) {
	tx.st.removeSchedule(existing)
	tx.touch(entSchedule, existing.ID)
	tx.st.addRequest(req)
	tx.touch(entRequest, req.ID)
	tx.auditAdmin("remove", existing.Spec, existing.Key, justification, req.ID)
}

func (tx *tx) applyAssign(req *request, existing *schedule, justification *string) {
	verb := "assign"
	if existing == nil {
		sc := &schedule{ID: scheduleIDFor(req), Key: req.Key, CreatedUsing: req.ID, Created: tx.now, Status: req.Status, Spec: *req.Schedule}
		if req.Key.Kind == Active {
			sc.AssignmentType = assignmentAssigned
		}
		tx.st.addSchedule(sc)
		req.TargetScheduleID = &sc.ID
	} else {
		// guess: the docs do not say whether an update retargets the same
		// schedule; the emulator keeps one schedule per key and updates it
		// in place, so the principal never loses or doubles the assignment.
		verb = "update"
		now := tx.now
		existing.Spec, existing.Modified, existing.Status = *req.Schedule, &now, req.Status
		tx.st.timeline.scheduleChanged(existing)
		req.TargetScheduleID = &existing.ID
	}
	tx.touch(entSchedule, *req.TargetScheduleID)
	tx.st.addRequest(req)
	tx.touch(entRequest, req.ID)
	tx.s.lag.set(*req.TargetScheduleID, max(tx.s.opts.ReadLag, tx.s.faults.readLag()))
	tx.auditAdmin(verb, *req.Schedule, req.Key, justification, req.ID)
	if existing == nil {
		event := eventEligibleAssigned
		if req.Key.Kind == Active {
			event = eventActiveAssigned
		}
		tx.notify(event, req.Key, nil)
	}
}

// checkScheduleWrite: who may assign on each surface. Directory roles need
// Privileged Role Administrator or Global Administrator (app-only,
// RoleManagement.ReadWrite.Directory); PIM for Groups the same roles or,
// app-only, the AzureADGroup permission of the kind.
func (tx *tx) checkScheduleWrite(k key) *apiError {
	if k.Surface == surfaceGroup {
		perms := permGroupEligibilityWrite
		if k.Kind == Active {
			perms = permGroupAssignmentWrite
		}
		if !tx.allowed(perms, pimWriterRoles) {
			return forbidden("The caller needs the Privileged Role Administrator or Global Administrator role (or, app-only, %s) to manage PIM for Groups.", perms[0])
		}
		return nil
	}
	if !tx.allowed(permPIMWrite, pimWriterRoles) {
		return forbidden("The caller needs an active Privileged Role Administrator or Global Administrator assignment " +
			"(or, app-only, RoleManagement.ReadWrite.Directory) to manage role assignments.")
	}
	return nil
}

// scheduleIDFor names the schedule a request creates: the request's id for
// directory roles; {groupId}_{accessId}_{requestId} for groups, the
// documented form of PIM for Groups' targetScheduleId.
func scheduleIDFor(req *request) string {
	if req.Key.Surface == surfaceGroup {
		return req.Key.Scope + "_" + req.Key.Role + "_" + req.ID
	}
	return req.ID
}
