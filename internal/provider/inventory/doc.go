// Package inventory lists who holds which privileged access now: the
// eligible and active assignments data sources of directory roles and of
// PIM for Groups, and group activations, for check blocks.
package inventory
