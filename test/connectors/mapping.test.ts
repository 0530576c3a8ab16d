import { describe, expect, it } from 'vitest';
import { CONNECTORS, COLLECTION_NAMES } from '../../connectors/index.js';
import { servicePrincipals, DEFAULT_ACCESS_ROLE_ID } from '../../connectors/service-principals.js';
import { applications } from '../../connectors/applications.js';
import { appRoleAssignments } from '../../connectors/app-role-assignments.js';
import { oauth2PermissionGrants } from '../../connectors/oauth2-permission-grants.js';
import { roleAssignments } from '../../connectors/role-assignments.js';
import { licenses } from '../../connectors/licenses.js';
import { signIns } from '../../connectors/sign-ins.js';
import { signInActivity } from '../../connectors/sign-in-activity.js';
import type { DeltaStep, DeriveStep, EnrichStep, EventsStep, FanOutStep, ListStep } from '../../src/pull/connector.js';

const SP = '11111111-1111-4111-8111-111111111111';
const ROLE = '22222222-2222-4222-8222-222222222222';

describe('the registry', () => {
  it('pulls every collection of the contract, each with its Graph source and permission, dependencies first', () => {
    expect(CONNECTORS.map((c) => c.name)).toEqual([...COLLECTION_NAMES]);
    for (const c of CONNECTORS) {
      expect(c.steps.length, c.name).toBeGreaterThan(0);
      expect(c.permission, c.name).toMatch(/^[A-Z]\w+(\.\w+)+$/);
      for (const dep of c.dependsOn ?? []) expect(COLLECTION_NAMES.indexOf(dep as never)).toBeLessThan(COLLECTION_NAMES.indexOf(c.name as never));
    }
  });

  it('no two collections own the same entity type or link set', () => {
    const owners = new Map<string, string>();
    for (const c of CONNECTORS) {
      for (const s of c.steps) {
        for (const t of s.entityTypes) {
          expect(owners.get(`entity ${t}`), t).toBeUndefined();
          owners.set(`entity ${t}`, c.name);
        }
        for (const r of s.relationScopes) {
          const key = `link ${r.relation} ${r.anchor} ${r.anchorType}`;
          expect(owners.get(key), key).toBeUndefined();
          owners.set(key, c.name);
        }
      }
    }
  });
});

