import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  finishRun, markEntityDeleted, markObjectRelationsDeleted, markRelationDeleted, openDatabase, recordBaseline, startRun,
  tombstoneUnseenEntities, upsertEntity, upsertRelation, type ChangeStamp, type Db, type RelationScope,
} from '../../src/store/index.js';

const memberOf: RelationScope = { relation: 'memberOf', anchor: 'target', anchorType: 'group' };
const reportsTo: RelationScope = { relation: 'reportsTo', anchor: 'source', anchorType: 'user' };
const hasRole: RelationScope = { relation: 'hasRole', anchor: 'target', anchorType: 'roleDefinition' };

/** A run with fixed times: it starts at 02:00 on day `run` of January 2026 and ends at 02:10. */
function run(db: Db, n: number, outcome: 'success' | 'partial' | 'failed', body: (at: (minute: number) => ChangeStamp) => void, after?: (db: Db, run: number) => void): void {
  const day = `2026-01-0${n}`;
  const id = startRun(db, 'pull', 'test', Date.parse(`${day}T02:00:00.000Z`));
  if (id !== n) throw new Error(`run ${id} is not ${n}`);
  body((minute) => ({ runId: n, at: `${day}T02:0${minute}:00.000Z` }));
  finishRun(db, n, outcome, { requests: 0, throttled: 0, retries: 0 }, undefined, Date.parse(`${day}T02:10:00.000Z`));
  after?.(db, n);
}

const user = (db: Db, id: string, data: Record<string, unknown>, s: ChangeStamp, merge = false) =>
  upsertEntity(db, { entityType: 'user', id, data: { displayName: id[0]!.toUpperCase() + id.slice(1), ...data }, merge }, s);
const member = (db: Db, u: string, g: string, s: ChangeStamp, baseline = false, type = 'user') =>
  upsertRelation(db, { relation: 'memberOf', sourceType: type, sourceId: u, targetType: 'group', targetId: g }, undefined, s, { baseline });

/**
 * The small fixed tenant history of the golden tests: four runs with every kind of change.
 * 1 (success) first round: users, groups, a role, a service principal; memberships, a manager and a
 *   role assignment read as the baseline.
 * 2 (success) alice's job title; dave joins admins; bob leaves finance and changes manager; erin is
 *   created into finance; carol (member of admins, Global Administrator) is soft-deleted; a device joins
 *   admins; the app's secret k1 is replaced by k2.
 *   A full round does not return hank (unseen).
 * 3 (partial) dave leaves admins again; carol is restored; bob rejoins finance; frank is purged; hank
 *   (unseen) and ivy are soft-deleted.
 * 4 (success) alice is disabled; hank is back (restored); ivy is purged; erin gets Global
 *   Administrator on an administrative unit; gina is not returned by a full round (unseen); a
 *   secret's expiry is moved.
 */
