import { describe, expect, it } from 'vitest';
import type { DeltaStep, GraphObject, ListStep, MappedItem } from '../../src/pull/connector.js';
import { GraphError } from '../../src/errors/index.js';
import type { RelationScope } from '../../src/store/index.js';
import type { GraphPage } from '../../src/pull/sync-collection.js';
import {
  Harness, changeRows, connector, entityRow, entityRows, isoOf, ledger, ledgerRows, link, linkRows, scriptPages, seedLink, settled, syncRow,
} from './support-runners.js';

// ---- children: a service principal's app roles -------------------------------------------------

const appRoleOf: RelationScope = { relation: 'appRoleOf', anchor: 'source', anchorType: 'appRole' };
const spStep: DeltaStep = {
  kind: 'delta',
  name: 'servicePrincipals',
  entityTypes: ['servicePrincipal', 'appRole'],
  relationScopes: [appRoleOf],
  url: () => '/servicePrincipals/delta',
  map: (obj) => {
    const id = obj.id as string;
    const reason = (obj['@removed'] as { reason?: string } | undefined)?.reason;
    if (reason !== undefined) return [{ entityType: 'servicePrincipal', id, removed: reason, links: [], children: { entityType: 'appRole', ids: [] } }];
    const roles: MappedItem[] = (obj.appRoles as { id: string; value: string }[]).map((role) => ({
      entityType: 'appRole',
      id: `${id}/${role.id}`,
      data: role,
      links: [{ scope: appRoleOf, anchorId: `${id}/${role.id}`, otherId: id, otherType: 'servicePrincipal', removed: false }],
    }));
    return [...roles, { entityType: 'servicePrincipal', id, data: { displayName: obj.displayName }, links: [], children: { entityType: 'appRole', ids: roles.map((r) => r.id) } }];
  },
};
const sps = connector('servicePrincipals', [spStep], 'delta');

const spObj = (id: string, ...roles: string[]): GraphObject => ({ id, displayName: `SP ${id}`, appRoles: roles.map((r) => ({ id: r, value: `${r}.All` })) });
const gone = (id: string, reason: 'changed' | 'deleted'): GraphObject => ({ id, '@removed': { reason } });

/** Delta run n reads link d<n-1> (the first run the first request) and ends with deltaLink d<n>. */
async function deltaRun(h: Harness, ...objs: GraphObject[]) {
  const n = h.runId + 1;
  const first = n === 1 ? '/servicePrincipals/delta' : `https://graph.test/d${n - 1}`;
  const r = await h.run(sps, { readPages: scriptPages({ [first]: { value: objs, deltaLink: `https://graph.test/d${n}` } }).reader });
  expect(r.outcome).toBe('success');
  return r;
}

const role = (sp: string, r: string, o: { first?: number; last?: number; deletedAt?: string | null; kind?: string | null } = {}) => ({
  entity_type: 'appRole', id: `${sp}/${r}`, display_name: null, data: { id: r, value: `${r}.All` },
  first_seen_run: o.first ?? 1, last_seen_run: o.last ?? o.first ?? 1, deleted_at: o.deletedAt ?? null, deleted_kind: o.kind ?? null,
});
const roleOf = (sp: string, r: string, o: Parameters<typeof link>[3] = {}) => link('appRoleOf', ['appRole', `${sp}/${r}`], ['servicePrincipal', sp], o);
const holds = (u: string, target: string, o: Parameters<typeof link>[3] = {}) => link('hasAppRole', ['user', u], ['appRole', target], o);
const effective = (h: Harness) =>
  h.db.prepare('SELECT relation, source_id, target_id FROM effective_relations ORDER BY 1, 2, 3').all().map((r) => Object.values(r as object).join(' '));

