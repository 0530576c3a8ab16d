/**
 * A scheduler stops a pull with SIGTERM (Ctrl-C sends SIGINT): the pull finishes the page it is
 * writing, commits, records the run as interrupted and exits 143 (130); the next pull resumes the
 * round where it stopped and ends equal to the tenant.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { dbState, runCli, runCollections, runsOf, startCli, startWorld, tempDir, truthState, withDb, type World } from './support.js';

const worlds: World[] = [];
afterAll(async () => {
  for (const w of worlds) await w.close();
});

describe('stopping a pull with a signal', () => {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`${signal}: commits what was written, records the run interrupted, exits ${code}; the next pull resumes`, async () => {
      // 200 groups: their members and owners take 20 envelopes, most of them still to come at the kill.
      const world = await startWorld({ latencyMs: 20, tenant: { groups: 200, memberships: 1000 }, graph: { userPageUnits: [5, 15], groupPageUnits: [10, 40] } });
      worlds.push(world);
      const dir = tempDir();
      const db = join(dir, 'entra.db');
      const run = startCli(['pull', '--db', db, '--commit-every', '0'], { env: world.env(), cwd: dir });
      // Killed once the first $batch is answered: the objects are written, their members are not.
      let killed = false;
      world.after = (req) => {
        if (!killed && req.url.pathname.endsWith('/$batch')) {
          killed = true;
          run.child.kill(signal);
        }
      };
      const r = await run.done;
      world.after = undefined;
      expect(r.code).toBe(code);
      expect(r.stderr).toContain(`${signal}: stopping after the current page`);
      const [ledger] = runsOf(db);
      expect(ledger!.outcome).toBe('interrupted');
      expect(Object.values(runCollections(db, ledger!.id)).some((c) => c.outcome === 'interrupted')).toBe(true);
      const committed = dbState(db).entities.length;
      expect(committed).toBeGreaterThan(0);
      const resumeLinks = withDb(db, (d) => d.prepare('SELECT COUNT(*) AS n FROM sync_state WHERE round_next_link IS NOT NULL').get() as { n: number });
      expect(resumeLinks.n).toBeGreaterThan(0);

      const again = await runCli(['pull', '--db', db, '--json'], { env: world.env(), cwd: dir });
      expect(again.code).toBe(0);
      const summary = JSON.parse(again.stdout) as { collections: Record<string, { resumed: boolean }> };
      expect(Object.values(summary.collections).some((c) => c.resumed)).toBe(true);
      expect(dbState(db)).toEqual(truthState(world.tenant));
    });
  }
});
