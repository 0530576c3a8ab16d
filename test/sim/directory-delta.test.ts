import { describe, expect, it } from 'vitest';
import type { DirectoryResourceOptions } from '../../src/sim/directory/directory-resource-options.js';
import type { DirectoryTruth } from '../../src/sim/directory/directory-types.js';
import { createGraphSim, type GraphSim, type GraphSimOptions } from '../../src/sim/graph/graph-sim.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import type { Tenant } from '../../src/sim/tenant/tenant.js';
import { ORIGIN, fakeVerify, get } from './helpers.js';

/**
 * The apps-and-roles directory served over the simulated Graph, read by a small reference client
 * that does what a connector must: follow every link as given, merge delta pages (objects repeated
 * with further member slices, @removed), read the plain lists in full. Its database must equal the
 * directory's truth().
 */

const ROLES = 'Application.Read.All,RoleManagement.Read.Directory,AdministrativeUnit.Read.All,Directory.Read.All,LicenseAssignment.Read.All';
const HIDDEN = `Bearer good-${ROLES},Member.Read.Hidden`;
const PLAIN = `Bearer good-${ROLES}`;

const SELECT = {
  servicePrincipal: 'id,appId,displayName,servicePrincipalType,accountEnabled,appOwnerOrganizationId,description,verifiedPublisher,signInAudience,'
    + 'appRoleAssignmentRequired,tags,servicePrincipalNames,appRoles,oauth2PermissionScopes,passwordCredentials,keyCredentials',
  application: 'id,appId,displayName,signInAudience,publisherDomain,createdDateTime,verifiedPublisher,identifierUris,requiredResourceAccess,appRoles,'
    + 'api,passwordCredentials,keyCredentials',
  directoryRole: 'id,displayName,description,roleTemplateId,members',
  administrativeUnit: 'id,displayName,description,visibility,members',
} as const;
type DeltaType = keyof typeof SELECT;
const PATH: Record<DeltaType, string> = {
  servicePrincipal: 'servicePrincipals', application: 'applications', directoryRole: 'directoryRoles', administrativeUnit: 'administrativeUnits',
};
const TYPES = Object.keys(SELECT) as DeltaType[];

const SMALL: DirectoryResourceOptions = { deltaPageUnits: [3, 8], listPageSize: [2, 6], ownersPageSize: [1, 2], assignedToPageSize: [2, 5] };

function setup(res: DirectoryResourceOptions = SMALL, sim: GraphSimOptions = {}) {
  const tenant = generateTenant({ seed: 7, users: 120, groups: 20, memberships: 500, servicePrincipals: 2 });
  tenant.directory.resourceOptions = res;
  return { tenant, sim: createGraphSim({ tenant, verifyBearer: fakeVerify, options: sim }) };
}

/** A connector's view of these collections, merged page by page. */
class Client {
  readonly objects: Record<DeltaType, Map<string, any>> = { servicePrincipal: new Map(), application: new Map(), directoryRole: new Map(), administrativeUnit: new Map() };
  readonly soft = new Map<string, DeltaType>();
  /** role or unit id → member id → @odata.type */
  readonly members = new Map<string, Map<string, string>>();
  readonly deltaLinks: Partial<Record<DeltaType, string>> = {};
  /** The pages of the last round of each collection. */
  readonly pages: Partial<Record<DeltaType, any[]>> = {};
  lists: { definitions: any[]; assignments: any[]; grants: any[]; skus: any[]; owners: Map<string, any[]>; assignedTo: Map<string, any[]> } | undefined;

  constructor(private readonly sim: GraphSim, private readonly auth: string) {}

