import { describe, expect, it } from 'vitest';
import { CONNECTORS, findConnector } from '../../connectors/index.js';
import {
  GRAPH_APPLICATION_PERMISSION_IDS, declaredPermissions, extraPermissions, fixInstructions, graphPermissionId, isWritePermission,
  probeRequest, recommendPermissions, withQuery,
} from '../../src/check/index.js';
import { GRAPH_ROLE_ID } from '../../src/sim/directory/graph-permissions.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const pick = (...names: string[]) => names.map((n) => findConnector(n)!);

describe('the permission-id table', () => {
  it('has an id for every permission any connector names (permission, alsoAccepted, requiresAlso, optional)', () => {
    const named = [...declaredPermissions(CONNECTORS)].sort();
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((p) => graphPermissionId(p) === undefined)).toEqual([]);
  });

  it('holds GUIDs only, each once, and agrees with the ids the simulation verified', () => {
    const ids = Object.values(GRAPH_APPLICATION_PERMISSION_IDS);
    expect(ids.filter((id) => !GUID.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [name, id] of Object.entries(GRAPH_ROLE_ID)) {
      if (graphPermissionId(name) !== undefined) expect(graphPermissionId(name), name).toBe(id);
    }
  });

  it('knows nothing else (a name it does not know has no id)', () => {
    expect(graphPermissionId('Nope.Read.All')).toBeUndefined();
    expect(graphPermissionId('toString')).toBeUndefined();
  });
});

describe('the recommendation (a set cover over the declarations, least privileged first)', () => {
  it('users and groups alone: their own least permissions, not the broader Directory.Read.All', () => {
    const r = recommendPermissions(pick('users', 'groups'), CONNECTORS, new Set(['Directory.Read.All']));
    expect(r.permissions.map((p) => p.permission)).toEqual(['User.Read.All', 'GroupMember.Read.All']);
    expect(r.missing).toEqual(['User.Read.All', 'GroupMember.Read.All', 'User-LifeCycleInfo.Read.All']);
    // Directory.Read.All is named by collections not checked here (oauth2PermissionGrants): not called redundant.
    expect(r.redundant).toEqual([]);
  });

  it('every collection: oauth2PermissionGrants needs Directory.Read.All, which then covers the others; AuditLog.Read.All for sign-ins', () => {
    const held = new Set(['User.Read.All', 'GroupMember.Read.All', 'Directory.Read.All', 'AuditLog.Read.All', 'Directory.ReadWrite.All']);
    const r = recommendPermissions(CONNECTORS, CONNECTORS, held);
    expect(r.permissions.map((p) => p.permission)).toEqual(['Directory.Read.All', 'AuditLog.Read.All']);
    expect(r.permissions[0]).toMatchObject({ id: '7ab1d382-f21e-4acd-a863-ba3e13f7da61', held: true });
    expect(r.permissions[0]!.covers).toContain('oauth2PermissionGrants');
    expect(r.optional.map((p) => p.permission).sort()).toEqual(['Member.Read.Hidden', 'User-LifeCycleInfo.Read.All']);
    // Held, named by a collection, and made unnecessary by the set.
    expect(r.redundant).toEqual(['Directory.ReadWrite.All', 'GroupMember.Read.All', 'User.Read.All']);
    expect(r.rule).toMatch(/least-privileged/);
  });

  it('signInActivity: AuditLog.Read.All together with its requiresAlso, User.Read.All', () => {
    const r = recommendPermissions(pick('signInActivity'), CONNECTORS, new Set());
    expect(r.permissions.map((p) => p.permission)).toEqual(['AuditLog.Read.All', 'User.Read.All']);
  });

  it('never recommends a write permission', () => {
    const r = recommendPermissions(CONNECTORS, CONNECTORS, new Set());
    expect([...r.permissions, ...r.optional].filter((p) => isWritePermission(p.permission))).toEqual([]);
  });
});

describe('write and unneeded permissions', () => {
  it('tells write permissions from read ones', () => {
    for (const w of ['User.ReadWrite.All', 'RoleManagement.ReadWrite.Directory', 'Application.ReadWrite.OwnedBy', 'Mail.Send', 'Group.Create', 'Sites.FullControl.All', 'AppRoleAssignment.ReadWrite.All']) {
      expect(isWritePermission(w), w).toBe(true);
    }
    for (const r of ['User.Read.All', 'Directory.Read.All', 'AuditLog.Read.All', 'Member.Read.Hidden', 'User-LifeCycleInfo.Read.All', 'RoleManagement.Read.Directory']) {
      expect(isWritePermission(r), r).toBe(false);
    }
  });

  it('flags held permissions no collection names, and every write permission', () => {
    const e = extraPermissions(['User.Read.All', 'Mail.Read', 'Directory.ReadWrite.All', 'Mail.Send'], CONNECTORS);
    expect(e).toEqual({ notNeeded: ['Mail.Read', 'Mail.Send'], write: ['Directory.ReadWrite.All', 'Mail.Send'] });
  });
});

