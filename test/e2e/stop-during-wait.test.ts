/**
 * The real CLI against the simulation over loopback HTTPS. A pull that waits (a Retry-After of
 * minutes, a backoff after a 503) stops at once on SIGTERM / SIGINT: it does not sit out the wait,
 * it commits what it wrote, records the run interrupted and exits 143 / 130; the next pull finishes
 * and equals the tenant. And a persistent spoiled 200 (not a page) fails the pull with a non-zero
 * exit code instead of ending the round.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimChild, type SimChild } from '../../src/sim/sim-child.js';
import type { SimRequest, SimResponse } from '../../src/sim/sim-http.js';
import {
  dbState, runCli, runCollections, runsOf, startCli, startWorld, tempDir, tombstones, truthState, withDb, type CliResult, type CliRun, type World,
} from './support.js';

const worlds: World[] = [];
const sims: SimChild[] = [];
afterAll(async () => {
  for (const w of worlds) await w.close();
  for (const s of sims) await s.close();
});

/** A Graph error answer, as Graph shapes it. */
function graphAnswer(status: number, code: string, headers: Record<string, string> = {}): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'request-id': crypto.randomUUID(), ...headers },
    body: JSON.stringify({ error: { code, message: `Simulated ${status}.`, innerError: { date: new Date().toISOString() } } }),
  };
}

/** Resolves with the first structured stderr line of the child that `match` accepts. */
function stderrLine(run: CliRun, match: (line: Record<string, unknown>) => boolean, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`no such stderr line within ${timeoutMs} ms:\n${buffered}`)), timeoutMs);
    run.child.stderr!.on('data', (d: string) => {
      buffered += d;
      for (const text of buffered.split('\n').slice(0, -1)) {
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (match(line)) {
          clearTimeout(timer);
          resolve(line);
          return;
        }
      }
    });
    run.child.once('exit', () => reject(new Error(`the pull exited before the awaited line:\n${buffered}`)));
  });
}

/** The child's result, or a failure (and a killed child) when it does not exit within limitMs. */
async function exitWithin(run: CliRun, limitMs: number): Promise<CliResult & { exitedAt: number }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), limitMs)));
  const r = await Promise.race([run.done.then((x) => ({ ...x, exitedAt: Date.now() })), late]);
  clearTimeout(timer);
  if (r === 'late') {
    await run.kill();
    throw new Error(`the pull did not exit within ${limitMs} ms of the signal`);
  }
  return r;
}

describe('a stop signal while the pull waits', () => {
  it('SIGTERM during a 429 wait of 300 s (under the default --max-wait): exits 143 within 2 s, run interrupted; the next pull equals the tenant', async () => {
    const world = await startWorld();
    worlds.push(world);
    const dir = tempDir();
    const db = join(dir, 'entra.db');
    let answered429 = false;
    // Once the objects are listed, Graph throttles their members for five minutes.
    world.before = (req: SimRequest) => {
      if (answered429 || !req.url.pathname.endsWith('/$batch')) return;
      answered429 = true;
      return graphAnswer(429, 'TooManyRequests', { 'retry-after': '300' });
    };
    const run = startCli(['pull', '--db', db, '--commit-every', '0'], { env: world.env(), cwd: dir });
    try {
      const throttled = await stderrLine(run, (l) => l.event === 'graph.throttled');
      expect(throttled.waitMs).toBe(300_000);
      // Let the child settle into the wait.
      await new Promise((r) => setTimeout(r, 300));
      const requestsWhileWaiting = world.graphRequests;
      const signalled = Date.now();
      run.child.kill('SIGTERM');
      const r = await exitWithin(run, 5000);
      expect(r.exitedAt - signalled).toBeLessThan(2000);
      expect(r.code).toBe(143);
      expect(r.stderr).toContain('SIGTERM: stopping after the current page');
      // It stopped waiting: nothing was sent inside the window.
      expect(world.graphRequests).toBe(requestsWhileWaiting);
    } finally {
      await run.kill();
      world.before = undefined;
    }
    expect(withDb(db, (d) => d.pragma('integrity_check', { simple: true }))).toBe('ok');
    const [ledger] = runsOf(db);
    expect(ledger).toMatchObject({ outcome: 'interrupted' });
    expect(ledger!.ended_at).not.toBeNull();
    const cols = Object.values(runCollections(db, ledger!.id));
    expect(cols.some((c) => c.outcome === 'interrupted')).toBe(true);
    expect(cols.filter((c) => c.outcome === 'running')).toEqual([]);

    const again = await runCli(['pull', '--db', db, '--json'], { env: world.env(), cwd: dir });
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { outcome: string }).outcome).toBe('success');
    expect(dbState(db)).toEqual(truthState(world.tenant));
  });

  it('SIGINT during a backoff after a 503 without Retry-After: exits 130 within 2 s, run interrupted; the next pull equals the tenant', async () => {
    const world = await startWorld();
    worlds.push(world);
    const dir = tempDir();
    const db = join(dir, 'entra.db');
    // Every $batch of the groups' members and owners: 503, no Retry-After, so the client backs off on its own.
    world.before = (req: SimRequest) => {
      if (req.url.pathname.endsWith('/$batch')) return graphAnswer(503, 'serviceNotAvailable');
    };
    const run = startCli(['pull', '--db', db, '--commit-every', '0'], { env: world.env(), cwd: dir });
    try {
      // A backoff long enough that the signal surely lands inside it (the line is written just before the sleep).
      await stderrLine(run, (l) => l.event === 'graph.retry' && l.reason === '503' && Number(l.waitMs) >= 400);
      const signalled = Date.now();
      run.child.kill('SIGINT');
      const r = await exitWithin(run, 5000);
      expect(r.exitedAt - signalled).toBeLessThan(2000);
      expect(r.code).toBe(130);
      expect(r.stderr).toContain('SIGINT: stopping after the current page');
    } finally {
      await run.kill();
      world.before = undefined;
    }
    const [ledger] = runsOf(db);
    expect(ledger).toMatchObject({ outcome: 'interrupted' });
    expect(runCollections(db, ledger!.id).groups).toMatchObject({ outcome: 'interrupted' });

    const again = await runCli(['pull', '--db', db, '--json'], { env: world.env(), cwd: dir });
    expect(again.code).toBe(0);
    expect(dbState(db)).toEqual(truthState(world.tenant));
  });
});

