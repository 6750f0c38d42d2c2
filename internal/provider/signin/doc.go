// Package signin is how the provider signs in: the provider block's
// sign-in settings (and the ARM_* variables azurerm and azuread users
// already set), the Microsoft clouds, and a token source for each API —
// Microsoft Graph, and Azure Resource Manager for its own audience.
package signin