describe('servicePrincipals', () => {
  const step = servicePrincipals.steps[0] as DeltaStep;
  const sp = {
    id: SP, appId: 'a', displayName: 'Contoso HR',
    appRoles: [{ id: ROLE, value: 'HR.Read', displayName: 'Read HR', isEnabled: true, allowedMemberTypes: ['User'], description: 'd', origin: 'Application' }],
    passwordCredentials: [{ keyId: 'k1', displayName: 'ci', endDateTime: '2027-01-01T00:00:00Z', hint: 'abc', secretText: null, startDateTime: '2026-01-01T00:00:00Z', customKeyIdentifier: null }],
    keyCredentials: [{ keyId: 'k2', key: 'MIIC...', type: 'AsymmetricX509Cert', usage: 'Verify', endDateTime: '2027-06-01T00:00:00Z' }],
  };

  it('stores the service principal without secrets, hints or certificate bodies', () => {
    const item = step.map(sp).find((i) => i.entityType === 'servicePrincipal')!;
    expect(item.data!.passwordCredentials).toEqual([{ keyId: 'k1', displayName: 'ci', endDateTime: '2027-01-01T00:00:00Z', startDateTime: '2026-01-01T00:00:00Z', customKeyIdentifier: null }]);
    expect(item.data!.keyCredentials).toEqual([{ keyId: 'k2', type: 'AsymmetricX509Cert', usage: 'Verify', endDateTime: '2027-06-01T00:00:00Z' }]);
    expect(JSON.stringify(item)).not.toMatch(/abc|MIIC|secretText|hint/);
  });

  it('turns its app roles, and the default-access role, into appRole entities linked by appRoleOf; they are its whole set', () => {
    const items = step.map(sp);
    const roles = items.filter((i) => i.entityType === 'appRole');
    expect(roles.map((r) => r.id).sort()).toEqual([`${SP}/${DEFAULT_ACCESS_ROLE_ID}`, `${SP}/${ROLE}`].sort());
    expect(roles.find((r) => r.id === `${SP}/${DEFAULT_ACCESS_ROLE_ID}`)!.data).toMatchObject({ displayName: 'Default Access', id: DEFAULT_ACCESS_ROLE_ID });
    for (const r of roles) expect(r.links).toEqual([expect.objectContaining({ anchorId: r.id, otherId: SP, otherType: 'servicePrincipal', removed: false })]);
    const parent = items.find((i) => i.entityType === 'servicePrincipal')!;
    expect(parent.children).toEqual({ entityType: 'appRole', ids: roles.map((r) => r.id) });
    // The parent comes after its roles: its whole set retires the others once they are written.
    expect(items.at(-1)).toBe(parent);
  });

  it('a removed service principal takes its app roles along; one without appRoles leaves them alone', () => {
    expect(step.map({ id: SP, '@removed': { reason: 'deleted' } })).toEqual([
      { entityType: 'servicePrincipal', id: SP, removed: 'deleted', links: [], children: { entityType: 'appRole', ids: [] } },
    ]);
    const items = step.map({ id: SP, displayName: 'x' });
    expect(items).toHaveLength(1);
    expect(items[0]!.children).toBeUndefined();
  });

  it('reads owners of every service principal by fan-out, and a 404 takes exactly that parent\'s owner links', () => {
    const owners = servicePrincipals.steps[1] as FanOutStep;
    expect(owners.url(SP, { grantedRoles: new Set() })).toBe(`/servicePrincipals/${SP}/owners?$select=id`);
    expect(owners.map({ '@odata.type': '#microsoft.graph.user', id: 'u1' }, SP)[0]!.links[0]).toMatchObject({ anchorId: SP, otherId: 'u1', otherType: 'user' });
    expect(owners.parentLinks(SP)).toEqual({ relation: 'ownerOf', targetType: 'servicePrincipal', targetId: SP });
  });
});

describe('applications', () => {
  it('store no secrets either', () => {
    const item = (applications.steps[0] as DeltaStep).map({ id: 'app', passwordCredentials: [{ keyId: 'k', hint: 'xyz', secretText: 'shh' }] })[0]!;
    expect(item.data).toEqual({ id: 'app', passwordCredentials: [{ keyId: 'k' }] });
  });
});

describe('appRoleAssignments', () => {
  const step = appRoleAssignments.steps[0] as FanOutStep;
  it('links the principal (user, group or service principal) to <resource>/<appRole>, with the assignment id', () => {
    for (const [principalType, entityType] of [['User', 'user'], ['Group', 'group'], ['ServicePrincipal', 'servicePrincipal']] as const) {
      const [item] = step.map({ id: 'as1', appRoleId: ROLE, principalId: 'p', principalType, resourceId: SP, createdDateTime: '2026-01-01T00:00:00Z' }, SP);
      expect(item!.links).toEqual([expect.objectContaining({
        anchorId: `${SP}/${ROLE}`, otherId: 'p', otherType: entityType, removed: false, data: { assignmentId: 'as1', createdDateTime: '2026-01-01T00:00:00Z' },
      })]);
    }
  });
  it('a deleted resource loses every assignment to any of its roles', () => {
    expect(step.parentLinks(SP)).toEqual({ relation: 'hasAppRole', targetType: 'appRole', targetIdPrefix: `${SP}/` });
  });
});

