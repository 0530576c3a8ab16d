import { afterEach, describe, expect, it } from 'vitest';
import type { CollectionProgress } from '../../src/pull/sync-collection.js';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import { dbFile, expectTruth, pull, readDb, syncStateRow } from '../support/integration-helpers.js';

/**
 * An expired or unknown delta token is documented as "a 40X-series error"
 * (https://learn.microsoft.com/graph/delta-query-overview), not only 410 Gone or 400 with
 * syncStateNotFound / resyncRequired (resync.test.ts). A saved deltaLink refused with any other 400
 * code, a 404 or a 422 must not wedge the collection run after run: the pull resyncs that collection
 * in full, says so, and the run after is incremental again.
 */
let world: SimWorld;
afterEach(() => world?.close());

const SAVED_USERS_LINK = /^\/v1\.0\/users\/delta\?\$deltatoken=/;

describe('a saved deltaLink refused with another 4xx → a full resync of that collection', () => {
  const cases = [
    { status: 400, graphCode: 'Request_BadRequest' },
    { status: 404, graphCode: 'Request_ResourceNotFound' },
    { status: 422, graphCode: 'UnprocessableEntity' },
  ];
  for (const { status, graphCode } of cases) {
    it(`${status} ${graphCode}: resyncs users in full with a warning, equals the truth; the next pull is delta`, async () => {
      world = createSimWorld({ tenant: { users: 80, groups: 12, memberships: 300 } });
      const path = dbFile();
      expect((await pull(world, path)).outcome).toBe('success');
      const savedLink = syncStateRow(path, 'users')!.delta_link;
      expect(savedLink).toMatch(/\$deltatoken=/);
      world.tenant.randomChanges(0.05, 4711);
      world.graph.faults.add({ path: SAVED_USERS_LINK, status, graphCode });
      const logged = world.graph.requests.length;

      const events: CollectionProgress[] = [];
      const r = await pull(world, path, { onProgress: (p) => events.push(p) });
      // The saved link was really sent and refused.
      const refused = world.graph.requests.slice(logged).filter((q) => SAVED_USERS_LINK.test(q.path));
      expect(refused.map((q) => q.status)).toEqual([status]);
      expect(world.graph.faults.pending()).toBe(0);

      expect(r.outcome).toBe('success');
      expect(r.collections.users).toMatchObject({ outcome: 'success', mode: 'full', resyncs: 1 });
      expect(r.collections.users!.fullReason).toContain(String(status));
      expect(r.collections.users!.fullReason).toContain(graphCode);
      // Only users was refused: groups stays incremental.
      expect(r.collections.groups).toMatchObject({ outcome: 'success', mode: 'delta', resyncs: 0 });
      const warnings = events.filter((e) => e.collection === 'users' && e.event === 'warning');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.detail).toContain(graphCode);
      expect(warnings[0]!.detail).toContain(String(status));
      expectTruth(path, world.tenant);
      const ledger = readDb(path, (db) => db.prepare("SELECT mode, resyncs, full_reason FROM run_collections WHERE run_id = ? AND collection = 'users'").get(r.runId)) as {
        mode: string; resyncs: number; full_reason: string;
      };
      expect(ledger).toMatchObject({ mode: 'full', resyncs: 1 });
      expect(ledger.full_reason).toContain(String(status));

      // The resync saved a fresh deltaLink: the pull after is incremental again.
      const fresh = syncStateRow(path, 'users')!.delta_link;
      expect(fresh).toMatch(/\$deltatoken=/);
      expect(fresh).not.toBe(savedLink);
      world.tenant.randomChanges(0.02, 4712);
      const next = await pull(world, path);
      expect(next.outcome).toBe('success');
      expect(next.collections.users).toMatchObject({ mode: 'delta', resyncs: 0 });
      expectTruth(path, world.tenant);
    });
  }
});
