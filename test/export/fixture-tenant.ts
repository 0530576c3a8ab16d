import { openDatabase, type Db } from '../../src/store/index.js';

/**
 * A small fixed tenant written by hand (fixed ids, fixed times), for golden files and the rules of
 * the flat expansion:
 *
 *   Nesting (member → group):  alice → A;  B → A;  dave → B;  C → B;  erin → C;  A → C (a cycle A → C → B → A)
 *                              dave → D;  D → E;  B → E (two chains from dave to E)
 *   App role on a group:       App Users holds sp-app's Admin role; bob and Inner are its direct members, erin is in Inner
 *   Roles on a group:          Role Group (alice) is a member of the Global Reader directory role and holds the role definition at '/'
 *   Units:                     au-1 holds dave, group A and a device (a group's members are not the unit's)
 *   Removed:                   carol is soft-deleted (her membership of A is kept but is no access); bob's membership of A was removed
 *   Formula-like text:         bob's name, dave's job, the Inner group's name, an app role's name
 */
export const FIXTURE_TENANT = '11111111-1111-4111-8111-111111111111';

const RUN1 = '2024-01-01T00:00:00.000Z';
const RUN2 = '2024-02-01T00:00:00.000Z';

type Row = [type: string, id: string, data: Record<string, unknown>, deletedAt?: string];
type Link = [relation: string, sourceType: string, sourceId: string, targetType: string, targetId: string, scope?: string, data?: unknown, firstSeenRun?: number, deletedAt?: string];

const user = (id: string, p: Record<string, unknown>) => ({ id, accountEnabled: true, userType: 'Member', createdDateTime: '2020-01-01T00:00:00Z', ...p });

