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
  /**
   * Keys of `data` other collections write (enrich: users' signInActivity): a full write keeps their
   * stored values, so they are neither lost nor recorded as this collection's changes.
   */
  keep?: readonly string[];
  /** The display name when the object has no `displayName` property (a SKU's skuPartNumber). */
  displayName?: string | null;
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
  const data = write.merge ? { ...before, ...write.data } : withKept(write.data, before, write.keep);
  const changed = diffProperties(before, data);
  const restored = old.deleted_at !== null;
  const hasChanges = Object.keys(changed).length > 0;
  if (!restored && !hasChanges && old.last_seen_run === stamp.runId) return false;
  stmt(
    db,
    `UPDATE entities SET display_name = ?, data = ?, last_seen_run = ?, deleted_at = NULL, deleted_kind = NULL
     WHERE entity_type = ? AND id = ?`,
  ).run(write.displayName ?? displayNameOf(data), hasChanges ? JSON.stringify(data) : old.data, stamp.runId, write.entityType, write.id);
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
  ).run(write.entityType, write.id, write.displayName ?? displayNameOf(write.data), JSON.stringify(write.data), stamp.runId, stamp.runId).changes > 0;
  if (inserted) recordObjectChange(db, stamp, 'created', write.entityType, write.id);
  return inserted;
}

/** `data` with the stored values of the kept keys. */
function withKept(data: Record<string, unknown>, before: Record<string, unknown>, keep: readonly string[] | undefined): Record<string, unknown> {
  if (!keep || keep.length === 0) return data;
  const out = { ...data };
  for (const k of keep) {
    if (k in before) out[k] = before[k];
    else delete out[k];
  }
  return out;
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

/**
 * The entities of a type whose id is `<parentId>/<child id>` (a service principal's app roles) that
 * are not permanently deleted. Ids are GUIDs, so the prefix is a key range.
 */
export function childIds(db: Db, entityType: string, parentId: string): string[] {
  // Live, soft-deleted and unseen ones: a purge of the parent (soft, then permanent) must reach them too.
  return (stmt(db, "SELECT id FROM entities WHERE entity_type = ? AND id > ? AND id < ? AND deleted_kind IS NOT 'permanent'").all(
    entityType, `${parentId}/`, `${parentId}0`,
  ) as { id: string }[]).map((r) => r.id);
}

/**
 * Sets one key of a stored object's data, written by a collection that does not own the row
 * (enrich). Never creates, revives or tombstones a row, and records no change. Returns whether the
 * row changed.
 */
export function enrichEntity(db: Db, entityType: string, id: string, key: string, value: unknown): boolean {
  const path = `$.${key}`;
  const json = JSON.stringify(value ?? null);
  // Written only when it differs, so an unchanged tenant costs reads, not page rewrites.
  return stmt(
    db,
    `UPDATE entities SET data = json_set(data, ?, json(?))
     WHERE entity_type = ? AND id = ? AND (json_type(data, ?) IS NULL OR json_extract(data, ?) IS NOT json_extract(json(?), '$'))`,
  ).run(path, json, entityType, id, path, path, json).changes > 0;
}

/** Ids of live entities of a type in id order after `afterId`, at most `limit` (a keyset page). */
export function liveIdsAfter(db: Db, entityType: string, afterId: string, limit: number): string[] {
  return stmt(db, 'SELECT id FROM entities WHERE entity_type = ? AND id > ? AND deleted_at IS NULL ORDER BY id LIMIT ?').pluck().all(
    entityType, afterId, limit,
  ) as string[];
}

/**
 * Live entities of a type in id order after `afterId` that were seen since run `sinceRun` (written
 * by the current full round), at most `limit`.
 */
export function seenIdsAfter(db: Db, entityType: string, afterId: string, sinceRun: number, limit: number): string[] {
  return stmt(
    db,
    'SELECT id FROM entities WHERE entity_type = ? AND id > ? AND deleted_at IS NULL AND last_seen_run >= ? ORDER BY id LIMIT ?',
  ).pluck().all(entityType, afterId, sinceRun, limit) as string[];
}

/**
 * Live entities of a type in id order after `afterId`, at most `limit` (a keyset page), with only
 * the named top-level properties of their data (read by SQLite, so a large object is never parsed
 * whole for one property).
 */
export function liveFieldsAfter(db: Db, entityType: string, fields: readonly string[], afterId: string, limit: number): { id: string; data: string }[] {
  for (const f of fields) if (!/^\w+$/.test(f)) throw new Error(`not a property name: ${f}`);
  const pairs = fields.map((f) => `'${f}', json_extract(data, '$.${f}')`).join(', ');
  return stmt(db, `SELECT id, json_object(${pairs}) AS data FROM entities WHERE entity_type = ? AND id > ? AND deleted_at IS NULL ORDER BY id LIMIT ?`).all(
    entityType, afterId, limit,
  ) as { id: string; data: string }[];
}
