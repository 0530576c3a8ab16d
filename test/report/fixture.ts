import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  finishRun, finishRunCollection, markEntityDeleted, markRelationDeleted, openDatabase, recordBaseline, setMeta, startRun,
  startRunCollection, upsertEntity, upsertRelation, type ChangeStamp, type Db, type RelationScope,
} from '../../src/store/index.js';

/** The report's "now" for the fixture: ages and expiry are measured from it. */
export const NOW = Date.parse('2026-03-01T00:00:00.000Z');
export const TENANT = '5e1f0000-0000-4000-8000-00000000abcd';
/** The collections the golden report judges (fixed, so a new collection does not change the golden file). */
export const COLLECTIONS = ['users', 'groups', 'directoryRoles', 'roleAssignments', 'administrativeUnits', 'servicePrincipals',
  'applications', 'appRoleAssignments', 'oauth2PermissionGrants', 'licenses', 'signIns', 'signInActivity'];

export const GA = '62e90394-69f5-4237-9190-012177145e10';
export const PRA = 'e8611ab8-c189-46e8-94e1-60213ab1f814';
export const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
export const CLOUD_APP_ADMIN = '158c047a-c907-4556-b7ef-446551a6b5f7';
export const EXCHANGE_ADMIN = '29232cdf-9323-42fd-ade2-1d097af3e4de';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** Graph's real application permission ids (the appRole entity is '<sp>/<id>'). */
const ROLE_MGMT_RW = '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8';
const DIRECTORY_READ = '7ab1d382-f21e-4acd-a863-ba3e13f7da61';
/** An application's object id: a role can be scoped to it ('/<id>'). */
export const PAYROLL_APP = 'a0a0a0a0-0000-4000-8000-000000000001';
export const AUTOMATION_APP = 'a0a0a0a0-0000-4000-8000-000000000002';
/** A display name from the tenant that must never become markup. */
export const HOSTILE_NAME = '<script>alert("dave")</script> & Co';

const memberOfGroup: RelationScope = { relation: 'memberOf', anchor: 'target', anchorType: 'group' };
const stampOf = (run: number, minute: number): ChangeStamp => ({ runId: run, at: `2026-02-${run === 1 ? '20' : '28'}T02:0${minute}:00.000Z` });

const user = (db: Db, id: string, props: Record<string, unknown>, s: ChangeStamp) =>
  upsertEntity(db, { entityType: 'user', id, merge: false, data: { id, displayName: id[0]!.toUpperCase() + id.slice(1), userPrincipalName: `${id}@contoso.example`, accountEnabled: true, userType: 'Member', ...props } }, s);
const signedIn = (last: string | null) => ({ signInActivity: { lastSignInDateTime: last ?? '0001-01-01T00:00:00Z', lastNonInteractiveSignInDateTime: '0001-01-01T00:00:00Z', lastSuccessfulSignInDateTime: last } });
const entity = (db: Db, entityType: string, id: string, data: Record<string, unknown>, s: ChangeStamp) => upsertEntity(db, { entityType, id, merge: false, data: { id, ...data } }, s);
const link = (db: Db, relation: string, sourceType: string, sourceId: string, targetType: string, targetId: string, s: ChangeStamp, o: { scope?: string; data?: Record<string, unknown> } = {}) =>
  upsertRelation(db, { relation, sourceType, sourceId, targetType, targetId, scope: o.scope ?? '' }, o.data, s, { baseline: s.runId === 1 });

function collections(db: Db, run: number, at: number, outcomes: Record<string, ['failed' | 'skipped', string]> = {}): void {
  for (const c of COLLECTIONS) {
    startRunCollection(db, run, c, 'full', at);
    const [outcome, error] = outcomes[c] ?? ['success', undefined];
    finishRunCollection(db, run, c, outcome, error, at + 8 * 60_000);
  }
}

