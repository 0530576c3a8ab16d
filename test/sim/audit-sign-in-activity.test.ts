import { describe, expect, it } from 'vitest';
import { createAuditResource } from '../../src/sim/audit/audit-resource.js';
import { createGraphSim } from '../../src/sim/graph/graph-sim.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import { ORIGIN, fakeVerify, get } from './helpers.js';

const T0 = Date.UTC(2025, 2, 10, 12, 0, 0);
const ROLES = 'Bearer good-AuditLog.Read.All,User.Read.All';
const USERS = `${ORIGIN}/v1.0/users`;

function world(users = 150) {
  const clock = { t: T0 };
  const tenant = generateTenant({ seed: 8, users, groups: 3, memberships: 20, audit: { now: T0 } });
  const graph = createGraphSim({ tenant, verifyBearer: fakeVerify, options: { now: () => clock.t } });
  return { clock, tenant, graph };
}

async function pullUsers(graph: ReturnType<typeof world>['graph'], url: string) {
  const pages: any[] = [];
  let next: string | undefined = url;
  while (next) {
    const r = await get(graph, next, ROLES);
    if (r.status !== 200) throw new Error(`${r.status} ${r.body}`);
    pages.push(r.json);
    next = r.json['@odata.nextLink'];
  }
  return { pages, users: pages.flatMap((p) => p.value) };
}

