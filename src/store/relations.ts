import { recordLinkChange, type ChangeStamp, type LinkKeyColumns } from './changes.js';
import { stmt, type Db } from './sqlite.js';

export interface RelationRow extends LinkKeyColumns {
  data: string | null;
  first_seen_run: number | null;
  last_seen_run: number | null;
  deleted_at: string | null;
}

/** Every relation of CONTRACT.md section 4: a permanently deleted object loses its links in all of them. */
export const RELATION_NAMES = [
  'memberOf', 'ownerOf', 'hasRole', 'hasAppRole', 'appRoleOf', 'reportsTo', 'licensedWith', 'delegatedGrant',
] as const;

export interface RelationKey {
  relation: string;
  sourceType: string;
  sourceId: string;
  targetType: string;
  targetId: string;
  scope?: string;
}

/**
 * The links a collection is the authority for, named by the side that carries them in Graph:
 * a group's `members@delta` carries memberOf links whose *target* is the group; a user's `manager`
 * carries reportsTo links whose *source* is the user.
 */
export interface RelationScope {
  relation: string;
  anchor: 'source' | 'target';
  anchorType: string;
}

/**
 * Writes a link as seen now; a link that was marked deleted comes back to life (revived). A new or
 * revived link is appended to `changes`. Returns false when the row stays as it was (already written
 * by this run with the same data).
 *
 * Three exact statements instead of a read and a write: an insert that only takes a new link, an
 * update that only revives a deleted one, and an update that only refreshes a live one. `expectNew`
 * says which is likely (a first round and delta rounds bring mostly new links, a later full round
 * mostly known ones): the likely one is tried first, so the common case costs one statement.
 */
export interface UpsertHints {
  /** A new link is likely: try the insert first. */
  expectNew?: boolean;
  /** The collection's first round: a new link is covered by the run's `baseline` row (see recordBaseline), not recorded alone. */
  baseline?: boolean;
}

export function upsertRelation(
  db: Db,
  key: RelationKey,
  data: Record<string, unknown> | undefined,
  stamp: ChangeStamp,
  hints: UpsertHints = {},
): boolean {
  // Straight-line code without closures: this runs once per link, a million times in a first pull.
  const scope = key.scope ?? '';
  const json = data === undefined ? null : JSON.stringify(data);
  const expectNew = hints.expectNew ?? true;
  if (!expectNew && refreshLink(db, key, scope, json, stamp.runId)) return true;
  const inserted = stmt(db, INSERT_LINK).run(
    key.relation, key.sourceType, key.sourceId, key.targetType, key.targetId, scope, json, stamp.runId, stamp.runId,
  ).changes > 0;
  if (inserted) {
    if (!hints.baseline) recordLinkChange(db, stamp, 'added', keyColumns(key, scope));
    return true;
  }
  const revived = stmt(db, REVIVE_LINK).run(
    json, stamp.runId, key.relation, key.sourceType, key.sourceId, key.targetType, key.targetId, scope,
  ).changes > 0;
  if (revived) {
    recordLinkChange(db, stamp, 'revived', keyColumns(key, scope));
    return true;
  }
  return expectNew ? refreshLink(db, key, scope, json, stamp.runId) : false;
}

const INSERT_LINK = `INSERT INTO entity_relations (relation, source_type, source_id, target_type, target_id, scope, data, first_seen_run, last_seen_run, deleted_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL) ON CONFLICT DO NOTHING`;

const REVIVE_LINK = `UPDATE entity_relations SET data = ?, last_seen_run = ?, deleted_at = NULL
  WHERE relation = ? AND source_type = ? AND source_id = ? AND target_type = ? AND target_id = ? AND scope = ?
    AND deleted_at IS NOT NULL`;

const REFRESH_LINK = `UPDATE entity_relations SET data = ?, last_seen_run = ?
  WHERE relation = ? AND source_type = ? AND source_id = ? AND target_type = ? AND target_id = ? AND scope = ?
    AND deleted_at IS NULL AND (last_seen_run IS NOT ? OR data IS NOT ?)`;

/** A live link seen again: last_seen_run (and data) refreshed; false when there is no live row or nothing to change. */
function refreshLink(db: Db, key: RelationKey, scope: string, json: string | null, runId: number): boolean {
  return stmt(db, REFRESH_LINK).run(
    json, runId, key.relation, key.sourceType, key.sourceId, key.targetType, key.targetId, scope, runId, json,
  ).changes > 0;
}

