import { stmt, type Db } from './sqlite.js';

/** Who made a change and when: every write to the review tables carries one. */
export interface ChangeStamp {
  runId: number;
  /** ISO-8601 UTC. */
  at: string;
}

export type ObjectChangeKind = 'created' | 'changed' | 'soft_deleted' | 'restored' | 'deleted' | 'unseen';
export type LinkChangeKind = 'added' | 'removed' | 'revived';

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

export function listChanges(db: Db, sinceRun = 0): ChangeRow[] {
  return stmt(db, 'SELECT * FROM changes WHERE run_id > ? ORDER BY id').all(sinceRun) as ChangeRow[];
}