describe('GET /users?$select=id,signInActivity', () => {
  it('pages through the live users with id and signInActivity only, equal to the truth', async () => {
    const { tenant, graph } = world();
    const victim = [...tenant.users.keys()][3] as string;
    tenant.softDeleteUser(victim);
    const { pages, users } = await pullUsers(graph, `${USERS}?$select=id,signInActivity&$top=40`);
    expect(pages.map((p) => p.value.length)).toEqual([40, 40, 40, 29]);
    expect(pages[0]['@odata.context']).toBe(`${ORIGIN}/v1.0/$metadata#users(id,signInActivity)`);
    expect(pages[0]['@odata.nextLink']).toMatch(/^https:\/\/graph\.sim\.test\/v1\.0\/users\?\$skiptoken=u[0-9a-f]{48}$/);
    for (const u of users) expect(Object.keys(u).sort()).toEqual(['id', 'signInActivity']);
    const truth = tenant.audit.signInActivityTruth();
    expect(truth.has(victim)).toBe(false);
    expect(new Map(users.map((u) => [u.id, u.signInActivity]))).toEqual(truth);
    const values = [...truth.values()];
    expect(values.filter((v) => v === null).length).toBeGreaterThan(0);
    expect(values.some((v) => v?.lastNonInteractiveSignInDateTime === '0001-01-01T00:00:00Z' && v.lastNonInteractiveSignInRequestId === '')).toBe(true);
    expect(values.some((v) => v !== null && v.lastSuccessfulSignInDateTime === null)).toBe(true);
  });

  it('default page size 100; $top above 999 is refused', async () => {
    const { graph } = world();
    expect((await get(graph, `${USERS}?$select=id,signInActivity`, ROLES)).json.value).toHaveLength(100);
    expect((await get(graph, `${USERS}?$select=id,signInActivity&$top=999`, ROLES)).json.value).toHaveLength(150);
    const big = await get(graph, `${USERS}?$select=id,signInActivity&$top=1000`, ROLES);
    expect(big.status).toBe(400);
    expect(big.json.error.code).toBe('Request_UnsupportedQuery');
  });

  it('agrees with the sign-in log: the latest interactive attempt, its id as request id', async () => {
    const { tenant, graph } = world(30);
    const user = [...tenant.users.keys()][5] as string;
    const ok = tenant.audit.addSignIn({ userId: user, createdAt: '2025-03-10T11:59:00.5Z', errorCode: 0 });
    const failed = tenant.audit.addSignIn({ userId: user, createdAt: '2025-03-10T11:59:30Z', errorCode: 50126 });
    const act = tenant.audit.signInActivity(user)!;
    expect(act).toMatchObject({
      lastSignInDateTime: '2025-03-10T11:59:30Z', lastSignInRequestId: failed,
      lastSuccessfulSignInDateTime: '2025-03-10T11:59:00Z', lastSuccessfulSignInRequestId: ok,
    });
    const { users } = await pullUsers(graph, `${USERS}?$select=id,displayName,signInActivity`);
    const got = users.find((u) => u.id === user);
    expect(got).toEqual({ id: user, displayName: tenant.users.get(user)!.props.displayName, signInActivity: act });
    const log = await get(graph, `${ORIGIN}/v1.0/auditLogs/signIns?$filter=${encodeURIComponent('createdDateTime ge 2025-03-10T11:59:00Z')}`, 'Bearer good-AuditLog.Read.All');
    expect(log.json.value.filter((e: any) => e.userId === user).map((e: any) => e.id)).toEqual([failed, ok]);
  });

  it('a new user has signInActivity null until their first sign-in', async () => {
    const { tenant } = world(30);
    const id = tenant.createUser({ displayName: 'Fresh' });
    expect(tenant.audit.signInActivity(id)).toBeNull();
    tenant.audit.addSignIn({ userId: id, createdAt: T0 });
    expect(tenant.audit.signInActivity(id)?.lastSignInDateTime).toBe('2025-03-10T12:00:00Z');
  });

  it('needs AuditLog.Read.All and a users permission, and a premium tenant', async () => {
    const { tenant, graph } = world(30);
    const url = `${USERS}?$select=id,signInActivity`;
    for (const roles of ['AuditLog.Read.All', 'User.Read.All', 'Directory.Read.All']) {
      const r = await get(graph, url, `Bearer good-${roles}`);
      expect(r.status).toBe(403);
      expect(r.json.error.code).toBe('Authorization_RequestDenied');
    }
    expect((await get(graph, url, 'Bearer good-AuditLog.Read.All,Directory.Read.All')).status).toBe(200);
    tenant.audit.setPremium(false);
    const r = await get(graph, url, ROLES);
    expect(r.status).toBe(403);
    expect(r.json.error).toMatchObject({ code: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', message: "Neither tenant is B2C or tenant doesn't have premium license" });
  });

  it('expired or unknown page tokens answer 400; $filter on signInActivity is not modelled', async () => {
    const { tenant, graph } = world();
    const next = (await get(graph, `${USERS}?$select=id,signInActivity&$top=10`, ROLES)).json['@odata.nextLink'];
    expect((await get(graph, next, ROLES)).status).toBe(200);
    tenant.audit.expireSkipTokens();
    const r = await get(graph, next, ROLES);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('Directory_ExpiredPageToken');
    const f = await get(graph, `${USERS}?$filter=${encodeURIComponent('signInActivity/lastSignInDateTime le 2025-01-01T00:00:00Z')}`, ROLES);
    expect(f.status).toBe(400);
  });

  it('leaves other /users requests to other resources', () => {
    const tenant = generateTenant({ seed: 1, users: 5, groups: 1, memberships: 2 });
    const res = createAuditResource(tenant, { seed: 1, now: () => T0 });
    const req = (q: string) => ({ method: 'GET', url: new URL(`${USERS}${q}`), headers: new Headers(), body: '' });
    const ctx = { requestId: 'r', clientRequestId: 'c', date: 'd' };
    const ask = (q: string) => res.handle({ req: req(q), ctx, path: '/users', origin: ORIGIN, roles: ['AuditLog.Read.All', 'User.Read.All'] });
    expect(ask('?$select=id,displayName')).toBeUndefined();
    expect(ask('')).toBeUndefined();
    expect(ask('?$skiptoken=abc')).toBeUndefined();
    expect(ask('?$select=id,signInActivity')?.status).toBe(200);
  });
});