function keyColumns(key: RelationKey, scope: string): LinkKeyColumns {
  return {
    relation: key.relation, source_type: key.sourceType, source_id: key.sourceId,
    target_type: key.targetType, target_id: key.targetId, scope,
  };
}

const RETURNING_KEY = 'RETURNING relation, source_type, source_id, target_type, target_id, scope';

/** Runs an UPDATE … RETURNING of link keys and appends each as a removal. */
function removeReturning(db: Db, sql: string, args: unknown[], stamp: ChangeStamp): number {
  const rows = stmt(db, `${sql} ${RETURNING_KEY}`).all(...args) as LinkKeyColumns[];
  for (const row of rows) recordLinkChange(db, stamp, 'removed', row);
  return rows.length;
}

// Statements that know the target name the by-target index: without statistics SQLite's planner
// otherwise walks the primary key on `relation` alone, which scans every membership.

/**
 * Marks a removed link. Graph names a removed link by the anchor object and the other side's id
 * (its type may be missing), so the other side is matched on id alone. Returns rows changed.
 */
export function markRelationDeleted(db: Db, scope: RelationScope, anchorId: string, otherId: string, stamp: ChangeStamp): number {
  const sql =
    scope.anchor === 'target'
      ? `UPDATE entity_relations INDEXED BY entity_relations_by_target SET deleted_at = ?
         WHERE target_type = ? AND target_id = ? AND relation = ? AND source_id = ? AND deleted_at IS NULL`
      : `UPDATE entity_relations SET deleted_at = ?
         WHERE relation = ? AND source_type = ? AND source_id = ? AND target_id = ? AND deleted_at IS NULL`;
  const args =
    scope.anchor === 'target'
      ? [stamp.at, scope.anchorType, anchorId, scope.relation, otherId]
      : [stamp.at, scope.relation, scope.anchorType, anchorId, otherId];
  return removeReturning(db, sql, args, stamp);
}

/**
 * Counts every live link of one anchor object as seen in run `runId`, as it stands: a full round that
 * could not read them (the object was deleted meanwhile) keeps them for the next delta round to judge.
 */
export function touchAnchorRelations(db: Db, scope: RelationScope, anchorId: string, runId: number): void {
  const sql =
    scope.anchor === 'target'
      ? `UPDATE entity_relations INDEXED BY entity_relations_by_target SET last_seen_run = ?
         WHERE target_type = ? AND target_id = ? AND relation = ? AND deleted_at IS NULL`
      : `UPDATE entity_relations SET last_seen_run = ?
         WHERE relation = ? AND source_type = ? AND source_id = ? AND deleted_at IS NULL`;
  const args = scope.anchor === 'target' ? [runId, scope.anchorType, anchorId, scope.relation] : [runId, scope.relation, scope.anchorType, anchorId];
  stmt(db, sql).run(...args);
}

/** Marks every live link of one anchor object removed but one (a single-valued link replaced). */
export function markAnchorRelationsDeleted(db: Db, scope: RelationScope, anchorId: string, stamp: ChangeStamp, exceptOtherId?: string): number {
  const keep = exceptOtherId ?? '';
  const sql =
    scope.anchor === 'target'
      ? `UPDATE entity_relations INDEXED BY entity_relations_by_target SET deleted_at = ?
         WHERE target_type = ? AND target_id = ? AND relation = ? AND source_id <> ? AND deleted_at IS NULL`
      : `UPDATE entity_relations SET deleted_at = ?
         WHERE relation = ? AND source_type = ? AND source_id = ? AND target_id <> ? AND deleted_at IS NULL`;
  const args =
    scope.anchor === 'target'
      ? [stamp.at, scope.anchorType, anchorId, scope.relation, keep]
      : [stamp.at, scope.relation, scope.anchorType, anchorId, keep];
  return removeReturning(db, sql, args, stamp);
}

/**
 * A permanently deleted object loses every link, as source and as target, in every relation, whichever
 * collection owns it (graph-facts 1.3: "Only users that have been permanently deleted are removed
 * from groups"). The one write across collection boundaries; idempotent.
 */
