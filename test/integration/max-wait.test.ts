import { afterEach, describe, expect, it } from 'vitest';
import { GraphError } from '../../src/errors/index.js';
import type { TransportEvent } from '../../src/graph/index.js';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import { pullChain, dbFile, expectTruth } from '../support/integration-helpers.js';

/**
 * --max-wait: Graph's Retry-After is never cut short (a request inside the window only earns another
 * 429, https://learn.microsoft.com/graph/throttling). A window longer than the limit fails at once,
 * without waiting and without sending; a shorter one is waited out in full.
 */
let world: SimWorld;
afterEach(() => world?.close());

/** The groups round's second page: the round has begun, and users is far from done. */
const GROUPS_PAGE = /^\/v1\.0\/groups\/delta\?\$skiptoken=/;

function throttledAt(events: { at: number; e: TransportEvent }[]): number {
  const t = events.find((x) => x.e.type === 'throttled');
  expect(t, 'the client saw the 429').toBeDefined();
  return t!.at;
}

describe('a Retry-After longer than --max-wait', () => {
  for (const maxWaitMs of [undefined, 600_000]) {
    it(`Retry-After 900 s, max wait ${maxWaitMs === undefined ? 'by default' : 'given'} (600 s): groups fails at once, nothing is sent into the window`, async () => {
      // Many small users pages: users still has requests to make when groups meets the 429.
      world = createSimWorld({ tenant: { users: 80, groups: 12, memberships: 300 }, graph: { userPageUnits: [3, 6] } });
      const path = dbFile();
      world.graph.faults.add({ path: GROUPS_PAGE, status: 429, headers: { 'Retry-After': '900' } });
      const events: { at: number; e: TransportEvent }[] = [];
      const r = await pullChain(world, path, { onTransportEvent: (e) => events.push({ at: Date.now(), e }), ...(maxWaitMs === undefined ? {} : { maxWaitMs }) });

      // No real waiting.
      expect(r.endedMs - r.startedMs).toBeLessThan(5000);
      const answered429 = world.graph.requests.filter((q) => q.status === 429);
      expect(answered429).toHaveLength(1);
      expect(answered429[0]!.path).toMatch(GROUPS_PAGE);

      expect(r.collections.groups!.outcome).toBe('failed');
      const groupsError = r.errors.find((e) => e.collection === 'groups')!.error as GraphError;
      expect(groupsError).toBeInstanceOf(GraphError);
      expect(groupsError.code).toBe('GRAPH_THROTTLED_TOO_LONG');
      expect(groupsError.message).toContain('Graph asked to wait 900 s');
      expect(groupsError.message).toContain('--max-wait 600 s');
      expect(groupsError.message).toContain(answered429[0]!.path);

      // users fails too, and that is the code's intent: a 429 throttles the app+tenant pair, not one
      // request, so it closes the transport's one shared gate for the server's full 900 s (it is never
      // cut short). users' next request finds 900 s left at the gate, more than --max-wait, and fails
      // without being sent rather than earn another 429 inside the window. Both collections failed:
      // the run is 'failed'.
      expect(r.collections.users!.outcome).toBe('failed');
      const usersError = r.errors.find((e) => e.collection === 'users')!.error as GraphError;
      expect(usersError.code).toBe('GRAPH_THROTTLED_TOO_LONG');
      expect(usersError.message).toMatch(/every request must wait another (899|900) s/);
      expect(usersError.message).toContain('--max-wait 600 s');
      expect(r.outcome).toBe('failed');

      // Nothing reached the simulation once the client had the 429: no request inside its window.
      // (A request already on the wire when the 429 came back is not the client's doing.)
      const seen = throttledAt(events);
      expect(world.graph.requests.filter((q) => q.at > seen)).toEqual([]);
      expect(world.graph.throttle.violations().filter((v) => v.at > seen)).toEqual([]);
      expect(world.graph.throttle.openUntil).toBeGreaterThan(Date.now() + 800_000);
    }, 10_000);
  }
});

describe('a Retry-After within --max-wait', () => {
  it('Retry-After 2 s with max wait 5 s: waited in full, the pull succeeds, no request inside the window', async () => {
    world = createSimWorld({ tenant: { users: 80, groups: 12, memberships: 300 } });
    const path = dbFile();
    world.graph.faults.add({ path: GROUPS_PAGE, status: 429, headers: { 'Retry-After': '2' } });
    const events: { at: number; e: TransportEvent }[] = [];
    const r = await pullChain(world, path, { maxWaitMs: 5000, onTransportEvent: (e) => events.push({ at: Date.now(), e }) });

    expect(r.outcome).toBe('success');
    expect(r.endedMs - r.startedMs).toBeGreaterThanOrEqual(2000);
    expectTruth(path, world.tenant);
    expect(world.graph.throttle.violations()).toEqual([]);
    expect(r.throttled).toBe(1);
    // The same request was sent again only once the window was over.
    const i = world.graph.requests.findIndex((q) => q.status === 429);
    const [throttled, ...later] = world.graph.requests.slice(i);
    const again = later.find((q) => q.path === throttled!.path)!;
    expect(again.status).toBe(200);
    expect(again.at - throttled!.at).toBeGreaterThanOrEqual(2000);
    expect(later.filter((q) => q.at < throttled!.at + 2000 && q.at > throttledAt(events))).toEqual([]);
  });
});