describe('child entities (MappedItem.children)', () => {
  it('the arriving set replaces the stored one; a removal takes the children along (soft keeps links, deleted drops them); a restore revives them', async () => {
    const h = new Harness();
    await deltaRun(h, spObj('s1', 'r1', 'r2'), spObj('s10', 'r1'));
    // Assignments written by another collection.
    seedLink(h.db, 'hasAppRole', ['user', 'u1'], ['appRole', 's1/r2'], { run: 1 });
    seedLink(h.db, 'hasAppRole', ['user', 'u2'], ['appRole', 's1/r1'], { run: 1 });
    seedLink(h.db, 'hasAppRole', ['user', 'u3'], ['appRole', 's10/r1'], { run: 1 });
    expect(entityRows(h.db, 'appRole')).toEqual([role('s1', 'r1'), role('s1', 'r2'), role('s10', 'r1')]);

    // Run 2: s1 now defines r1 only: r2 is gone for good, with its links on both sides.
    const r2 = await deltaRun(h, spObj('s1', 'r1'));
    expect(r2).toMatchObject({ deletions: 1, links_deleted: 2 });
    expect(entityRows(h.db, 'appRole')).toEqual([
      role('s1', 'r1', { last: 2 }), role('s1', 'r2', { last: 2, deletedAt: isoOf(2), kind: 'permanent' }), role('s10', 'r1'),
    ]);
    expect(linkRows(h.db, 'appRoleOf')).toEqual([roleOf('s1', 'r1', { last: 2 }), roleOf('s1', 'r2', { deletedAt: isoOf(2) }), roleOf('s10', 'r1')]);
    expect(linkRows(h.db, 'hasAppRole')).toEqual([holds('u1', 's1/r2', { deletedAt: isoOf(2) }), holds('u2', 's1/r1'), holds('u3', 's10/r1')]);
    expect(changeRows(h.db, 2)).toEqual([
      { run_id: 2, at: isoOf(2), kind: 'deleted', entity_type: 'appRole', entity_id: 's1/r2' },
      { run_id: 2, at: isoOf(2), kind: 'removed', relation: 'appRoleOf', source_type: 'appRole', source_id: 's1/r2', target_type: 'servicePrincipal', target_id: 's1', scope: '' },
      { run_id: 2, at: isoOf(2), kind: 'removed', relation: 'hasAppRole', source_type: 'user', source_id: 'u1', target_type: 'appRole', target_id: 's1/r2', scope: '' },
    ]);

    // Run 3: s1 soft-deleted: its remaining role goes soft with it; every link stays (not effective).
    const r3 = await deltaRun(h, gone('s1', 'changed'));
    expect(r3).toMatchObject({ deletions: 2, links_deleted: 0 });
    expect(entityRow(h.db, 'servicePrincipal', 's1')).toMatchObject({ deleted_at: isoOf(3), deleted_kind: 'soft', last_seen_run: 3 });
    expect(entityRows(h.db, 'appRole')).toEqual([
      role('s1', 'r1', { last: 3, deletedAt: isoOf(3), kind: 'soft' }), role('s1', 'r2', { last: 2, deletedAt: isoOf(2), kind: 'permanent' }), role('s10', 'r1'),
    ]);
    expect(linkRows(h.db, 'appRoleOf')).toEqual([roleOf('s1', 'r1', { last: 2 }), roleOf('s1', 'r2', { deletedAt: isoOf(2) }), roleOf('s10', 'r1')]);
    expect(linkRows(h.db, 'hasAppRole')).toEqual([holds('u1', 's1/r2', { deletedAt: isoOf(2) }), holds('u2', 's1/r1'), holds('u3', 's10/r1')]);
    expect(effective(h)).toEqual(['appRoleOf s10/r1 s10', 'hasAppRole u3 s10/r1']);
    expect(changeRows(h.db, 3)).toEqual([
      { run_id: 3, at: isoOf(3), kind: 'soft_deleted', entity_type: 'servicePrincipal', entity_id: 's1' },
      { run_id: 3, at: isoOf(3), kind: 'soft_deleted', entity_type: 'appRole', entity_id: 's1/r1' },
    ]);

    // Run 4: s1 restored with its role: both come back, and so does the access held through them.
    await deltaRun(h, spObj('s1', 'r1'));
    expect(entityRows(h.db, 'appRole')).toEqual([
      role('s1', 'r1', { last: 4 }), role('s1', 'r2', { last: 2, deletedAt: isoOf(2), kind: 'permanent' }), role('s10', 'r1'),
    ]);
    expect(entityRow(h.db, 'servicePrincipal', 's1')).toMatchObject({ deleted_at: null, deleted_kind: null, last_seen_run: 4 });
    expect(effective(h)).toEqual(['appRoleOf s1/r1 s1', 'appRoleOf s10/r1 s10', 'hasAppRole u2 s1/r1', 'hasAppRole u3 s10/r1']);
    expect(changeRows(h.db, 4)).toEqual([
      { run_id: 4, at: isoOf(4), kind: 'restored', entity_type: 'appRole', entity_id: 's1/r1' },
      { run_id: 4, at: isoOf(4), kind: 'restored', entity_type: 'servicePrincipal', entity_id: 's1' },
    ]);

    // Run 5: r2 is defined again: the role comes back with its appRoleOf link (the assignment is the other collection's).
    await deltaRun(h, spObj('s1', 'r1', 'r2'));
    expect(entityRow(h.db, 'appRole', 's1/r2')).toEqual(role('s1', 'r2', { last: 5 }));
    expect(linkRows(h.db, 'appRoleOf')).toEqual([roleOf('s1', 'r1', { last: 5 }), roleOf('s1', 'r2', { last: 5 }), roleOf('s10', 'r1')]);
    expect(changeRows(h.db, 5)).toEqual([
      { run_id: 5, at: isoOf(5), kind: 'restored', entity_type: 'appRole', entity_id: 's1/r2' },
      { run_id: 5, at: isoOf(5), kind: 'revived', relation: 'appRoleOf', source_type: 'appRole', source_id: 's1/r2', target_type: 'servicePrincipal', target_id: 's1', scope: '' },
    ]);

    // Run 6: s1 deleted for good: its roles go permanently, with every link on both sides; s10 (an id that starts alike) is untouched.
    const r6 = await deltaRun(h, gone('s1', 'deleted'));
    expect(r6).toMatchObject({ deletions: 3, links_deleted: 3 });
    expect(entityRows(h.db, 'appRole')).toEqual([
      role('s1', 'r1', { last: 6, deletedAt: isoOf(6), kind: 'permanent' }),
      role('s1', 'r2', { last: 6, deletedAt: isoOf(6), kind: 'permanent' }),
      role('s10', 'r1'),
    ]);
    expect(linkRows(h.db, 'appRoleOf')).toEqual([
      roleOf('s1', 'r1', { last: 5, deletedAt: isoOf(6) }), roleOf('s1', 'r2', { last: 5, deletedAt: isoOf(6) }), roleOf('s10', 'r1'),
    ]);
    expect(linkRows(h.db, 'hasAppRole')).toEqual([holds('u1', 's1/r2', { deletedAt: isoOf(2) }), holds('u2', 's1/r1', { deletedAt: isoOf(6) }), holds('u3', 's10/r1')]);
    expect(effective(h)).toEqual(['appRoleOf s10/r1 s10', 'hasAppRole u3 s10/r1']);
  });

  it('a parent purged after a soft delete (removed changed, then deleted) takes its soft-deleted children to permanent, with their links', async () => {
    const h = new Harness();
    await deltaRun(h, spObj('s1', 'r1'));
    seedLink(h.db, 'hasAppRole', ['user', 'u1'], ['appRole', 's1/r1'], { run: 1 });
    await deltaRun(h, gone('s1', 'changed'));
    expect(entityRow(h.db, 'appRole', 's1/r1')).toEqual(role('s1', 'r1', { last: 2, deletedAt: isoOf(2), kind: 'soft' }));

    await deltaRun(h, gone('s1', 'deleted'));

    expect(entityRow(h.db, 'servicePrincipal', 's1')).toMatchObject({ deleted_at: isoOf(2), deleted_kind: 'permanent' });
    expect(linkRows(h.db, 'appRoleOf')).toEqual([roleOf('s1', 'r1', { deletedAt: isoOf(3) })]);
    // The role went with its service principal: deleted for good, and the assignment to it with it.
    expect(entityRow(h.db, 'appRole', 's1/r1')).toEqual(role('s1', 'r1', { last: 3, deletedAt: isoOf(2), kind: 'permanent' }));
    expect(linkRows(h.db, 'hasAppRole')).toEqual([holds('u1', 's1/r1', { deletedAt: isoOf(3) })]);
  });

  it('a soft-deleted child missing from the set its restored parent arrives with is gone for good (permanent, links removed)', async () => {
    const h = new Harness();
    await deltaRun(h, spObj('s1', 'r1', 'r2'));
    seedLink(h.db, 'hasAppRole', ['user', 'u1'], ['appRole', 's1/r2'], { run: 1 });
    await deltaRun(h, gone('s1', 'changed'));
    expect(entityRow(h.db, 'appRole', 's1/r2')).toMatchObject({ deleted_kind: 'soft' });

    await deltaRun(h, spObj('s1', 'r1'));

    expect(entityRow(h.db, 'appRole', 's1/r1')).toEqual(role('s1', 'r1', { last: 3 }));
    expect(entityRow(h.db, 'appRole', 's1/r2')).toMatchObject({ deleted_kind: 'permanent' });
    expect(linkRows(h.db, 'hasAppRole')).toEqual([holds('u1', 's1/r2', { deletedAt: isoOf(3) })]);
  });
});

