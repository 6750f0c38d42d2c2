// Package azure is the family of PIM for Azure resources: eligible and
// active Azure role assignments (pim_azure_eligible_assignment,
// pim_azure_active_assignment and their list resources) as a surface of
// the shared assignment implementation (assignments.Surface, so they
// behave as role assignments do), Azure role definitions by name, and the
// activations in effect at a scope. The Azure role setting is the settings
// family's (its azureRole subject).
package azure
