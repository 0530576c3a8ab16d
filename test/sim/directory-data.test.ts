import { describe, expect, it } from 'vitest';
import { DEFAULT_ACCESS_ROLE_ID, GRAPH_ROLE_ID, MICROSOFT_GRAPH_APP_ID } from '../../src/sim/directory/graph-permissions.js';
import { generateTenant, type GenerateTenantOptions } from '../../src/sim/tenant/generate-tenant.js';

/** The apps-and-roles model: generation, truth(), mutations and random changes. */

const SMALL: GenerateTenantOptions = { seed: 7, users: 120, groups: 20, memberships: 500, servicePrincipals: 2 };

describe('generation', () => {
  it('is deterministic and leaves the users and groups of a seed as they were', () => {
    const a = generateTenant(SMALL);
    const b = generateTenant(SMALL);
    expect(JSON.stringify(a.directory.truth())).toBe(JSON.stringify(b.directory.truth()));
    const other = generateTenant({ ...SMALL, directory: { extraServicePrincipals: 3, appRoleAssignments: 10, administrativeUnits: 1 } });
    expect(JSON.stringify(other.truth())).toBe(JSON.stringify(a.truth()));
    expect(other.directory.stats()).toMatchObject({ servicePrincipals: 5, appRoleAssignments: 10, administrativeUnits: 1 });
  });

  it('holds Microsoft Graph with its real permissions, and service principals holding them', () => {
    const d = generateTenant(SMALL).directory;
    const graph = d.registry.sps.get(d.registry.spOfAppId(MICROSOFT_GRAPH_APP_ID)!)!;
    expect(graph.props.displayName).toBe('Microsoft Graph');
    const roles = new Map((graph.props.appRoles as any[]).map((r) => [r.value, r]));
    expect(roles.get('User.Read.All')).toMatchObject({ id: 'df021288-bdef-4463-88db-98f22de89214', allowedMemberTypes: ['Application'], isEnabled: true, origin: 'Application' });
    expect(roles.get('Directory.Read.All')?.id).toBe('7ab1d382-f21e-4acd-a863-ba3e13f7da61');
    expect(roles.get('RoleManagement.ReadWrite.Directory')?.id).toBe('9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8');
    expect(roles.get('Application.ReadWrite.All')?.id).toBe('1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9');
    expect(roles.get('Group.Read.All')?.id).toBe('5b567255-7703-4780-807c-7be8301ae99b');
    expect((graph.props.oauth2PermissionScopes as any[]).find((s) => s.value === 'User.Read')?.id).toBe('e1fe6dd8-ba31-4d61-89e7-88639da4683d');
    const held = [...d.appRoleAssignments.forResource(graph.id)];
    expect(held.some((a) => a.appRoleId === GRAPH_ROLE_ID['RoleManagement.ReadWrite.Directory'] && d.typeOf(a.principalId) === 'servicePrincipal')).toBe(true);
    expect(() => d.hardDeleteServicePrincipal(graph.id)).toThrow();
    const types = new Set([...d.registry.sps.recs.values()].map((s) => s.props.servicePrincipalType));
    expect(types).toEqual(new Set(['Application', 'ManagedIdentity', 'Legacy']));
  });

  it('gives every service principal of the tenant a full record and credentials that are expired, expiring or valid', () => {
    const t = generateTenant(SMALL);
    const d = t.directory;
    for (const p of t.others.values()) if (p.type === 'servicePrincipal') expect(d.registry.sps.get(p.id)?.props.displayName).toBe(p.displayName);
    const ends = [...d.registry.apps.recs.values(), ...d.registry.sps.recs.values()]
      .flatMap((r) => [...(r.props.passwordCredentials as any[]), ...(r.props.keyCredentials as any[])]).map((c) => Date.parse(c.endDateTime));
    const ref = d.referenceTime;
    expect(ends.some((e) => e < ref)).toBe(true);
    expect(ends.some((e) => e >= ref && e < ref + 30 * 86_400_000)).toBe(true);
    expect(ends.some((e) => e > ref + 60 * 86_400_000)).toBe(true);
  });

  it('generates the benchmark shape in linear time', () => {
    const time = (users: number, servicePrincipals: number, appRoleAssignments: number) => {
      const t0 = performance.now();
      const t = generateTenant({ seed: 3, users, groups: users / 100, memberships: users * 2, servicePrincipals, directory: { appRoleAssignments } });
      const ms = performance.now() - t0;
      expect(t.directory.stats().appRoleAssignments).toBe(appRoleAssignments);
      expect(t.directory.stats().servicePrincipals).toBe(servicePrincipals + 30);
      return ms;
    };
    const small = time(5_000, 250, 10_000);
    const big = time(20_000, 1_000, 40_000);
    expect(big).toBeLessThan(8 * small + 1_000);
    expect(big).toBeLessThan(10_000);
  });
});

