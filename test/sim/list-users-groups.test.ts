import { describe, expect, it } from 'vitest';
import { createGraphSim } from '../../src/sim/graph/graph-sim.js';
import { GROUP_DEFAULT, USER_DEFAULT } from '../../src/sim/graph/properties.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import type { Tenant } from '../../src/sim/tenant/tenant.js';
import { ORIGIN, fakeVerify, get } from './helpers.js';
import { isAscending, listAll, u } from './list-helpers.js';

/** GET /users, /groups, /groups/{id}/members|owners of the simulation (tenant-list-resource.ts). */

function setup() {
  const tenant = generateTenant({ seed: 31, users: 300, groups: 25, memberships: 1500, nestedRatio: 0.05 });
  const sim = createGraphSim({ tenant, verifyBearer: fakeVerify });
  return { tenant, sim };
}

/** The object a list must serve: id, then each selected property, null when it has none. */
const expected = (id: string, props: Record<string, unknown>, names: string[]) =>
  Object.fromEntries([['id', id], ...names.map((n) => [n, props[n] ?? null])]);

const liveUsers = (t: Tenant) => [...t.users.values()].filter((x) => x.state === 'live');

describe('GET /users', () => {
  const names = ['displayName', 'jobTitle', 'department', 'employeeId', 'accountEnabled'];

  it('lists every live user once, in id order, on server-chosen pages of at most $top, whole objects with null for a cleared property', async () => {
    const { tenant, sim } = setup();
    const withTitle = liveUsers(tenant).find((x) => x.props.jobTitle)!.id;
    tenant.updateUser(withTitle, { jobTitle: null });
    const soft = liveUsers(tenant)[7]!.id;
    tenant.softDeleteUser(soft);
    const { values, pages } = await listAll(sim, u(`/users?$select=${names.join(',')}&$top=40`));
    const sizes = pages.map((p) => p.value.length);
    expect(sizes.every((n) => n <= 40)).toBe(true);
    expect(sizes.slice(0, -1).every((n) => n >= 24)).toBe(true);
    expect(sizes.some((n) => n === 40) && sizes.slice(0, -1).some((n) => n < 40)).toBe(true);
    expect(isAscending(values.map((x) => x.id))).toBe(true);
    const want = liveUsers(tenant).map((x) => expected(x.id, x.props, names)).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(values).toEqual(want);
    expect(values.find((x) => x.id === withTitle)).toHaveProperty('jobTitle', null);
    expect(values.some((x) => x.id === soft)).toBe(false);
    expect(pages[0]['@odata.context']).toBe(`${ORIGIN}/v1.0/$metadata#users(${names.join(',')})`);
    expect(pages[0]['@odata.nextLink']).toMatch(new RegExp(`^${ORIGIN}/v1\\.0/users\\?\\$select=${names.join(',')}&\\$top=40&\\$skiptoken=L[A-Za-z0-9_-]{32}$`));
    expect(pages.at(-1)['@odata.nextLink']).toBeUndefined();
  });

  it('returns the default property set and 100 a page without $select and $top, and clamps $top above 999', async () => {
    const { tenant, sim } = setup();
    const first = await get(sim, u('/users'));
    expect(first.status).toBe(200);
    expect(first.json.value.length).toBeLessThanOrEqual(100);
    expect(first.json.value.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(first.json.value[0])).toEqual(['id', ...USER_DEFAULT]);
    const all = await get(sim, u('/users?$select=id&$top=5000'));
    expect(all.json.value.length).toBe(liveUsers(tenant).length);
    expect(all.json['@odata.nextLink']).toBeUndefined();
    expect(Object.keys(all.json.value[0])).toEqual(['id']);
  });

  it('expands the manager: type and id with $select=id, absent when the user has none or it is deleted', async () => {
    const { tenant, sim } = setup();
    const reports = liveUsers(tenant).filter((x) => tenant.effectiveManager(x.id) !== null);
    expect(reports.length).toBeGreaterThan(20);
    const goneBoss = reports[0]!;
    const boss = tenant.effectiveManager(goneBoss.id)!;
    tenant.softDeleteUser(boss);
    const { values } = await listAll(sim, u('/users?$select=id,displayName&$top=999&$expand=manager($select=id)'));
    for (const x of values) {
      const m = tenant.effectiveManager(x.id);
      if (m === null) expect(x).not.toHaveProperty('manager');
      else expect(x.manager).toEqual({ '@odata.type': '#microsoft.graph.user', id: m });
    }
    expect(values.find((x) => x.id === goneBoss.id)).not.toHaveProperty('manager');
    expect(values.filter((x) => x.manager).length).toBeGreaterThan(10);
    const full = await listAll(sim, u('/users?$select=displayName&$expand=manager'));
    const withManager = full.values.find((x) => x.manager)!;
    expect(withManager.manager).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: tenant.effectiveManager(withManager.id), displayName: expect.any(String) });
  });

  it('refuses other options, unknown and navigation properties, and a token without a user permission', async () => {
    const { sim } = setup();
    for (const [query, status, code] of [
      ['$filter=id eq \'x\'', 400, 'Request_BadRequest'], ['$orderby=displayName', 400, 'Request_BadRequest'], ['$count=true', 400, 'Request_BadRequest'],
      ['$search="a"', 400, 'Request_BadRequest'], ['$skip=5', 400, 'Request_BadRequest'], ['foo=bar', 400, 'Request_BadRequest'],
      ['$select=id,nonsense', 400, 'Request_BadRequest'], ['$select=id,manager', 400, 'Request_BadRequest'], ['$expand=memberOf', 400, 'Request_BadRequest'],
      ['$expand=manager($filter=x)', 400, 'Request_BadRequest'], ['$top=0', 400, 'Request_BadRequest'], ['$top=ten', 400, 'Request_BadRequest'],
      // user-list: these properties come only with a single user; a collection answers 501.
      ['$select=id,aboutMe', 501, 'NotImplemented'], ['$select=skills', 501, 'NotImplemented'],
    ] as const) {
      const res = await get(sim, u(`/users?${query}`));
      expect(res.status, query).toBe(status);
      expect(res.json.error.code, query).toBe(code);
      expect(res.json.error.innerError['request-id']).toEqual(expect.any(String));
    }
    expect((await get(sim, u('/users?$select=id,nonsense'))).json.error.message).toBe("Could not find a property named 'nonsense' on type 'microsoft.graph.user'.");
    const denied = await get(sim, u('/users'), 'Bearer good-GroupMember.Read.All');
    expect(denied.status).toBe(403);
    expect(denied.json.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
    expect((await get(sim, u('/users'), 'Bearer good-Directory.Read.All')).status).toBe(200);
    expect((await get(sim, u('/users'), null)).status).toBe(401);
    const post = await sim.handle({ method: 'POST', url: new URL(u('/users')), headers: new Headers({ authorization: 'Bearer good-User.Read.All' }), body: '{}' });
    expect(post!.status).toBe(405);
  });
});

