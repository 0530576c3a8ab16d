import { DatabaseError } from '../errors/index.js';
import { isoNow, stmt, type Db } from './sqlite.js';

export function getMeta(db: Db, key: string): string | undefined {
  const row = stmt(db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The names (domain or GUID) this database's tenant was configured as, besides its id. */
function aliases(db: Db): string[] {
  try {
    const parsed = JSON.parse(getMeta(db, 'tenant_aliases') ?? '[]') as unknown;
    return Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

function remember(db: Db, name: string, tenantId: string): void {
  const known = aliases(db);
  if (same(name, tenantId) || known.some((a) => same(a, name))) return;
  setMeta(db, 'tenant_aliases', JSON.stringify([...known, name]));
}

/**
 * True when the configured tenant (a GUID or a domain name) is known to be this database's tenant,
 * before any token says so: used to decide whether a failed sign-in may be written to its ledger.
 */
export function isKnownTenant(db: Db, configured: string): boolean {
  const bound = getMeta(db, 'tenant_id');
  return bound === undefined || same(bound, configured) || aliases(db).some((a) => same(a, configured));
}

export interface TenantIdentity {
  /** The tenant GUID from the token's `tid` claim (the configured value when the token has none). */
  tenantId: string;
  /** AZURE_TENANT_ID as configured: a GUID or a domain name. */
  configured: string;
}

/**
 * One database per tenant, bound to the tenant id Graph's token carries, so the same tenant named
 * by a domain or by its GUID is one database and two tenants never share one. A database bound by an
 * earlier version to the configured name is re-bound to the id once; that returns a notice. Another
 * tenant's database is refused before anything is written.
 */
export function bindTenant(db: Db, who: TenantIdentity, path: string): string | undefined {
  const bound = getMeta(db, 'tenant_id');
  if (bound === undefined) {
    db.transaction(() => {
      setMeta(db, 'tenant_id', who.tenantId);
      setMeta(db, 'created_at', isoNow());
      remember(db, who.configured, who.tenantId);
    })();
    return undefined;
  }
  if (same(bound, who.tenantId)) {
    db.transaction(() => remember(db, who.configured, who.tenantId))();
    return undefined;
  }
  if (same(bound, who.configured)) {
    db.transaction(() => {
      setMeta(db, 'tenant_id', who.tenantId);
      remember(db, bound, who.tenantId);
      remember(db, who.configured, who.tenantId);
    })();
    return `The database was bound to the tenant name "${bound}"; it is now bound to that tenant's id ${who.tenantId} (from the access token).`;
  }
  throw new DatabaseError(
    'DB_OTHER_TENANT',
    `${path} holds tenant ${bound}, but the access token is for tenant ${who.tenantId}${same(who.configured, who.tenantId) ? '' : ` (${who.configured})`}`,
    {
      suggestion: GUID.test(bound)
        ? 'Use one database per tenant: pass another --db (or ENTRA_DB) for this tenant.'
        : `Use one database per tenant: pass another --db (or ENTRA_DB) for this tenant. If this database is this tenant's, made by an earlier version with AZURE_TENANT_ID=${bound}, run one pull with that value to re-bind it to the tenant id.`,
    },
  );
}
