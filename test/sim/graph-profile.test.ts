import { describe, expect, it } from 'vitest';
import { createGraphProfile } from '../../src/sim/graph/graph-profile.js';
import { createGraphSim } from '../../src/sim/graph/graph-sim.js';
import { RuBudget, resourceUnitCost } from '../../src/sim/graph/ru-budget.js';
import type { SimRequest } from '../../src/sim/sim-http.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import { ALL_ROLES, ORIGIN, fakeVerify } from './helpers.js';

function setup(clock: { t: number }) {
  const tenant = generateTenant({ seed: 2, users: 100, groups: 5, memberships: 200 });
  return createGraphSim({ tenant, verifyBearer: fakeVerify, options: { now: () => clock.t } });
}

function req(url: string, method = 'GET', body = ''): SimRequest {
  return { method, url: new URL(url), headers: new Headers({ authorization: `${ALL_ROLES},Directory.Read.All` }), body };
}

const noSleep = () => Promise.resolve();

describe('resource-unit cost table (graph-facts 3.2)', () => {
  it.each([
    ['GET', '/users', '', 2],
    ['GET', '/users', '?$select=id,displayName', 1],
    ['GET', '/users/delta', '', 1],
    ['GET', '/groups/delta', '?$select=members', 1],
    ['GET', '/groups/g1/members', '', 3],
    ['GET', '/groups/g1/members', '?$expand=x', 4],
    ['GET', '/groups/g1/transitiveMembers', '?$top=10', 4],
    ['GET', '/groups/g1/transitiveMembers', '?$top=999', 5],
    ['GET', '/applications', '', 2],
    ['GET', '/servicePrincipals', '', 1],
    ['GET', '/servicePrincipals/s1/appRoleAssignments', '', 2],
    ['GET', '/oauth2PermissionGrants', '', 2],
    ['GET', '/subscribedSkus', '', 3],
    ['GET', '/users/u1/memberOf', '', 2],
    ['POST', '/directoryObjects/getByIds', '', 3],
    ['GET', '/directoryRoles', '?$select=id&$top=5', 1],
  ])('%s %s%s costs %i', (method, path, search, cost) => {
    expect(resourceUnitCost(method, path, search)).toBe(cost);
  });
});

describe('RuBudget', () => {
  it('refills, answers a Retry-After that, waited, lets the request through, and counts early retries', () => {
    const clock = { t: 1_000_000 };
    const b = new RuBudget(() => clock.t, 100);
    for (let i = 0; i < 50; i++) expect(b.take(2, '/users').ok).toBe(true);
    const refused = b.take(3, '/groups/g/members');
    expect(refused.ok).toBe(false);
    // A refused request still counts against usage (graph-facts 3.1): the bucket is at -3, and
    // 100 RU per 10 s = 0.01 RU per ms refills the 6 RU that pay for the retry in 600 ms.
    expect(refused.retryAfter).toBe('0.600');
    expect(refused.windowEnd).toBe(1_000_600);
    // A request that arrives while the 429 is still on its way to the client is refused, but the
    // client could not have known: no violation. (It pays, and pushes the window out by 300 ms.)
    clock.t += 50;
    expect(b.take(3, '/groups/g/members').ok).toBe(false);
    expect(b.violations()).toHaveLength(0);
    b.delivered(refused);
    // Within the grace after delivery: still on its way. After it: an early retry.
    clock.t += 20;
    expect(b.take(3, '/groups/g/members').ok).toBe(false);
    expect(b.violations()).toHaveLength(0);
    clock.t += 30;
    expect(b.take(3, '/groups/g/members').ok).toBe(false);
    expect(b.violations()).toEqual([{ at: 1_000_100, windowEnd: 1_001_200, path: '/groups/g/members' }]);
    // After the window the client was told of, though before the one it was not told of: no violation.
    clock.t = 1_000_600;
    expect(b.take(3, '/groups/g/members').ok).toBe(false);
    expect(b.violations()).toHaveLength(1);
    clock.t = b.openUntil;
    expect(b.take(3, '/groups/g/members').ok).toBe(true);
    // 100, then 3 for each of the five refused requests and 3 for the one served.
    expect(b.used).toBe(118);
    expect(b.refused).toBe(5);
    expect(b.refusedAt).toEqual([1_000_000, 1_000_050, 1_000_070, 1_000_100, 1_000_600]);
    expect(b.servedAt).toHaveLength(51);
    clock.t += 10_000;
    expect(b.available()).toBe(100);
  });
});

