import { buildBenchDb } from '../diff/bench-db.js';
import { openDatabase } from '../../src/store/index.js';

export interface ReportBenchSize {
  users: number;
  groups: number;
  /** Memberships per user. */
  perUser: number;
  servicePrincipals: number;
  appRoleAssignments: number;
}

export const FULL_SIZE: ReportBenchSize = { users: 100_000, groups: 5_000, perUser: 10, servicePrincipals: 5_000, appRoleAssignments: 200_000 };

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const GRAPH_VALUES = ['RoleManagement.ReadWrite.Directory', 'AppRoleAssignment.ReadWrite.All', 'Application.ReadWrite.All', 'Directory.ReadWrite.All',
  'User.ReadWrite.All', 'Group.ReadWrite.All', 'Mail.ReadWrite', 'Files.ReadWrite.All', 'Directory.Read.All', 'User.Read.All', 'Group.Read.All', 'Mail.Read'];
const ROLES: [string, string][] = [
  ['62e90394-69f5-4237-9190-012177145e10', 'Global Administrator'], ['e8611ab8-c189-46e8-94e1-60213ab1f814', 'Privileged Role Administrator'],
  ['fe930be7-5e62-47db-91af-98c3a49a38b1', 'User Administrator'], ['729827e3-9c14-49f7-bb1b-9608f156bbb8', 'Helpdesk Administrator'],
  ['29232cdf-9323-42fd-ade2-1d097af3e4de', 'Exchange Administrator'], ['fdd7a751-b60b-444a-984c-02652fe8fa1c', 'Groups Administrator'],
];

/**
 * A benchmark tenant for `report`: the diff benchmark's users, groups and memberships (with a second
 * run changing 1% of them, test/diff/bench-db.ts), then, with SQL as a first round writes them and
 * attributed to run 1, what the report looks at: users' sign-in activity, guests, disabled accounts
 * and leavers; nested groups (one in ten in the next); service principals with credentials and
 * owners, app registrations, app roles, app role assignments (Microsoft Graph permissions among
 * them), role definitions and assignments (some through a role-assignable group), licenses.
 */
