import { describe, expect, it } from 'vitest';
import { createGraphProfile } from '../../src/sim/graph/graph-profile.js';
import { createGraphSim, type GraphSimOptions } from '../../src/sim/graph/graph-sim.js';
import { listKey } from '../../src/sim/graph/list-key.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import { ALL_ROLES, ORIGIN, fakeVerify, get } from './helpers.js';
import { isAscending, listAll, u } from './list-helpers.js';

/** Paging of the plain listings: live (not a snapshot), server-chosen sizes, expiring tokens, $batch, the profile's counts. */

function setup(options: GraphSimOptions = {}) {
  const tenant = generateTenant({ seed: 41, users: 200, groups: 12, memberships: 900 });
  const sim = createGraphSim({ tenant, verifyBearer: fakeVerify, options });
  return { tenant, sim };
}

const HIGH = 'ffffffff-ffff-4fff-bfff-ffffffffff01';
const LOW = '00000000-0000-4000-8000-000000000001';

describe('a listing is not a snapshot', () => {
  it('continues after the last id served: a user created with a larger id appears, a deleted or smaller one does not, a change shows', async () => {
    const { tenant, sim } = setup();
    const first = await get(sim, u('/users?$select=id,displayName&$top=30'));
    const served: any[] = first.json.value;
    const last = served.at(-1).id as string;
    const ahead = [...tenant.users.keys()].filter((id) => id > last).sort();
    const [deleted, renamed] = [ahead[5]!, ahead[9]!];
    tenant.softDeleteUser(deleted);
    tenant.updateUser(renamed, { displayName: 'Renamed Mid-Listing' });
    tenant.createUser({ displayName: 'Late High' }, HIGH);
    tenant.createUser({ displayName: 'Late Low' }, LOW);
    const rest = await listAll(sim, first.json['@odata.nextLink']);
    const ids = [...served, ...rest.values].map((x) => x.id);
    expect(isAscending(ids)).toBe(true);
    expect(ids).toContain(HIGH);
    expect(ids).not.toContain(LOW);
    expect(ids).not.toContain(deleted);
    expect(rest.values.find((x) => x.id === renamed).displayName).toBe('Renamed Mid-Listing');
    // Everything live now with an id after the first page, and everything of the first page.
    const expectedIds = [...tenant.users.values()].filter((x) => x.state === 'live' && (x.id > last || served.some((s) => s.id === x.id))).map((x) => x.id).sort();
    expect(ids).toEqual(expectedIds);
  });

  it("shows a membership changed before its page is served", async () => {
    const { tenant, sim } = setup();
    const g = [...tenant.groups.values()].sort((a, b) => b.members.size - a.members.size)[0]!;
    expect(g.members.size).toBeGreaterThan(40);
    const first = await get(sim, u(`/groups/${g.id}/members?$select=id&$top=10`));
    const last = first.json.value.at(-1).id as string;
    const removed = [...g.members].filter((m) => m > last).sort()[3]!;
    tenant.removeMember(g.id, removed);
    tenant.createUser({ displayName: 'New Member' }, HIGH);
    tenant.addMember(g.id, { type: 'user', id: HIGH });
    const rest = await listAll(sim, first.json['@odata.nextLink']);
    const ids = [...first.json.value, ...rest.values].map((x) => x.id);
    expect(ids).toContain(HIGH);
    expect(ids).not.toContain(removed);
    expect(new Set(ids)).toEqual(new Set([...g.members].filter((m) => tenant.isLive(m))));
    // The group deleted mid-listing: its next page is a 404.
    const again = await get(sim, u(`/groups/${g.id}/members?$select=id&$top=10`));
    tenant.softDeleteGroup(g.id);
    expect((await get(sim, again.json['@odata.nextLink'])).json.error.code).toBe('Request_ResourceNotFound');
  });
});

