// Package azure holds the lookups of PIM for Azure resources that are not
// an assignment or a setting: Azure role definitions by name, and the
// activations in effect at a scope. The assignment resources are the
// assignments family's (one strategy, azureRoles), the role setting the
// settings family's.
package azure
