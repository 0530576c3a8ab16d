/**
 * Graph throttles per service scope, each with its own budget per app and tenant
 * (https://learn.microsoft.com/graph/throttling-limits): the identity and access scope (users,
 * groups, applications, roles, ...: resource units per 10 s) and the identity and access reports
 * scope (auditLogs: 5 requests per 10 s, graph-facts 3.3). A 429 from one says nothing about the
 * other, so each has its own throttle window.
 */
export type ThrottleScope = 'identity' | 'reports';

/** The scope of a request URL (absolute, or a path under the version root). */
export function throttleScopeOf(url: string): ThrottleScope {
  const path = url.replace(/^https?:\/\/[^/]+/i, '').replace(/^\/(v1\.0|beta)(?=\/)/i, '');
  return /^\/(auditLogs|reports)(\/|\?|$)/i.test(path) ? 'reports' : 'identity';
}