export function buildReportBenchDb(path: string, s: ReportBenchSize): { links: number } {
  buildBenchDb(path, { users: s.users, groups: s.groups, perUser: s.perUser, fraction: 0.01 });
  const db = openDatabase(path);
  try {
    db.transaction(() => {
      const seq = (n: number) => `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${n - 1})`;
      const hex = (col: string, suffix: string) => `printf('%08x-0000-4000-8000-00000000000${suffix}', ${col})`;
      const uid = (col: string) => hex(col, '1');
      const gid = (col: string) => hex(col, '2');
      const sid = (col: string) => hex(col, '3');
      // Users: one in ten never signed in, one in ten not for a year, the rest within the last weeks.
      db.prepare(`UPDATE entities SET data = json_set(data,
          '$.userPrincipalName', lower(replace(display_name, ' ', '.')) || '@contoso.example',
          '$.userType', CASE WHEN rowid % 20 = 0 THEN 'Guest' ELSE json_extract(data, '$.userType') END,
          '$.accountEnabled', CASE WHEN rowid % 33 = 0 THEN json('false') ELSE json('true') END,
          '$.employeeLeaveDateTime', CASE WHEN rowid % 50 = 0 THEN '2026-01-15T00:00:00Z' END,
          '$.signInActivity', CASE WHEN rowid % 10 = 1 THEN json('null') ELSE json_object(
            'lastSignInDateTime', CASE WHEN rowid % 10 = 2 THEN '2025-01-01T00:00:00Z' ELSE '2026-02-2' || (rowid % 8) || 'T08:00:00Z' END,
            'lastNonInteractiveSignInDateTime', '0001-01-01T00:00:00Z',
            'lastSuccessfulSignInDateTime', CASE WHEN rowid % 10 = 2 THEN '2025-01-01T00:00:00Z' ELSE '2026-02-2' || (rowid % 8) || 'T08:00:00Z' END) END)
        WHERE entity_type = 'user'`).run();
      db.prepare("INSERT INTO sync_state (collection, query) VALUES ('users', '/users/delta?$select=id,employeeLeaveDateTime') ON CONFLICT DO NOTHING").run();
      db.prepare(`UPDATE entities SET data = json_set(data, '$.isAssignableToRole', json(CASE WHEN id = ${gid('0')} THEN 'true' ELSE 'false' END)) WHERE entity_type = 'group'`).run();
      const link = (select: string) => db.prepare(`INSERT OR IGNORE INTO entity_relations (relation, source_type, source_id, target_type, target_id, scope, data, first_seen_run, last_seen_run) ${select}`).run();
      // Nesting: group i in group i + 1 for one group in ten.
      link(`${seq(s.groups - 1)} SELECT 'memberOf', 'group', ${gid('i')}, 'group', ${gid('i + 1')}, '', NULL, 1, 1 FROM n WHERE i % 10 = 5`);

      // Service principals: Microsoft Graph first, then the tenant's apps with credentials and owners.
      db.prepare(`INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run) VALUES ('servicePrincipal', 'graph-sp', 'Microsoft Graph',
        json_object('appId', '${GRAPH_APP_ID}', 'servicePrincipalType', 'Application', 'accountEnabled', json('true'), 'appOwnerOrganizationId', 'f8cdef31-a31e-4b4a-93e4-5f571e91255a'), 1, 1)`).run();
      GRAPH_VALUES.forEach((v, k) => db.prepare(`INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run) VALUES ('appRole', ?, ?, json_object('value', ?), 1, 1)`).run(`graph-sp/role-${k}`, v, v));
      db.prepare(`${seq(s.servicePrincipals)} INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run)
        SELECT 'servicePrincipal', ${sid('i')}, 'App ' || i, json_object('appId', printf('%08x-0000-4000-8000-0000000000aa', i), 'servicePrincipalType', 'Application',
          'accountEnabled', json(CASE WHEN i % 97 = 0 THEN 'false' ELSE 'true' END), 'appOwnerOrganizationId', 'tenant',
          'passwordCredentials', json_array(json_object('keyId', 'k' || i, 'displayName', 'secret', 'endDateTime', CASE WHEN i % 7 = 0 THEN '2026-03-1' || (i % 10) || 'T00:00:00Z' WHEN i % 7 = 1 THEN '2025-11-01T00:00:00Z' ELSE '2027-06-01T00:00:00Z' END)),
          'keyCredentials', json_array()), 1, 1 FROM n`).run();
      db.prepare(`${seq(s.servicePrincipals)}, k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 2)
        INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run)
        SELECT 'appRole', ${sid('i')} || '/role-' || j, 'Role ' || j, json_object('value', 'Role.' || j), 1, 1 FROM n, k`).run();
      db.prepare(`${seq(Math.floor(s.servicePrincipals * 0.6))} INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run)
        SELECT 'application', printf('%08x-0000-4000-8000-0000000000bb', i), 'App ' || i, json_object('appId', printf('%08x-0000-4000-8000-0000000000aa', i),
          'passwordCredentials', json_array(json_object('keyId', 'a' || i, 'endDateTime', CASE WHEN i % 11 = 0 THEN '2026-03-05T00:00:00Z' ELSE '2028-01-01T00:00:00Z' END)), 'keyCredentials', json_array()), 1, 1 FROM n`).run();
      link(`${seq(s.servicePrincipals)} SELECT 'ownerOf', 'user', ${uid(`(i * 13) % ${s.users}`)}, 'servicePrincipal', ${sid('i')}, '', NULL, 1, 1 FROM n WHERE i % 2 = 0`);
      link(`${seq(Math.floor(s.servicePrincipals * 0.6))} SELECT 'ownerOf', 'user', ${uid(`(i * 17) % ${s.users}`)}, 'application', printf('%08x-0000-4000-8000-0000000000bb', i), '', NULL, 1, 1 FROM n WHERE i % 3 <> 0`);
      link(`${seq(s.servicePrincipals)} SELECT 'appRoleOf', 'appRole', ${sid('i')} || '/role-0', 'servicePrincipal', ${sid('i')}, '', NULL, 1, 1 FROM n`);

      // App role assignments: users (85%), groups (10%), apps (5%); 1 app in 10 holds Graph permissions.
      link(`${seq(s.appRoleAssignments)} SELECT 'hasAppRole',
          CASE WHEN i % 20 < 17 THEN 'user' WHEN i % 20 < 19 THEN 'group' ELSE 'servicePrincipal' END,
          CASE WHEN i % 20 < 17 THEN ${uid(`(i * 7) % ${s.users}`)} WHEN i % 20 < 19 THEN ${gid(`i % ${s.groups}`)} ELSE ${sid(`(i * 3) % ${s.servicePrincipals}`)} END,
          'appRole', ${sid(`i % ${s.servicePrincipals}`)} || '/role-' || (i % 3), '', json_object('assignmentId', 'x' || i), 1, 1 FROM n`);
      link(`${seq(Math.floor(s.servicePrincipals / 10))} SELECT 'hasAppRole', 'servicePrincipal', ${sid('i * 10')}, 'appRole', 'graph-sp/role-' || (i % ${GRAPH_VALUES.length}), '', NULL, 1, 1 FROM n`);
      link(`${seq(Math.floor(s.servicePrincipals / 50))} SELECT 'delegatedGrant', 'servicePrincipal', ${sid('i * 50 + 1')}, 'servicePrincipal', 'graph-sp', '',
          json_object('grants', json_array(json_object('id', 'g' || i, 'consentType', 'AllPrincipals', 'principalId', NULL, 'scope', CASE WHEN i % 2 = 0 THEN 'User.Read Mail.ReadWrite' ELSE 'User.Read' END))), 1, 1 FROM n`);

      // Roles: built-in definitions, activated Global Administrator, assignments (some through group 0, role-assignable).
      for (const [id, name] of ROLES) {
        db.prepare(`INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run) VALUES ('roleDefinition', ?, ?, json_object('templateId', ?, 'isBuiltIn', json('true')), 1, 1)`).run(id, name, id);
      }
      db.prepare(`INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run) VALUES ('directoryRole', 'dr-ga', 'Global Administrator', json_object('roleTemplateId', '${ROLES[0]![0]}'), 1, 1)`).run();
      link(`${seq(300)} SELECT 'hasRole', 'user', ${uid(`(i * 331) % ${s.users}`)}, 'roleDefinition', CASE i % 6 ${ROLES.map(([id], k) => `WHEN ${k} THEN '${id}'`).join(' ')} END, '/', NULL, 1, 1 FROM n`);
      link(`${seq(5)} SELECT 'memberOf', 'user', ${uid(`(i * 331) % ${s.users}`)}, 'directoryRole', 'dr-ga', '', NULL, 1, 1 FROM n`);
      link(`SELECT 'hasRole', 'group', ${gid('0')}, 'roleDefinition', '${ROLES[1]![0]}', '/', NULL, 1, 1`);

      // Licenses: every user one SKU.
      db.prepare("INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run) VALUES ('subscribedSku', 'sku-e5', 'SPE_E5', '{}', 1, 1)").run();
      link(`SELECT 'licensedWith', 'user', id, 'subscribedSku', 'sku-e5', '', NULL, 1, 1 FROM entities WHERE entity_type = 'user'`);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    return { links: db.prepare('SELECT COUNT(*) FROM entity_relations').pluck().get() as number };
  } finally {
    db.close();
  }
}