  async pull(): Promise<void> {
    for (const type of TYPES) await this.round(type);
    const owners = new Map<string, any[]>();
    const assignedTo = new Map<string, any[]>();
    for (const id of this.objects.servicePrincipal.keys()) {
      owners.set(id, await this.all(`/servicePrincipals/${id}/owners?$select=id`));
      assignedTo.set(id, await this.all(`/servicePrincipals/${id}/appRoleAssignedTo?$top=999`));
    }
    for (const id of this.objects.application.keys()) owners.set(id, await this.all(`/applications/${id}/owners?$select=id`));
    this.lists = {
      definitions: await this.all('/roleManagement/directory/roleDefinitions'),
      assignments: await this.all('/roleManagement/directory/roleAssignments'),
      grants: await this.all('/oauth2PermissionGrants'),
      skus: await this.all('/subscribedSkus'),
      owners, assignedTo,
    };
  }

  async round(type: DeltaType): Promise<any[]> {
    let next: string | undefined = this.deltaLinks[type] ?? `${ORIGIN}/v1.0/${PATH[type]}/delta?$select=${SELECT[type]}`;
    const pages: any[] = [];
    while (next) {
      const res = await get(this.sim, next, this.auth);
      if (res.status !== 200) throw new Error(`${res.status} ${res.body}`);
      expect(res.headers?.['content-type']).toBe('application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8');
      const page = res.json;
      pages.push(page);
      expect(page['@odata.nextLink'] && page['@odata.deltaLink']).toBeFalsy();
      for (const o of page.value) this.merge(type, o);
      next = page['@odata.nextLink'];
      if (page['@odata.deltaLink']) this.deltaLinks[type] = page['@odata.deltaLink'];
    }
    this.pages[type] = pages;
    return pages;
  }

  private merge(type: DeltaType, o: any): void {
    if (o['@removed']) {
      this.objects[type].delete(o.id);
      if (o['@removed'].reason === 'changed') this.soft.set(o.id, type);
      else {
        this.soft.delete(o.id);
        this.members.delete(o.id);
      }
      return;
    }
    const { ['members@delta']: ms, ...props } = o;
    this.objects[type].set(o.id, props);
    this.soft.delete(o.id);
    if (!ms) return;
    let set = this.members.get(o.id);
    if (!set) this.members.set(o.id, (set = new Map()));
    for (const m of ms) {
      if (m['@removed']) set.delete(m.id);
      else set.set(m.id, m['@odata.type']);
    }
  }