describe('page sizes', () => {
  it('are configurable: the default $top, and the share of $top a page holds', async () => {
    const { tenant, sim } = setup({ listing: { defaultTop: 7, pageFill: [1, 1], fullPageRate: 0 } });
    const { pages } = await listAll(sim, u('/users?$select=id'));
    expect(pages.slice(0, -1).every((p) => p.value.length === 7)).toBe(true);
    expect(pages.flatMap((p) => p.value).length).toBe(tenant.stats().users);
    const clamped = setup({ listing: { maxTop: 25, pageFill: [1, 1], fullPageRate: 0 } });
    expect((await get(clamped.sim, u('/users?$top=999'))).json.value.length).toBe(25);
  });
});

describe('skip tokens', () => {
  it('expire after the skip-token TTL and on expireSkipTokens(): 400 Directory_ExpiredPageToken', async () => {
    const clock = { t: Date.UTC(2025, 6, 1) };
    const { tenant, sim } = setup({ now: () => clock.t, skipTokenTtlMs: 60_000 });
    const g = [...tenant.groups.values()].find((x) => x.members.size > 10)!;
    const users = (await get(sim, u('/users?$top=10'))).json['@odata.nextLink'];
    const members = (await get(sim, u(`/groups/${g.id}/members?$select=id&$top=3`))).json['@odata.nextLink'];
    const units = (await get(sim, u('/directory/administrativeUnits?$top=1'), 'Bearer good-AdministrativeUnit.Read.All')).json['@odata.nextLink'];
    expect((await get(sim, users)).status).toBe(200);
    clock.t += 61_000;
    const expired = await get(sim, users);
    expect(expired.status).toBe(400);
    expect(expired.json.error).toMatchObject({ code: 'Directory_ExpiredPageToken', message: 'The specified page token value has expired and can no longer be included in your request.' });
    const fresh = (await get(sim, u('/users?$top=10'))).json['@odata.nextLink'];
    const freshMembers = (await get(sim, u(`/groups/${g.id}/members?$select=id&$top=3`))).json['@odata.nextLink'];
    const freshUnits = (await get(sim, u('/administrativeUnits?$top=1'), 'Bearer good-AdministrativeUnit.Read.All')).json['@odata.nextLink'];
    sim.expireSkipTokens();
    for (const link of [fresh, freshMembers, members]) expect((await get(sim, link)).json.error.code).toBe('Directory_ExpiredPageToken');
    for (const link of [units, freshUnits]) expect((await get(sim, link, 'Bearer good-AdministrativeUnit.Read.All')).json.error.code).toBe('Directory_ExpiredPageToken');
  });

  it('are opaque, good for their own path and options only: other options with $skiptoken are a 400', async () => {
    const { tenant, sim } = setup();
    const next: string = (await get(sim, u('/users?$select=id,displayName&$top=10'))).json['@odata.nextLink'];
    const token = new URL(next).searchParams.get('$skiptoken')!;
    expect(token).toMatch(/^L[A-Za-z0-9_-]{32}$/);
    expect((await get(sim, next)).status).toBe(200);
    for (const changed of [next.replace('$top=10', '$top=20'), next.replace('id,displayName', 'id'), `${next}&$expand=manager`, u(`/users?$skiptoken=${token}`)]) {
      const res = await get(sim, changed);
      expect(res.status, changed).toBe(400);
      expect(res.json.error.code).toBe('Request_BadRequest');
    }
    expect((await get(sim, u(`/groups?$select=id,displayName&$top=10&$skiptoken=${token}`))).json.error.code).toBe('Directory_ExpiredPageToken');
    expect((await get(sim, u('/users?$skiptoken=Lunknown'))).json.error.code).toBe('Directory_ExpiredPageToken');
    // A repeated nextLink (a retry) serves the same continuation.
    const a = await get(sim, next);
    const b = await get(sim, next);
    expect(b.json.value[0].id).toBe(a.json.value[0].id);
    expect(tenant.users.has(a.json.value[0].id)).toBe(true);
  });
});

