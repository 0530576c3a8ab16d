import { describe, expect, it } from 'vitest';
import { createGraphSim } from '../../src/sim/graph/graph-sim.js';
import { Throttle } from '../../src/sim/graph/throttle.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import { ALL_ROLES, ORIGIN, fakeVerify, get } from './helpers.js';

const T0 = Date.UTC(2025, 2, 10, 12, 0, 0);
const AUDIT = 'Bearer good-AuditLog.Read.All';
const SIGN_INS = `${ORIGIN}/v1.0/auditLogs/signIns?$top=5`;
const DELTA = `${ORIGIN}/v1.0/users/delta`;

function world() {
  const clock = { t: T0 };
  const tenant = generateTenant({ seed: 4, users: 40, groups: 2, memberships: 10, audit: { now: T0, signIns: 100 } });
  const graph = createGraphSim({ tenant, verifyBearer: fakeVerify, options: { now: () => clock.t } });
  graph.reportsThrottle.set({ perWindow: { requests: 5, seconds: 10 }, retryAfter: 'integer' });
  return { clock, graph };
}

describe('reports throttle: 5 requests per 10 seconds (graph-facts 3.3)', () => {
  it('answers the 6th request in a sliding window with 429 and Retry-After until the oldest leaves', async () => {
    const { clock, graph } = world();
    for (let i = 0; i < 5; i++) {
      clock.t = T0 + i * 1000;
      expect((await get(graph, SIGN_INS, AUDIT)).status).toBe(200);
    }
    clock.t = T0 + 5300;
    const r = await get(graph, SIGN_INS, AUDIT);
    expect(r.status).toBe(429);
    expect(r.headers!['retry-after']).toBe('5'); // the request at T0 leaves at T0 + 10 s: 4.7 s, rounded up
    expect(r.json.error.code).toBe('TooManyRequests');
    expect(graph.reportsThrottle.violations()).toHaveLength(0);
    // The identity scope has a budget of its own.
    expect((await get(graph, DELTA, ALL_ROLES)).status).toBe(200);
    clock.t = T0 + 8000;
    expect((await get(graph, SIGN_INS, AUDIT)).status).toBe(429);
    expect(graph.reportsThrottle.violations()).toMatchObject([{ at: T0 + 8000, windowEnd: T0 + 10_300 }]);
    expect(graph.throttle.violations()).toHaveLength(0);
    // The violation reopened the window for 1 s (retryAfter 'integer' default); after it, a slot is free.
    clock.t = graph.reportsThrottle.openUntil;
    expect((await get(graph, SIGN_INS, AUDIT)).status).toBe(200);
    // Now T0+1s..T0+4s and this one are in the window: the next waits for T0+1s to leave.
    clock.t += 200;
    const again = await get(graph, SIGN_INS, AUDIT);
    expect(again.status).toBe(429);
    expect(Number(again.headers!['retry-after'])).toBe(Math.ceil((T0 + 11_000 - clock.t) / 1000));
    expect(graph.reportsThrottle.violations()).toHaveLength(1);
  });

  it('a client that honours Retry-After is never a violation and gets 5 requests per 10 s', async () => {
    const { clock, graph } = world();
    let ok = 0;
    const start = clock.t;
    while (clock.t < start + 60_000) {
      const r = await get(graph, SIGN_INS, AUDIT);
      if (r.status === 200) {
        ok++;
        clock.t += 137;
      } else {
        expect(r.status).toBe(429);
        clock.t += Number(r.headers!['retry-after']) * 1000;
      }
    }
    expect(graph.reportsThrottle.violations()).toHaveLength(0);
    expect(ok).toBeGreaterThanOrEqual(30);
    expect(ok).toBeLessThanOrEqual(35);
  });

  it('decimal Retry-After is exact; the identity throttle does not touch the reports scope', async () => {
    const { clock, graph } = world();
    graph.reportsThrottle.set({ perWindow: { requests: 5, seconds: 10 }, retryAfter: 'decimal' });
    graph.throttle.set({ every: 1, retryAfter: 'integer', seconds: 30 });
    expect((await get(graph, DELTA, ALL_ROLES)).status).toBe(429);
    for (let i = 0; i < 5; i++) expect((await get(graph, SIGN_INS, AUDIT)).status).toBe(200);
    clock.t += 2345;
    const r = await get(graph, SIGN_INS, AUDIT);
    expect(r.headers!['retry-after']).toBe('7.655');
    expect(graph.throttle.violations()).toHaveLength(0);
  });

  it('keeps the every-N mode unchanged and can combine both', () => {
    const clock = { t: 1000 };
    const th = new Throttle(() => clock.t, 1);
    th.set({ every: 3, retryAfter: 'integer', seconds: 2 });
    expect([th.check('/a'), th.check('/a'), th.check('/a')?.retryAfter]).toEqual([undefined, undefined, '2']);
    const c = { t: 0 };
    const both = new Throttle(() => c.t, 1);
    both.set({ every: 3, perWindow: { requests: 2, seconds: 10 }, retryAfter: 'integer' });
    expect([both.check('/r'), both.check('/r')]).toEqual([undefined, undefined]);
    c.t = 100;
    expect(both.check('/r')).toEqual({ retryAfter: '10', violation: false }); // window full: not counted by every-N
    c.t = 10_100;
    expect(both.check('/r')).toEqual({ retryAfter: '1', violation: false }); // the 3rd counted request
    c.t = 11_100;
    expect(both.check('/r')).toBeUndefined();
    expect(both.violations()).toEqual([]);
  });
});
