import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DatabaseError } from '../errors/index.js';
import { openDatabase } from './open-database.js';
import { acquireRunLock } from './run-lock.js';
import { isoNow, type Db } from './sqlite.js';

/** How much history `prune` keeps. */
export interface RetentionPolicy {
  /** The newest runs kept in the ledger (runs + run_collections). */
  keepRuns: number;
  /** `changes` rows, and rows removed from the review tables, are kept this many days. */
  changesDays: number;
  /** `sign_ins` rows are kept this many days. */
  signInsDays: number;
}

/** keep-runs 1000: years of daily pulls; changes 400 days: an annual access review with a margin; sign-ins 90 days (Entra keeps 30). */
export const DEFAULT_RETENTION: Readonly<RetentionPolicy> = Object.freeze({ keepRuns: 1000, changesDays: 400, signInsDays: 90 });

export interface PruneCounts {
  runs: number;
  runCollections: number;
  changes: number;
  entityRelations: number;
  entities: number;
  /** Rows removed from sign_ins, or 'not present' in a database without that table. */
  signIns: number | 'not present';
}

const DAY_MS = 86_400_000;

/**
 * Deletes old history, in one transaction; never a live row:
 * - `runs` (with their `run_collections`) older than the newest `keepRuns`, except a run still
 *   'running' and the runs holding each collection's last attempt and last success (`status --check`
 *   reads them);
 * - `changes` rows older than changesDays;
 * - `entity_relations` rows removed (deleted_at) more than changesDays ago;
 * - `entities` rows removed more than changesDays ago *permanently* (deleted_kind 'permanent', or NULL
 *   for rows removed before schema 002) that no live link names as source or target. A soft-deleted or
 *   unseen object stays whatever its age: its links are kept and come back with it on restore, and a
 *   live link whose end has no entity row would count as effective access (effective_relations);
 * - `sign_ins` rows older than signInsDays, when the table exists.
 */
export function pruneHistory(db: Db, policy: RetentionPolicy, now = Date.now()): PruneCounts {
  const historyCutoff = isoNow(now - policy.changesDays * DAY_MS);
  const signInCutoff = isoNow(now - policy.signInsDays * DAY_MS);
  return db.transaction((): PruneCounts => {
    const doomed = db
      .prepare(
        `SELECT id FROM runs WHERE outcome <> 'running'
           AND id < (SELECT MIN(id) FROM (SELECT id FROM runs ORDER BY id DESC LIMIT ?))
           AND id NOT IN (SELECT MAX(run_id) FROM run_collections WHERE outcome <> 'running' GROUP BY collection)
           AND id NOT IN (SELECT MAX(run_id) FROM run_collections WHERE outcome = 'success' GROUP BY collection)`,
      )
      .pluck()
      .all(policy.keepRuns) as number[];
    const ids = JSON.stringify(doomed);
    const runCollections = db.prepare('DELETE FROM run_collections WHERE run_id IN (SELECT value FROM json_each(?))').run(ids).changes;
    const runs = db.prepare('DELETE FROM runs WHERE id IN (SELECT value FROM json_each(?))').run(ids).changes;
    const changes = db.prepare('DELETE FROM changes WHERE at < ?').run(historyCutoff).changes;
    const entityRelations = db.prepare('DELETE FROM entity_relations WHERE deleted_at IS NOT NULL AND deleted_at < ?').run(historyCutoff).changes;
    const entities = deleteGoneEntities(db, historyCutoff);
    return { runs, runCollections, changes, entityRelations, entities, signIns: pruneSignIns(db, signInCutoff) };
  })();
}