/**
 * A small tenant with fixed ids and times, three runs (signIns skipped in each: no P1/P2):
 * 1 (success, 2026-02-20) reads everything (links as the first round's baseline).
 * 2 (success, 2026-02-28 02:00): bob joins the role-assignable group tier0-admins; the guest dave
 *   (named HOSTILE_NAME) gets User Administrator on the EMEA unit; the Automation Bot gets
 *   RoleManagement.ReadWrite.Directory; gina leaves sales; hank is soft-deleted; alice's job title.
 * 3 (partial, 2026-02-28 20:00): changes nothing; oauth2PermissionGrants fails.
 */
export function buildReportFixture(path = join(mkdtempSync(join(tmpdir(), 'ee-report-')), 'entra.db')): string {
  const db = openDatabase(path);
  try {
    setMeta(db, 'tenant_id', TENANT);
    const t1 = Date.parse('2026-02-20T02:00:00.000Z');
    startRun(db, 'pull', 'test', t1);
    db.transaction(() => {
      const s = stampOf(1, 1);
      // A first round: every link set it reads is covered by one baseline row, not one 'added' row per link.
      const sets: [string, 'source' | 'target', string][] = [['memberOf', 'target', 'group'], ['memberOf', 'target', 'directoryRole'], ['memberOf', 'target', 'administrativeUnit'],
        ['hasRole', 'target', 'roleDefinition'], ['hasAppRole', 'target', 'appRole'], ['ownerOf', 'target', 'servicePrincipal'], ['ownerOf', 'target', 'application'],
        ['licensedWith', 'source', 'user'], ['delegatedGrant', 'source', 'servicePrincipal']];
      for (const [relation, anchor, anchorType] of sets) recordBaseline(db, s, { relation, anchor, anchorType });
      user(db, 'alice', signedIn('2026-02-25T08:00:00Z'), s);
      user(db, 'bob', signedIn('2025-10-01T08:00:00Z'), s);
      user(db, 'carol', { signInActivity: null }, s);
      user(db, 'dave', { displayName: HOSTILE_NAME, userPrincipalName: 'dave_partner.example#EXT#@contoso.example', userType: 'Guest', externalUserState: 'Accepted', ...signedIn('2026-02-27T10:00:00Z') }, s);
      user(db, 'erin', { accountEnabled: false, ...signedIn('2025-06-01T08:00:00Z') }, s);
      user(db, 'frank', { employeeLeaveDateTime: '2026-01-15T00:00:00Z', ...signedIn('2026-01-10T08:00:00Z') }, s);
      user(db, 'gina', {}, s);
      user(db, 'hank', signedIn('2026-02-01T08:00:00Z'), s);
      entity(db, 'group', 'tier0-admins', { displayName: 'Tier 0 Admins', isAssignableToRole: true }, s);
      entity(db, 'group', 'nested-admins', { displayName: 'Nested Admins', isAssignableToRole: false }, s);
      entity(db, 'group', 'finance', { displayName: 'Finance', isAssignableToRole: false }, s);
      entity(db, 'group', 'sales', { displayName: 'Sales', isAssignableToRole: false }, s);
      entity(db, 'administrativeUnit', 'au-emea', { displayName: 'EMEA' }, s);
      for (const [id, name] of [[GA, 'Global Administrator'], [PRA, 'Privileged Role Administrator'], [USER_ADMIN, 'User Administrator'], [CLOUD_APP_ADMIN, 'Cloud Application Administrator'], [EXCHANGE_ADMIN, 'Exchange Administrator']]) {
        entity(db, 'roleDefinition', id!, { displayName: name, templateId: id, isBuiltIn: true }, s);
      }
      entity(db, 'directoryRole', 'dr-ga', { displayName: 'Global Administrator', roleTemplateId: GA }, s);
      entity(db, 'servicePrincipal', 'sp-graph', { displayName: 'Microsoft Graph', appId: GRAPH_APP_ID, servicePrincipalType: 'Application', accountEnabled: true, appOwnerOrganizationId: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a', passwordCredentials: [], keyCredentials: [] }, s);
      entity(db, 'appRole', `sp-graph/${ROLE_MGMT_RW}`, { displayName: 'Read and write all directory RBAC settings', value: 'RoleManagement.ReadWrite.Directory' }, s);
      entity(db, 'appRole', `sp-graph/${DIRECTORY_READ}`, { displayName: 'Read directory data', value: 'Directory.Read.All' }, s);
      entity(db, 'servicePrincipal', 'sp-automation', {
        displayName: 'Automation Bot', appId: 'aaaaaaaa-0000-4000-8000-000000000001', servicePrincipalType: 'Application', accountEnabled: true, appOwnerOrganizationId: TENANT,
        passwordCredentials: [{ keyId: 'k-soon', displayName: 'CI secret', endDateTime: '2026-03-10T00:00:00Z' }, { keyId: 'k-old', displayName: 'old secret', endDateTime: '2025-12-01T00:00:00Z' }, { keyId: 'k-later', displayName: 'next year', endDateTime: '2027-03-01T00:00:00Z' }],
        keyCredentials: [],
      }, s);
      entity(db, 'servicePrincipal', 'sp-payroll', { displayName: 'Payroll', appId: 'bbbbbbbb-0000-4000-8000-000000000002', servicePrincipalType: 'Application', accountEnabled: true, appOwnerOrganizationId: TENANT, passwordCredentials: [], keyCredentials: [] }, s);
      entity(db, 'appRole', 'sp-payroll/r-read', { displayName: 'Read payroll', value: 'Payroll.Read' }, s);
      entity(db, 'servicePrincipal', 'sp-mi', { displayName: 'mi-backup', appId: 'cccccccc-0000-4000-8000-000000000003', servicePrincipalType: 'ManagedIdentity', accountEnabled: true, appOwnerOrganizationId: null, passwordCredentials: [], keyCredentials: [{ keyId: 'mi-cert', endDateTime: '2026-03-05T00:00:00Z' }] }, s);
      entity(db, 'servicePrincipal', 'sp-crm', { displayName: 'CRM Connector', appId: 'dddddddd-0000-4000-8000-000000000004', servicePrincipalType: 'Application', accountEnabled: false, appOwnerOrganizationId: '9f9f9f9f-0000-4000-8000-000000000009', passwordCredentials: [], keyCredentials: [] }, s);
      entity(db, 'application', PAYROLL_APP, { displayName: 'Payroll', appId: 'bbbbbbbb-0000-4000-8000-000000000002', passwordCredentials: [], keyCredentials: [{ keyId: 'cert-1', displayName: 'CN=payroll', endDateTime: '2026-03-20T00:00:00Z' }] }, s);
      entity(db, 'application', AUTOMATION_APP, { displayName: 'Automation Bot', appId: 'aaaaaaaa-0000-4000-8000-000000000001', passwordCredentials: [], keyCredentials: [] }, s);
      upsertEntity(db, { entityType: 'subscribedSku', id: 'sku-e5', merge: false, data: { skuPartNumber: 'SPE_E5' }, displayName: 'SPE_E5' }, s);

      link(db, 'memberOf', 'user', 'alice', 'directoryRole', 'dr-ga', s);
      link(db, 'hasRole', 'user', 'alice', 'roleDefinition', GA, s, { scope: '/', data: { assignmentId: 'ra-1', appScopeId: null } });
      link(db, 'hasRole', 'group', 'tier0-admins', 'roleDefinition', PRA, s, { scope: '/', data: { assignmentId: 'ra-2', appScopeId: null } });
      link(db, 'hasRole', 'user', 'frank', 'roleDefinition', CLOUD_APP_ADMIN, s, { scope: `/${PAYROLL_APP}`, data: { assignmentId: 'ra-3', appScopeId: null } });
      link(db, 'hasRole', 'user', 'gina', 'roleDefinition', EXCHANGE_ADMIN, s, { scope: '/', data: { assignmentId: 'ra-4', appScopeId: null } });
      link(db, 'memberOf', 'group', 'nested-admins', 'group', 'tier0-admins', s);
      link(db, 'memberOf', 'user', 'carol', 'group', 'nested-admins', s);
      for (const u of ['frank', 'gina', 'hank']) link(db, 'memberOf', 'user', u, 'group', 'finance', s);
      link(db, 'memberOf', 'user', 'gina', 'group', 'sales', s);
      link(db, 'memberOf', 'user', 'dave', 'administrativeUnit', 'au-emea', s);
      link(db, 'hasAppRole', 'group', 'finance', 'appRole', 'sp-payroll/r-read', s);
      link(db, 'hasAppRole', 'servicePrincipal', 'sp-automation', 'appRole', `sp-graph/${DIRECTORY_READ}`, s);
      link(db, 'ownerOf', 'user', 'alice', 'servicePrincipal', 'sp-payroll', s);
      link(db, 'ownerOf', 'user', 'erin', 'application', PAYROLL_APP, s);
      for (const u of ['alice', 'erin', 'frank']) link(db, 'licensedWith', 'user', u, 'subscribedSku', 'sku-e5', s);
      link(db, 'delegatedGrant', 'servicePrincipal', 'sp-crm', 'servicePrincipal', 'sp-graph', s, {
        data: { grants: [
          { id: 'g-1', consentType: 'AllPrincipals', principalId: null, scope: 'User.Read Mail.ReadWrite' },
          { id: 'g-2', consentType: 'Principal', principalId: 'alice', scope: 'Files.ReadWrite.All' },
        ] },
      });
    })();
    collections(db, 1, t1, { signIns: ['skipped', 'the tenant has no Microsoft Entra ID P1 or P2 license'] });
    finishRun(db, 1, 'success', { requests: 0, throttled: 0, retries: 0 }, undefined, t1 + 10 * 60_000);

    const t2 = Date.parse('2026-02-28T02:00:00.000Z');
    startRun(db, 'pull', 'test', t2);
    db.transaction(() => {
      link(db, 'memberOf', 'user', 'bob', 'group', 'tier0-admins', stampOf(2, 1));
      link(db, 'hasRole', 'user', 'dave', 'roleDefinition', USER_ADMIN, stampOf(2, 2), { scope: '/administrativeUnits/au-emea', data: { assignmentId: 'ra-5', appScopeId: null } });
      link(db, 'hasAppRole', 'servicePrincipal', 'sp-automation', 'appRole', `sp-graph/${ROLE_MGMT_RW}`, stampOf(2, 3));
      markRelationDeleted(db, memberOfGroup, 'sales', 'gina', stampOf(2, 4));
      markEntityDeleted(db, 'user', 'hank', 'soft', stampOf(2, 5));
      user(db, 'alice', { jobTitle: 'CISO', ...signedIn('2026-02-25T08:00:00Z') }, stampOf(2, 6));
    })();
    collections(db, 2, t2, { signIns: ['skipped', 'the tenant has no Microsoft Entra ID P1 or P2 license'] });
    finishRun(db, 2, 'success', { requests: 0, throttled: 0, retries: 0 }, undefined, t2 + 10 * 60_000);

    const t3 = Date.parse('2026-02-28T20:00:00.000Z');
    startRun(db, 'pull', 'test', t3);
    collections(db, 3, t3, {
      oauth2PermissionGrants: ['failed', 'Insufficient privileges (403 Authorization_RequestDenied): grant Directory.Read.All'],
      signIns: ['skipped', 'the tenant has no Microsoft Entra ID P1 or P2 license'],
    });
    finishRun(db, 3, 'partial', { requests: 0, throttled: 0, retries: 0 }, undefined, t3 + 10 * 60_000);
    db.prepare("INSERT INTO sync_state (collection, query, delta_link, delta_link_at, last_full_at) VALUES ('users', '/users/delta?$select=id,displayName,employeeLeaveDateTime', 'x', ?, ?)")
      .run('2026-02-28T02:10:00.000Z', '2026-02-28T02:10:00.000Z');
  } finally {
    db.close();
  }
  return path;
}
