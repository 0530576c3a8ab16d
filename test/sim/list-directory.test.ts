import { describe, expect, it } from 'vitest';
import { ADMINISTRATIVE_UNIT_PROPERTIES, DIRECTORY_ROLE_PROPERTIES } from '../../src/sim/directory/catalogs.js';
import { createGraphSim, type GraphSimOptions } from '../../src/sim/graph/graph-sim.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import { ORIGIN, fakeVerify, get } from './helpers.js';
import { isAscending, listAll, u } from './list-helpers.js';

/** Plain listings of administrative units, directory roles and their members (directory-listings.ts). */

const UNITS = 'Bearer good-AdministrativeUnit.Read.All';
const HIDDEN = 'Bearer good-AdministrativeUnit.Read.All,Member.Read.Hidden';
const ROLES = 'Bearer good-RoleManagement.Read.Directory';
const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';

function setup(size = { users: 150, groups: 10, memberships: 400 }, options: GraphSimOptions = {}) {
  const tenant = generateTenant({ seed: 51, ...size, directory: { administrativeUnits: 6, unitMemberships: 120 } });
  const sim = createGraphSim({ tenant, verifyBearer: fakeVerify, options });
  return { tenant, d: tenant.directory, sim };
}

const expected = (id: string, props: Record<string, unknown>, names: string[]) =>
  Object.fromEntries([['id', id], ...names.map((n) => [n, props[n] ?? null])]);

/** Relations of the directory's truth as `memberOf|member|parent|@odata.type`. */
function truthMembers(d: ReturnType<typeof setup>['d'], parentType: string, hidden = true): Set<string> {
  return new Set(d.truth({ memberReadHidden: hidden }).relations.filter((r) => r.relation === 'memberOf' && r.targetType === parentType)
    .map((r) => `${r.sourceId}|${r.targetId}|#microsoft.graph.${r.sourceType}`));
}

describe('administrative units', () => {
  it('are listed at /administrativeUnits and /directory/administrativeUnits, paged, live ones only, whole objects', async () => {
    const { d, sim } = setup();
    const [soft, cleared] = [...d.units.recs.keys()] as [string, string];
    d.softDeleteAdministrativeUnit(soft);
    d.updateAdministrativeUnit(cleared, { description: null });
    const want = [...d.units.recs.values()].filter((x) => x.state === 'live')
      .map((x) => expected(x.id, x.props, ADMINISTRATIVE_UNIT_PROPERTIES)).sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const path of ['/administrativeUnits', '/directory/administrativeUnits']) {
      const { values, pages } = await listAll(sim, u(`${path}?$top=2`), UNITS);
      expect(pages.length).toBeGreaterThanOrEqual(3);
      expect(pages[0]['@odata.nextLink']).toMatch(new RegExp(`^${ORIGIN}/v1\\.0${path}\\?\\$top=2&\\$skiptoken=`));
      expect(values).toEqual(want);
    }
    expect(want.find((x) => x.id === cleared)!.description).toBeNull();
    const some = await get(sim, u('/directory/administrativeUnits?$select=id,displayName'), UNITS);
    expect(Object.keys(some.json.value[0])).toEqual(['id', 'displayName']);
    for (const q of ['$select=id,members', '$select=membershipRule', '$expand=members', '$filter=id eq \'x\'']) {
      expect((await get(sim, u(`/administrativeUnits?${q}`), UNITS)).status, q).toBe(400);
    }
    expect((await get(sim, u('/administrativeUnits'), 'Bearer good-User.Read.All')).status).toBe(403);
    expect((await get(sim, u('/directory/administrativeUnits'), 'Bearer good-Directory.Read.All')).status).toBe(200);
  });

  it("list their live members, equal to the truth; a hidden unit's members need Member.Read.Hidden (403 without)", async () => {
    const { d, sim } = setup();
    const units = [...d.units.recs.values()];
    const hidden = units.find((x) => x.props.visibility === 'HiddenMembership')!;
    expect(hidden.links.size).toBeGreaterThan(0);
    const member = [...units.find((x) => x !== hidden && x.links.size > 3)!.links].find((m) => d.typeOf(m) === 'user')!;
    d.tenant.softDeleteUser(member);
    const got = new Set<string>();
    for (const unit of units) {
      const { values } = await listAll(sim, u(`/directory/administrativeUnits/${unit.id}/members?$select=id&$top=4`), HIDDEN);
      expect(isAscending(values.map((x) => x.id))).toBe(true);
      for (const x of values) got.add(`${x.id}|${unit.id}|${x['@odata.type']}`);
    }
    expect(got).toEqual(truthMembers(d, 'administrativeUnit'));
    expect([...got].some((k) => k.startsWith(member))).toBe(false);
    for (const path of [`/directory/administrativeUnits/${hidden.id}/members?$select=id`, `/administrativeUnits/${hidden.id}/members`]) {
      const denied = await get(sim, u(path), UNITS);
      expect(denied.status).toBe(403);
      expect(denied.json.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
      expect((await get(sim, u(path), HIDDEN)).status).toBe(200);
    }
    const open = units.find((x) => x !== hidden && x.links.size > 0)!;
    expect((await get(sim, u(`/administrativeUnits/${open.id}/members`), UNITS)).status).toBe(200);
    d.softDeleteAdministrativeUnit(open.id);
    const gone = await get(sim, u(`/administrativeUnits/${open.id}/members`), UNITS);
    expect(gone.status).toBe(404);
    expect(gone.json.error).toMatchObject({ code: 'Request_ResourceNotFound', message: `Resource '${open.id}' does not exist or one of its queried reference-property objects are not present.` });
    expect((await get(sim, u('/administrativeUnits/11111111-2222-4333-8444-555555555555/members'), UNITS)).status).toBe(404);
    expect((await get(sim, u(`/administrativeUnits/${hidden.id}/members?$orderby=id`), HIDDEN)).status).toBe(400);
  });
});

