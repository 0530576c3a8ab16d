import { getMeta, type Db } from '../store/index.js';
import type { CollectionFreshness, Freshness, RunRef } from './report-findings.js';

/** As `status --check`: data older than this is stale (a daily pull with 2 hours of slack). */
export const STALE_AFTER_MS = 26 * 3_600_000;

interface Attempt {
  run_id: number;
  outcome: string;
  started_at: string;
  ended_at: string | null;
  error: string | null;
}

interface RunRow {
  id: number;
  command: string;
  outcome: string;
  started_at: string;
  ended_at: string | null;
  error: string | null;
}

const runRef = (r: RunRow): RunRef => ({ id: r.id, command: r.command, outcome: r.outcome, startedAt: r.started_at, endedAt: r.ended_at });

export function age(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

/**
 * How fresh the data is: per collection the last complete pull and its age, and the last attempt's
 * outcome, judged as `status --check` judges them (a round still running is not an attempt yet).
 * `warnings` are what a reader must see before trusting the rest.
 */
export function readFreshness(db: Db, collections: readonly string[], now: number): Freshness {
  const runs = db.prepare('SELECT id, command, outcome, started_at, ended_at, error FROM runs ORDER BY id').all() as RunRow[];
  const finished = runs.filter((r) => r.outcome !== 'running');
  const last = finished.at(-1) ?? null;
  const running = runs.filter((r) => r.outcome === 'running' && (last === null || r.id > last.id)).at(-1) ?? null;

  const attempts = new Map<string, Attempt>();
  const successes = new Map<string, Attempt>();
  for (const a of db.prepare('SELECT collection, run_id, outcome, started_at, ended_at, error FROM run_collections ORDER BY run_id').iterate() as Iterable<Attempt & { collection: string }>) {
    if (a.outcome === 'running') continue;
    attempts.set(a.collection, a);
    if (a.outcome === 'success') successes.set(a.collection, a);
  }
  const tried = new Set(db.prepare('SELECT DISTINCT collection FROM run_collections').pluck().all() as string[]);

  const out: CollectionFreshness[] = collections.map((collection) => {
    const success = successes.get(collection);
    const attempt = attempts.get(collection);
    const lastSuccessAt = success ? (success.ended_at ?? success.started_at) : null;
    const ageMs = lastSuccessAt ? Math.max(0, now - Date.parse(lastSuccessAt)) : null;
    const status: CollectionFreshness['status'] =
      tried.size > 0 && !tried.has(collection) ? 'unused'
        : attempt?.outcome === 'failed' ? 'failed'
          : attempt?.outcome === 'skipped' ? 'skipped'
            : ageMs === null ? 'never' : ageMs > STALE_AFTER_MS ? 'stale' : 'ok';
    return {
      collection,
      status,
      lastSuccessAt,
      ageSeconds: ageMs === null ? null : Math.round(ageMs / 1000),
      lastOutcome: attempt?.outcome ?? null,
      lastAttemptRun: attempt?.run_id ?? null,
      error: attempt && attempt.outcome !== 'success' ? (attempt.error ?? `${attempt.outcome} (no message recorded)`) : null,
    };
  });

  return {
    tenantId: getMeta(db, 'tenant_id') ?? null,
    generatedAt: new Date(now).toISOString(),
    lastRun: last ? runRef(last) : null,
    runInProgress: running ? runRef(running) : null,
    collections: out,
    warnings: warnings(out, last, running),
  };
}

function warnings(collections: CollectionFreshness[], last: RunRow | null, running: RunRow | null): string[] {
  const w: string[] = [];
  const since = (c: CollectionFreshness) =>
    c.lastSuccessAt === null ? 'it never completed, so its data is only what earlier attempts committed' : `its data is from ${c.lastSuccessAt} (${age(c.ageSeconds!)} old)`;
  for (const c of collections) {
    if (c.status === 'failed') w.push(`${c.collection} failed in its last pull (run #${c.lastAttemptRun}): ${c.error}; ${since(c)}.`);
    else if (c.status === 'skipped') w.push(`${c.collection} was skipped in its last pull (run #${c.lastAttemptRun}): ${c.error}; the findings that need it are incomplete.`);
    else if (c.status === 'stale') w.push(`${c.collection} is stale: ${since(c)}${c.lastOutcome && c.lastOutcome !== 'success' ? `; its last attempt was ${c.lastOutcome}` : ''}.`);
    else if (c.status === 'never') w.push(`${c.collection} has never been pulled completely${c.lastOutcome ? ` (last attempt ${c.lastOutcome})` : ''}: the findings that need it are incomplete.`);
  }
  const unused = collections.filter((c) => c.status === 'unused').map((c) => c.collection);
  if (unused.length > 0) w.push(`Not pulled by any run: ${unused.join(', ')}. The findings that need them are missing.`);
  if (last && (last.outcome === 'failed' || last.outcome === 'interrupted')) {
    w.push(`The last run (#${last.id}, ${last.started_at}) ${last.outcome === 'failed' ? 'failed' : 'was interrupted'}${last.error ? `: ${last.error}` : ''}.`);
  }
  if (running) w.push(`A pull (run #${running.id}, started ${running.started_at}) was still running when this report was made: what it had committed is included.`);
  return w;
}