describe('$batch and the graph profile', () => {
  it('serves $batch sub-requests to /groups/{id}/members with a per-item 404, and the profile counts list pages and items', async () => {
    const { tenant, sim } = setup();
    const profile = createGraphProfile(sim, { latencyMs: 0, rowLatencyMs: 0, ruBudget: 0, reportsLimit: false });
    const withMembers = [...tenant.groups.values()].filter((g) => g.members.size > 5);
    const [live, soft] = [withMembers[0]!, withMembers[1]!];
    tenant.softDeleteGroup(soft.id);
    const body = JSON.stringify({ requests: [
      { id: '1', method: 'GET', url: `/groups/${live.id}/members?$select=id&$top=999` },
      { id: '2', method: 'GET', url: `/groups/${soft.id}/members?$select=id&$top=999` },
      { id: '3', method: 'GET', url: `/groups/${live.id}/owners?$select=id` },
      { id: '4', method: 'GET', url: '/users?$select=id&$top=5' },
      { id: '5', method: 'GET', url: '/groups/11111111-2222-4333-8444-555555555555/members' },
    ] });
    const res = await profile.handle({ method: 'POST', url: new URL(u('/$batch')), headers: new Headers({ authorization: ALL_ROLES, 'content-type': 'application/json' }), body });
    expect(res!.status).toBe(200);
    const byId = new Map<string, any>(JSON.parse(res!.body!).responses.map((r: any) => [r.id, r]));
    expect(byId.get('1').status).toBe(200);
    expect(new Set(byId.get('1').body.value.map((x: any) => x.id))).toEqual(new Set([...live.members].filter((m) => tenant.isLive(m))));
    expect(byId.get('2')).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    expect(byId.get('5')).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
    expect(byId.get('3').status).toBe(200);
    const next: string = byId.get('4').body['@odata.nextLink'];
    expect(next).toMatch(new RegExp(`^${ORIGIN}/v1\\.0/users\\?\\$select=id&\\$top=5&\\$skiptoken=`));
    // The nextLink of a batched page is followed outside the batch, as given.
    const rest = await listAll(sim, next);
    expect(byId.get('4').body.value.length + rest.values.length).toBe(tenant.stats().users);

    const before = profile.stats().list;
    const pages = await (async () => {
      let n = 0;
      let link: string | undefined = u('/users?$select=id&$top=50');
      while (link) {
        const r = await profile.handle({ method: 'GET', url: new URL(link), headers: new Headers({ authorization: ALL_ROLES }), body: '' });
        link = JSON.parse(r!.body!)['@odata.nextLink'];
        n++;
      }
      return n;
    })();
    await profile.handle({ method: 'GET', url: new URL(u('/users/delta?$select=id')), headers: new Headers({ authorization: ALL_ROLES }), body: '' });
    const s = profile.stats();
    expect(s.list.users!.pages - before.users!.pages).toBe(pages);
    expect(s.list.users!.items - before.users!.items).toBe(tenant.stats().users);
    expect(s.list['groups/members']).toEqual({ pages: 1, items: byId.get('1').body.value.length });
    expect(s.list['groups/owners']!.pages).toBe(1);
    expect(s.delta.users!.pages).toBe(1);
    expect(Object.keys(s.list).sort()).toEqual(['groups/members', 'groups/owners', 'users']);
  });

  it('names listings by their path without ids', () => {
    expect(listKey('/v1.0/users')).toBe('users');
    expect(listKey('/v1.0/groups/0a1b2c3d-0000-4000-8000-000000000000/members')).toBe('groups/members');
    expect(listKey('/v1.0/directory/administrativeUnits/0a1b2c3d-0000-4000-8000-000000000000/members/')).toBe('administrativeUnits/members');
    expect(listKey("/v1.0/directoryRoles(roleTemplateId='62e90394-69f5-4237-9190-012177145e10')/members")).toBe('directoryRoles/members');
    expect(listKey('/v1.0/roleManagement/directory/roleAssignments')).toBe('roleManagement/directory/roleAssignments');
    expect(listKey('/v1.0/users/delta')).toBeNull();
    expect(listKey('/v1.0/groups/microsoft.graph.delta()')).toBeNull();
    expect(listKey('/v1.0/$batch')).toBeNull();
  });
});
