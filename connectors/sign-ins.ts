import type { Connector, GraphObject } from '../src/pull/connector.js';

const DAY_MS = 86_400_000;
/** Sign-ins are kept 30 days on P1/P2 (graph-facts 5.1): a first window never reaches further. */
export const MAX_SIGN_INS_DAYS = 30;
export const DEFAULT_SIGN_INS_DAYS = 7;
export const DEFAULT_SIGN_INS_OVERLAP_MS = 60 * 60_000;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Interactive user sign-ins (what v1.0 /auditLogs/signIns returns), by createdDateTime window, into
 * the sign_ins table. Needs Entra ID P1/P2: without it Graph answers 403
 * Authentication_RequestFromNonPremiumTenantOrB2CTenant and the collection is skipped.
 * https://learn.microsoft.com/graph/api/signin-list
 */
export const signIns: Connector = {
  name: 'signIns',
  description: 'Interactive user sign-ins (Entra ID P1/P2), appended to sign_ins by time window',
  permission: 'AuditLog.Read.All',
  alsoAccepted: ['Directory.Read.All'],
  changeTracking: 'watermark',
  source: '/auditLogs/signIns filtered on createdDateTime',
  steps: [{
    kind: 'events',
    name: 'signIns',
    table: 'sign_ins',
    entityTypes: [],
    relationScopes: [],
    // The page size's default is also its maximum, 1,000 (graph-facts 5.1).
    url: (from, to) => `/auditLogs/signIns?$filter=${encodeURIComponent(`createdDateTime ge ${from} and createdDateTime le ${to}`)}&$top=1000`,
    firstWindowMs: (ctx) => Math.min(MAX_SIGN_INS_DAYS, ctx.signInsDays ?? DEFAULT_SIGN_INS_DAYS) * DAY_MS,
    overlapMs: (ctx) => ctx.signInsOverlapMs ?? DEFAULT_SIGN_INS_OVERLAP_MS,
    row: signInRow,
  }],
};

/**
 * createdDateTime in one form, seven fractional digits (Graph writes both `…:36Z` and
 * `…:36.2500000Z`), so that text order is time order in the table, its indexes and sign_in_summary.
 */
export function fixedTime(value: string | null): string {
  const m = value === null ? null : /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(value);
  if (!m) return value ?? '';
  return `${m[1]}.${(m[2] ?? '').padEnd(7, '0').slice(0, 7)}Z`;
}

function signInRow(e: GraphObject): Record<string, string | number | null> {
  const status = (e.status ?? {}) as Record<string, unknown>;
  const location = (e.location ?? {}) as Record<string, unknown>;
  return {
    id: e.id as string,
    created_at: fixedTime(str(e.createdDateTime)),
    user_id: str(e.userId),
    user_principal_name: str(e.userPrincipalName),
    user_display_name: str(e.userDisplayName),
    app_id: str(e.appId),
    app_display_name: str(e.appDisplayName),
    resource_id: str(e.resourceId),
    resource_display_name: str(e.resourceDisplayName),
    ip_address: str(e.ipAddress),
    client_app_used: str(e.clientAppUsed),
    is_interactive: typeof e.isInteractive === 'boolean' ? Number(e.isInteractive) : null,
    status_error_code: typeof status.errorCode === 'number' ? status.errorCode : null,
    failure_reason: str(status.failureReason),
    conditional_access_status: str(e.conditionalAccessStatus),
    risk_level_during_sign_in: str(e.riskLevelDuringSignIn),
    country: str(location.countryOrRegion),
    city: str(location.city),
    data: JSON.stringify(e),
  };
}
