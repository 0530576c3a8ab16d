import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runDiff } from '../../src/cli/diff-command.js';
import type { DiffReport, RelationChange } from '../../src/diff/diff-report.js';
import { formatDiffCsv } from '../../src/diff/format-csv.js';
import { formatDiffTable } from '../../src/diff/format-table.js';
import { finishRun, openDatabase, startRun } from '../../src/store/index.js';
import { buildFixture } from './fixtures.js';
import { expectGolden, runDiffCli } from './support.js';

/**
 * `diff` on a small hand-built history with fixed times and ids (fixtures.ts): the JSON, the table and
 * the CSV against golden files, the window rules, and every window checked against the effective
 * access the database held at the end of each run.
 */
let db: string;
/** Effective links (effective_relations) at the end of each run; run 0 is the empty database. */
const effective = new Map<number, Set<string>>([[0, new Set()]]);
const key = (r: { relation: string; source_type: string; source_id: string; target_type: string; target_id: string; scope: string }) =>
  [r.relation, r.source_type, r.source_id, r.target_type, r.target_id, r.scope].join('|');

beforeAll(() => {
  db = buildFixture(undefined, (handle, run) => {
    const rows = handle.prepare('SELECT relation, source_type, source_id, target_type, target_id, scope FROM effective_relations').all() as RelationChange[];
    effective.set(run, new Set(rows.map(key)));
  });
});

describe('diff --json on a fixed history (golden files)', () => {
  it.each([
    ['default: the last complete run (4) against the complete run before it (2)', {}, 'default.json'],
    ['--since 1: an undone grant, undone removals, a manager change, credentials rotated', { since: '1' }, 'since-1.json'],
    ['--since 0 --until 2: a first round in the window, counted under baseline', { since: '0', until: '2' }, 'first-round.json'],
    ['--since <date>: the changes made after it', { since: '2026-01-02T12:00:00Z' }, 'since-date.json'],
    ['--since 1 --until 3: --until before the last run rewinds the state to run 3', { since: '1', until: '3' }, 'until-3.json'],
  ])('%s', async (_title, window, file) => {
    const report = await runDiff({ dbPath: db, ...window });
    expectGolden(file, `${JSON.stringify(report, null, 2)}\n`);
  });

  it('the table (counts first, grouped by relation) and the CSV (one row per change, formulas neutralised) of --since 1', async () => {
    const report = await runDiff({ dbPath: db, since: 1 });
    expectGolden('since-1.txt', `${formatDiffTable(report)}\n`);
    const csv = formatDiffCsv(report);
    expectGolden('since-1.csv', csv);
    expect(csv.split('\r\n')[0]).toMatch(/^change,reason,relation,/);
    // A group named "=Admins" cannot run as a formula; a value with a comma is quoted.
    expect(csv).toContain(",'=Admins,");
    expect(csv).toContain(',"Finance, EMEA",');
  });
});

describe('every window equals the change of effective access between the ends of its runs', () => {
  const windows: [number, number][] = [[1, 2], [1, 3], [1, 4], [2, 4], [3, 4]];
  // (2, 4] needs the history before the window: hank, unseen in run 2, was soft-deleted in run 3 and restored in run 4.
  it.each(windows)('(after run %i, up to run %i]', async (since, until) => {
    const r = await runDiff({ dbPath: db, since, until });
    const before = effective.get(since)!;
    const after = effective.get(until)!;
    const between = new Set<string>();
    for (let k = since + 1; k < until; k++) for (const l of effective.get(k)!) between.add(l);
    const keys = (rows: RelationChange[], undone: boolean) => rows.filter((x) => x.undone === undone).map(key).sort();
    expect(keys(r.granted, false)).toEqual([...after].filter((l) => !before.has(l)).sort());
    expect(keys(r.removed, false)).toEqual([...before].filter((l) => !after.has(l)).sort());
    // Nothing in this history is granted and removed within one run, so run ends see every undone change.
    expect(keys(r.granted, true)).toEqual([...between].filter((l) => !before.has(l) && !after.has(l)).sort());
    expect(keys(r.removed, true)).toEqual([...before].filter((l) => after.has(l) && missingBetween(l, since, until)).sort());
  });

  function missingBetween(link: string, since: number, until: number): boolean {
    for (let k = since + 1; k < until; k++) if (!effective.get(k)!.has(link)) return true;
    return false;
  }

  it('the first round in a window is counted, not listed; what it read and the window took away again is listed as undone', async () => {
    const r = await runDiff({ dbPath: db, since: 0, until: 2 });
    expect(r.from).toEqual({ run: null, time: null });
    expect(r.baseline.map((b) => [b.relation, b.links])).toEqual([['memberOf', 7], ['reportsTo', 1], ['hasRole', 1]]);
    expect(r.granted.filter((g) => g.reason === 'baseline').every((g) => g.undone)).toBe(true);
    expect(r.granted.filter((g) => g.reason === 'baseline').map((g) => `${g.source_id}>${g.target_id}:${g.undone_reason}`).sort())
      .toEqual(['bob>alice:removed', 'bob>finance:removed', 'carol>admins:source_soft_deleted', 'carol>ga:source_soft_deleted', 'hank>finance:source_unseen']);
  });
});