export function markObjectRelationsDeleted(db: Db, entityType: string, id: string, stamp: ChangeStamp): number {
  // Two statements, each probing every relation through an index (IN on its leading column).
  const relations = RELATION_NAMES.map(() => '?').join(', ');
  return (
    removeReturning(
      db,
      `UPDATE entity_relations SET deleted_at = ?
       WHERE relation IN (${relations}) AND source_type = ? AND source_id = ? AND deleted_at IS NULL`,
      [stamp.at, ...RELATION_NAMES, entityType, id],
      stamp,
    ) +
    removeReturning(
      db,
      `UPDATE entity_relations INDEXED BY entity_relations_by_target SET deleted_at = ?
       WHERE relation IN (${relations}) AND target_type = ? AND target_id = ? AND deleted_at IS NULL`,
      [stamp.at, ...RELATION_NAMES, entityType, id],
      stamp,
    )
  );
}

/**
 * After a complete full round: every live link in these scopes not seen since `sinceRun` was removed,
 * except links one of whose ends is a soft-deleted or unseen object. Graph keeps those links and
 * brings them back with the object on restore without reporting them again, so they stay (and
 * effective_relations leaves them out while the end is deleted).
 */
export function tombstoneUnseenRelations(db: Db, scopes: readonly RelationScope[], sinceRun: number, stamp: ChangeStamp): number {
  let n = 0;
  for (const s of scopes) {
    const column = s.anchor === 'target' ? 'target_type' : 'source_type';
    n += removeReturning(
      db,
      `UPDATE entity_relations AS r SET deleted_at = ?
       WHERE relation = ? AND ${column} = ? AND deleted_at IS NULL AND (last_seen_run IS NULL OR last_seen_run < ?)
         AND NOT EXISTS (SELECT 1 FROM entities AS e WHERE e.entity_type = r.source_type AND e.id = r.source_id
                         AND e.deleted_kind IN ('soft', 'unseen'))
         AND NOT EXISTS (SELECT 1 FROM entities AS e WHERE e.entity_type = r.target_type AND e.id = r.target_id
                         AND e.deleted_kind IN ('soft', 'unseen'))`,
      [stamp.at, s.relation, s.anchorType, sinceRun],
      stamp,
    );
  }
  return n;
}

/** See unseeEntities: the same for links. */
export function unseeRelations(db: Db, scopes: readonly RelationScope[], runId: number): void {
  for (const s of scopes) {
    const column = s.anchor === 'target' ? 'target_type' : 'source_type';
    stmt(db, `UPDATE entity_relations SET last_seen_run = ? WHERE relation = ? AND ${column} = ? AND last_seen_run >= ?`).run(
      runId - 1, s.relation, s.anchorType, runId,
    );
  }
}

/** A link's stored data and when it was last seen, or undefined when there is no live row. */
export function readLiveRelation(db: Db, key: RelationKey): { data: string | null; last_seen_run: number | null } | undefined {
  return stmt(
    db,
    `SELECT data, last_seen_run FROM entity_relations
     WHERE relation = ? AND source_type = ? AND source_id = ? AND target_type = ? AND target_id = ? AND scope = ? AND deleted_at IS NULL`,
  ).get(key.relation, key.sourceType, key.sourceId, key.targetType, key.targetId, key.scope ?? '') as
    | { data: string | null; last_seen_run: number | null }
    | undefined;
}

/**
 * Marks removed every live link of one relation to one target (`targetId`) or to every target whose
 * id starts with `targetIdPrefix` (a deleted service principal's app roles). Returns rows changed.
 */
export function markTargetRelationsDeleted(
  db: Db,
  sel: { relation: string; targetType: string; targetId?: string; targetIdPrefix?: string },
  stamp: ChangeStamp,
): number {
  if (sel.targetId !== undefined) {
    return removeReturning(
      db,
      `UPDATE entity_relations INDEXED BY entity_relations_by_target SET deleted_at = ?
       WHERE relation = ? AND target_type = ? AND target_id = ? AND deleted_at IS NULL`,
      [stamp.at, sel.relation, sel.targetType, sel.targetId],
      stamp,
    );
  }
  const prefix = sel.targetIdPrefix ?? '';
  if (prefix === '') throw new Error('markTargetRelationsDeleted needs targetId or a non-empty targetIdPrefix');
  // The prefix ends with '/', so [prefix, prefix with its last character + 1) is exactly its key range.
  const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  return removeReturning(
    db,
    `UPDATE entity_relations INDEXED BY entity_relations_by_target SET deleted_at = ?
     WHERE relation = ? AND target_type = ? AND target_id >= ? AND target_id < ? AND deleted_at IS NULL`,
    [stamp.at, sel.relation, sel.targetType, prefix, upper],
    stamp,
  );
}
