import { getMeta, listRunCollections, listRuns, listSyncStates, openDatabase, type RunCollectionRow, type RunRow, type SyncStateRow } from '../store/index.js';

export interface StatusReport {
  database: string;
  tenantId: string | null;
  runs: (RunRow & { collections: RunCollectionRow[] })[];
  syncState: (SyncStateRow & { deltaAgeSeconds: number | null })[];
  totals: { entities: number; deletedEntities: number; relations: number; deletedRelations: number };
}

/** What `status` shows: recent runs with per-collection counts, and the age of each delta state. */
export function readStatus(dbPath: string, limit = 10, now = Date.now()): StatusReport {
  const db = openDatabase(dbPath, { readonly: true });
  try {
    const runs = listRuns(db, limit).map((r) => ({ ...r, collections: listRunCollections(db, r.id) }));
    const syncState = listSyncStates(db).map((s) => ({
      ...s,
      deltaAgeSeconds: s.delta_link_at ? Math.round((now - Date.parse(s.delta_link_at)) / 1000) : null,
    }));
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      database: dbPath,
      tenantId: getMeta(db, 'tenant_id') ?? null,
      runs,
      syncState,
      totals: {
        entities: count('SELECT COUNT(*) AS n FROM entities WHERE deleted_at IS NULL'),
        deletedEntities: count('SELECT COUNT(*) AS n FROM entities WHERE deleted_at IS NOT NULL'),
        relations: count('SELECT COUNT(*) AS n FROM entity_relations WHERE deleted_at IS NULL'),
        deletedRelations: count('SELECT COUNT(*) AS n FROM entity_relations WHERE deleted_at IS NOT NULL'),
      },
    };
  } finally {
    db.close();
  }
}