// ---- accumulate: one delegatedGrant row per (client, resource), listing every grant ----------------

const delegatedGrant: RelationScope = { relation: 'delegatedGrant', anchor: 'source', anchorType: 'servicePrincipal' };
type Grant = { id: string; scope: string };
const mergeGrants = (written: Record<string, unknown>, next: Record<string, unknown>) => {
  const byId = new Map<string, Grant>();
  for (const g of [...(written.grants as Grant[]), ...(next.grants as Grant[])]) byId.set(g.id, g);
  return { grants: [...byId.values()].sort((a, b) => a.id.localeCompare(b.id)) };
};
const grantsStep: ListStep = {
  kind: 'list',
  name: 'grants',
  entityTypes: [],
  relationScopes: [delegatedGrant],
  url: () => '/oauth2PermissionGrants',
  map: (obj) => [{
    entityType: 'servicePrincipal',
    id: obj.clientId as string,
    links: [{
      scope: delegatedGrant, anchorId: obj.clientId as string, otherId: obj.resourceId as string, otherType: 'servicePrincipal', removed: false,
      data: { grants: [{ id: obj.id, scope: obj.scope }] }, accumulate: mergeGrants,
    }],
  }],
};
const grantsConnector = connector('grants', [grantsStep]);
const GRANTS_URL = '/oauth2PermissionGrants';