describe('a persistent spoiled 200 through the CLI', () => {
  it('a page of a group\'s members without `value`, on every attempt: exit 3, groups fails, nothing tombstoned', async () => {
    const sim = await startSimChild(['--users', '120', '--groups', '15', '--memberships', '400', '--user-page-units', '10,30', '--group-page-units', '20,60', '--seed', '7']);
    sims.push(sim);
    const dir = tempDir();
    const db = join(dir, 'entra.db');
    const first = await runCli(['pull', '--db', db, '--json'], { env: sim.pullEnv(), cwd: dir });
    expect(first.code).toBe(0);
    const before = tombstones(db);
    const groupsBefore = withDb(db, (d) => d.prepare("SELECT * FROM entity_relations WHERE relation IN ('memberOf', 'ownerOf') ORDER BY 1,2,3,4,5,6").all());

    // A full round lists the groups, then their members through $batch: one group's members page
    // loses its `value`, whatever the retry, after the groups themselves were written.
    expect(await sim.command({ cmd: 'fault', path: '^/v1\\.0/groups/[^/]+/members\\?', spoil: 'noValue', times: 1000 })).toEqual({ ok: true });
    // The CLI has no option for the backoff (9 attempts, 1 s doubling, full jitter: about 90 s): pin
    // the jitter to zero in the child so the retry budget is spent at once.
    const noJitter = join(dir, 'no-jitter.mjs');
    writeFileSync(noJitter, 'Math.random = () => 0;\n');
    const r = await runCli(['pull', '--db', db, '--full', '--json'], { env: sim.pullEnv({ NODE_OPTIONS: `--import=${pathToFileURL(noJitter).href}` }), cwd: dir });
    expect(r.code, r.stderr).toBe(3);
    const summary = JSON.parse(r.stdout) as {
      outcome: string;
      collections: Record<string, { outcome: string }>;
      errors: { collection: string; code: string; message: string }[];
    };
    expect(summary.outcome).toBe('partial');
    expect(summary.collections.users!.outcome).toBe('success');
    expect(summary.collections.groups!.outcome).toBe('failed');
    expect(summary.errors).toHaveLength(1);
    expect(summary.errors[0]).toMatchObject({ collection: 'groups', code: 'GRAPH_INVALID_RESPONSE' });
    expect(summary.errors[0]!.message).toMatch(/\/v1\.0\/groups\/[0-9a-f-]+\/members\?/);
    expect(r.stderr).toContain('groups: error: ');
    // The unfinished --full round tombstoned nothing and left the groups links as they were.
    expect(tombstones(db)).toEqual(before);
    const groupsAfter = withDb(db, (d) =>
      d.prepare("SELECT relation, source_type, source_id, target_type, target_id, scope, data, first_seen_run, deleted_at FROM entity_relations WHERE relation IN ('memberOf', 'ownerOf') ORDER BY 1,2,3,4,5,6").all(),
    );
    expect(groupsAfter).toEqual((groupsBefore as Record<string, unknown>[]).map(({ last_seen_run: _, ...rest }) => rest));
    expect(runsOf(db).map((x) => x.outcome)).toEqual(['success', 'partial']);
  });
});
