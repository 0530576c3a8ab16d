import { stmt, type Db } from './sqlite.js';

export interface RelationRow {
  relation: string;
  source_type: string;
  source_id: string;
  target_type: string;
  target_id: string;
  scope: string;
  data: string | null;
  first_seen_run: number | null;
  last_seen_run: number | null;
  deleted_at: string | null;
}

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

/** Writes a link as seen now; a link that was marked deleted comes back to life. False when already written by this run. */
export function upsertRelation(db: Db, key: RelationKey, runId: number, data?: Record<string, unknown>): boolean {
  return stmt(
    db,
    `INSERT INTO entity_relations (relation, source_type, source_id, target_type, target_id, scope, data, first_seen_run, last_seen_run, deleted_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
     ON CONFLICT (relation, source_type, source_id, target_type, target_id, scope) DO UPDATE SET
       data = excluded.data, last_seen_run = excluded.last_seen_run, deleted_at = NULL
     WHERE entity_relations.last_seen_run IS NOT excluded.last_seen_run OR entity_relations.deleted_at IS NOT NULL
        OR entity_relations.data IS NOT excluded.data`,
  ).run(
    key.relation, key.sourceType, key.sourceId, key.targetType, key.targetId, key.scope ?? '',
    data === undefined ? null : JSON.stringify(data), runId, runId,
  ).changes > 0;
}

// Statements that know the target name the by-target index: without statistics SQLite's planner
// otherwise walks the primary key on `relation` alone, which scans every membership.

/**
 * Marks a removed link. Graph names a removed link by the anchor object and the other side's id
 * (its type may be missing), so the other side is matched on id alone. Returns rows changed.
 */
export function markRelationDeleted(db: Db, scope: RelationScope, anchorId: string, otherId: string, at: string): number {
  const sql =
    scope.anchor === 'target'
      ? `UPDATE entity_relations INDEXED BY entity_relations_by_target SET deleted_at = ?
         WHERE target_type = ? AND target_id = ? AND relation = ? AND source_id = ? AND deleted_at IS NULL`
      : `UPDATE entity_relations SET deleted_at = ?
         WHERE relation = ? AND source_type = ? AND source_id = ? AND target_id = ? AND deleted_at IS NULL`;
  const args =
    scope.anchor === 'target'
      ? [at, scope.anchorType, anchorId, scope.relation, otherId]
      : [at, scope.relation, scope.anchorType, anchorId, otherId];
  return stmt(db, sql).run(...args).changes;
}

/** Marks every live link of one anchor object removed (the object itself was removed), or all but one. */
export function markAnchorRelationsDeleted(db: Db, scope: RelationScope, anchorId: string, at: string, exceptOtherId?: string): number {
  const keep = exceptOtherId ?? '';
  const sql =
    scope.anchor === 'target'
      ? `UPDATE entity_relations INDEXED BY entity_relations_by_target SET deleted_at = ?
         WHERE target_type = ? AND target_id = ? AND relation = ? AND source_id <> ? AND deleted_at IS NULL`
      : `UPDATE entity_relations SET deleted_at = ?
         WHERE relation = ? AND source_type = ? AND source_id = ? AND target_id <> ? AND deleted_at IS NULL`;
  const args =
    scope.anchor === 'target'
      ? [at, scope.anchorType, anchorId, scope.relation, keep]
      : [at, scope.relation, scope.anchorType, anchorId, keep];
  return stmt(db, sql).run(...args).changes;
}

/** After a complete full round: every live link in these scopes not seen since `sinceRun` was removed. */
export function tombstoneUnseenRelations(db: Db, scopes: readonly RelationScope[], sinceRun: number, at: string): number {
  let n = 0;
  for (const s of scopes) {
    const column = s.anchor === 'target' ? 'target_type' : 'source_type';
    n += stmt(
      db,
      `UPDATE entity_relations SET deleted_at = ?
       WHERE relation = ? AND ${column} = ? AND deleted_at IS NULL AND (last_seen_run IS NULL OR last_seen_run < ?)`,
    ).run(at, s.relation, s.anchorType, sinceRun).changes;
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