  async all(path: string): Promise<any[]> {
    const out: any[] = [];
    let next: string | undefined = `${ORIGIN}/v1.0${path}`;
    while (next) {
      const res = await get(this.sim, next, this.auth);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.body}`);
      expect(res.json['@odata.deltaLink']).toBeUndefined();
      out.push(...res.json.value);
      next = res.json['@odata.nextLink'];
    }
    return out;
  }

  /** The client's database as CONTRACT.md 4 describes it; user, group and device ends judged by the tenant. */
  truth(t: Tenant): DirectoryTruth {
    const sps = this.objects.servicePrincipal;
    const typeOf = (id: string): string => (sps.has(id) || this.soft.get(id) === 'servicePrincipal' ? 'servicePrincipal' : t.typeOf(id) as string);
    const live = (id: string): boolean => (typeOf(id) === 'servicePrincipal' ? sps.has(id) : t.isLive(id));
    const out: DirectoryTruth = { entities: [], relations: [], softDeleted: [...this.soft].map(([id, type]) => ({ type, id })) };
    const rel = (relation: any, sourceType: string, sourceId: string, targetType: string, targetId: string, scope = '', data: unknown = null): void => {
      out.relations.push({ relation, sourceType, sourceId, targetType, targetId, scope, data });
    };
    const appRoles = new Set<string>();
    for (const type of TYPES) {
      for (const [id, data] of this.objects[type]) out.entities.push({ type, id, displayName: data.displayName ?? null, data: stripSecrets(data) });
    }
    for (const [id, sp] of sps) {
      for (const r of [{ id: '00000000-0000-0000-0000-000000000000', displayName: 'Default Access', value: null, isEnabled: true, allowedMemberTypes: ['User'], description: null, origin: 'Application' }, ...sp.appRoles]) {
        out.entities.push({ type: 'appRole', id: `${id}/${r.id}`, displayName: r.displayName, data: r });
        rel('appRoleOf', 'appRole', `${id}/${r.id}`, 'servicePrincipal', id);
        appRoles.add(`${id}/${r.id}`);
      }
    }
    for (const [container, ms] of this.members) {
      const type = this.objects.directoryRole.has(container) ? 'directoryRole' : this.objects.administrativeUnit.has(container) ? 'administrativeUnit' : null;
      if (!type) continue;
      for (const [m, odataType] of ms) if (live(m)) rel('memberOf', odataType.replace('#microsoft.graph.', ''), m, type, container);
    }
    const l = this.lists!;
    for (const d of l.definitions) out.entities.push({ type: 'roleDefinition', id: d.id, displayName: d.displayName, data: d });
    for (const s of l.skus) out.entities.push({ type: 'subscribedSku', id: s.id, displayName: s.skuPartNumber, data: s });
    for (const a of l.assignments) {
      if (live(a.principalId)) rel('hasRole', typeOf(a.principalId), a.principalId, 'roleDefinition', a.roleDefinitionId, a.directoryScopeId, { assignmentId: a.id, appScopeId: a.appScopeId });
    }
    for (const [objectId, owners] of l.owners) {
      const target = sps.has(objectId) ? 'servicePrincipal' : 'application';
      for (const o of owners) if (live(o.id)) rel('ownerOf', o['@odata.type'].replace('#microsoft.graph.', ''), o.id, target, objectId);
    }
    const principalType: Record<string, string> = { User: 'user', Group: 'group', ServicePrincipal: 'servicePrincipal' };
    for (const list of l.assignedTo.values()) {
      for (const a of list) {
        const target = `${a.resourceId}/${a.appRoleId}`;
        if (live(a.principalId) && appRoles.has(target)) {
          rel('hasAppRole', principalType[a.principalType]!, a.principalId, 'appRole', target, '', { assignmentId: a.id, createdDateTime: a.createdDateTime });
        }
      }
    }
    const pairs = new Map<string, any[]>();
    for (const g of l.grants) {
      const k = `${g.clientId}|${g.resourceId}`;
      pairs.set(k, [...(pairs.get(k) ?? []), { id: g.id, consentType: g.consentType, principalId: g.principalId, scope: g.scope }]);
    }
    for (const [k, grants] of pairs) {
      const [client, resource] = k.split('|') as [string, string];
      if (sps.has(client) && sps.has(resource)) rel('delegatedGrant', 'servicePrincipal', client, 'servicePrincipal', resource, '', { grants: grants.sort((a, b) => (a.id < b.id ? -1 : 1)) });
    }
    return out;
  }
}

function storedProps(props: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(SELECT.servicePrincipal.split(',').filter((n) => n !== 'id').map((n) => [n, props[n]]));
}

function stripSecrets(data: any): any {
  const out = { ...data };
  if (Array.isArray(out.passwordCredentials)) out.passwordCredentials = out.passwordCredentials.map(({ secretText: _s, hint: _h, ...c }: any) => c);
  if (Array.isArray(out.keyCredentials)) out.keyCredentials = out.keyCredentials.map(({ key: _k, ...c }: any) => c);
  return out;
}

/** JSON with sorted keys, so that equal objects compare equal whatever their key order. */
function canon(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon((v as any)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

function expectSameTruth(actual: DirectoryTruth, expected: DirectoryTruth): void {
  const sorted = (xs: unknown[]): string[] => xs.map(canon).sort();
  expect(sorted(actual.entities)).toEqual(sorted(expected.entities));
  expect(sorted(actual.relations)).toEqual(sorted(expected.relations));
  expect(sorted(actual.softDeleted)).toEqual(sorted(expected.softDeleted));
}

describe('full rounds', () => {
  it('list exactly what truth() lists, across many pages', async () => {
    const { tenant, sim } = setup();
    const c = new Client(sim, HIDDEN);
    await c.pull();
    for (const type of TYPES) expect(c.pages[type]!.length).toBeGreaterThan(1);
    const truth = tenant.directory.truth({ memberReadHidden: true });
    expect(truth.relations.filter((r) => r.relation === 'memberOf' && r.targetType === 'administrativeUnit').length).toBeGreaterThan(10);
    expectSameTruth(c.truth(tenant), truth);
    expect(c.lists!.owners.size).toBeGreaterThan(10);
  });

  it('split a role or unit with many members across pages, repeating the same object', async () => {
    const { tenant, sim } = setup({ ...SMALL, deltaPageUnits: [5, 9] });
    const d = tenant.directory;
    const unit = d.createAdministrativeUnit({ displayName: 'Big unit', visibility: null });
    const users = [...tenant.users.keys()].slice(0, 60);
    for (const u of users) d.addAdministrativeUnitMember(unit, u);
    const c = new Client(sim, PLAIN);
    const pages = await c.round('administrativeUnit');
    const slices = pages.flatMap((p) => p.value).filter((o: any) => o.id === unit);
    expect(slices.length).toBeGreaterThan(5);
    for (const s of slices) expect(s.displayName).toBe('Big unit');
    expect([...c.members.get(unit)!.keys()].sort()).toEqual([...users].sort());
  });

  it('leave out the members of a hidden-membership unit unless the token has Member.Read.Hidden', async () => {
    const { tenant, sim } = setup();
    const hidden = [...tenant.directory.units.recs.values()].find((u) => u.props.visibility === 'HiddenMembership')!;
    expect(hidden.links.size).toBeGreaterThan(2);
    const plain = new Client(sim, PLAIN);
    await plain.pull();
    const seen = plain.pages.administrativeUnit!.flatMap((p) => p.value).filter((o: any) => o.id === hidden.id);
    expect(seen.length).toBeGreaterThan(0);
    for (const o of seen) expect(o['members@delta']).toBeUndefined();
    expectSameTruth(plain.truth(tenant), tenant.directory.truth());
    const full = new Client(sim, HIDDEN);
    await full.round('administrativeUnit');
    expect(full.members.get(hidden.id)!.size).toBe(hidden.links.size);
  });
});

describe('delta rounds', () => {
  it('report exactly the changes: merged into the full state they give the new truth, whole objects', async () => {
    const { tenant, sim } = setup();
    const d = tenant.directory;
    const c = new Client(sim, HIDDEN);
    await c.pull();
    const kinds = new Set<string>();
    const stores = { servicePrincipal: d.registry.sps, application: d.registry.apps, directoryRole: d.roles.roles, administrativeUnit: d.units };
    for (const seed of [101, 202, 303]) {
      const seq = d.clock.seq;
      const changes = tenant.randomChanges(0.08, seed);
      for (const k of Object.keys(changes.byKind)) kinds.add(k);
      await c.pull();
      expectSameTruth(c.truth(tenant), d.truth({ memberReadHidden: true }));
      // Each round holds the objects changed in the window and no other.
      for (const type of TYPES) {
        const log = stores[type].tracker;
        const expected = new Set([...log.changedSince(seq).map((x) => x.id), ...log.linksSince(seq).keys()]);
        expect(new Set(c.pages[type]!.flatMap((p) => p.value).map((o: any) => o.id)), type).toEqual(expected);
      }
    }
    for (const k of ['appRoleAssignmentAdded', 'graphPermissionGranted', 'credentialAdded', 'unitMemberAdded', 'unitMemberRemoved',
      'directoryRoleMemberAdded', 'applicationSoftDeleted', 'servicePrincipalSoftDeleted', 'grantAdded', 'unitCreated']) {
      expect(kinds, k).toContain(k);
    }
  });

  it('hold only the object that changed, in its whole current state', async () => {
    const { tenant, sim } = setup();
    const d = tenant.directory;
    const c = new Client(sim, PLAIN);
    await c.pull();
    const sp = [...d.registry.ownSps].find((id) => !d.registry.protectedSps.has(id) && d.registry.sps.isLive(id))!;
    d.updateServicePrincipal(sp, { accountEnabled: false, description: null });
    await c.pull();
    expect(c.pages.servicePrincipal!.flatMap((p) => p.value)).toEqual([{ id: sp, ...storedProps(d.registry.sps.get(sp)!.props) }]);
    expect(c.objects.servicePrincipal.get(sp)).toMatchObject({ accountEnabled: false, description: null });
    for (const type of ['application', 'directoryRole', 'administrativeUnit'] as const) expect(c.pages[type]!.flatMap((p) => p.value)).toEqual([]);
  });

  it('report soft deletes as changed, permanent deletes as deleted, and a permanently deleted member as a removed link', async () => {
    const { tenant, sim } = setup();
    const d = tenant.directory;
    const c = new Client(sim, HIDDEN);
    await c.pull();
    const app = [...d.registry.apps.recs.keys()][0]!;
    const app2 = [...d.registry.apps.recs.keys()][1]!;
    const own = [...d.registry.ownSps].find((id) => !d.registry.protectedSps.has(id))!;
    const unit = [...d.units.recs.values()].find((u) => u.links.size > 0 && u.props.visibility === null)!;
    const member = [...unit.links].find((m) => tenant.typeOf(m) === 'user')!;
    const ga = d.roles.roleOfTemplate('62e90394-69f5-4237-9190-012177145e10')!;
    const admin = [...d.roles.roles.get(ga)!.links][0]!;
    d.softDeleteApplication(app);
    d.hardDeleteApplication(app2);
    d.hardDeleteServicePrincipal(own);
    tenant.hardDeleteUser(member);
    tenant.softDeleteUser(admin);
    await c.pull();
    const removed = (type: DeltaType) => new Map(c.pages[type]!.flatMap((p) => p.value).filter((o: any) => o['@removed']).map((o: any) => [o.id, o['@removed'].reason]));
    expect(removed('application')).toEqual(new Map([[app, 'changed'], [app2, 'deleted']]));
    expect(removed('servicePrincipal')).toEqual(new Map([[own, 'deleted']]));
    const unitItems = c.pages.administrativeUnit!.flatMap((p) => p.value).filter((o: any) => o.id === unit.id);
    expect(unitItems.flatMap((o: any) => o['members@delta'] ?? [])).toContainEqual({ '@odata.type': '#microsoft.graph.user', id: member, '@removed': { reason: 'deleted' } });
    // A soft-deleted member keeps its role membership: nothing reported, the link is not effective.
    expect(c.pages.directoryRole!.flatMap((p) => p.value).filter((o: any) => o.id === ga)).toEqual([]);
    expectSameTruth(c.truth(tenant), d.truth({ memberReadHidden: true }));
    d.restoreApplication(app);
    tenant.restoreUser(admin);
    await c.pull();
    expect(c.objects.application.get(app)).toBeDefined();
    expectSameTruth(c.truth(tenant), d.truth({ memberReadHidden: true }));
  });

  it('bring an activated role with its members, and an empty round when nothing changed', async () => {
    const { tenant, sim } = setup();
    const d = tenant.directory;
    const c = new Client(sim, PLAIN);
    await c.round('directoryRole');
    const again = await c.round('directoryRole');
    expect(again.flatMap((p) => p.value)).toEqual([]);
    expect(again.at(-1)['@odata.deltaLink']).toMatch(/^https:\/\/graph\.sim\.test\/v1\.0\/directoryRoles\/delta\?\$deltatoken=[A-Za-z0-9_-]+$/);
    const user = [...tenant.users.keys()][5]!;
    d.addRoleAssignment(user, 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c'); // SharePoint Administrator: not activated yet
    const pages = await c.round('directoryRole');
    const items = pages.flatMap((p) => p.value);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ displayName: 'SharePoint Administrator', roleTemplateId: 'f28a1f50-f6e7-4571-818b-6a12f2af6b6c',
      'members@delta': [{ '@odata.type': '#microsoft.graph.user', id: user }] });
  });
});