export function buildFixture(path = join(mkdtempSync(join(tmpdir(), 'ee-diff-')), 'entra.db'), afterRun?: (db: Db, run: number) => void): string {
  const db = openDatabase(path);
  try {
    run(db, 1, 'success', (at) => {
      const s = at(1);
      for (const scope of [memberOf, reportsTo, hasRole]) recordBaseline(db, s, scope);
      for (const u of ['alice', 'bob', 'carol', 'dave', 'frank', 'gina', 'hank', 'ivy']) {
        user(db, u, { accountEnabled: true, userType: 'Member', jobTitle: 'Engineer', department: 'IT' }, s);
      }
      for (const g of ['finance', 'admins']) upsertEntity(db, { entityType: 'group', id: g, data: { displayName: g === 'admins' ? '=Admins' : 'Finance, EMEA' }, merge: false }, s);
      upsertEntity(db, { entityType: 'roleDefinition', id: 'ga', data: { displayName: 'Global Administrator' }, merge: false }, s);
      upsertEntity(db, {
        entityType: 'servicePrincipal', id: 'sp-app', merge: false,
        data: { displayName: 'Payroll App', accountEnabled: true, passwordCredentials: [{ keyId: 'k1', displayName: 'CI pipeline', endDateTime: '2026-06-01T00:00:00Z' }] },
      }, s);
      member(db, 'alice', 'finance', s, true);
      member(db, 'bob', 'finance', s, true);
      member(db, 'frank', 'finance', s, true);
      member(db, 'carol', 'admins', s, true);
      member(db, 'gina', 'admins', s, true);
      member(db, 'hank', 'finance', s, true);
      member(db, 'ivy', 'finance', s, true);
      upsertRelation(db, { relation: 'reportsTo', sourceType: 'user', sourceId: 'bob', targetType: 'user', targetId: 'alice' }, undefined, s, { baseline: true });
      upsertRelation(db, { relation: 'hasRole', sourceType: 'user', sourceId: 'carol', targetType: 'roleDefinition', targetId: 'ga', scope: '/' }, { assignmentId: 'a1' }, s, { baseline: true });
    }, afterRun);
    run(db, 2, 'success', (at) => {
      user(db, 'alice', { jobTitle: 'Lead' }, at(1), true);
      member(db, 'dave', 'admins', at(2));
      markRelationDeleted(db, memberOf, 'finance', 'bob', at(2));
      user(db, 'erin', { accountEnabled: true, userType: 'Guest' }, at(3));
      member(db, 'erin', 'finance', at(3));
      markEntityDeleted(db, 'user', 'carol', 'soft', at(4));
      member(db, 'laptop-7', 'admins', at(4), false, 'device');
      markRelationDeleted(db, reportsTo, 'bob', 'alice', at(5));
      upsertRelation(db, { relation: 'reportsTo', sourceType: 'user', sourceId: 'bob', targetType: 'user', targetId: 'dave' }, undefined, at(5));
      upsertEntity(db, {
        entityType: 'servicePrincipal', id: 'sp-app', merge: true,
        data: { passwordCredentials: [{ keyId: 'k2', displayName: '+rotate', endDateTime: '2027-01-01T00:00:00Z' }] },
      }, at(6));
      // A full round of users that did not return hank.
      db.prepare("UPDATE entities SET last_seen_run = 2 WHERE entity_type = 'user' AND id <> 'hank'").run();
      tombstoneUnseenEntities(db, ['user'], 2, at(7));
    }, afterRun);
    run(db, 3, 'partial', (at) => {
      markRelationDeleted(db, memberOf, 'admins', 'dave', at(1));
      user(db, 'carol', { department: 'Security' }, at(2), true);
      member(db, 'bob', 'finance', at(3));
      markEntityDeleted(db, 'user', 'frank', 'permanent', at(4));
      markObjectRelationsDeleted(db, 'user', 'frank', at(4));
      markEntityDeleted(db, 'user', 'hank', 'soft', at(5));
      markEntityDeleted(db, 'user', 'ivy', 'soft', at(5));
    }, afterRun);
    run(db, 4, 'success', (at) => {
      user(db, 'alice', { accountEnabled: false }, at(1), true);
      user(db, 'hank', {}, at(1), true);
      markEntityDeleted(db, 'user', 'ivy', 'permanent', at(1));
      markObjectRelationsDeleted(db, 'user', 'ivy', at(1));
      upsertRelation(db, { relation: 'hasRole', sourceType: 'user', sourceId: 'erin', targetType: 'roleDefinition', targetId: 'ga', scope: '/administrativeUnits/au-1' }, { assignmentId: 'a2' }, at(2));
      // A full round of users that returned everyone but gina.
      for (const u of ['alice', 'bob', 'carol', 'dave', 'erin', 'hank']) db.prepare("UPDATE entities SET last_seen_run = 4 WHERE entity_type = 'user' AND id = ?").run(u);
      tombstoneUnseenEntities(db, ['user'], 4, at(3));
      upsertEntity(db, {
        entityType: 'servicePrincipal', id: 'sp-app', merge: true,
        data: { passwordCredentials: [{ keyId: 'k2', displayName: '+rotate', endDateTime: '2027-06-01T00:00:00Z' }] },
      }, at(4));
    }, afterRun);
  } finally {
    db.close();
  }
  return path;
}
