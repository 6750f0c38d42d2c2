// Package settings manages role settings and PIM for Groups settings: the
// 17 policy rules behind documented defaults, only differing rules sent,
// rollback of a failed apply, reset and destroy warnings, the role setting
// data source and list resource, and the limits the policy cache serves to
// plan-time checks. What differs between a role's policy and a group's is a
// subject (subject.go).
package settings
