import { describe, expect, it } from 'vitest';
import type { DirectoryResourceOptions } from '../../src/sim/directory/directory-resource-options.js';
import { createGraphSim, type GraphSim } from '../../src/sim/graph/graph-sim.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import { ORIGIN, fakeVerify, get as getAs } from './helpers.js';

/** The plain lists, the errors, permissions, tokens and $batch of the apps-and-roles endpoints. */

const ALL = 'Bearer good-Application.Read.All,RoleManagement.Read.Directory,AdministrativeUnit.Read.All,Directory.Read.All,LicenseAssignment.Read.All';
const GRAPH_SP_APP_ID = '00000003-0000-0000-c000-000000000000';
const ROLE_MANAGEMENT_READWRITE = '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8';

function setup(res: DirectoryResourceOptions = {}, clock?: { t: number }) {
  const tenant = generateTenant({ seed: 21, users: 120, groups: 20, memberships: 500, servicePrincipals: 2 });
  tenant.directory.resourceOptions = { listPageSize: [2, 5], ownersPageSize: [1, 1], assignedToPageSize: [2, 4], deltaPageUnits: [3, 6], ...res };
  const sim = createGraphSim({ tenant, verifyBearer: fakeVerify, options: clock ? { now: () => clock.t } : {} });
  return { tenant, d: tenant.directory, sim };
}

async function all(sim: GraphSim, url: string, auth = ALL): Promise<{ values: any[]; pages: any[] }> {
  const pages: any[] = [];
  let next: string | undefined = url;
  while (next) {
    const res = await get(sim, next, auth);
    if (res.status !== 200) throw new Error(`${res.status} ${res.body}`);
    pages.push(res.json);
    next = res.json['@odata.nextLink'];
  }
  return { values: pages.flatMap((p) => p.value), pages };
}

const u = (path: string): string => `${ORIGIN}/v1.0${path}`;
const get = (sim: GraphSim, url: string, auth = ALL) => getAs(sim, url, auth);

