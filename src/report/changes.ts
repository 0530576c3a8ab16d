import { diffDatabase } from '../diff/build-diff.js';
import { DiffError } from '../diff/diff-error.js';
import type { RelationChange } from '../diff/diff-report.js';
import { makeGrantRanker } from './grant-rank.js';
import { cmp, type ReportContext } from './report-context.js';
import type { ChangeGroup, Changes, RunChanges } from './report-findings.js';

/** Runs shown in the changes-per-run chart. */
const RUNS_SHOWN = 30;
const PROPERTY_ROWS = 200;
const HOLDERS_NAMED = 5;

const none = (reason: string, perRun: RunChanges[]): Changes => ({
  available: false, reason, window: null,
  counts: { granted: 0, removed: 0, created: 0, deleted: 0, restored: 0, changed: 0, baselineLinks: 0 },
  granted: [], removed: [], properties: [], perRun,
});

/**
 * Section 6: what changed since the previous complete run: the `diff` command's default window (the
 * last complete run against the complete run before it), summarised. Grants and removals are grouped
 * by what was granted, the most privileged first and then the most holders; a window the diff cannot
 * answer (no complete run yet) is reported as not available, with the reason.
 */
export function readChanges(ctx: ReportContext): Changes {
  const perRun = readPerRun(ctx);
  const hasHistory = ctx.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'changes'").get() !== undefined;
  if (!hasHistory) return none('The database has no change history (written by a version before 0.2).', perRun);
  let diff;
  try {
    diff = diffDatabase(ctx.db, {});
  } catch (error) {
    if (error instanceof DiffError) return none(error.message, perRun);
    throw error;
  }
  const rank = makeGrantRanker(ctx);
  const group = (rows: RelationChange[]): ChangeGroup[] => {
    const groups = new Map<string, ChangeGroup & { names: string[] }>();
    for (const r of rows) {
      const key = [r.relation, r.target_type, r.target_id, r.scope].join('\u0000');
      let g = groups.get(key);
      if (!g) {
        g = { relation: r.relation, targetType: r.target_type, targetId: r.target_id, targetName: r.target_name, scope: r.scope, ...rank(r.relation, r.target_type, r.target_id), count: 0, undone: 0, holders: [], names: [] };
        groups.set(key, g);
      }
      g.count++;
      if (r.undone) g.undone++;
      g.names.push(r.source_name ?? r.source_id);
    }
    return [...groups.values()]
      .map(({ names, ...g }) => ({ ...g, holders: names.sort((a, b) => cmp(a.toLowerCase(), b.toLowerCase())).slice(0, HOLDERS_NAMED) }))
      .sort((a, b) => a.rank - b.rank || b.count - a.count || cmp(a.targetName, b.targetName) || cmp(a.targetId, b.targetId) || cmp(a.scope, b.scope));
  };
  return {
    available: true,
    reason: null,
    window: { fromRun: diff.from.run, fromTime: diff.from.time, toRun: diff.to.run, toTime: diff.to.time, runs: diff.runs.map((r) => r.id) },
    counts: {
      granted: diff.granted.length,
      removed: diff.removed.length,
      created: diff.objects.created.length,
      deleted: diff.objects.deleted.length,
      restored: diff.objects.restored.length,
      changed: diff.objects.changed.length,
      baselineLinks: diff.baseline.reduce((n, b) => n + b.links, 0),
    },
    granted: group(diff.granted),
    removed: group(diff.removed),
    properties: diff.objects.changed.slice(-PROPERTY_ROWS).reverse()
      .map((c) => ({ type: c.type, id: c.id, name: c.name, property: c.property, old: c.old, new: c.new, time: c.time })),
    perRun,
  };
}

/** Link and object changes recorded by each of the last runs (first rounds' baseline rows not counted). */
function readPerRun(ctx: ReportContext): RunChanges[] {
  const runs = ctx.db.prepare('SELECT id, started_at, outcome FROM runs ORDER BY id DESC LIMIT ?').all(RUNS_SHOWN) as { id: number; started_at: string; outcome: string }[];
  if (runs.length === 0) return [];
  const out = new Map<number, RunChanges>(runs.reverse().map((r) => [r.id, { run: r.id, startedAt: r.started_at, outcome: r.outcome, granted: 0, removed: 0, objects: 0 }]));
  const hasHistory = ctx.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'changes'").get() !== undefined;
  if (!hasHistory) return [...out.values()];
  const counts = ctx.db.prepare('SELECT run_id, kind, COUNT(*) FROM changes WHERE run_id >= ? GROUP BY run_id, kind').raw().all(runs[0]!.id) as [number, string, number][];
  for (const [run, kind, n] of counts) {
    const r = out.get(run);
    if (!r) continue;
    if (kind === 'added' || kind === 'revived') r.granted += n;
    else if (kind === 'removed') r.removed += n;
    else if (kind !== 'baseline') r.objects += n;
  }
  return [...out.values()];
}
