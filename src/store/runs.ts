import { isoNow, stmt, type Db } from './sqlite.js';

/**
 * 'skipped' (a collection only): it could not run for a reason that is not a failure, e.g. the tenant
 * has no Entra ID P1/P2 for sign-in data, or a collection it depends on was skipped.
 */
export type RunOutcome = 'running' | 'success' | 'partial' | 'failed' | 'interrupted' | 'skipped';
export type CollectionMode = 'full' | 'delta';

export interface CollectionCounts {
  pages: number;
  upserts: number;
  deletions: number;
  links_upserted: number;
  links_deleted: number;
  requests: number;
  throttled: number;
  retries: number;
  resyncs: number;
}

export function emptyCounts(): CollectionCounts {
  return { pages: 0, upserts: 0, deletions: 0, links_upserted: 0, links_deleted: 0, requests: 0, throttled: 0, retries: 0, resyncs: 0 };
}

export interface RunRow {
  id: number;
  command: string;
  started_at: string;
  ended_at: string | null;
  outcome: RunOutcome;
  requests: number;
  throttled: number;
  retries: number;
  error: string | null;
  tool_version: string | null;
}

export interface RunCollectionRow extends CollectionCounts {
  run_id: number;
  collection: string;
  mode: CollectionMode;
  outcome: RunOutcome;
  started_at: string;
  ended_at: string | null;
  error: string | null;
  full_reason: string | null;
  /** How the full round read Graph: 'listing', or 'delta chain' (with why, when the listing was refused); schemas/004. */
  full_read: string | null;
}

/**
 * Opens a run. Runs left 'running' by a process that died are closed as 'interrupted' first: the
 * caller holds the run lock, so no other run can still be going.
 */
export function startRun(db: Db, command: string, toolVersion: string, now = Date.now()): number {
  return db.transaction(() => {
    const at = isoNow(now);
    stmt(db, "UPDATE run_collections SET outcome = 'interrupted' WHERE outcome = 'running'").run();
    stmt(db, "UPDATE runs SET outcome = 'interrupted' WHERE outcome = 'running'").run();
    const r = stmt(db, 'INSERT INTO runs (command, started_at, tool_version) VALUES (?, ?, ?)').run(command, at, toolVersion);
    return Number(r.lastInsertRowid);
  })();
}

export function finishRun(
  db: Db,
  runId: number,
  outcome: RunOutcome,
  totals: { requests: number; throttled: number; retries: number },
  error?: string,
  now = Date.now(),
): void {
  stmt(db, 'UPDATE runs SET outcome = ?, ended_at = ?, requests = ?, throttled = ?, retries = ?, error = ? WHERE id = ?').run(
    outcome, isoNow(now), totals.requests, totals.throttled, totals.retries, error ?? null, runId,
  );
}

/** A run that ended abruptly (a database failure): its collections still 'running' end with it. */
export function failRunningCollections(db: Db, runId: number, error: string, now = Date.now()): void {
  stmt(db, "UPDATE run_collections SET outcome = 'failed', ended_at = ?, error = ? WHERE run_id = ? AND outcome = 'running'").run(
    isoNow(now), error, runId,
  );
}

export function startRunCollection(db: Db, runId: number, collection: string, mode: CollectionMode, now = Date.now()): void {
  stmt(
    db,
    `INSERT INTO run_collections (run_id, collection, mode, started_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (run_id, collection) DO UPDATE SET mode = excluded.mode`,
  ).run(runId, collection, mode, isoNow(now));
}

/** Why the collection's round in this run is full (schemas/002). */
export function setRunCollectionFullReason(db: Db, runId: number, collection: string, reason: string): void {
  stmt(db, 'UPDATE run_collections SET full_reason = ? WHERE run_id = ? AND collection = ?').run(reason, runId, collection);
}

/** How the collection's full round in this run read Graph (schemas/004). */
export function setRunCollectionFullRead(db: Db, runId: number, collection: string, read: string): void {
  stmt(db, 'UPDATE run_collections SET full_read = ? WHERE run_id = ? AND collection = ?').run(read, runId, collection);
}

export function setRunCollectionMode(db: Db, runId: number, collection: string, mode: CollectionMode): void {
  stmt(db, 'UPDATE run_collections SET mode = ? WHERE run_id = ? AND collection = ?').run(mode, runId, collection);
}

/** Adds to the counters; called inside each page's transaction so counts match what was committed. */
export function addRunCollectionCounts(db: Db, runId: number, collection: string, d: Partial<CollectionCounts>): void {
  stmt(
    db,
    `UPDATE run_collections SET pages = pages + ?, upserts = upserts + ?, deletions = deletions + ?,
       links_upserted = links_upserted + ?, links_deleted = links_deleted + ?, requests = requests + ?,
       throttled = throttled + ?, retries = retries + ?, resyncs = resyncs + ?
     WHERE run_id = ? AND collection = ?`,
  ).run(
    d.pages ?? 0, d.upserts ?? 0, d.deletions ?? 0, d.links_upserted ?? 0, d.links_deleted ?? 0,
    d.requests ?? 0, d.throttled ?? 0, d.retries ?? 0, d.resyncs ?? 0, runId, collection,
  );
}

export function finishRunCollection(
  db: Db,
  runId: number,
  collection: string,
  outcome: RunOutcome,
  error?: string,
  now = Date.now(),
): void {
  stmt(db, 'UPDATE run_collections SET outcome = ?, ended_at = ?, error = ? WHERE run_id = ? AND collection = ?').run(
    outcome, isoNow(now), error ?? null, runId, collection,
  );
}

export function listRuns(db: Db, limit: number): RunRow[] {
  return stmt(db, 'SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit) as RunRow[];
}

export function listRunCollections(db: Db, runId: number): RunCollectionRow[] {
  return stmt(db, 'SELECT * FROM run_collections WHERE run_id = ? ORDER BY collection').all(runId) as RunCollectionRow[];
}