describe('directory roles', () => {
  it('are listed on one page with no nextLink; $top is refused', async () => {
    const { d, sim } = setup();
    const res = await get(sim, u('/directoryRoles'), ROLES);
    expect(res.status).toBe(200);
    expect(res.json['@odata.nextLink']).toBeUndefined();
    const want = [...d.roles.roles.recs.values()].map((x) => expected(x.id, x.props, DIRECTORY_ROLE_PROPERTIES)).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(res.json.value).toEqual(want);
    const some = await get(sim, u('/directoryRoles?$select=id,roleTemplateId'), ROLES);
    expect(Object.keys(some.json.value[0])).toEqual(['id', 'roleTemplateId']);
    for (const q of ['$top=5', '$select=id,members', '$skiptoken=x', '$expand=members']) expect((await get(sim, u(`/directoryRoles?${q}`), ROLES)).status, q).toBe(400);
    expect((await get(sim, u('/directoryRoles'), 'Bearer good-Application.Read.All')).status).toBe(403);
    expect((await get(sim, u('/directoryRoles'), 'Bearer good-Directory.Read.All')).status).toBe(200);
  });

  it('list their live members, by id or roleTemplateId, equal to the truth; 404 for an unknown role', async () => {
    const { d, sim } = setup();
    const got = new Set<string>();
    for (const role of d.roles.roles.recs.values()) {
      const res = await get(sim, u(`/directoryRoles/${role.id}/members?$select=id`), ROLES);
      expect(res.json['@odata.nextLink']).toBeUndefined();
      expect(isAscending(res.json.value.map((x: any) => x.id))).toBe(true);
      for (const x of res.json.value) got.add(`${x.id}|${role.id}|${x['@odata.type']}`);
    }
    expect(got).toEqual(truthMembers(d, 'directoryRole'));
    const byTemplate = await get(sim, u(`/directoryRoles(roleTemplateId='${GLOBAL_ADMIN}')/members?$select=id,displayName`), ROLES);
    expect(byTemplate.status).toBe(200);
    const direct = await get(sim, u(`/directoryRoles/${d.roles.roleOfTemplate(GLOBAL_ADMIN)}/members?$select=id,displayName`), ROLES);
    expect(byTemplate.json.value).toEqual(direct.json.value);
    expect(byTemplate.json.value[0]).toEqual({ '@odata.type': expect.any(String), id: expect.any(String), displayName: expect.any(String) });
    expect((await get(sim, u('/directoryRoles/11111111-2222-4333-8444-555555555555/members'), ROLES)).json.error.code).toBe('Request_ResourceNotFound');
    expect((await get(sim, u(`/directoryRoles/${d.roles.roleOfTemplate(GLOBAL_ADMIN)}/members`), 'Bearer good-AdministrativeUnit.Read.All')).status).toBe(403);
  });

  it('answer at most 1,000 members on one page with no nextLink, as documented; $top is refused', async () => {
    const { d, sim } = setup({ users: 1100, groups: 5, memberships: 300 });
    const roleId = d.roles.roleOfTemplate(GLOBAL_ADMIN)!;
    for (const user of d.tenant.users.values()) d.addDirectoryRoleMember(roleId, user.id);
    const live = [...d.roles.roles.get(roleId)!.links].filter((m) => d.isLive(m)).sort();
    expect(live.length).toBeGreaterThan(1000);
    const res = await get(sim, u(`/directoryRoles/${roleId}/members?$select=id`), ROLES);
    expect(res.status).toBe(200);
    expect(res.json.value.length).toBe(1000);
    expect(res.json['@odata.nextLink']).toBeUndefined();
    expect(res.json.value.map((x: any) => x.id)).toEqual(live.slice(0, 1000));
    for (const q of ['$select=id&$top=999', '$top=5']) {
      const refused = await get(sim, u(`/directoryRoles/${roleId}/members?${q}`), ROLES);
      expect(refused.status, q).toBe(400);
      expect(refused.json.error.code).toBe('Request_BadRequest');
    }
    // The cap is an option, so tests can shrink it.
    const small = setup(undefined, { listing: { roleMembersCap: 3 } });
    const someRole = [...small.d.roles.roles.recs.values()].find((x) => x.links.size > 3)!;
    expect((await get(small.sim, u(`/directoryRoles/${someRole.id}/members`), ROLES)).json.value.length).toBe(3);
  });
});
