import { DatabaseError } from '../errors/index.js';
import { isoNow, stmt, type Db } from './sqlite.js';

export function getMeta(db: Db, key: string): string | undefined {
  const row = stmt(db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Db, key: string, value: string): void {
  stmt(db, 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

/**
 * One database per tenant: the first pull binds the file to its tenant, later pulls for another
 * tenant are refused before anything is written.
 */
export function bindTenant(db: Db, tenantId: string, path: string): void {
  const bound = getMeta(db, 'tenant_id');
  if (bound === undefined) {
    db.transaction(() => {
      setMeta(db, 'tenant_id', tenantId);
      setMeta(db, 'created_at', isoNow());
    })();
    return;
  }
  if (bound.toLowerCase() !== tenantId.toLowerCase()) {
    throw new DatabaseError('DB_OTHER_TENANT', `${path} holds tenant ${bound}, not ${tenantId}`, {
      suggestion: 'Use one database per tenant: pass another --db (or ENTRA_DB) for this tenant.',
    });
  }
}
