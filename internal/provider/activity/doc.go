// Package activity is what happens to privileged access: the activations
// and audit events data sources, and the actions pim_activate,
// pim_deactivate and pim_approval (directory roles and PIM for Groups).
package activity
