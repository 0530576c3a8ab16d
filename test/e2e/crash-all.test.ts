/**
 * Crash safety of a full pull of every collection (delta, lists, $batch fan-outs, derived links,
 * sign-in windows, signInActivity): the built CLI SIGKILLed at seeded-random Graph requests leaves a
 * database that opens, holds no tombstone, and the next pull ends equal to the whole tenant.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/sim/tenant/index.js';
import { runCli, runsOf, startCli, startWorld, tempDir, tombstones, withDb, TENANT_ID, type CliRun, type World } from './support.js';
import { ALL_ROLES, dbWholeState, diffStates, expectedWholeState } from '../support/tenant-state.js';

const LATENCY_MS = 10;
const worlds: World[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
});

/**
 * A tenant with enough of everything for fan-outs of several envelopes and paged lists (200 groups:
 * their members and owners, listed in a full round, take 20 envelopes).
 */
function world(): Promise<World> {
  return startWorld({
    latencyMs: LATENCY_MS,
    roles: ALL_ROLES,
    tenant: { users: 80, groups: 200, memberships: 900, directory: { tenantId: TENANT_ID, extraServicePrincipals: 45 }, audit: { signIns: 400, days: 7 } },
    graph: { directory: { deltaPageUnits: [20, 60], listPageSize: [10, 30], ownersPageSize: [2, 6], assignedToPageSize: [5, 20] } },
  });
}

const pullAll = (w: World, dir: string, db: string) => runCli(['pull', '--db', db], { env: w.env(), cwd: dir, allCollections: true });

function expectWholeTenant(w: World, db: string): void {
  expect(diffStates(dbWholeState(db), expectedWholeState(w.tenant, { tenantId: TENANT_ID, memberReadHidden: true }))).toEqual([]);
  // Sign-ins: exactly the events visible in the first window, stored once each.
  const stored = withDb(db, (d) => d.prepare('SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM sign_ins').get()) as { n: number; ids: number };
  expect(stored.n).toBe(stored.ids);
  expect(stored.n).toBeGreaterThan(0);
}

/** SIGKILLs the pull when Graph request `n` (of this run) arrives; later requests are never answered. */
async function pullKilledAt(w: World, dir: string, db: string, n: number): Promise<void> {
  const base = w.graphRequests;
  let run: CliRun | undefined;
  let killing: Promise<void> | undefined;
  w.before = async (_req, i) => {
    if (i - base < n) return;
    if (i - base === n) killing = run!.kill();
    await killing;
    return { status: 0, reset: true };
  };
  try {
    run = startCli(['pull', '--db', db, '--commit-every', '0'], { env: w.env(), cwd: dir, allCollections: true });
    const r = await run.done;
    expect(killing, `the run ended (exit ${r.code}) before Graph request ${n}: ${r.stderr.slice(-400)}`).toBeDefined();
    expect(r.signal).toBe('SIGKILL');
  } finally {
    w.before = undefined;
  }
}

describe('a full pull of every collection killed with SIGKILL', () => {
  let requests = 0;
  beforeAll(async () => {
    const w = await world();
    worlds.push(w);
    const dir = tempDir();
    const db = join(dir, 'entra.db');
    const r = await pullAll(w, dir, db);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    requests = w.graphRequests;
    expectWholeTenant(w, db);
    expect(requests).toBeGreaterThanOrEqual(40);
  }, 60_000);

  for (const seed of [11, 22, 33, 44]) {
    it(`seed ${seed}: the database opens with no tombstone, and the next pull equals the tenant`, async () => {
      const n = 1 + Math.floor(mulberry32(seed).next() * requests);
      const w = await world();
      worlds.push(w);
      const dir = tempDir();
      const db = join(dir, 'entra.db');
      await pullKilledAt(w, dir, db, n);
      if (process.env.E2E_DEBUG) console.log(`kill at ${n}/${requests}: ${JSON.stringify(withDb(db, (d) => d.prepare("SELECT collection, outcome, pages FROM run_collections").all()))}`);
      expect(withDb(db, (d) => d.pragma('integrity_check', { simple: true }))).toBe('ok');
      expect(tombstones(db), `tombstones after a kill at request ${n} of ${requests}`).toEqual({ entities: [], relations: [] });
      const again = await pullAll(w, dir, db);
      expect(again.code, again.stderr.slice(-2000)).toBe(0);
      expectWholeTenant(w, db);
      expect(tombstones(db)).toEqual({ entities: [], relations: [] });
      expect(runsOf(db).map((r) => r.outcome)).toEqual(['interrupted', 'success']);
    }, 60_000);
  }
});