const G = {
  g1: { id: 'g1', clientId: 'c1', resourceId: 'r1', scope: 'User.Read' },
  g2: { id: 'g2', clientId: 'c1', resourceId: 'r1', scope: 'Mail.Read' },
  g3: { id: 'g3', clientId: 'c1', resourceId: 'r1', scope: 'Files.Read' },
  g4: { id: 'g4', clientId: 'c2', resourceId: 'r1', scope: 'openid' },
  g5: { id: 'g5', clientId: 'c2', resourceId: 'r1', scope: 'profile' },
};
const listed = (...ids: (keyof typeof G)[]) => ({ grants: ids.map((id) => ({ id, scope: G[id].scope })) });
const grantLink = (client: string, data: Record<string, unknown>, o: Parameters<typeof link>[3] = {}) =>
  link('delegatedGrant', ['servicePrincipal', client], ['servicePrincipal', 'r1'], { data, ...o });

async function grantsRun(h: Harness, script: Record<string, GraphPage | Error>) {
  return h.run(grantsConnector, { readPages: scriptPages(script).reader });
}

describe('LinkChange.accumulate', () => {
  it('a link spread over several objects and pages ends with the union; the next full round starts afresh; a resumed round adds to what the crashed run wrote', async () => {
    const h = new Harness();
    // Run 1: c1's three grants over two objects of page 1 and one of page 2.
    const r1 = await grantsRun(h, {
      [GRANTS_URL]: { value: [G.g1, G.g2], nextLink: 'https://graph.test/grants?page=2' },
      'https://graph.test/grants?page=2': { value: [G.g3, G.g4] },
    });
    expect(r1).toMatchObject({ outcome: 'success', pages: 2, links_upserted: 4 });
    expect(linkRows(h.db, 'delegatedGrant')).toEqual([grantLink('c1', listed('g1', 'g2', 'g3')), grantLink('c2', listed('g4'))]);
    expect(changeRows(h.db, 1)).toEqual([{ run_id: 1, at: isoOf(1), kind: 'baseline', relation: 'delegatedGrant', source_type: 'servicePrincipal' }]);

    // Run 2: g1 was revoked and c2's only grant too.
    await grantsRun(h, {
      [GRANTS_URL]: { value: [G.g3], nextLink: 'https://graph.test/grants?page=2' },
      'https://graph.test/grants?page=2': { value: [G.g2] },
    });
    expect(linkRows(h.db, 'delegatedGrant')).toEqual([
      grantLink('c1', listed('g2', 'g3'), { last: 2 }),
      grantLink('c2', listed('g4'), { deletedAt: isoOf(2) }),
    ]);
    expect(changeRows(h.db, 2)).toEqual([
      { run_id: 2, at: isoOf(2), kind: 'removed', relation: 'delegatedGrant', source_type: 'servicePrincipal', source_id: 'c2', target_type: 'servicePrincipal', target_id: 'r1', scope: '' },
    ]);

    // Run 3 dies after its first page...
    const r3 = await grantsRun(h, {
      [GRANTS_URL]: { value: [G.g1], nextLink: 'https://graph.test/grants?page=2' },
      'https://graph.test/grants?page=2': new Error('socket hang up'),
    });
    expect(r3.outcome).toBe('failed');
    expect(linkRows(h.db, 'delegatedGrant')).toEqual([
      grantLink('c1', listed('g1'), { last: 3 }),
      grantLink('c2', listed('g4'), { deletedAt: isoOf(2) }),
    ]);
    expect(syncRow(h.db, 'grants')).toEqual({
      ...settled('grants', GRANTS_URL, { lastFullRun: 2, updatedRun: 3 }),
      round_mode: 'full', round_next_link: 'https://graph.test/grants?page=2', round_start_run: 3, round_started_at: isoOf(3),
    });

    // ...run 4 resumes that round: c1's row adds page 2 to what run 3 wrote; c2 comes back with a new grant.
    const r4 = await grantsRun(h, { 'https://graph.test/grants?page=2': { value: [G.g2, G.g5] } });
    expect(r4).toMatchObject({ outcome: 'success', resumed: true, links_deleted: 0 });
    expect(linkRows(h.db, 'delegatedGrant')).toEqual([
      grantLink('c1', listed('g1', 'g2'), { last: 4 }),
      grantLink('c2', listed('g5'), { last: 4 }),
    ]);
    expect(changeRows(h.db, 4)).toEqual([
      { run_id: 4, at: isoOf(4), kind: 'revived', relation: 'delegatedGrant', source_type: 'servicePrincipal', source_id: 'c2', target_type: 'servicePrincipal', target_id: 'r1', scope: '' },
    ]);
    expect(ledgerRows(h.db, 4)).toEqual([
      ledger(4, 'grants', { pages: 1, links_upserted: 2, requests: 1, full_reason: 'resuming an unfinished full round' }),
    ]);
    expect(syncRow(h.db, 'grants')).toEqual(settled('grants', GRANTS_URL, { lastFullRun: 4, updatedRun: 4 }));
  });

  it('a round begun again within its run (expired skip token) does not add to what the abandoned attempt wrote', async () => {
    const h = new Harness();
    await grantsRun(h, { [GRANTS_URL]: { value: [G.g1, G.g2, G.g4] } });
    let attempt = 0;
    const expired = new GraphError('GRAPH_REQUEST_FAILED', 'expired page', { status: 400, graphCode: 'Directory_ExpiredPageToken' });
    const r = await h.run(grantsConnector, {
      readPages: async function* (_url, stats) {
        stats.requests++;
        if (++attempt === 1) {
          yield { value: [G.g1, G.g4], nextLink: 'https://graph.test/grants?page=2' };
          throw expired;
        }
        yield { value: [G.g2] };
      },
    });
    expect(r).toMatchObject({ outcome: 'success', links_deleted: 1 });
    expect(linkRows(h.db, 'delegatedGrant')).toEqual([
      grantLink('c1', listed('g2'), { last: 2 }),
      grantLink('c2', listed('g4'), { last: 1, deletedAt: isoOf(2) }),
    ]);
  });
});
