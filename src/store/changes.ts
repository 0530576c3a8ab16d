import { stmt, type Db } from './sqlite.js';

/** Who made a change and when: every write to the review tables carries one. */
export interface ChangeStamp {
  runId: number;
  /** ISO-8601 UTC. */
  at: string;
}

export type ObjectChangeKind = 'created' | 'changed' | 'soft_deleted' | 'restored' | 'deleted' | 'unseen';
export type LinkChangeKind = 'added' | 'removed' | 'revived' | 'baseline';

export interface ChangeRow {
  id: number;
  run_id: number;
  at: string;
  kind: ObjectChangeKind | LinkChangeKind;
  entity_type: string | null;
  entity_id: string | null;
  relation: string | null;
  source_type: string | null;
  source_id: string | null;
  target_type: string | null;
  target_id: string | null;
  scope: string | null;
  properties: string | null;
}

/** Property name → [old, new]; a missing value is null. */
export type PropertyChanges = Record<string, [unknown, unknown]>;

/** Appends one object change (changes is append-only: nothing ever updates or deletes its rows). */
export function recordObjectChange(
  db: Db,
  stamp: ChangeStamp,
  kind: ObjectChangeKind,
  entityType: string,
  id: string,
  properties?: PropertyChanges,
): void {
  stmt(db, 'INSERT INTO changes (run_id, at, kind, entity_type, entity_id, properties) VALUES (?, ?, ?, ?, ?, ?)').run(
    stamp.runId, stamp.at, kind, entityType, id,
    properties && Object.keys(properties).length > 0 ? JSON.stringify(properties) : null,
  );
}

export interface LinkKeyColumns {
  relation: string;
  source_type: string;
  source_id: string;
  target_type: string;
  target_id: string;
  scope: string;
}

export function recordLinkChange(db: Db, stamp: ChangeStamp, kind: LinkChangeKind, key: LinkKeyColumns): void {
  stmt(
    db,
    `INSERT INTO changes (run_id, at, kind, relation, source_type, source_id, target_type, target_id, scope)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(stamp.runId, stamp.at, kind, key.relation, key.source_type, key.source_id, key.target_type, key.target_id, key.scope);
}

/**
 * The properties whose value differs between two versions of an object (compared as JSON, so key
 * order inside nested values matters as Graph sends it). A property missing on one side is null.
 */
export function diffProperties(before: Record<string, unknown>, after: Record<string, unknown>): PropertyChanges {
  const out: PropertyChanges = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[key] ?? null;
    const b = after[key] ?? null;
    if (a === b) continue;
    if (typeof a === 'object' || typeof b === 'object') {
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
    }
    out[key] = [a, b];
  }
  return out;
}

/**
 * A collection's first round adds every link it reads: a million one-row 'added' records would cost
 * the first pull of a large tenant a quarter of its time and double the database for nothing a
 * reader cannot get from entity_relations. So each run that works on a collection's first round
 * records one `baseline` row per link set instead, with the relation and the anchor side's type:
 * "every link of this set whose first_seen_run is this run was added by this run" (removals and
 * revivals are still recorded one by one). Written with the round's start, so a run that dies
 * mid-round has its marker too.
 */
export function recordBaseline(db: Db, stamp: ChangeStamp, scope: { relation: string; anchor: 'source' | 'target'; anchorType: string }): void {
  stmt(db, 'INSERT INTO changes (run_id, at, kind, relation, source_type, target_type) VALUES (?, ?, ?, ?, ?, ?)').run(
    stamp.runId, stamp.at, 'baseline', scope.relation,
    scope.anchor === 'source' ? scope.anchorType : null,
    scope.anchor === 'target' ? scope.anchorType : null,
  );
}
