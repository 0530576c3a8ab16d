import { DatabaseError } from '../errors/index.js';
import { getMeta, type Db } from '../store/index.js';
import { ExportError } from './export-error.js';

export interface RunSummary {
  id: number;
  command: string;
  startedAt: string;
  endedAt: string | null;
  outcome: string;
}

/** A collection whose data in the export is older than the last attempt to pull it. */
export interface StaleCollection {
  collection: string;
  /** The attempt that did not complete it: its run, outcome (failed, interrupted) and error. */
  lastAttempt: { run: number; outcome: string; error: string | null };
  /** The run that last pulled it completely, and when that ended; null when none ever did. */
  lastSuccessRun: number | null;
  lastSuccessAt: string | null;
}

export interface RunFacts {
  /** meta tenant_id: the tenant GUID (the `project` of BalkanID relation metadata). */
  tenantId: string | null;
  /** The last finished run (success, partial, failed or interrupted): the data is as of its end. */
  run: RunSummary;
  /**
   * A run newer than `run` still marked running: a pull going on while the export read (its pages
   * committed before the export's snapshot are in the files) or one that died and that the next
   * pull will mark interrupted.
   */
  inProgress: RunSummary | null;
  stale: StaleCollection[];
  /** Collections whose last attempt was skipped (the tenant's license has no such data): not stale. */
  skipped: string[];
  /** runs.id → started_at: when a link's first_seen_run began. */
  runStarts: ReadonlyMap<number, string>;
}

interface RunRowLite {
  id: number;
  command: string;
  started_at: string;
  ended_at: string | null;
  outcome: string;
  error: string | null;
}

interface Attempt {
  collection: string;
  run_id: number;
  outcome: string;
  error: string | null;
  ended_at: string | null;
  started_at: string;
}

const summary = (r: RunRowLite): RunSummary => ({ id: r.id, command: r.command, startedAt: r.started_at, endedAt: r.ended_at, outcome: r.outcome });

/**
 * What the export says about the data it writes, read in the export's snapshot: the run it comes
 * from, the collections whose last pull did not complete (their data is older), a pull in progress.
 * Fails (exit 1) on a database that never completed a pull or holds no object: there is nothing
 * worth uploading.
 */
export function readRunFacts(db: Db): RunFacts {
  const view = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = 'effective_relations'").get();
  if (!view) {
    throw new DatabaseError('DB_NOT_MIGRATED', 'The database was written by an older entra-extract: it has no effective_relations view yet', {
      suggestion: 'Run `entra-extract pull` once with this version (it migrates the database), then export.',
    });
  }
  const runs: RunRowLite[] = [];
  const runStarts = new Map<number, string>();
  for (const r of db.prepare('SELECT id, command, started_at, ended_at, outcome, error FROM runs ORDER BY id').iterate() as Iterable<RunRowLite>) {
    runs.push(r);
    runStarts.set(r.id, r.started_at);
  }
  if (!runs.some((r) => r.outcome === 'success' || r.outcome === 'partial')) {
    throw new ExportError('EXPORT_NO_PULL', 'The database never completed a pull: there is no data to export', {
      suggestion: runs.length === 0
        ? 'Run `entra-extract pull` (or `entra-extract demo`) first, or pass the right --db.'
        : 'Run `entra-extract pull` until it ends with success or partial (see `entra-extract status`), then export.',
    });
  }
  if (!db.prepare('SELECT 1 FROM entities WHERE deleted_at IS NULL LIMIT 1').get()) {
    throw new ExportError('EXPORT_NO_DATA', 'The database holds no directory object: there is nothing to export', {
      suggestion: 'Check `entra-extract status`: the pulls may have had no permission to read the directory.',
    });
  }
  const finished = runs.filter((r) => r.outcome !== 'running');
  const last = finished.at(-1)!;
  const running = runs.filter((r) => r.outcome === 'running' && r.id > last.id).at(-1);
  const { stale, skipped } = judgeCollections(db, last);
  return {
    tenantId: getMeta(db, 'tenant_id') ?? null,
    run: summary(last),
    inProgress: running ? summary(running) : null,
    stale,
    skipped,
    runStarts,
  };
}

/**
 * A collection is stale when its last finished attempt failed or was interrupted, or never
 * completed; and every collection with data is stale when the last run failed before it started
 * any (bad credentials, a network down): the data is older than that attempt. A round still
 * 'running' is not an attempt yet (as in `status --check`).
 */
function judgeCollections(db: Db, last: RunRowLite): { stale: StaleCollection[]; skipped: string[] } {
  const lastAttempt = new Map<string, Attempt>();
  const lastSuccess = new Map<string, Attempt>();
  let lastRunHasCollections = false;
  for (const a of db.prepare('SELECT collection, run_id, outcome, error, started_at, ended_at FROM run_collections ORDER BY collection, run_id').iterate() as Iterable<Attempt>) {
    if (a.run_id === last.id) lastRunHasCollections = true;
    if (a.outcome === 'running') continue;
    lastAttempt.set(a.collection, a);
    if (a.outcome === 'success') lastSuccess.set(a.collection, a);
  }
  const stale: StaleCollection[] = [];
  const skipped: string[] = [];
  const wholesale = (last.outcome === 'failed' || last.outcome === 'interrupted') && !lastRunHasCollections;
  for (const [collection, attempt] of lastAttempt) {
    const success = lastSuccess.get(collection);
    const facts = { lastSuccessRun: success?.run_id ?? null, lastSuccessAt: success ? (success.ended_at ?? success.started_at) : null };
    if (attempt.outcome === 'skipped') skipped.push(collection);
    else if (attempt.outcome !== 'success' || !success) {
      stale.push({ collection, lastAttempt: { run: attempt.run_id, outcome: attempt.outcome, error: attempt.error }, ...facts });
    } else if (wholesale) {
      stale.push({ collection, lastAttempt: { run: last.id, outcome: last.outcome, error: last.error }, ...facts });
    }
  }
  return { stale, skipped };
}

/** One line of the warning about a stale collection. */
export function describeStale(s: StaleCollection): string {
  const why = `its last pull (run #${s.lastAttempt.run}) ${s.lastAttempt.outcome === 'interrupted' ? 'was interrupted' : s.lastAttempt.outcome}${s.lastAttempt.error ? `: ${s.lastAttempt.error}` : ''}`;
  const data = s.lastSuccessRun === null
    ? 'it never completed, so its data is only what earlier attempts committed'
    : `its data is from run #${s.lastSuccessRun} (completed ${s.lastSuccessAt})`;
  return `${s.collection}: ${why}; ${data}`;
}
