/**
 * Crash safety of the built CLI: a `pull` process SIGKILLed at a seeded-random Graph request (before
 * the server answers it, right after an answer is written, or a little later) leaves a database that
 * opens, holds no tombstone it should not, and the next plain `pull` ends equal to the tenant. The
 * killed run is closed as 'interrupted' by the next run, and `status --json` says so.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/sim/tenant/index.js';
import type { Tenant } from '../../src/sim/tenant/index.js';
import {
  dbState,
  filesHoldingSecrets,
  outputsHoldingSecrets,
  runCli,
  runsOf,
  startCli,
  startWorld,
  tempDir,
  tombstones,
  truthState,
  withDb,
  type CliRun,
  type DbState,
  type World,
} from './support.js';

/**
 * Graph answers take this long, so a full pull spans more than one of the CLI's periodic commits
 * (every 500 ms) and kills land both before and after committed pages.
 */
const LATENCY_MS = 25;
/**
 * Groups enough that a full round, which lists each group's members and owners through $batch
 * (20 sub-requests an envelope), makes requests enough to choose kill points from.
 */
const CRASH_TENANT = { groups: 320, memberships: 1500 };

type KillPoint = 'before-answer' | 'after-answer' | 'after-answer-delayed';

const dirs: string[] = [];
const worlds: World[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
});

/** Deterministic changes between the first and the second pull: random ones plus explicit deletes. */
function mutate(t: Tenant): void {
  t.randomChanges(0.04, 4242);
  const users = [...t.users.values()].filter((u) => u.state === 'live').map((u) => u.id);
  const groups = [...t.groups.values()].filter((g) => g.state === 'live').map((g) => g.id);
  t.softDeleteUser(users[0]!);
  t.hardDeleteUser(users[1]!);
  t.hardDeleteUser(users[2]!);
  t.softDeleteGroup(groups[0]!);
  t.hardDeleteGroup(groups[1]!);
  const g = t.groups.get(groups[2]!)!;
  for (const m of [...g.members].slice(0, 3)) t.removeMember(g.id, m);
  for (const o of [...g.owners].slice(0, 1)) t.removeOwner(g.id, o);
  const managed = users.slice(3).find((u) => t.effectiveManager(u) !== null);
  if (managed) t.setManager(managed, null);
}

const keys = (s: DbState) => new Set([...s.entities, ...s.relations]);

function pull(world: World, dir: string, db: string) {
  return runCli(['pull', '--db', db], { env: world.env(), cwd: dir });
}

/**
 * Runs `pull` and SIGKILLs it at Graph request `n` (counted from the start of this run): before the
 * server answers it, or once the answer is written (at once, or `delayMs` later). Requests arriving
 * after request n are held unanswered until the process is gone, so the kill always lands inside the
 * run. Resolves once the child is gone; fails if the run ended before request n arrived.
 */
async function pullKilledAt(world: World, dir: string, db: string, n: number, point: KillPoint, delayMs: number, commitEvery?: number): Promise<void> {
  const base = world.graphRequests;
  let run: CliRun | undefined;
  let killing: Promise<void> | undefined;
  world.before = async (_req, i) => {
    if (i - base < n) return;
    if (i - base === n && point === 'before-answer') killing = run!.kill();
    if (i - base === n && point !== 'before-answer') return;
    // Request n (before-answer) or a later one: never answered, the process dies first.
    while (!killing) await new Promise((r) => setTimeout(r, 5));
    await killing;
    return { status: 0, reset: true };
  };
  world.after = (_req, i) => {
    if (i - base !== n || point === 'before-answer') return;
    if (point === 'after-answer') killing = run!.kill();
    else killing = new Promise((r) => setTimeout(r, delayMs)).then(() => run!.kill());
  };
  try {
    // With --commit-every 0 every page is its own commit, so the kill finds many committed states;
    // without it the default batching is what gets killed.
    run = startCli(['pull', '--db', db, ...(commitEvery === undefined ? [] : ['--commit-every', String(commitEvery)])], { env: world.env(), cwd: dir });
    const r = await run.done;
    expect(killing, `the run ended (exit ${r.code}) before Graph request ${n} arrived: ${r.stderr.slice(-500)}`).toBeDefined();
    expect(r.signal).toBe('SIGKILL');
  } finally {
    world.before = undefined;
    world.after = undefined;
  }
}

