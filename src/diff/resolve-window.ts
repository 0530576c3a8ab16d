import type { Db } from '../store/index.js';
import { DiffError } from './diff-error.js';
import type { DiffRun, WindowEnd } from './diff-report.js';
import type { SinceBound } from './parse-bounds.js';

/**
 * The window of a diff: the changes with run_id in (since, until], or for a date, the changes with
 * `at` after it in runs up to until.
 */
export interface DiffWindow {
  since: SinceBound;
  from: WindowEnd;
  to: WindowEnd & { run: number };
  /** Changes of runs from this id on are read (the changes_by_run index); earlier ones are before the window. */
  firstRun: number;
  /** A date window: only changes with `at` after this ISO time are in it. */
  after: string | null;
  /** The runs the window holds, oldest first. */
  runs: DiffRun[];
}

const END_OF_TIME = '9999-12-31T23:59:59.999Z';

/**
 * Resolves --since / --until against the run ledger. Defaults: --until is the last complete
 * (success) run, --since the complete run before --until (0, the beginning, when there is none).
 * `--since <run>` excludes that run: the window starts from the state it left.
 */
export function resolveWindow(db: Db, bounds: { since?: SinceBound; until?: number }): DiffWindow {
  const lastRun = db.prepare('SELECT MAX(id) FROM runs').pluck().get() as number | null;
  if (lastRun === null) {
    throw new DiffError('DIFF_NO_RUNS', 'The database holds no runs yet: there is nothing to compare.', {
      suggestion: 'Run `entra-extract pull` (twice, to have a change to show) or pass the right --db.',
    });
  }
  const until = bounds.until ?? lastComplete(db, END_OF_TIME_RUN);
  if (until === null) {
    throw new DiffError('DIFF_EMPTY_WINDOW', 'No run in this database has completed yet, so no window ends at a complete state.', {
      suggestion: '`entra-extract status` shows the runs; pass --until <run id> to look at an incomplete one.',
    });
  }
  const untilRun = runRow(db, until);
  if (!untilRun) {
    throw new DiffError('DIFF_NO_SUCH_RUN', `--until ${until}: the run ledger holds no run ${until} (runs go up to ${lastRun}).`, {
      suggestion: '`entra-extract status --limit 50` lists the runs.',
    });
  }
  const to = { run: until, time: untilRun.ended_at };
  const since: SinceBound = bounds.since ?? { run: lastComplete(db, until) ?? 0 };

  let firstRun: number;
  let after: string | null = null;
  let from: WindowEnd;
  if ('run' in since) {
    if (since.run >= until) {
      throw new DiffError('DIFF_EMPTY_WINDOW', `--since ${since.run} is not before --until ${until}: the window (after run ${since.run}, up to run ${until}] is empty.`, {
        suggestion: '--since names the run to compare with (its own changes are excluded); it must be older than --until.',
      });
    }
    firstRun = since.run + 1;
    from = { run: since.run === 0 ? null : since.run, time: since.run === 0 ? null : runRow(db, since.run)?.ended_at ?? null };
  } else {
    after = since.date;
    if (after >= (untilRun.ended_at ?? END_OF_TIME)) {
      throw new DiffError('DIFF_EMPTY_WINDOW', `--since ${after} is after the end of run ${until} (${untilRun.ended_at}): the window is empty.`);
    }
    firstRun = firstRunAfter(db, after);
    const before = db.prepare('SELECT MAX(id) FROM runs WHERE id < ?').pluck().get(firstRun) as number | null;
    from = { run: before, time: after };
  }

  const runs = db
    .prepare('SELECT id, command, outcome, started_at, ended_at FROM runs WHERE id >= ? AND id <= ? ORDER BY id')
    .all(firstRun, until) as DiffRun[];
  if (!runs.some((r) => r.outcome === 'success')) {
    const which = 'run' in since ? `after run ${since.run}` : `after ${since.date}`;
    throw new DiffError('DIFF_EMPTY_WINDOW', `No complete run in the window (${which}, up to run ${until}): ${describeRuns(runs)}.`, {
      suggestion: 'Widen the window (an earlier --since, a later --until); `entra-extract status` shows each run\'s outcome.',
    });
  }
  return { since, from, to, firstRun, after, runs };
}

const END_OF_TIME_RUN = Number.MAX_SAFE_INTEGER;

/** The newest complete run before `beforeRun` (exclusive), or null. */
function lastComplete(db: Db, beforeRun: number): number | null {
  return db.prepare("SELECT MAX(id) FROM runs WHERE outcome = 'success' AND id < ?").pluck().get(beforeRun) as number | null;
}

function runRow(db: Db, id: number): DiffRun | undefined {
  return db.prepare('SELECT id, command, outcome, started_at, ended_at FROM runs WHERE id = ?').get(id) as DiffRun | undefined;
}

/**
 * The first run that may hold a change after `date`: one that ended after it. A run left without an
 * end (interrupted) ended before the next one started. When no kept run started at or before the
 * date (older runs pruned from the ledger), every change is read.
 */
function firstRunAfter(db: Db, date: string): number {
  const anyBefore = db.prepare('SELECT 1 FROM runs WHERE started_at <= ? LIMIT 1').get(date) !== undefined;
  if (!anyBefore) return 0;
  const first = db
    .prepare(
      `SELECT MIN(r.id) FROM runs AS r
       WHERE COALESCE(r.ended_at, (SELECT MIN(n.started_at) FROM runs AS n WHERE n.id > r.id), ?) > ?`,
    )
    .pluck()
    .get(END_OF_TIME, date) as number | null;
  return first ?? (db.prepare('SELECT MAX(id) FROM runs').pluck().get() as number) + 1;
}

function describeRuns(runs: DiffRun[]): string {
  if (runs.length === 0) return 'it holds no run';
  return runs.map((r) => `#${r.id} ${r.outcome}`).join(', ');
}
