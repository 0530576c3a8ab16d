import { openDatabase, type Db } from '../store/index.js';

/** `status --check` passes when every collection had a complete pull within this long (a daily pull plus 2 h of slack). */
export const DEFAULT_MAX_AGE_MS = 26 * 3_600_000;

/**
 * ok: the last complete pull is younger than max-age and the last attempt did not fail.
 * stale: the last complete pull is older. failed: the last finished attempt failed.
 * never: no complete pull at all (and no failure to report).
 * skipped: the last attempt was skipped for a reason that is not a failure (the tenant has no
 * Entra ID P1/P2 for sign-in data): not an alarm, since no pull could bring that data.
 * unused: no run ever tried it while others were pulled (a schedule with --only): not an alarm.
 */
export type FreshnessStatus = 'ok' | 'stale' | 'failed' | 'never' | 'skipped' | 'unused';

export interface CollectionFreshness {
  collection: string;
  status: FreshnessStatus;
  /** ended_at of the collection's last run_collections row with outcome 'success' (ISO-8601 UTC). */
  lastSuccessAt: string | null;
  /** Seconds since lastSuccessAt. */
  ageSeconds: number | null;
  /** Outcome of the last finished attempt (a round still running is not one): success, failed, interrupted. */
  lastOutcome: string | null;
  /** The last attempt's error, when it failed. */
  error: string | null;
}

export interface FreshnessReport {
  ok: boolean;
  maxAgeSeconds: number;
  collections: CollectionFreshness[];
}

interface Attempt {
  outcome: string;
  started_at: string;
  ended_at: string | null;
  error: string | null;
}

/**
 * For monitoring (`status --check`): is every collection's data younger than maxAgeMs, and did its
 * last attempt succeed? Reads the run ledger only (read-only, no credentials, never blocks a pull).
 * `collections` are the ones this version pulls: one it no longer pulls is not judged.
 */
export function checkFreshness(dbPath: string, collections: readonly string[], maxAgeMs = DEFAULT_MAX_AGE_MS, now = Date.now()): FreshnessReport {
  const db = openDatabase(dbPath, { readonly: true });
  try {
    const tried = new Set((db.prepare('SELECT DISTINCT collection FROM run_collections').all() as { collection: string }[]).map((r) => r.collection));
    const out = collections.map((c) =>
      tried.size > 0 && !tried.has(c) ? unused(c) : judge(c, lastSuccess(db, c), lastAttempt(db, c), maxAgeMs, now));
    return {
      ok: out.every((c) => c.status === 'ok' || c.status === 'skipped' || c.status === 'unused'),
      maxAgeSeconds: Math.round(maxAgeMs / 1000),
      collections: out,
    };
  } finally {
    db.close();
  }
}

function unused(collection: string): CollectionFreshness {
  return { collection, status: 'unused', lastSuccessAt: null, ageSeconds: null, lastOutcome: null, error: null };
}

function judge(collection: string, success: Attempt | undefined, last: Attempt | undefined, maxAgeMs: number, now: number): CollectionFreshness {
  const lastSuccessAt = success ? (success.ended_at ?? success.started_at) : null;
  const ageMs = lastSuccessAt ? Math.max(0, now - Date.parse(lastSuccessAt)) : null;
  const status: FreshnessStatus =
    last?.outcome === 'failed' ? 'failed'
      : last?.outcome === 'skipped' ? 'skipped'
        : ageMs === null ? 'never' : ageMs > maxAgeMs ? 'stale' : 'ok';
  return {
    collection,
    status,
    lastSuccessAt,
    ageSeconds: ageMs === null ? null : Math.round(ageMs / 1000),
    lastOutcome: last?.outcome ?? null,
    error: last?.outcome === 'failed' || last?.outcome === 'skipped' ? (last.error ?? `${last.outcome} (no message recorded)`) : null,
  };
}

function lastSuccess(db: Db, collection: string): Attempt | undefined {
  return db
    .prepare("SELECT outcome, started_at, ended_at, error FROM run_collections WHERE collection = ? AND outcome = 'success' ORDER BY run_id DESC LIMIT 1")
    .get(collection) as Attempt | undefined;
}

/** A round still 'running' is either the pull going on now or one that died (the next pull marks it interrupted): not an attempt yet. */
function lastAttempt(db: Db, collection: string): Attempt | undefined {
  return db
    .prepare("SELECT outcome, started_at, ended_at, error FROM run_collections WHERE collection = ? AND outcome <> 'running' ORDER BY run_id DESC LIMIT 1")
    .get(collection) as Attempt | undefined;
}