describe('oauth2PermissionGrants', () => {
  it('one link per (client, resource) pair whose data accumulates every grant, by id', () => {
    const step = oauth2PermissionGrants.steps[0] as ListStep;
    const a = step.map({ id: 'g2', clientId: 'c', resourceId: 'r', consentType: 'Principal', principalId: 'u', scope: 'User.Read' })[0]!.links[0]!;
    const b = step.map({ id: 'g1', clientId: 'c', resourceId: 'r', consentType: 'AllPrincipals', principalId: null, scope: 'openid profile' })[0]!.links[0]!;
    expect(a).toMatchObject({ anchorId: 'c', otherId: 'r', otherType: 'servicePrincipal' });
    const merged = b.accumulate!(a.data!, b.data!);
    expect(merged).toEqual({ grants: [
      { id: 'g1', consentType: 'AllPrincipals', principalId: null, scope: 'openid profile' },
      { id: 'g2', consentType: 'Principal', principalId: 'u', scope: 'User.Read' },
    ] });
    // Seen twice (a page read again): no duplicate.
    expect(b.accumulate!(merged, b.data!)).toEqual(merged);
  });
});

describe('roleAssignments', () => {
  it('reads definitions, then assignments linking the principal to the definition at its scope', () => {
    const [defs, assignments] = roleAssignments.steps as [ListStep, ListStep];
    expect(defs.url({ grantedRoles: new Set() })).toBe('/roleManagement/directory/roleDefinitions');
    const link = assignments.map({
      id: 'ra1', principalId: 'u', roleDefinitionId: 'def', directoryScopeId: '/administrativeUnits/au1', appScopeId: null,
      principal: { '@odata.type': '#microsoft.graph.group', id: 'u' },
    })[0]!.links[0]!;
    expect(link).toMatchObject({ anchorId: 'def', otherId: 'u', otherType: 'group', scopeValue: '/administrativeUnits/au1', data: { assignmentId: 'ra1', appScopeId: null } });
  });
});

describe('licenses', () => {
  it('derives licensedWith from a stored user\'s assignedLicenses to <tenant>_<sku>, once per SKU', () => {
    const derive = licenses.steps[1] as DeriveStep;
    const [item] = derive.derive({ id: 'u1', data: { assignedLicenses: [{ skuId: 's1' }, { skuId: 's2' }, { skuId: 's1' }] } }, { grantedRoles: new Set(), tenantId: 't' });
    expect(item!.links.map((l) => [l.anchorId, l.otherType, l.otherId])).toEqual([['u1', 'subscribedSku', 't_s1'], ['u1', 'subscribedSku', 't_s2']]);
  });
});

describe('signIns and signInActivity', () => {
  it('a window filter on createdDateTime, 1,000 a page; the first reaches back --sign-ins-days, at most 30', () => {
    const step = signIns.steps[0] as EventsStep;
    expect(decodeURIComponent(step.url('2026-11-01T00:00:00Z', '2026-11-08T00:00:00Z'))).toBe(
      '/auditLogs/signIns?$filter=createdDateTime ge 2026-11-01T00:00:00Z and createdDateTime le 2026-11-08T00:00:00Z&$top=1000',
    );
    expect(step.firstWindowMs({ grantedRoles: new Set() })).toBe(7 * 86_400_000);
    expect(step.firstWindowMs({ grantedRoles: new Set(), signInsDays: 90 })).toBe(30 * 86_400_000);
    expect(step.overlapMs({ grantedRoles: new Set() })).toBe(3_600_000);
    const row = step.row({ id: 'e1', createdDateTime: '2026-11-02T10:00:00Z', userId: 'u', appId: 'a', status: { errorCode: 50126 }, isInteractive: true, location: { countryOrRegion: 'NL', city: 'Utrecht' } });
    expect(row).toMatchObject({ id: 'e1', created_at: '2026-11-02T10:00:00.0000000Z', user_id: 'u', app_id: 'a', status_error_code: 50126, is_interactive: 1, country: 'NL', city: 'Utrecht' });
  });

  it('signInActivity writes data.signInActivity of users only', () => {
    const step = signInActivity.steps[0] as EnrichStep;
    expect(step).toMatchObject({ kind: 'enrich', entityType: 'user', key: 'signInActivity' });
    expect(step.value({ id: 'u', signInActivity: { lastSignInDateTime: 'x' } })).toEqual({ id: 'u', value: { lastSignInDateTime: 'x' } });
    expect(step.value({ id: 'u' })).toEqual({ id: 'u', value: null });
  });
});