function deleteGoneEntities(db: Db, cutoff: string): number {
  // Both link indexes lead with relation: naming every relation present lets each probe seek
  // instead of scanning all links once per removed object.
  const relations = relationNames(db);
  const list = relations.map(() => '?').join(', ');
  return db
    .prepare(
      `DELETE FROM entities AS e
       WHERE e.deleted_at IS NOT NULL AND e.deleted_at < ? AND (e.deleted_kind = 'permanent' OR e.deleted_kind IS NULL)
         AND NOT EXISTS (SELECT 1 FROM entity_relations AS r
                         WHERE r.relation IN (${list}) AND r.source_type = e.entity_type AND r.source_id = e.id AND r.deleted_at IS NULL)
         AND NOT EXISTS (SELECT 1 FROM entity_relations AS r INDEXED BY entity_relations_by_target
                         WHERE r.relation IN (${list}) AND r.target_type = e.entity_type AND r.target_id = e.id AND r.deleted_at IS NULL)`,
    )
    .run(cutoff, ...relations, ...relations).changes;
}

/** The distinct relations in entity_relations, one index seek each. */
function relationNames(db: Db): string[] {
  const next = db.prepare('SELECT relation FROM entity_relations WHERE relation > ? ORDER BY relation LIMIT 1').pluck();
  const out: string[] = [];
  for (let r = next.get('') as string | undefined; r !== undefined; r = next.get(r) as string | undefined) out.push(r);
  return out;
}

/** Names a later version may give the sign-in time (ISO-8601 UTC text, Graph's createdDateTime). */
const SIGN_IN_TIME_COLUMNS = ['created_at', 'created_date_time', 'createdDateTime'];

function pruneSignIns(db: Db, cutoff: string): number | 'not present' {
  const columns = (db.prepare("SELECT name FROM pragma_table_info('sign_ins')").pluck().all() as string[]);
  if (columns.length === 0) return 'not present';
  const column = SIGN_IN_TIME_COLUMNS.find((c) => columns.includes(c));
  if (!column) throw new DatabaseError('DB_PRUNE_SIGN_INS', `sign_ins has none of the time columns prune knows (${SIGN_IN_TIME_COLUMNS.join(', ')})`);
  // Only ISO text compares with the cutoff; anything else is left alone rather than guessed at.
  return db.prepare(`DELETE FROM sign_ins WHERE typeof("${column}") = 'text' AND "${column}" < ?`).run(cutoff).changes;
}

export interface PruneReport {
  database: string;
  policy: RetentionPolicy;
  /** Rows older than these ISO-8601 UTC times were candidates. */
  cutoffs: { history: string; signIns: string };
  removed: PruneCounts;
  /** Database file plus its WAL, before the deletions and after VACUUM. */
  bytes: { before: number; after: number };
  durationMs: number;
}

/**
 * `entra-extract prune`: takes the run lock (RunLockedError when a pull holds it), deletes old
 * history (pruneHistory), then VACUUMs to give the space back to the file system. VACUUM writes a
 * copy of the database to the temporary directory and then the whole database through the WAL: it
 * needs free space of up to about twice the database's size while it runs.
 */
export function pruneDatabase(dbPath: string, policy: RetentionPolicy = DEFAULT_RETENTION, now = Date.now()): PruneReport {
  const started = Date.now();
  const full = resolve(dbPath);
  if (!existsSync(full)) {
    throw new DatabaseError('DB_MISSING', `No database at ${full}`, { suggestion: 'Pass the right --db (or ENTRA_DB).' });
  }
  const lock = acquireRunLock(dbPath);
  try {
    const before = fileBytes(full);
    const db = openDatabase(dbPath);
    let removed: PruneCounts;
    try {
      removed = pruneHistory(db, policy, now);
      db.exec('VACUUM');
      // Move the rewritten pages into the file and empty the WAL, so the file shrinks now.
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
    return {
      database: dbPath,
      policy: { ...policy },
      cutoffs: { history: isoNow(now - policy.changesDays * DAY_MS), signIns: isoNow(now - policy.signInsDays * DAY_MS) },
      removed,
      bytes: { before, after: fileBytes(full) },
      durationMs: Date.now() - started,
    };
  } finally {
    lock.release();
  }
}

function fileBytes(path: string): number {
  const size = (p: string) => (existsSync(p) ? statSync(p).size : 0);
  return size(path) + size(`${path}-wal`);
}