describe('the window', () => {
  it('--since <run> excludes that run, --until includes its; a date keeps the changes made after it; both ends are named', async () => {
    const r = await runDiff({ dbPath: db, since: 2, until: 4 });
    expect(r.runs.map((x) => x.id)).toEqual([3, 4]);
    expect(r.from).toEqual({ run: 2, time: '2026-01-02T02:10:00.000Z' });
    expect(r.to).toEqual({ run: 4, time: '2026-01-04T02:10:00.000Z' });
    const byDate = await runDiff({ dbPath: db, since: '2026-01-03T02:02:00Z' });
    expect(byDate.since).toEqual({ date: '2026-01-03T02:02:00.000Z' });
    expect(byDate.from).toEqual({ run: 2, time: '2026-01-03T02:02:00.000Z' });
    // Run 3's changes at or before 02:02 (dave leaving admins, carol restored) are before the window.
    expect(byDate.removed.map((x) => x.source_id)).not.toContain('dave');
    expect(byDate.objects.restored.map((o) => o.id)).toEqual(['hank']);
    expect(byDate.granted.map((x) => x.source_id)).toContain('bob');
  });

  it('defaults: --until the last complete run, --since the complete run before it', async () => {
    const r = await runDiff({ dbPath: db });
    expect([r.since, r.to.run]).toEqual([{ run: 2 }, 4]);
    expect((await runDiff({ dbPath: db, until: 2 })).since).toEqual({ run: 1 });
    expect((await runDiff({ dbPath: db, until: 1 })).since).toEqual({ run: 0 });
  });

  it('a window with no complete run, --since not before --until, an unknown --until, an empty database: exit 1 with the reason', async () => {
    await expect(runDiff({ dbPath: db, since: 2, until: 3 })).rejects.toMatchObject({ code: 'DIFF_EMPTY_WINDOW', message: expect.stringMatching(/#3 partial/) });
    await expect(runDiff({ dbPath: db, since: 4, until: 2 })).rejects.toMatchObject({ code: 'DIFF_EMPTY_WINDOW', exitCode: 1 });
    await expect(runDiff({ dbPath: db, since: 4 })).rejects.toMatchObject({ code: 'DIFF_EMPTY_WINDOW' });
    await expect(runDiff({ dbPath: db, since: '2026-02-01' })).rejects.toMatchObject({ code: 'DIFF_EMPTY_WINDOW' });
    await expect(runDiff({ dbPath: db, until: 9 })).rejects.toMatchObject({ code: 'DIFF_NO_SUCH_RUN', exitCode: 1 });
    const empty = join(mkdtempSync(join(tmpdir(), 'ee-diff-empty-')), 'entra.db');
    openDatabase(empty).close();
    await expect(runDiff({ dbPath: empty })).rejects.toMatchObject({ code: 'DIFF_NO_RUNS', exitCode: 1 });
    const failed = join(mkdtempSync(join(tmpdir(), 'ee-diff-failed-')), 'entra.db');
    const h = openDatabase(failed);
    finishRun(h, startRun(h, 'pull', 'test'), 'failed', { requests: 0, throttled: 0, retries: 0 });
    h.close();
    await expect(runDiff({ dbPath: failed })).rejects.toMatchObject({ code: 'DIFF_EMPTY_WINDOW' });
    await expect(runDiff({ dbPath: join(tmpdir(), 'no-such-folder-ee', 'x.db') })).rejects.toMatchObject({ exitCode: 1 });
  });

  it('malformed values are usage errors (exit 2)', async () => {
    for (const since of ['yesterday', '2026-02-30', '2026-13-01', '-1', '1.5', '2026-01-01T25:00']) {
      await expect(runDiff({ dbPath: db, since }), since).rejects.toMatchObject({ code: 'USAGE', exitCode: 2 });
    }
    for (const until of ['0', 'last', '2026-01-01']) await expect(runDiff({ dbPath: db, until })).rejects.toMatchObject({ code: 'USAGE' });
  });
});

describe('the command', () => {
  it('--json prints the report; csv is the default off a terminal, the table on one; exit 0', async () => {
    const json = await runDiffCli(['--db', db, '--since', '1', '--json']);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as DiffReport).to.run).toBe(4);
    const piped = await runDiffCli(['--db', db]);
    expect(piped.stdout.startsWith('change,reason,')).toBe(true);
    const tty = await runDiffCli(['--db', db], { tty: true });
    expect(tty.stdout.startsWith('Changes after run 2 ')).toBe(true);
    const env = await runDiffCli(['--format', 'table'], { env: { ENTRA_DB: db } });
    expect(env.stdout).toBe(tty.stdout);
  });

  it('exit 2 for a bad --since, --format or --json with --format; exit 1 with the error (and JSON with --json) for an empty window', async () => {
    expect((await runDiffCli(['--db', db, '--since', 'last week'])).code).toBe(2);
    expect((await runDiffCli(['--db', db, '--format', 'xml'])).code).toBe(2);
    expect((await runDiffCli(['--db', db, '--json', '--format', 'csv'])).code).toBe(2);
    const r = await runDiffCli(['--db', db, '--since', '4', '--until', '2', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--since 4 is not before --until 2/);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'DIFF_EMPTY_WINDOW' } });
  });
});