export const ENTITIES: Row[] = [
  ['user', 'u-alice', user('u-alice', {
    displayName: 'Alice Adams', userPrincipalName: 'alice@contoso.test', mail: 'alice@contoso.test', jobTitle: 'Engineer',
    department: 'R&D, Lab "North"', lastPasswordChangeDateTime: '2023-12-01T08:00:00Z', employeeHireDate: '2020-01-06T00:00:00Z',
    signInActivity: { lastSignInDateTime: '2024-01-30T09:00:00Z', lastNonInteractiveSignInDateTime: '2024-01-31T10:00:00Z', lastSuccessfulSignInDateTime: '2024-01-31T10:00:00Z' },
    assignedLicenses: [{ skuId: 'sku-e5' }],
  })],
  ['user', 'u-bob', user('u-bob', {
    displayName: '=HYPERLINK("https://evil.test","Bob")', userPrincipalName: 'bob_partner.test#EXT#@contoso.test', userType: 'Guest',
    accountEnabled: false, jobTitle: null, signInActivity: { lastSuccessfulSignInDateTime: '2023-06-01T12:00:00Z' },
    employeeLeaveDateTime: '2024-01-15T00:00:00Z',
  })],
  ['user', 'u-carol', user('u-carol', { displayName: 'Carol Deleted', userPrincipalName: 'carol@contoso.test' }), '2024-01-20T00:00:00.000Z'],
  ['user', 'u-dave', user('u-dave', {
    displayName: 'Dave Dunn', userPrincipalName: 'dave@contoso.test', jobTitle: '+1 Engineer', department: '\tOps', signInActivity: null,
  })],
  ['user', 'u-erin', user('u-erin', { displayName: 'Érin Ünal 日本', userPrincipalName: 'erin@contoso.test', jobTitle: 'Line one\r\nline two' })],
  ['group', 'g-a', { id: 'g-a', displayName: 'Group A', securityEnabled: true, mailEnabled: false, groupTypes: [] }],
  ['group', 'g-b', { id: 'g-b', displayName: 'Group B', securityEnabled: true, mailEnabled: false, groupTypes: [] }],
  ['group', 'g-c', { id: 'g-c', displayName: 'Group C', securityEnabled: true, mailEnabled: false, groupTypes: ['DynamicMembership'], membershipRule: '(user.department -eq "Ops")' }],
  ['group', 'g-d', { id: 'g-d', displayName: 'Group D', securityEnabled: true, groupTypes: [] }],
  ['group', 'g-e', { id: 'g-e', displayName: 'Group E', securityEnabled: true, groupTypes: ['Unified'], mail: 'e@contoso.test' }],
  ['group', 'g-inner', { id: 'g-inner', displayName: '@Inner', securityEnabled: true, groupTypes: [] }],
  ['group', 'g-role', { id: 'g-role', displayName: 'Role Group', securityEnabled: true, isAssignableToRole: true, groupTypes: [] }],
  ['group', 'g-users', { id: 'g-users', displayName: 'App Users', securityEnabled: true, groupTypes: [] }],
  ['directoryRole', 'dr-reader', { id: 'dr-reader', displayName: 'Global Reader', roleTemplateId: 'rd-reader', description: 'Can read everything' }],
  ['roleDefinition', 'rd-reader', { id: 'rd-reader', displayName: 'Global Reader', isBuiltIn: true, isEnabled: true, templateId: 'rd-reader' }],
  ['roleDefinition', 'rd-helpdesk', { id: 'rd-helpdesk', displayName: 'Helpdesk Administrator', isBuiltIn: true, isEnabled: true, templateId: 'rd-helpdesk' }],
  ['administrativeUnit', 'au-1', { id: 'au-1', displayName: 'Unit One', visibility: null, membershipType: 'Assigned' }],
  ['servicePrincipal', 'sp-app', {
    id: 'sp-app', appId: 'app-id-1', displayName: 'Contoso App', servicePrincipalType: 'Application', accountEnabled: true,
    appRoleAssignmentRequired: true, passwordCredentials: [{ keyId: 'k2', endDateTime: '2025-06-01T00:00:00Z' }, { keyId: 'k1', endDateTime: '2024-06-01T00:00:00Z' }],
  }],
  ['servicePrincipal', 'sp-graph', { id: 'sp-graph', appId: '00000003-0000-0000-c000-000000000000', displayName: 'Microsoft Graph', servicePrincipalType: 'Application', accountEnabled: true }],
  ['servicePrincipal', 'sp-evil', { id: 'sp-evil', appId: 'app-id-2', displayName: "=cmd|' /C calc'!A0", servicePrincipalType: 'Application', accountEnabled: false }],
  ['application', 'app-1', { id: 'app-1', appId: 'app-id-1', displayName: 'Contoso App', signInAudience: 'AzureADMyOrg', createdDateTime: '2021-01-01T00:00:00Z' }],
  ['appRole', 'sp-app/00000000-0000-0000-0000-000000000000', { id: '00000000-0000-0000-0000-000000000000', displayName: 'Default Access', value: null, isEnabled: true, allowedMemberTypes: ['User'] }],
  ['appRole', 'sp-app/role-admin', { id: 'role-admin', displayName: '-Admin', value: 'App.Admin', isEnabled: true, allowedMemberTypes: ['User'], description: 'Administers the app' }],
  ['appRole', 'sp-graph/role-dir', { id: 'role-dir', displayName: 'Read directory data', value: 'Directory.Read.All', isEnabled: true, allowedMemberTypes: ['Application'] }],
  ['subscribedSku', `${FIXTURE_TENANT}_sku-e5`, { id: `${FIXTURE_TENANT}_sku-e5`, skuId: 'sku-e5', skuPartNumber: 'SPE_E5', capabilityStatus: 'Enabled', consumedUnits: 1, prepaidUnits: { enabled: 25 } }],
];

