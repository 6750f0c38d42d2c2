// Package groups is the PIM for Groups family: just-in-time membership or
// ownership of a group (pim_group_eligible_assignment,
// pim_group_active_assignment and their list resources), as a surface of
// the shared assignment implementation (assignments.Surface), so group
// assignments behave as role assignments do.
package groups
