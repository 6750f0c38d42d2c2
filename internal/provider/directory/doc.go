// Package directory names principals and roles: the pim_principal,
// pim_principals and pim_role_definition data sources.
package directory