describe('graph profile', () => {
  it('is off by default: no RU header, no reports limit', async () => {
    const clock = { t: 1_700_000_000_000 };
    const sim = setup(clock);
    const res = (await sim.handle(req(`${ORIGIN}/v1.0/users/delta`)))!;
    expect(res.status).toBe(200);
    expect(res.headers!['x-ms-resource-unit']).toBeUndefined();
    for (let i = 0; i < 8; i++) expect((await sim.handle(req(`${ORIGIN}/v1.0/auditLogs/signIns`)))!.status).not.toBe(429);
  });

  it('charges RU with x-ms-resource-unit, answers 429 when the bucket is empty, and counts stats', async () => {
    const clock = { t: 1_700_000_000_000 };
    const sim = setup(clock);
    const p = createGraphProfile(sim, { latencyMs: 0, rowLatencyMs: 0, ruBudget: 4, now: () => clock.t, sleep: noSleep });
    const a = (await p.handle(req(`${ORIGIN}/v1.0/oauth2PermissionGrants`)))!;
    expect(a.status).toBe(200);
    expect(a.headers!['x-ms-resource-unit']).toBe('2');
    expect((await p.handle(req(`${ORIGIN}/v1.0/users/delta`)))!.headers!['x-ms-resource-unit']).toBe('1');
    expect((await p.handle(req(`${ORIGIN}/v1.0/users/delta`)))!.headers!['x-ms-throttle-limit-percentage']).toBe('1.00');
    const t = (await p.handle(req(`${ORIGIN}/v1.0/oauth2PermissionGrants`)))!;
    expect(t.status).toBe(429);
    // The refused request is charged too (the bucket at -2): 4 RU per 10 s refill the 4 RU in 10 s.
    expect(t.headers!['retry-after']).toBe('10.000');
    expect(JSON.parse(t.body!).error.code).toBe('TooManyRequests');
    clock.t += 1000;
    expect((await p.handle(req(`${ORIGIN}/v1.0/oauth2PermissionGrants`)))!.status).toBe(429);
    clock.t = p.budget!.openUntil;
    expect((await p.handle(req(`${ORIGIN}/v1.0/oauth2PermissionGrants`)))!.status).toBe(200);
    const s = p.stats();
    // 2 + 1 + 1 served, 2 + 2 refused (still counted), 2 served after the window.
    expect(s).toMatchObject({ ruUsed: 10, throttled: 2, ruRefused: 2, ruViolations: 1, violations: 1 });
    expect(s.delta.users!.pages).toBe(2);
    expect(s.delta.users!.items).toBeGreaterThan(0);
  });

  it('charges and refuses $batch items one by one in a 200 envelope', async () => {
    const clock = { t: 1_700_000_000_000 };
    const sim = setup(clock);
    const p = createGraphProfile(sim, { latencyMs: 0, rowLatencyMs: 0, ruBudget: 3, now: () => clock.t, sleep: noSleep });
    const body = JSON.stringify({ requests: [{ id: '1', method: 'GET', url: '/oauth2PermissionGrants' }, { id: '2', method: 'GET', url: '/oauth2PermissionGrants' }] });
    const res = (await p.handle(req(`${ORIGIN}/v1.0/$batch`, 'POST', body)))!;
    expect(res.status).toBe(200);
    const rs = (JSON.parse(res.body!) as { responses: { id: string; status: number; headers: Record<string, string> }[] }).responses;
    const byId = Object.fromEntries(rs.map((r) => [r.id, r]));
    expect(byId['1']!.status).toBe(200);
    expect(byId['1']!.headers['x-ms-resource-unit']).toBe('2');
    expect(byId['2']!.status).toBe(429);
    expect(Number(byId['2']!.headers['retry-after'])).toBeGreaterThan(0);
    // The refused item is counted against usage as well.
    expect(p.stats()).toMatchObject({ ruUsed: 4, throttled: 1 });
  });

  it('sets the reports limit of 5 requests per 10 s', async () => {
    const clock = { t: 1_700_000_000_000 };
    const sim = setup(clock);
    const p = createGraphProfile(sim, { latencyMs: 0, rowLatencyMs: 0, now: () => clock.t, sleep: noSleep });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await p.handle(req(`${ORIGIN}/v1.0/auditLogs/signIns`)))!.status);
    expect(statuses.slice(0, 5).every((s) => s !== 429)).toBe(true);
    expect(statuses[5]).toBe(429);
  });

  it('adds latency per request and per item', async () => {
    const clock = { t: 1_700_000_000_000 };
    const sim = setup(clock);
    const p = createGraphProfile(sim, { latencyMs: 30, rowLatencyMs: 0.2, ruBudget: 0, now: () => clock.t });
    const t0 = performance.now();
    const res = (await p.handle(req(`${ORIGIN}/v1.0/users/delta`)))!;
    const elapsed = performance.now() - t0;
    const items = (res.body!.match(/"id":/g) ?? []).length;
    expect(items).toBeGreaterThan(10);
    expect(elapsed).toBeGreaterThanOrEqual(30 + 0.2 * items - 2);
    expect(p.stats().latencyAddedMs).toBe(Math.round(30 + 0.2 * items));
  });
});