describe('owners and appRoleAssignedTo', () => {
  it('page owners as directoryObjects with their type and id only', async () => {
    const { d, sim } = setup();
    const app = [...d.registry.apps.recs.values()].find((a) => a.links.size > 0)!;
    const extra = [...d.tenant.users.keys()].find((x) => !app.links.has(x))!;
    d.addOwner(app.id, extra);
    const { values, pages } = await all(sim, u(`/applications/${app.id}/owners?$select=id`));
    expect(pages.length).toBe(app.links.size);
    expect(pages[0]['@odata.nextLink']).toMatch(new RegExp(`^${ORIGIN}/v1\\.0/applications/${app.id}/owners\\?\\$skiptoken=[A-Za-z0-9_-]{32}$`));
    expect(new Set(values)).toEqual(new Set([...app.links].map((id) => ({ '@odata.type': '#microsoft.graph.user', id }))));
    const full = await get(sim, u(`/applications/${app.id}/owners`));
    expect(full.json.value[0]).toMatchObject({ '@odata.type': '#microsoft.graph.user', displayName: expect.any(String) });
  });

  it("list the Microsoft Graph service principal's application permissions, min($top, server size) per page", async () => {
    const { d, sim } = setup({ assignedToPageSize: [5, 9] });
    const graph = d.registry.spOfAppId(GRAPH_SP_APP_ID)!;
    const { values, pages } = await all(sim, u(`/servicePrincipals/${graph}/appRoleAssignedTo?$top=3`));
    expect(pages.length).toBeGreaterThan(2);
    for (const p of pages) expect(p.value.length).toBeLessThanOrEqual(3);
    expect(values.length).toBe(d.appRoleAssignments.forResource(graph).size);
    expect(new Set(values.map((a) => a.id)).size).toBe(values.length);
    const rm = values.find((a) => a.appRoleId === ROLE_MANAGEMENT_READWRITE)!;
    expect(Object.keys(rm)).toEqual(['id', 'deletedDateTime', 'appRoleId', 'createdDateTime', 'principalDisplayName', 'principalId', 'principalType',
      'resourceDisplayName', 'resourceId']);
    expect(rm).toMatchObject({ principalType: 'ServicePrincipal', resourceDisplayName: 'Microsoft Graph', resourceId: graph, deletedDateTime: null });
    expect(rm.createdDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // Like Graph's, the id is 43 characters of base64url that start with the principal's id bytes.
    expect(rm.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const bytes = Buffer.from(rm.id, 'base64url').subarray(0, 16);
    const hex = Buffer.concat([Buffer.from(bytes.subarray(0, 4)).reverse(), Buffer.from(bytes.subarray(4, 6)).reverse(), Buffer.from(bytes.subarray(6, 8)).reverse(), bytes.subarray(8)]).toString('hex');
    expect(hex).toBe(rm.principalId.replace(/-/g, ''));
    const byAppId = await all(sim, u(`/servicePrincipals(appId='${GRAPH_SP_APP_ID}')/appRoleAssignedTo?$top=999`));
    expect(byAppId.values.length).toBe(values.length);
  });

  it('answer 404 for an unknown, soft-deleted or permanently deleted parent', async () => {
    const { d, sim } = setup();
    const own = [...d.registry.ownSps].filter((id) => !d.registry.protectedSps.has(id));
    const [soft, hard] = own as [string, string];
    const app = [...d.registry.apps.recs.keys()][0]!;
    d.softDeleteServicePrincipal(soft);
    d.hardDeleteServicePrincipal(hard);
    d.softDeleteApplication(app);
    const unknown = '11111111-2222-4333-8444-555555555555';
    for (const [path, id] of [[`/servicePrincipals/${soft}/owners?$select=id`, soft], [`/servicePrincipals/${soft}/appRoleAssignedTo?$top=999`, soft],
      [`/servicePrincipals/${hard}/owners?$select=id`, hard], [`/servicePrincipals/${hard}/appRoleAssignedTo`, hard], [`/applications/${app}/owners?$select=id`, app],
      [`/servicePrincipals/${unknown}/appRoleAssignedTo?$top=999`, unknown]]) {
      const res = await get(sim, u(path!));
      expect(res.status, path).toBe(404);
      expect(res.json.error).toMatchObject({ code: 'Request_ResourceNotFound', message: `Resource '${id}' does not exist or one of its queried reference-property objects are not present.` });
      expect(res.json.error.innerError['request-id']).toEqual(expect.any(String));
    }
    d.restoreServicePrincipal(soft);
    expect((await get(sim, u(`/servicePrincipals/${soft}/owners?$select=id`))).status).toBe(200);
    expect((await get(sim, u('/servicePrincipals/not-a-guid/owners'))).status).toBe(400);
  });
});

describe('plain lists', () => {
  it('page roleDefinitions and roleAssignments with nextLinks and no deltaLink', async () => {
    const { d, sim } = setup();
    const defs = await all(sim, u('/roleManagement/directory/roleDefinitions'));
    expect(defs.pages.length).toBeGreaterThan(3);
    expect(defs.pages.at(-1)['@odata.nextLink']).toBeUndefined();
    for (const p of defs.pages) expect(p['@odata.deltaLink']).toBeUndefined();
    expect(defs.pages[0]['@odata.context']).toBe(`${ORIGIN}/v1.0/$metadata#roleManagement/directory/roleDefinitions`);
    const ga = defs.values.find((x) => x.id === '62e90394-69f5-4237-9190-012177145e10');
    expect(ga).toMatchObject({ displayName: 'Global Administrator', isBuiltIn: true, templateId: ga.id, isEnabled: true,
      rolePermissions: [{ allowedResourceActions: expect.any(Array), condition: null }] });
    expect(defs.values.filter((x) => !x.isBuiltIn).length).toBe(2);
    const assignments = await all(sim, u('/roleManagement/directory/roleAssignments'));
    expect(assignments.values.length).toBe(d.roles.assignments.size);
    const scopes = assignments.values.map((a) => a.directoryScopeId);
    expect(scopes).toContain('/');
    expect(scopes.some((s) => s.startsWith('/administrativeUnits/'))).toBe(true);
    expect(scopes.some((s) => d.registry.apps.has(s.slice(1)))).toBe(true);
    expect(Object.keys(assignments.values[0])).toEqual(['id', 'principalId', 'roleDefinitionId', 'directoryScopeId', 'appScopeId', 'condition']);
    // $expand=principal names the principal's type; a deleted principal's assignments are not listed.
    const expanded = await all(sim, u('/roleManagement/directory/roleAssignments?$expand=principal'));
    const a = expanded.values[0];
    expect(a.principal).toEqual({ '@odata.type': `#microsoft.graph.${d.typeOf(a.principalId)}`, id: a.principalId, deletedDateTime: null, displayName: d.displayNameOf(a.principalId) });
    const user = expanded.values.find((x) => x.principal['@odata.type'] === '#microsoft.graph.user')!;
    d.tenant.softDeleteUser(user.principalId);
    expect((await all(sim, u('/roleManagement/directory/roleAssignments'))).values.some((x) => x.principalId === user.principalId)).toBe(false);
    expect((await get(sim, u('/roleManagement/directory/roleAssignments?$expand=owners'))).status).toBe(400);
    const picked = await get(sim, u('/roleManagement/directory/roleDefinitions?$select=id,displayName&$top=4'));
    expect(picked.json.value.length).toBeLessThanOrEqual(4);
    expect(Object.keys(picked.json.value[0])).toEqual(['id', 'displayName']);
  });

  it('list every delegated permission grant: one AllPrincipals and some Principal grants for a pair', async () => {
    const { d, sim } = setup();
    const { values } = await all(sim, u('/oauth2PermissionGrants'));
    expect(values.length).toBe(d.grants.size);
    const byPair = new Map<string, any[]>();
    for (const g of values) byPair.set(`${g.clientId}|${g.resourceId}`, [...(byPair.get(`${g.clientId}|${g.resourceId}`) ?? []), g]);
    expect([...byPair.values()].some((gs) => gs.some((g) => g.consentType === 'AllPrincipals' && g.principalId === null) && gs.some((g) => g.consentType === 'Principal'))).toBe(true);
    expect(values[0].scope).toMatch(/^\S+( \S+)*$/);
  });

  it('serve subscribedSkus on one page, consumed units counted from the live users', async () => {
    const { tenant, d, sim } = setup();
    const res = await get(sim, u('/subscribedSkus'), 'Bearer good-Organization.Read.All');
    expect(res.status).toBe(200);
    expect(res.json['@odata.nextLink']).toBeUndefined();
    const skus = res.json.value;
    expect(skus.map((s: any) => s.skuPartNumber)).toEqual(['ENTERPRISEPACK', 'ENTERPRISEPREMIUM', 'SPE_E3', 'AAD_PREMIUM', 'POWER_BI_STANDARD']);
    for (const s of skus) {
      expect(s.id).toBe(`${d.tenantId}_${s.skuId}`);
      const holders = [...tenant.users.values()].filter((x) => x.state === 'live' && (x.props.assignedLicenses as any[]).some((l) => l.skuId === s.skuId));
      expect(s.consumedUnits).toBe(holders.length);
      expect(s.prepaidUnits.enabled).toBeGreaterThanOrEqual(s.consumedUnits);
      expect(s.servicePlans[0]).toEqual({ servicePlanId: expect.any(String), servicePlanName: expect.any(String), provisioningStatus: 'Success', appliesTo: 'User' });
    }
    expect(skus.at(-1).consumedUnits).toBe(0);
    const some = await get(sim, u('/subscribedSkus?$select=skuId,consumedUnits'));
    expect(Object.keys(some.json.value[0])).toEqual(['consumedUnits', 'id', 'skuId']);
    expect((await get(sim, u('/subscribedSkus?$top=2'))).status).toBe(400);
  });
});

describe('errors, permissions and tokens', () => {
  const ENDPOINTS: [string, string][] = [
    ['/directoryRoles/delta?$select=id,displayName,description,roleTemplateId,members', 'RoleManagement.Read.Directory'],
    ['/roleManagement/directory/roleDefinitions', 'RoleManagement.Read.Directory'],
    ['/roleManagement/directory/roleAssignments', 'RoleManagement.Read.All'],
    ['/administrativeUnits/delta?$select=id,displayName,members', 'AdministrativeUnit.Read.All'],
    ['/servicePrincipals/delta?$select=id,appId', 'Application.Read.All'],
    ['/applications/delta?$select=id,appId', 'Application.ReadWrite.OwnedBy'],
    ['/oauth2PermissionGrants', 'DelegatedPermissionGrant.ReadWrite.All'],
    ['/subscribedSkus', 'LicenseAssignment.Read.All'],
  ];

  it('refuse a token without an accepted permission with 403 Authorization_RequestDenied', async () => {
    const { d, sim } = setup();
    const sp = d.registry.graphSpId;
    for (const [path, least] of [...ENDPOINTS, [`/servicePrincipals/${sp}/owners?$select=id`, 'Application.Read.All'], [`/servicePrincipals/${sp}/appRoleAssignedTo`, 'Directory.Read.All']]) {
      const denied = await get(sim, u(path!), 'Bearer good-User.Read.All,GroupMember.Read.All');
      expect(denied.status, path).toBe(403);
      expect(denied.json.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
      expect((await get(sim, u(path!), `Bearer good-${least}`)).status, `${path} with ${least}`).toBe(200);
    }
    expect((await get(sim, u('/directoryRoles/delta'), 'Bearer good-Application.Read.All')).status).toBe(403);
    expect((await get(sim, u('/oauth2PermissionGrants'), 'Bearer good-Application.Read.All')).status).toBe(403);
  });

  it('validate $select and $top, and refuse other methods', async () => {
    const { sim } = setup();
    const bad = await get(sim, u('/servicePrincipals/delta?$select=id,nonsense'));
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ code: 'Request_BadRequest', message: "Could not find a property named 'nonsense' on type 'microsoft.graph.servicePrincipal'." });
    expect((await get(sim, u('/servicePrincipals/delta?$select=id,members'))).status).toBe(400);
    expect((await get(sim, u('/roleManagement/directory/roleAssignments?$select=bogus'))).status).toBe(400);
    expect((await get(sim, u('/oauth2PermissionGrants?$top=1000'))).status).toBe(400);
    const post = await sim.handle({ method: 'POST', url: new URL(u('/oauth2PermissionGrants')), headers: new Headers({ authorization: ALL }), body: '{}' });
    expect(post!.status).toBe(405);
  });

  it('hand out opaque tokens that expire: 400 Directory_ExpiredPageToken for a nextLink, 400 syncStateNotFound for a deltaLink', async () => {
    const clock = { t: Date.UTC(2025, 6, 1) };
    const { d, sim } = setup({}, clock);
    const first = await get(sim, u('/servicePrincipals/delta?$select=id,displayName'));
    const next: string = first.json['@odata.nextLink'];
    const token = new URL(next).searchParams.get('$skiptoken')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const list = await get(sim, u('/roleManagement/directory/roleDefinitions'));
    const listNext: string = list.json['@odata.nextLink'];
    // A token is good for its own path only.
    expect((await get(sim, `${ORIGIN}/v1.0/oauth2PermissionGrants?$skiptoken=${new URL(listNext).searchParams.get('$skiptoken')}`)).json.error.code).toBe('Directory_ExpiredPageToken');
    expect((await get(sim, `${next}&$select=id`)).status).toBe(400);
    clock.t += 11 * 60_000;
    for (const link of [next, listNext]) {
      const res = await get(sim, link);
      expect(res.status).toBe(400);
      expect(res.json.error).toMatchObject({ code: 'Directory_ExpiredPageToken' });
    }
    const round = await all(sim, u('/directoryRoles/delta?$select=id,members'));
    const deltaLink: string = round.pages.at(-1)['@odata.deltaLink'];
    expect((await get(sim, deltaLink)).status).toBe(200);
    clock.t += 8 * 24 * 3600_000;
    expect((await get(sim, deltaLink)).json.error.code).toBe('syncStateNotFound');
    const fresh = (await all(sim, u('/directoryRoles/delta?$select=id,members'))).pages.at(-1)['@odata.deltaLink'];
    const page = await get(sim, u('/applications/delta'));
    d.expireDeltaTokens();
    d.expireSkipTokens();
    const expired = await get(sim, fresh);
    expect(expired.status).toBe(400);
    expect(expired.json.error).toMatchObject({ code: 'syncStateNotFound', message: 'The sync state generation is not found. The delta token is expired and data must be synchronized again.' });
    expect((await get(sim, page.json['@odata.nextLink'])).json.error.code).toBe('Directory_ExpiredPageToken');
    expect((await get(sim, u('/applications/delta?$deltatoken=unknown'))).json.error.code).toBe('syncStateNotFound');
  });

  it('keep the token maps bounded: the oldest nextLinks answer as expired', async () => {
    const { sim } = setup({ maxSkipTokens: 2 });
    const links: string[] = [];
    for (let i = 0; i < 4; i++) links.push((await get(sim, u('/roleManagement/directory/roleDefinitions'))).json['@odata.nextLink']);
    expect((await get(sim, links[0]!)).status).toBe(400);
    expect((await get(sim, links[3]!)).status).toBe(200);
  });

  it('sync from now with $deltatoken=latest, and track only the ids of an id filter', async () => {
    const { d, sim } = setup();
    const latest = await get(sim, u('/administrativeUnits/delta?$select=id,displayName,members&$deltatoken=latest'));
    expect(latest.json.value).toEqual([]);
    const [a, b] = [...d.units.recs.keys()] as [string, string];
    const filtered = await all(sim, u(`/administrativeUnits/delta?$select=id,displayName&$filter=id eq '${a}'`));
    expect(filtered.values.map((x) => x.id)).toEqual([a]);
    d.updateAdministrativeUnit(a, { displayName: 'Renamed A' });
    d.updateAdministrativeUnit(b, { displayName: 'Renamed B' });
    const since = await all(sim, latest.json['@odata.deltaLink']);
    expect(since.values.map((x) => x.displayName).sort()).toEqual(['Renamed A', 'Renamed B']);
    const onlyA = await all(sim, filtered.pages.at(-1)['@odata.deltaLink']);
    expect(onlyA.values).toEqual([{ id: a, displayName: 'Renamed A' }]);
  });

  it('answer $batch sub-requests like the same requests sent alone', async () => {
    const { d, sim } = setup();
    const graph = d.registry.graphSpId;
    const app = [...d.registry.apps.recs.values()].find((x) => x.links.size > 0)!;
    d.addOwner(app.id, [...d.tenant.users.keys()].find((x) => !app.links.has(x))!);
    const body = JSON.stringify({ requests: [
      { id: '1', method: 'GET', url: `/servicePrincipals/${graph}/owners?$select=id` },
      { id: '2', method: 'GET', url: `/servicePrincipals/${graph}/appRoleAssignedTo?$top=999` },
      { id: '3', method: 'GET', url: `/applications/${app.id}/owners?$select=id` },
      { id: '4', method: 'GET', url: '/subscribedSkus' },
      { id: '5', method: 'GET', url: '/servicePrincipals/11111111-2222-4333-8444-555555555555/owners?$select=id' },
    ] });
    const res = await sim.handle({ method: 'POST', url: new URL(u('/$batch')), headers: new Headers({ authorization: ALL, 'content-type': 'application/json' }), body });
    expect(res!.status).toBe(200);
    const byId = new Map(JSON.parse(res!.body!).responses.map((r: any) => [r.id, r]));
    expect((byId.get('1') as any).status).toBe(200);
    expect((byId.get('2') as any).body.value.length).toBeGreaterThan(0);
    expect((byId.get('3') as any).body.value[0]).toEqual({ '@odata.type': '#microsoft.graph.user', id: expect.any(String) });
    expect((byId.get('3') as any).body['@odata.nextLink']).toMatch(/\/applications\/.*\/owners\?\$skiptoken=/);
    expect((byId.get('4') as any).body.value.length).toBe(5);
    expect((byId.get('5') as any)).toMatchObject({ status: 404, body: { error: { code: 'Request_ResourceNotFound' } } });
  });
});
