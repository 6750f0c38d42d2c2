// Package shared is what the provider's families share: the provider data
// every resource, data source, list resource and action is configured with
// (the Graph client, the clock of time decisions, the caches of names,
// policies and schedules, the sign-in facts), write resolution, diagnostics
// and values. It imports no family.
package shared