describe('truth', () => {
  it('lists live objects with their data as served, credentials without secrets, relations with both ends live', () => {
    const t = generateTenant(SMALL);
    const d = t.directory;
    const truth = d.truth();
    const ids = new Set(truth.entities.map((e) => `${e.type}:${e.id}`));
    for (const sp of d.registry.sps.recs.keys()) {
      expect(ids).toContain(`servicePrincipal:${sp}`);
      expect(ids).toContain(`appRole:${sp}/${DEFAULT_ACCESS_ROLE_ID}`);
    }
    for (const e of truth.entities) {
      if (e.type !== 'servicePrincipal' && e.type !== 'application') continue;
      for (const c of e.data.passwordCredentials as any[]) expect(Object.keys(c).sort()).toEqual(['customKeyIdentifier', 'displayName', 'endDateTime', 'keyId', 'startDateTime']);
      for (const c of e.data.keyCredentials as any[]) expect(c).not.toHaveProperty('key');
    }
    const role = truth.entities.find((e) => e.type === 'directoryRole')!;
    expect(Object.keys(role.data).sort()).toEqual(['description', 'displayName', 'id', 'roleTemplateId']);
    const kinds = new Set(truth.relations.map((r) => r.relation));
    expect(kinds).toEqual(new Set(['memberOf', 'hasRole', 'appRoleOf', 'hasAppRole', 'ownerOf', 'delegatedGrant']));
    for (const r of truth.relations) if (r.relation !== 'hasRole') expect(r.scope).toBe('');
    const hasAppRole = truth.relations.find((r) => r.relation === 'hasAppRole')!;
    expect(hasAppRole.data).toEqual({ assignmentId: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), createdDateTime: expect.stringMatching(/Z$/) });
    for (const r of truth.relations.filter((x) => x.relation === 'delegatedGrant')) {
      const grants = (r.data as any).grants;
      for (const g of grants) expect(Object.keys(g)).toEqual(['id', 'consentType', 'principalId', 'scope']);
      expect(grants.map((g: any) => g.id)).toEqual(grants.map((g: any) => g.id).sort());
    }
    const hidden = [...d.units.recs.values()].find((x) => x.props.visibility === 'HiddenMembership')!;
    expect(truth.relations.some((r) => r.targetId === hidden.id)).toBe(false);
    expect(d.truth({ memberReadHidden: true }).relations.filter((r) => r.targetId === hidden.id).length).toBe(hidden.links.size);
  });

  it('follows deletions: a soft-deleted end makes a link ineffective, a permanent delete removes it', () => {
    const t = generateTenant(SMALL);
    const d = t.directory;
    const a = [...d.appRoleAssignments.all()].find((x) => t.typeOf(x.principalId) === 'user')!;
    const count = () => d.truth().relations.filter((r) => r.relation === 'hasAppRole' && r.sourceId === a.principalId).length;
    const before = count();
    t.softDeleteUser(a.principalId);
    expect(count()).toBe(0);
    expect(d.appRoleAssignments.get(a.id)).toBeDefined();
    t.restoreUser(a.principalId);
    expect(count()).toBe(before);
    t.hardDeleteUser(a.principalId);
    expect(count()).toBe(0);
    d.sync();
    expect(d.appRoleAssignments.get(a.id)).toBeUndefined();
  });

  it('drops an app role with its assignments, and a deleted own service principal with every link', () => {
    const t = generateTenant(SMALL);
    const d = t.directory;
    const a = [...d.appRoleAssignments.all()].find((x) => x.appRoleId !== DEFAULT_ACCESS_ROLE_ID && !d.registry.protectedSps.has(x.resourceId))!;
    const n = [...d.appRoleAssignments.forResource(a.resourceId)].filter((x) => x.appRoleId === a.appRoleId).length;
    expect(d.removeAppRole(a.resourceId, a.appRoleId)).toBe(n);
    expect(d.truth().entities.some((e) => e.id === `${a.resourceId}/${a.appRoleId}`)).toBe(false);
    const sp = [...d.registry.ownSps].find((id) => !d.registry.protectedSps.has(id) && d.registry.sps.get(id)!.props.servicePrincipalType === 'Application')!;
    const user = [...t.users.keys()][3]!;
    d.addOwner(sp, user);
    d.addRoleAssignment(sp, '62e90394-69f5-4237-9190-012177145e10');
    d.addAppRoleAssignment(user, sp);
    d.addGrant(sp, d.registry.graphSpId, 'User.Read');
    d.hardDeleteServicePrincipal(sp);
    const truth = d.truth();
    expect(truth.relations.some((r) => r.sourceId === sp || r.targetId === sp || r.targetId.startsWith(`${sp}/`))).toBe(false);
    expect([...d.grants.values()].some((g) => g.clientId === sp)).toBe(false);
    expect([...d.roles.assignments.values()].some((x) => x.principalId === sp)).toBe(false);
  });
});

describe('random changes', () => {
  it('are deterministic for a state and a seed, and cover every kind of change', () => {
    const a = generateTenant(SMALL);
    const b = generateTenant(SMALL);
    const kinds = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const ra = a.directory.randomChanges(0.25, seed);
      expect(b.directory.randomChanges(0.25, seed)).toEqual(ra);
      for (const k of Object.keys(ra)) kinds.add(k);
    }
    expect(JSON.stringify(a.directory.truth())).toBe(JSON.stringify(b.directory.truth()));
    for (const k of ['appRoleAssignmentAdded', 'appRoleAssignmentRemoved', 'graphPermissionGranted', 'graphPermissionRevoked', 'credentialAdded',
      'credentialRemoved', 'credentialExpiryChanged', 'accountEnabledToggled', 'propertyCleared', 'appRoleAdded', 'ownerAdded', 'ownerRemoved',
      'grantAdded', 'grantRemoved', 'grantScopeChanged', 'directoryRoleMemberAdded', 'directoryRoleMemberRemoved', 'directoryRoleActivated',
      'roleDefinitionAdded', 'unitMemberAdded', 'unitMemberRemoved', 'unitCreated', 'unitSoftDeleted', 'applicationCreated', 'applicationSoftDeleted',
      'servicePrincipalCreated', 'servicePrincipalSoftDeleted']) {
      expect(kinds, k).toContain(k);
    }
    // With the tenant's own changes (users come and go), consumed license units move too.
    const withUsers = a.randomChanges(0.05, 9);
    expect(b.randomChanges(0.05, 9)).toEqual(withUsers);
    expect(withUsers.byKind.skuConsumedUnitsChanged).toBeGreaterThan(0);
  });
});
