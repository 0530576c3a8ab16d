import { describe, expect, it } from 'vitest';
import { createGraphSim } from '../../src/sim/graph/graph-sim.js';
import { floorUs, parseInstant } from '../../src/sim/audit/graph-time.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import { ORIGIN, fakeVerify, get } from './helpers.js';

const T0 = Date.UTC(2025, 2, 10, 12, 0, 0);
const us = (iso: string): number => floorUs(parseInstant(iso)!);

describe('sign-in log generation', () => {
  it('generates 300,000 events in a few seconds, compactly, and serves a window of them', async () => {
    const tenant = generateTenant({ seed: 11, users: 3000, groups: 5, memberships: 100, audit: { signIns: 0, now: T0 } });
    const mem0 = process.memoryUsage();
    const started = performance.now();
    tenant.audit.populate({ signIns: 300_000, now: T0 }, 11);
    const elapsed = performance.now() - started;
    const mem1 = process.memoryUsage();
    expect(tenant.audit.stats(T0).signIns).toBe(300_000);
    expect(elapsed).toBeLessThan(4000);
    expect(mem1.heapUsed + mem1.arrayBuffers - mem0.heapUsed - mem0.arrayBuffers).toBeLessThan(150e6);
    const clock = { t: T0 };
    const graph = createGraphSim({ tenant, verifyBearer: fakeVerify, options: { now: () => clock.t } });
    const f = encodeURIComponent('createdDateTime ge 2025-03-09T11:00:00Z and createdDateTime lt 2025-03-09T12:00:00Z');
    let next: string | undefined = `${ORIGIN}/v1.0/auditLogs/signIns?$filter=${f}`;
    const ids: string[] = [];
    while (next) {
      const r = await get(graph, next, 'Bearer good-AuditLog.Read.All');
      ids.push(...r.json.value.map((e: any) => e.id));
      next = r.json['@odata.nextLink'];
    }
    const lo = us('2025-03-09T11:00:00Z');
    const hi = us('2025-03-09T12:00:00Z');
    const truth = tenant.audit.visibleSignIns(T0, { from: '2025-03-09T11:00:00Z', to: '2025-03-09T11:59:59.9999999Z' });
    expect(truth.every((s) => us(s.createdDateTime) >= lo && us(s.createdDateTime) < hi)).toBe(true);
    expect(ids.length).toBeGreaterThan(300);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(truth.map((s) => s.id).sort());
  });

  it('defaults to about 3 events per active user and keeps the directory ids unchanged', () => {
    const plain = generateTenant({ seed: 12, users: 200, groups: 4, memberships: 50, audit: { enabled: false } });
    const withLog = generateTenant({ seed: 12, users: 200, groups: 4, memberships: 50, audit: { now: T0 } });
    expect([...withLog.users.keys()]).toEqual([...plain.users.keys()]);
    expect([...withLog.groups.keys()]).toEqual([...plain.groups.keys()]);
    expect(plain.audit.stats(T0).signIns).toBe(0);
    const st = withLog.audit.stats(T0);
    expect(st.signIns).toBe(3 * st.usersWithActivity);
    expect(st.liveUsersNeverSignedIn).toBeGreaterThan(0);
    const again = generateTenant({ seed: 12, users: 200, groups: 4, memberships: 50, audit: { now: T0 } });
    expect(again.audit.visibleSignIns(T0)).toEqual(withLog.audit.visibleSignIns(T0));
    expect(again.audit.signInActivityTruth()).toEqual(withLog.audit.signInActivityTruth());
  });

  it('random changes add sign-ins, some late, and update signInActivity, deterministically', async () => {
    const make = () => generateTenant({ seed: 13, users: 300, groups: 4, memberships: 50, audit: { now: T0 } });
    const tenant = make();
    const clock = { t: T0 + 3_600_000 };
    createGraphSim({ tenant, verifyBearer: fakeVerify, options: { now: () => clock.t } });
    const before = new Set(tenant.audit.visibleSignIns(clock.t).map((s) => s.id));
    const activityBefore = tenant.audit.signInActivityTruth();
    const res = tenant.randomChanges(0.05, 77);
    expect(res.byKind.signIn).toBeGreaterThan(0);
    expect(res.byKind.signInLate).toBeGreaterThan(0);
    expect(res.byKind.nonInteractiveSignIn).toBeGreaterThan(0);
    const added = (res.byKind.signIn ?? 0) + (res.byKind.signInLate ?? 0);
    expect(tenant.audit.stats().signIns).toBe(tenant.audit.stats(T0).signIns);
    const newestSeen = Math.max(...tenant.audit.visibleSignIns(clock.t).filter((s) => before.has(s.id)).map((s) => us(s.createdDateTime)));
    // Late arrivals: created before events already visible, visible only later.
    const laterVisible = tenant.audit.visibleSignIns(clock.t + 30 * 60_000).filter((s) => !before.has(s.id));
    expect(laterVisible.length).toBe(added);
    expect(laterVisible.some((s) => us(s.createdDateTime) < newestSeen)).toBe(true);
    const activityAfter = tenant.audit.signInActivityTruth();
    const changed = [...activityAfter].filter(([id, v]) => JSON.stringify(v) !== JSON.stringify(activityBefore.get(id)));
    expect(changed.length).toBeGreaterThan(0);
    const twin = make();
    createGraphSim({ tenant: twin, verifyBearer: fakeVerify, options: { now: () => clock.t } });
    twin.randomChanges(0.05, 77);
    expect(twin.audit.visibleSignIns(clock.t + 30 * 60_000)).toEqual(tenant.audit.visibleSignIns(clock.t + 30 * 60_000));
  });
});
