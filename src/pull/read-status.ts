import { getMeta, listRunCollections, listRuns, listSyncStates, openDatabase, type RunCollectionRow, type RunRow, type SyncStateRow } from '../store/index.js';

export interface StatusReport {
  database: string;
  tenantId: string | null;
  runs: (RunRow & { collections: RunCollectionRow[] })[];
  syncState: (SyncStateRow & { deltaAgeSeconds: number | null; lastFullAgeSeconds: number | null })[];
  totals: {
    entities: number;
    deletedEntities: number;
    /** Effective access: live links whose two ends are not deleted objects (the effective_relations view). */
    relations: number;
    /** Live links held by a deleted (soft-deleted or unseen) object: kept, back with the object on restore. */
    dormantRelations: number;
    deletedRelations: number;
  };
}

const ageSeconds = (at: string | null, now: number) => (at ? Math.round((now - Date.parse(at)) / 1000) : null);

/** What `status` shows: recent runs with per-collection counts, and the age of each delta state and full round. */
export function readStatus(dbPath: string, limit = 10, now = Date.now()): StatusReport {
  const db = openDatabase(dbPath, { readonly: true });
  try {
    const runs = listRuns(db, limit).map((r) => ({ ...r, collections: listRunCollections(db, r.id) }));
    const syncState = listSyncStates(db).map((s) => ({
      ...s,
      deltaAgeSeconds: ageSeconds(s.delta_link_at, now),
      lastFullAgeSeconds: ageSeconds(s.last_full_at, now),
    }));
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    // A database not yet migrated by this version (status opens read-only) has no view yet.
    const hasView = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = 'effective_relations'").get() !== undefined;
    const relations = count(`SELECT COUNT(*) AS n FROM ${hasView ? 'effective_relations' : 'entity_relations WHERE deleted_at IS NULL'}`);
    return {
      database: dbPath,
      tenantId: getMeta(db, 'tenant_id') ?? null,
      runs,
      syncState,
      totals: {
        entities: count('SELECT COUNT(*) AS n FROM entities WHERE deleted_at IS NULL'),
        deletedEntities: count('SELECT COUNT(*) AS n FROM entities WHERE deleted_at IS NOT NULL'),
        relations,
        dormantRelations: count('SELECT COUNT(*) AS n FROM entity_relations WHERE deleted_at IS NULL') - relations,
        deletedRelations: count('SELECT COUNT(*) AS n FROM entity_relations WHERE deleted_at IS NOT NULL'),
      },
    };
  } finally {
    db.close();
  }
}