/** The file opens, passes SQLite's integrity check, and holds the killed run as 'running'. */
function expectOpensAfterCrash(db: string): void {
  const check = withDb(db, (d) => d.pragma('integrity_check', { simple: true }));
  expect(check).toBe('ok');
  const runs = runsOf(db);
  expect(runs.at(-1)!.outcome).toBe('running');
  expect(runs.at(-1)!.ended_at).toBeNull();
}

async function expectInterruptedInLedger(world: World, dir: string, db: string, killedRunId: number): Promise<void> {
  const runs = runsOf(db);
  expect(runs.find((r) => r.id === killedRunId)?.outcome).toBe('interrupted');
  expect(runs.at(-1)!.outcome).toBe('success');
  expect(runs.filter((r) => r.outcome === 'running')).toEqual([]);
  const status = await runCli(['status', '--db', db, '--json'], { env: world.env(), cwd: dir });
  expect(status.code).toBe(0);
  const report = JSON.parse(status.stdout) as { runs: { id: number; outcome: string; ended_at: string | null; collections: { collection: string; outcome: string }[] }[] };
  const killed = report.runs.find((r) => r.id === killedRunId);
  expect(killed?.outcome).toBe('interrupted');
  // A collection may have finished before the kill; every other one is shown interrupted, none running.
  const outcomes = killed!.collections.map((c) => c.outcome);
  expect(outcomes.every((o) => o === 'interrupted' || o === 'success'), outcomes.join()).toBe(true);
  expect(outcomes.length === 0 || outcomes.includes('interrupted'), outcomes.join()).toBe(true);
  expect(report.runs.find((r) => r.id !== killedRunId && r.id > killedRunId)?.outcome).toBe('success');
}

