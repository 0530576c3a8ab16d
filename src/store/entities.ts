import { diffProperties, recordObjectChange, type ChangeStamp } from './changes.js';
import { stmt, type Db } from './sqlite.js';

/** How an object went away (schemas/002): NULL while it exists. */
export type DeletedKind = 'soft' | 'permanent' | 'unseen';

export interface EntityRow {
  entity_type: string;
  id: string;
  display_name: string | null;
  data: string;
  first_seen_run: number | null;
  last_seen_run: number | null;
  deleted_at: string | null;
  deleted_kind: DeletedKind | null;
}

export interface EntityWrite {
  entityType: string;
  id: string;
  /** The object's properties (Graph annotations already stripped). */
  data: Record<string, unknown>;
  /**
   * true: lay `data` over the stored properties (a delta round sends changed properties, a cleared
   * one as null); false: `data` is the complete object (a full round).
   */
  merge: boolean;
}

interface StoredEntity {
  data: string;
  last_seen_run: number | null;
  deleted_at: string | null;
}

/**
 * Writes an object as seen now; an object that was marked deleted comes back to life (restored).
 * Every difference is appended to `changes` with the old and new values. Returns false when the
 * row stays as it was: the same object already written by this run with the same properties (a
 * large group repeated on several pages, a replayed change).
 */
export function upsertEntity(db: Db, write: EntityWrite, stamp: ChangeStamp, expectNew = false): boolean {
  // A collection's first round brings only new objects: one insert, no read, in the common case.
  if (expectNew && insertNew(db, write, stamp)) return true;
  const old = stmt(db, 'SELECT data, last_seen_run, deleted_at FROM entities WHERE entity_type = ? AND id = ?').get(
    write.entityType, write.id,
  ) as StoredEntity | undefined;
  if (!old) return insertNew(db, write, stamp);
  const before = JSON.parse(old.data) as Record<string, unknown>;
  const data = write.merge ? { ...before, ...write.data } : write.data;
  const changed = diffProperties(before, data);
  const restored = old.deleted_at !== null;
  const hasChanges = Object.keys(changed).length > 0;
  if (!restored && !hasChanges && old.last_seen_run === stamp.runId) return false;
  stmt(
    db,
    `UPDATE entities SET display_name = ?, data = ?, last_seen_run = ?, deleted_at = NULL, deleted_kind = NULL
     WHERE entity_type = ? AND id = ?`,
  ).run(displayNameOf(data), hasChanges ? JSON.stringify(data) : old.data, stamp.runId, write.entityType, write.id);
  if (restored) recordObjectChange(db, stamp, 'restored', write.entityType, write.id, changed);
  else if (hasChanges) recordObjectChange(db, stamp, 'changed', write.entityType, write.id, changed);
  return true;
}

/** Inserts the object unless a row exists; a new row is recorded as created. */
function insertNew(db: Db, write: EntityWrite, stamp: ChangeStamp): boolean {
  const inserted = stmt(
    db,
    `INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run, deleted_at, deleted_kind)
     VALUES (?, ?, ?, ?, ?, ?, NULL, NULL) ON CONFLICT DO NOTHING`,
  ).run(write.entityType, write.id, displayNameOf(write.data), JSON.stringify(write.data), stamp.runId, stamp.runId).changes > 0;
  if (inserted) recordObjectChange(db, stamp, 'created', write.entityType, write.id);
  return inserted;
}

function displayNameOf(data: Record<string, unknown>): string | null {
  return typeof data.displayName === 'string' ? data.displayName : null;
}

/**
 * Marks an object removed, as Graph reported it: 'soft' (reason changed) or 'permanent' (reason
 * deleted). The first removal time is kept when the removal is replayed; a soft-deleted (or unseen)
 * object later purged becomes permanent. Returns true when the row changed. An object never seen
 * alive leaves no row.
 */
export function markEntityDeleted(db: Db, entityType: string, id: string, kind: 'soft' | 'permanent', stamp: ChangeStamp): boolean {
  const r = stmt(
    db,
    `UPDATE entities SET deleted_at = COALESCE(deleted_at, ?), deleted_kind = ?, last_seen_run = ?
     WHERE entity_type = ? AND id = ?
       AND (deleted_at IS NULL OR (? = 'permanent' AND deleted_kind IS NOT 'permanent') OR (? = 'soft' AND deleted_kind = 'unseen'))`,
  ).run(stamp.at, kind, stamp.runId, entityType, id, kind, kind);
  if (r.changes === 0) return false;
  recordObjectChange(db, stamp, kind === 'soft' ? 'soft_deleted' : 'deleted', entityType, id);
  return true;
}

const UNSEEN_WHERE = `entity_type = ? AND deleted_at IS NULL AND (last_seen_run IS NULL OR last_seen_run < ?)`;

/**
 * After a complete full round: every live object of these types not seen since `sinceRun` went
 * away, how Graph did not say: 'unseen', treated like a soft delete (its links are kept).
 */
export function tombstoneUnseenEntities(db: Db, entityTypes: readonly string[], sinceRun: number, stamp: ChangeStamp): number {
  let n = 0;
  for (const type of entityTypes) {
    stmt(
      db,
      `INSERT INTO changes (run_id, at, kind, entity_type, entity_id)
       SELECT ?, ?, 'unseen', entity_type, id FROM entities WHERE ${UNSEEN_WHERE}`,
    ).run(stamp.runId, stamp.at, type, sinceRun);
    n += stmt(db, `UPDATE entities SET deleted_at = ?, deleted_kind = 'unseen' WHERE ${UNSEEN_WHERE}`).run(stamp.at, type, sinceRun).changes;
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