export const LINKS: Link[] = [
  ['memberOf', 'user', 'u-alice', 'group', 'g-a'],
  ['memberOf', 'group', 'g-b', 'group', 'g-a'],
  ['memberOf', 'user', 'u-dave', 'group', 'g-b'],
  ['memberOf', 'group', 'g-c', 'group', 'g-b', '', undefined, 2],
  ['memberOf', 'user', 'u-erin', 'group', 'g-c'],
  ['memberOf', 'group', 'g-a', 'group', 'g-c'],
  ['memberOf', 'user', 'u-dave', 'group', 'g-d'],
  ['memberOf', 'group', 'g-d', 'group', 'g-e'],
  ['memberOf', 'group', 'g-b', 'group', 'g-e'],
  ['memberOf', 'user', 'u-bob', 'group', 'g-users'],
  ['memberOf', 'group', 'g-inner', 'group', 'g-users'],
  ['memberOf', 'user', 'u-erin', 'group', 'g-inner'],
  ['memberOf', 'user', 'u-alice', 'group', 'g-role'],
  ['memberOf', 'device', 'dev-1', 'group', 'g-a'],
  ['memberOf', 'user', 'u-carol', 'group', 'g-a'],
  ['memberOf', 'user', 'u-bob', 'group', 'g-a', '', undefined, 1, '2024-01-25T00:00:00.000Z'],
  ['memberOf', 'group', 'g-role', 'directoryRole', 'dr-reader'],
  ['memberOf', 'user', 'u-dave', 'administrativeUnit', 'au-1'],
  ['memberOf', 'group', 'g-a', 'administrativeUnit', 'au-1'],
  ['memberOf', 'device', 'dev-1', 'administrativeUnit', 'au-1'],
  ['hasRole', 'group', 'g-role', 'roleDefinition', 'rd-reader', '/', { assignmentId: 'ra-1', appScopeId: null }],
  ['hasRole', 'user', 'u-alice', 'roleDefinition', 'rd-helpdesk', '/administrativeUnits/au-1', { assignmentId: 'ra-2', appScopeId: null }, 2],
  ['hasAppRole', 'group', 'g-users', 'appRole', 'sp-app/role-admin', '', { assignmentId: 'as-1', createdDateTime: '2023-01-01T00:00:00Z' }],
  ['hasAppRole', 'user', 'u-alice', 'appRole', 'sp-app/00000000-0000-0000-0000-000000000000', '', { assignmentId: 'as-2', createdDateTime: null }],
  ['hasAppRole', 'servicePrincipal', 'sp-app', 'appRole', 'sp-graph/role-dir', '', { assignmentId: 'as-3', createdDateTime: null }],
  ['appRoleOf', 'appRole', 'sp-app/00000000-0000-0000-0000-000000000000', 'servicePrincipal', 'sp-app'],
  ['appRoleOf', 'appRole', 'sp-app/role-admin', 'servicePrincipal', 'sp-app'],
  ['appRoleOf', 'appRole', 'sp-graph/role-dir', 'servicePrincipal', 'sp-graph'],
  ['ownerOf', 'user', 'u-alice', 'application', 'app-1'],
  ['ownerOf', 'user', 'u-bob', 'servicePrincipal', 'sp-app'],
  ['ownerOf', 'user', 'u-dave', 'group', 'g-inner'],
  ['reportsTo', 'user', 'u-alice', 'user', 'u-bob'],
  ['licensedWith', 'user', 'u-alice', 'subscribedSku', `${FIXTURE_TENANT}_sku-e5`],
  ['delegatedGrant', 'servicePrincipal', 'sp-app', 'servicePrincipal', 'sp-graph', '', {
    grants: [
      { id: 'gr-1', consentType: 'AllPrincipals', principalId: null, scope: 'User.Read openid' },
      { id: 'gr-2', consentType: 'Principal', principalId: 'u-alice', scope: 'Mail.Read User.Read' },
    ],
  }],
];

/** Writes the fixture tenant into a new database at `path` (migrated by openDatabase): two successful runs. */
export function buildFixtureDb(path: string, extra?: (db: Db) => void): void {
  const db = openDatabase(path);
  try {
    db.transaction(() => {
      db.prepare("INSERT INTO meta (key, value) VALUES ('tenant_id', ?)").run(FIXTURE_TENANT);
      const run = db.prepare("INSERT INTO runs (id, command, started_at, ended_at, outcome) VALUES (?, 'pull', ?, ?, 'success')");
      run.run(1, RUN1, '2024-01-01T00:10:00.000Z');
      run.run(2, RUN2, '2024-02-01T00:10:00.000Z');
      const rc = db.prepare("INSERT INTO run_collections (run_id, collection, mode, outcome, started_at, ended_at) VALUES (?, ?, 'full', 'success', ?, ?)");
      for (const c of ['users', 'groups', 'directoryRoles', 'roleAssignments', 'administrativeUnits', 'servicePrincipals', 'applications', 'appRoleAssignments', 'oauth2PermissionGrants', 'licenses', 'signInActivity']) {
        rc.run(1, c, RUN1, '2024-01-01T00:05:00.000Z');
        rc.run(2, c, RUN2, '2024-02-01T00:05:00.000Z');
      }
      const ent = db.prepare(`INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run, deleted_at, deleted_kind)
                              VALUES (?, ?, ?, ?, 1, 2, ?, ?)`);
      for (const [type, id, data, deletedAt] of ENTITIES) {
        const name = type === 'subscribedSku' ? (data.skuPartNumber as string) : ((data.displayName as string | undefined) ?? null);
        ent.run(type, id, name, JSON.stringify(data), deletedAt ?? null, deletedAt ? 'soft' : null);
      }
      const link = db.prepare(`INSERT INTO entity_relations (relation, source_type, source_id, target_type, target_id, scope, data, first_seen_run, last_seen_run, deleted_at)
                               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 2, ?)`);
      for (const [relation, st, sid, tt, tid, scope, data, first, deletedAt] of LINKS) {
        link.run(relation, st, sid, tt, tid, scope ?? '', data === undefined ? null : JSON.stringify(data), first ?? 1, deletedAt ?? null);
      }
      extra?.(db);
    })();
  } finally {
    db.close();
  }
}
