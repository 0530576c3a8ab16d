import { stmt, type Db } from './sqlite.js';

export interface EntityRow {
  entity_type: string;
  id: string;
  display_name: string | null;
  data: string;
  first_seen_run: number | null;
  last_seen_run: number | null;
  deleted_at: string | null;
}

export interface EntityWrite {
  entityType: string;
  id: string;
  /** The object's properties (Graph annotations already stripped). */
  data: Record<string, unknown>;
  runId: number;
  /**
   * true: lay `data` over the stored properties (a delta round may send only some properties);
   * false: `data` is the complete object (a full round).
   */
  merge: boolean;
}

/**
 * Writes an object as seen now; an object that was marked deleted comes back to life. Returns false
 * when nothing changed: the same object already written by this run with the same properties (a
 * large group repeated on several pages, a replayed change).
 */
export function upsertEntity(db: Db, write: EntityWrite): boolean {
  let data = write.data;
  if (write.merge) {
    const old = stmt(db, 'SELECT data FROM entities WHERE entity_type = ? AND id = ?').get(write.entityType, write.id) as
      | { data: string }
      | undefined;
    if (old) data = { ...(JSON.parse(old.data) as Record<string, unknown>), ...data };
  }
  const displayName = typeof data.displayName === 'string' ? data.displayName : null;
  return stmt(
    db,
    `INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run, deleted_at)
     VALUES (?, ?, ?, ?, ?, ?, NULL)
     ON CONFLICT (entity_type, id) DO UPDATE SET
       display_name = excluded.display_name, data = excluded.data,
       last_seen_run = excluded.last_seen_run, deleted_at = NULL
     WHERE entities.last_seen_run IS NOT excluded.last_seen_run OR entities.deleted_at IS NOT NULL
        OR entities.data IS NOT excluded.data`,
  ).run(write.entityType, write.id, displayName, JSON.stringify(data), write.runId, write.runId).changes > 0;
}

/**
 * Marks an object removed at `at`, keeping the first removal time when the removal is replayed.
 * Returns true when a live row became deleted. An object never seen alive leaves no row.
 */
export function markEntityDeleted(db: Db, entityType: string, id: string, at: string, runId: number): boolean {
  const r = stmt(
    db,
    `UPDATE entities SET deleted_at = ?, last_seen_run = ?
     WHERE entity_type = ? AND id = ? AND deleted_at IS NULL`,
  ).run(at, runId, entityType, id);
  return r.changes > 0;
}

/** After a complete full round: every live object of these types not seen since `sinceRun` was removed. */
export function tombstoneUnseenEntities(db: Db, entityTypes: readonly string[], sinceRun: number, at: string): number {
  let n = 0;
  for (const type of entityTypes) {
    n += stmt(
      db,
      `UPDATE entities SET deleted_at = ?
       WHERE entity_type = ? AND deleted_at IS NULL AND (last_seen_run IS NULL OR last_seen_run < ?)`,
    ).run(at, type, sinceRun).changes;
  }
  return n;
}

/**
 * A round restarted within the run that started it: rows seen by the abandoned attempt must count
 * as unseen again, or objects removed meanwhile would escape the tombstone at the end of the round.
 */
export function unseeEntities(db: Db, entityTypes: readonly string[], runId: number): void {
  for (const type of entityTypes) {
    stmt(db, 'UPDATE entities SET last_seen_run = ? WHERE entity_type = ? AND last_seen_run >= ?').run(runId - 1, type, runId);
  }
}
