// Package assignments manages eligible and active assignments of directory
// roles and of PIM for Groups: the four resources, their list resources for
// terraform query, and what they guarantee (the schedule as identity,
// in-place updates, expiry kept as Expired, protection, compliance warnings,
// plan-time policy and principal checks, names in plans). What differs
// between directory roles and groups is a surface (surface.go).
package assignments