describe('probe requests: the first request of each pull, made cheap', () => {
  const ctx = { grantedRoles: new Set<string>(), appId: '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', runStartedAt: Date.parse('2025-01-01T00:00:00Z') };
  const url = (name: string) => probeRequest(findConnector(name)!, ctx)!;

  it('delta: the same $select, with $deltatoken=latest', () => {
    const users = findConnector('users')!;
    const first = (users.steps[0] as { url: (c: typeof ctx) => string }).url(ctx);
    expect(url('users')).toMatchObject({ url: `${first}&$deltatoken=latest`, pageKind: 'delta' });
    expect(url('groups').url).toMatch(/^\/groups\/delta\?\$select=id,displayName,.*members,owners&\$deltatoken=latest$/);
  });

  it('lists: $top=1, except subscribedSkus (only $select): the plain URL', () => {
    expect(url('roleAssignments').url).toBe('/roleManagement/directory/roleDefinitions?$top=1');
    expect(url('oauth2PermissionGrants').url).toBe('/oauth2PermissionGrants?$top=1');
    expect(url('licenses').url).toBe('/subscribedSkus');
  });

  it('sign-ins and signInActivity', () => {
    expect(url('signIns').url).toBe('/auditLogs/signIns?$top=1');
    expect(url('signInActivity').url).toBe('/users?$select=id,signInActivity&$top=1');
  });

  it("fan-out: one parent, the app's own service principal by appId, Microsoft Graph's as the fallback", () => {
    expect(url('appRoleAssignments')).toMatchObject({
      url: "/servicePrincipals(appId='9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d')/appRoleAssignedTo?$top=1",
      fallbackUrl: "/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')/appRoleAssignedTo?$top=1",
      parent: true,
    });
  });

  it('withQuery keeps other options as written and replaces the ones given', () => {
    expect(withQuery('/x?$select=a,b&$top=999', { $top: '1' })).toBe('/x?$select=a,b&$top=1');
    expect(withQuery('/x?$filter=a%20ge%201&$top=1000', { $filter: null, $top: '1' })).toBe('/x?$top=1');
    expect(withQuery('/x', { $deltatoken: 'latest' })).toBe('/x?$deltatoken=latest');
  });
});

describe('fix instructions', () => {
  const grant = [{ permission: 'User.Read.All', id: 'df021288-bdef-4463-88db-98f22de89214', optional: false, for: ['users'] }];

  it('an app registration: portal path and az ad app commands, with the cloud set for a national cloud', () => {
    const f = fixInstructions({ auth: 'secret', cloud: 'china', graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn', appId: 'app-1' }, grant)!;
    expect(f.target).toBe('app-registration');
    expect(f.portal.join('\n')).toMatch(/App registrations > .* > API permissions > Add a permission > Microsoft Graph > Application permissions > User.Read.All/);
    expect(f.portal.join('\n')).toMatch(/Grant admin consent/);
    expect(f.commands).toEqual([
      'az cloud set --name AzureChinaCloud   # this tenant is in the china cloud',
      'az ad app permission add --id app-1 --api 00000003-0000-0000-c000-000000000000 --api-permissions df021288-bdef-4463-88db-98f22de89214=Role   # User.Read.All',
      'az ad app permission admin-consent --id app-1',
    ]);
  });

  it('a managed identity: the app role assignment on the national Graph host, not az ad app', () => {
    const f = fixInstructions({ auth: 'managed-identity', cloud: 'usgov', graphEndpoint: 'https://graph.microsoft.us', servicePrincipalId: 'sp-1' }, grant)!;
    expect(f.target).toBe('managed-identity');
    const text = f.commands.join('\n');
    expect(text).toContain('az rest --method POST --uri https://graph.microsoft.us/v1.0/servicePrincipals/sp-1/appRoleAssignments');
    expect(text).toContain('\\"principalId\\":\\"sp-1\\",\\"resourceId\\":\\"$GRAPH_SP_ID\\",\\"appRoleId\\":\\"df021288-bdef-4463-88db-98f22de89214\\"');
    expect(text).toContain('az ad sp show --id 00000003-0000-0000-c000-000000000000 --query id -o tsv');
    expect(text).not.toContain('az ad app');
  });

  it('nothing to do: no instructions', () => {
    expect(fixInstructions({ auth: 'secret', cloud: 'global', graphEndpoint: 'https://graph.microsoft.com', appId: 'a' }, [])).toBeNull();
  });
});
