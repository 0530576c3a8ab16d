import { byName, cmp, daysBetween, type ReportContext } from './report-context.js';
import type { AppObjectRef, CredentialFinding } from './report-findings.js';

const DAY_MS = 86_400_000;

interface StoredCredential {
  keyId?: unknown;
  displayName?: unknown;
  endDateTime?: unknown;
}

const list = (json: string | null): StoredCredential[] => {
  try {
    const v: unknown = JSON.parse(json ?? 'null');
    return Array.isArray(v) ? (v as StoredCredential[]) : [];
  } catch {
    return [];
  }
};

/**
 * Section 5: client secrets (passwordCredentials) and certificates (keyCredentials) of app
 * registrations and service principals that expired or expire within `expiryDays`
 * (https://learn.microsoft.com/graph/api/resources/passwordcredential, .../keycredential). Managed
 * identities are left out: Azure rotates their certificates itself. Expiring first (soonest first),
 * then expired (most recently first).
 */
export function readCredentials(ctx: ReportContext, expiryDays: number): { expiryDays: number; rows: CredentialFinding[] } {
  const horizon = ctx.now + expiryDays * DAY_MS;
  const rows: CredentialFinding[] = [];
  const objects = ctx.db.prepare(
    `SELECT entity_type, id, display_name, data ->> '$.appId', data -> '$.passwordCredentials', data -> '$.keyCredentials'
     FROM entities WHERE entity_type IN ('application', 'servicePrincipal') AND deleted_at IS NULL
       AND (json_array_length(data, '$.passwordCredentials') > 0 OR json_array_length(data, '$.keyCredentials') > 0)
       AND COALESCE(data ->> '$.servicePrincipalType', '') <> 'ManagedIdentity'`,
  ).raw().iterate() as Iterable<[AppObjectRef['type'], string, string | null, string | null, string | null, string | null]>;
  for (const [type, id, name, appId, passwords, keys] of objects) {
    const object: AppObjectRef = { type, id, name, appId };
    for (const [credentialType, creds] of [['password', list(passwords)], ['certificate', list(keys)]] as const) {
      for (const c of creds) {
        if (typeof c.endDateTime !== 'string') continue;
        const end = Date.parse(c.endDateTime);
        if (Number.isNaN(end) || end > horizon) continue;
        rows.push({
          object, credentialType,
          keyId: typeof c.keyId === 'string' ? c.keyId : null,
          displayName: typeof c.displayName === 'string' ? c.displayName : null,
          endDateTime: c.endDateTime,
          status: end < ctx.now ? 'expired' : 'expiring',
          days: end < ctx.now ? -daysBetween(c.endDateTime, ctx.now) : Math.floor((end - ctx.now) / DAY_MS),
        });
      }
    }
  }
  rows.sort((a, b) => (a.status === 'expiring' ? 0 : 1) - (b.status === 'expiring' ? 0 : 1)
    || (a.status === 'expiring' ? cmp(a.endDateTime, b.endDateTime) : cmp(b.endDateTime, a.endDateTime))
    || byName(a.object, b.object) || cmp(a.keyId, b.keyId));
  return { expiryDays, rows };
}