describe('a pull killed with SIGKILL at a random Graph request', () => {
  /** Graph requests of an uninterrupted full pull and of the incremental pull after mutate(). */
  let fullRequests = 0;
  let incrementalRequests = 0;

  beforeAll(async () => {
    const world = await startWorld({ latencyMs: LATENCY_MS, tenant: CRASH_TENANT });
    worlds.push(world);
    const dir = tempDir();
    dirs.push(dir);
    const db = join(dir, 'entra.db');
    const first = await pull(world, dir, db);
    expect(first.code, first.stderr).toBe(0);
    fullRequests = world.graphRequests;
    expect(dbState(db)).toEqual(truthState(world.tenant));
    mutate(world.tenant);
    const second = await pull(world, dir, db);
    expect(second.code, second.stderr).toBe(0);
    incrementalRequests = world.graphRequests - fullRequests;
    expect(dbState(db)).toEqual(truthState(world.tenant));
    // Small pages: many requests to choose from.
    expect(fullRequests).toBeGreaterThanOrEqual(30);
    expect(incrementalRequests).toBeGreaterThanOrEqual(3);
  }, 60_000);

  const fullCases: { seed: number; point: KillPoint; last?: boolean }[] = [
    { seed: 101, point: 'before-answer' },
    { seed: 202, point: 'after-answer' },
    { seed: 303, point: 'after-answer-delayed' },
    { seed: 707, point: 'before-answer' },
    { seed: 808, point: 'after-answer-delayed' },
    { seed: 0, point: 'before-answer', last: true }, // the page that carries a deltaLink
  ];

  for (const { seed, point, last } of fullCases) {
    it(`first (full) pull, ${last ? 'last request' : `seed ${seed}`}, killed ${point}: the next pull completes it and equals the tenant`, async () => {
      const rng = mulberry32(seed);
      let n = 1 + Math.floor(rng.next() * (point === 'before-answer' ? fullRequests : fullRequests - 1));
      if (last) n = fullRequests;
      const delayMs = 5 + Math.floor(rng.next() * 60);
      const world = await startWorld({ latencyMs: LATENCY_MS, tenant: CRASH_TENANT });
      worlds.push(world);
      const dir = tempDir();
      dirs.push(dir);
      const db = join(dir, 'entra.db');

      await pullKilledAt(world, dir, db, n, point, delayMs, seed % 2 === 0 ? 0 : undefined);
      expectOpensAfterCrash(db);
      if (process.env.E2E_DEBUG) console.log(`full: n=${n}/${fullRequests} ${point}: ${dbState(db).entities.length} objects committed`);
      // Nothing was ever removed from this tenant: an unfinished full round must not tombstone anything.
      expect(tombstones(db), `tombstones after a kill at request ${n}`).toEqual({ entities: [], relations: [] });
      const killedRunId = runsOf(db).at(-1)!.id;

      const again = await pull(world, dir, db);
      expect(again.code, again.stderr).toBe(0);
      expect(dbState(db)).toEqual(truthState(world.tenant));
      expect(tombstones(db)).toEqual({ entities: [], relations: [] });
      await expectInterruptedInLedger(world, dir, db, killedRunId);
    }, 60_000);
  }

  const incrementalCases: { seed: number; point: KillPoint }[] = [
    { seed: 404, point: 'before-answer' },
    { seed: 505, point: 'after-answer-delayed' },
    { seed: 606, point: 'after-answer' },
  ];

  for (const { seed, point } of incrementalCases) {
    it(`incremental pull after changes and deletes, seed ${seed}, killed ${point}: the next pull equals the tenant`, async () => {
      const rng = mulberry32(seed);
      const n = 1 + Math.floor(rng.next() * (point === 'before-answer' ? incrementalRequests : incrementalRequests - 1));
      const delayMs = 5 + Math.floor(rng.next() * 60);
      const world = await startWorld({ latencyMs: LATENCY_MS, tenant: CRASH_TENANT });
      worlds.push(world);
      const dir = tempDir();
      dirs.push(dir);
      const db = join(dir, 'entra.db');
      const first = await pull(world, dir, db);
      expect(first.code, first.stderr).toBe(0);
      const afterFirst = dbState(db);
      mutate(world.tenant);
      const truth = truthState(world.tenant);
      const truthKeys = keys(truth);

      await pullKilledAt(world, dir, db, n, point, delayMs);
      expectOpensAfterCrash(db);
      if (process.env.E2E_DEBUG) console.log(`incremental: n=${n}/${incrementalRequests} ${point}: ${tombstones(db).entities.length} tombstoned objects`);
      const dead = tombstones(db);
      // Only what is really gone from the tenant may carry deleted_at.
      expect([...dead.entities, ...dead.relations].filter((k) => truthKeys.has(k)), `wrong tombstones after a kill at request ${n}`).toEqual([]);
      const killedRunId = runsOf(db).at(-1)!.id;

      const again = await pull(world, dir, db);
      expect(again.code, again.stderr).toBe(0);
      expect(dbState(db)).toEqual(truth);
      const finalDead = tombstones(db);
      const finalDeadKeys = new Set([...finalDead.entities, ...finalDead.relations]);
      expect([...finalDeadKeys].filter((k) => truthKeys.has(k))).toEqual([]);
      // What the first pull saw and is gone now is kept, tombstoned, not dropped; except the links of a
      // soft-deleted object, which stay live as Graph keeps them (effective_relations leaves them out).
      const soft = new Set(world.tenant.truth().softDeleted.map((o) => o.id));
      const heldBySoftDeleted = (k: string) => {
        const [, , source, , target] = k.split('|');
        return soft.has(source!) || soft.has(target!);
      };
      const gone = [...keys(afterFirst)].filter((k) => !truthKeys.has(k));
      expect(gone.length).toBeGreaterThan(5);
      expect(gone.filter((k) => !finalDeadKeys.has(k) && !heldBySoftDeleted(k))).toEqual([]);
      await expectInterruptedInLedger(world, dir, db, killedRunId);
    }, 60_000);
  }

  it('kept every secret out of stdout, stderr and the database files', () => {
    expect(outputsHoldingSecrets()).toEqual([]);
    for (const dir of dirs) expect(filesHoldingSecrets(dir)).toEqual([]);
  });
});
