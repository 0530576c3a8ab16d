import { GraphError } from '../errors/index.js';

/**
 * How the delta engine reacts to a failed page request:
 * - 'resync': the deltaLink is no longer valid (410 Gone, or 400 syncStateNotFound / resyncRequired):
 *   drop it and run a full round. https://learn.microsoft.com/graph/delta-query-overview#synchronization-reset
 * - 'restart': a skip token expired mid-round (Directory_ExpiredPageToken, or the reports' "Invalid
 *   Skip Token"): start the round again.
 * - 'fatal': anything else; the collection fails, others go on.
 */
export function graphErrorKind(error: unknown): 'resync' | 'restart' | 'fatal' {
  if (!(error instanceof GraphError)) return 'fatal';
  if (error.status === 410) return 'resync';
  if (error.graphCode === 'syncStateNotFound' || error.graphCode === 'resyncRequired') return 'resync';
  if (error.graphCode === 'Directory_ExpiredPageToken') return 'restart';
  // The reports endpoints (auditLogs) answer an expired page token with 400 UnknownError "Invalid
  // Skip Token" (msgraph-sdk-powershell#1388, microsoft-graph-docs-contrib#5103).
  if (error.status === 400 && /invalid skip ?token/i.test(error.message)) return 'restart';
  return 'fatal';
}

/**
 * A saved link (a deltaLink, or the nextLink an interrupted round resumes from) that Graph refuses on
 * its first request. An expired or unknown token is documented only as "a 40X-series error"
 * (https://learn.microsoft.com/graph/delta-query-overview); in practice it comes as 400 with several
 * codes besides syncStateNotFound and Directory_ExpiredPageToken, 404, 410 or 422. Such a link must
 * never wedge a collection: the round begins again.
 */
export function isRefusedLink(error: unknown): boolean {
  return error instanceof GraphError && error.status !== undefined && [400, 404, 410, 422].includes(error.status);
}

/**
 * Graph's answer for data that needs Entra ID P1/P2 (sign-in logs, signInActivity) in a tenant
 * without it: 403 `Authentication_RequestFromNonPremiumTenantOrB2CTenant` (graph-facts 5.1). Not a
 * failure of the pull: the collection is skipped with a warning.
 */
export function isLicenseRequired(error: unknown): boolean {
  return error instanceof GraphError && error.status === 403 && error.graphCode === 'Authentication_RequestFromNonPremiumTenantOrB2CTenant';
}
