// Package reviews is the family of access reviews of privileged access:
// pim_access_review declares a recurring review of a directory role or a
// PIM group, data source pim_access_review_instances reads its instances
// and decisions by name, and action pim_review_decision records a decision
// as the signed-in reviewer.
package reviews