describe('GET /groups and their members and owners', () => {
  it('lists every live group with the selected properties; members and owners cannot be selected', async () => {
    const { tenant, sim } = setup();
    const names = ['displayName', 'description', 'mailEnabled', 'groupTypes', 'membershipRule'];
    const soft = [...tenant.groups.keys()][3]!;
    tenant.softDeleteGroup(soft);
    const cleared = [...tenant.groups.values()].find((g) => g.state === 'live' && g.props.description)!.id;
    tenant.updateGroup(cleared, { description: null });
    const { values, pages } = await listAll(sim, u(`/groups?$select=${names.join(',')}&$top=4`));
    expect(pages.length).toBeGreaterThan(5);
    const want = [...tenant.groups.values()].filter((g) => g.state === 'live').map((g) => expected(g.id, g.props, names)).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(values).toEqual(want);
    expect(values.find((g) => g.id === cleared).description).toBeNull();
    expect(Object.keys((await get(sim, u('/groups'))).json.value[0])).toEqual(['id', ...GROUP_DEFAULT]);
    for (const q of ['$select=id,members', '$select=owners', '$expand=members', '$filter=id eq \'x\'']) expect((await get(sim, u(`/groups?${q}`))).status, q).toBe(400);
    expect((await get(sim, u('/groups'), 'Bearer good-User.Read.All')).status).toBe(403);
    expect((await get(sim, u('/groups'), 'Bearer good-Group.Read.All')).status).toBe(200);
  });

  it("lists each group's live members and owners as directoryObjects, equal to the tenant's truth", async () => {
    const { tenant, sim } = setup();
    // A soft-deleted member keeps its membership (delta-query-groups) but is not listed.
    const someMember = [...tenant.groups.values()].flatMap((g) => [...g.members]).find((m) => tenant.typeOf(m) === 'user')!;
    tenant.softDeleteUser(someMember);
    const truth = tenant.truth();
    const got = new Set<string>();
    const types = new Set<string>();
    for (const g of tenant.groups.values()) {
      if (g.state !== 'live') continue;
      for (const rel of ['members', 'owners'] as const) {
        const { values } = await listAll(sim, u(`/groups/${g.id}/${rel}?$select=id&$top=7`));
        expect(isAscending(values.map((x) => x.id))).toBe(true);
        for (const x of values) {
          expect(Object.keys(x)).toEqual(['@odata.type', 'id']);
          types.add(x['@odata.type']);
          got.add(`${rel === 'members' ? 'memberOf' : 'ownerOf'}|${x.id}|${g.id}|${x['@odata.type']}`);
        }
      }
    }
    const want = new Set(truth.relations.filter((r) => r.relation !== 'reportsTo').map((r) => `${r.relation}|${r.sourceId}|${r.targetId}|#microsoft.graph.${r.sourceType}`));
    expect(got).toEqual(want);
    expect([...types].sort()).toEqual(['#microsoft.graph.device', '#microsoft.graph.group', '#microsoft.graph.servicePrincipal', '#microsoft.graph.user']);
    expect([...got].some((k) => k.includes(someMember))).toBe(false);
  });

  it('renders members with the properties of their type and the default set without $select', async () => {
    const { tenant, sim } = setup();
    const g = [...tenant.groups.values()].find((x) => [...x.members].some((m) => tenant.typeOf(m) === 'servicePrincipal'))!;
    const { values } = await listAll(sim, u(`/groups/${g.id}/members?$select=id,displayName,userPrincipalName,groupTypes`));
    const user = values.find((x) => x['@odata.type'] === '#microsoft.graph.user');
    expect(user).toEqual({ '@odata.type': '#microsoft.graph.user', id: user.id, displayName: tenant.users.get(user.id)!.props.displayName,
      userPrincipalName: tenant.users.get(user.id)!.props.userPrincipalName });
    const sp = values.find((x) => x['@odata.type'] === '#microsoft.graph.servicePrincipal');
    expect(sp).toEqual({ '@odata.type': '#microsoft.graph.servicePrincipal', id: sp.id, displayName: expect.any(String) });
    const plain = await get(sim, u(`/groups/${g.id}/members`));
    const plainUser = plain.json.value.find((x: any) => x['@odata.type'] === '#microsoft.graph.user');
    expect(Object.keys(plainUser)).toEqual(['@odata.type', 'id', ...USER_DEFAULT]);
    expect(plain.json['@odata.context']).toBe(`${ORIGIN}/v1.0/$metadata#directoryObjects`);
    expect((await get(sim, u(`/groups/${g.id}/members?$select=id,nonsense`))).status).toBe(400);
    expect((await get(sim, u(`/groups/${g.id}/members?$select=members`))).status).toBe(400);
    expect((await get(sim, u(`/groups/${g.id}/owners?$expand=x`))).status).toBe(400);
  });

  it('answers 404 Request_ResourceNotFound for an unknown, soft-deleted or permanently deleted group', async () => {
    const { tenant, sim } = setup();
    const [soft, hard] = [...tenant.groups.keys()] as [string, string];
    tenant.softDeleteGroup(soft);
    tenant.hardDeleteGroup(hard);
    const unknown = '11111111-2222-4333-8444-555555555555';
    for (const id of [soft, hard, unknown]) {
      for (const rel of ['members', 'owners']) {
        const res = await get(sim, u(`/groups/${id}/${rel}?$select=id`));
        expect(res.status).toBe(404);
        expect(res.json.error).toMatchObject({ code: 'Request_ResourceNotFound', message: `Resource '${id}' does not exist or one of its queried reference-property objects are not present.` });
      }
    }
    tenant.restoreGroup(soft);
    expect((await get(sim, u(`/groups/${soft}/members?$select=id`))).status).toBe(200);
    expect((await get(sim, u('/groups/not-a-guid/members'))).status).toBe(400);
    expect((await get(sim, u(`/groups/${soft}/members`), 'Bearer good-User.Read.All')).status).toBe(403);
  });
});
