import { describe, expect, it } from 'vitest';
import type { DeltaStep, FanOutStep, GraphObject, ListStep } from '../../src/pull/connector.js';
import { GraphError } from '../../src/errors/index.js';
import type { RelationScope } from '../../src/store/index.js';
import {
  Harness, changeRows, connector, entityRows, fakeBatch, isoOf, ledger, ledgerRows, link, linkRows, scriptPages, settled, syncKeys, syncRow,
} from './support-runners.js';

const LIST_REASON = 'list collection: every run reads everything';

// ---- [list, list]: role definitions, then the assignments that link principals to them --------

const DEFS_URL = '/roleManagement/directory/roleDefinitions';
const ASSIGN_URL = '/roleManagement/directory/roleAssignments';
const hasRole: RelationScope = { relation: 'hasRole', anchor: 'target', anchorType: 'roleDefinition' };
const defsStep: ListStep = {
  kind: 'list',
  name: 'roleDefinitions',
  entityTypes: ['roleDefinition'],
  relationScopes: [],
  url: () => DEFS_URL,
  map: (obj) => [{ entityType: 'roleDefinition', id: obj.id as string, data: { displayName: obj.displayName }, links: [] }],
};
const assignStep: ListStep = {
  kind: 'list',
  name: 'roleAssignments',
  entityTypes: [],
  relationScopes: [hasRole],
  url: () => ASSIGN_URL,
  map: (obj) => [{
    entityType: 'roleDefinition',
    id: obj.roleDefinitionId as string,
    links: [{
      scope: hasRole, anchorId: obj.roleDefinitionId as string, otherId: obj.principalId as string, otherType: 'user', removed: false,
      scopeValue: obj.directoryScopeId as string, data: { assignmentId: obj.id },
    }],
  }],
};
const roles = connector('roleAssignments', [defsStep, assignStep]);
const STEP2 = 'roleAssignments:roleAssignments';

const def = (id: string, displayName: string): GraphObject => ({ id, displayName });
const assignment = (id: string, principalId: string, roleDefinitionId: string, directoryScopeId = '/'): GraphObject => ({ id, principalId, roleDefinitionId, directoryScopeId });
const holdsRole = (u: string, d: string, assignmentId: string, o: Parameters<typeof link>[3] = {}) =>
  link('hasRole', ['user', u], ['roleDefinition', d], { data: { assignmentId }, scope: '/', ...o });

describe('a collection of steps: [list, list]', () => {
  it('runs both steps in order, keeps each step\'s state under its own key, and writes one ledger row summing both', async () => {
    const h = new Harness();
    const s = scriptPages({
      [DEFS_URL]: { value: [def('d1', 'Global Administrator'), def('d2', 'Reports Reader')] },
      [ASSIGN_URL]: { value: [assignment('a1', 'u1', 'd1')], nextLink: 'https://graph.test/ra?page=2' },
      'https://graph.test/ra?page=2': { value: [assignment('a2', 'u2', 'd2', '/administrativeUnits/au1')] },
    });

    const r = await h.run(roles, { readPages: s.reader });

    expect(r).toMatchObject({ outcome: 'success', mode: 'full', pages: 3, upserts: 2, links_upserted: 2, requests: 3 });
    expect(s.asked).toEqual([DEFS_URL, ASSIGN_URL, 'https://graph.test/ra?page=2']);
    expect(syncKeys(h.db)).toEqual(['roleAssignments', STEP2]);
    expect(syncRow(h.db, 'roleAssignments')).toEqual(settled('roleAssignments', DEFS_URL, { lastFullRun: 1, updatedRun: 1 }));
    expect(syncRow(h.db, STEP2)).toEqual(settled(STEP2, ASSIGN_URL, { lastFullRun: 1, updatedRun: 1 }));
    expect(ledgerRows(h.db, 1)).toEqual([ledger(1, 'roleAssignments', { pages: 3, upserts: 2, links_upserted: 2, requests: 3, full_reason: LIST_REASON })]);
    expect(linkRows(h.db, 'hasRole')).toEqual([
      holdsRole('u1', 'd1', 'a1'),
      holdsRole('u2', 'd2', 'a2', { scope: '/administrativeUnits/au1' }),
    ]);
    expect(changeRows(h.db, 1)).toEqual([
      { run_id: 1, at: isoOf(1), kind: 'created', entity_type: 'roleDefinition', entity_id: 'd1' },
      { run_id: 1, at: isoOf(1), kind: 'created', entity_type: 'roleDefinition', entity_id: 'd2' },
      { run_id: 1, at: isoOf(1), kind: 'baseline', relation: 'hasRole', target_type: 'roleDefinition' },
    ]);
  });

  it('a failure in step 2 fails the collection; step 1\'s round stays complete, step 2 tombstones nothing; the next run re-reads step 1 and resumes step 2', async () => {
    const h = new Harness();
    await h.run(roles, {
      readPages: scriptPages({
        [DEFS_URL]: { value: [def('d1', 'Global Administrator'), def('d2', 'Reports Reader')] },
        [ASSIGN_URL]: { value: [assignment('a1', 'u1', 'd1')], nextLink: 'https://graph.test/ra?page=2' },
        'https://graph.test/ra?page=2': { value: [assignment('a2', 'u2', 'd2'), assignment('a4', 'u4', 'd1')] },
      }).reader,
    });

    // Run 2: d2 is gone; a3 is new; page 2 of the assignments fails for good.
    const exhausted = new GraphError('GRAPH_RETRIES_EXHAUSTED', 'gave up after 8 retries', { status: 503 });
    const r2 = await h.run(roles, {
      readPages: scriptPages({
        [DEFS_URL]: { value: [def('d1', 'Global Administrator')] },
        [ASSIGN_URL]: { value: [assignment('a1', 'u1', 'd1'), assignment('a3', 'u3', 'd1')], nextLink: 'https://graph.test/ra?page=2&t=2' },
        'https://graph.test/ra?page=2&t=2': exhausted,
      }).reader,
    });

    expect(r2).toMatchObject({ outcome: 'failed', mode: 'full', deletions: 1, links_deleted: 0 });
    expect((r2.error as Error).message).toBe('gave up after 8 retries');
    // Step 1 completed: its tombstone stands.
    expect(entityRows(h.db, 'roleDefinition').map((e) => [e.id, e.last_seen_run, e.deleted_at, e.deleted_kind])).toEqual([
      ['d1', 2, null, null],
      ['d2', 1, isoOf(2), 'unseen'],
    ]);
    expect(syncRow(h.db, 'roleAssignments')).toEqual(settled('roleAssignments', DEFS_URL, { lastFullRun: 2, updatedRun: 2 }));
    expect(syncRow(h.db, STEP2)).toEqual({
      ...settled(STEP2, ASSIGN_URL, { lastFullRun: 1, updatedRun: 2 }),
      round_mode: 'full', round_next_link: 'https://graph.test/ra?page=2&t=2', round_start_run: 2, round_started_at: isoOf(2),
    });
    expect(linkRows(h.db, 'hasRole')).toEqual([
      holdsRole('u1', 'd1', 'a1', { last: 2 }),
      holdsRole('u2', 'd2', 'a2'),
      holdsRole('u3', 'd1', 'a3', { first: 2 }),
      holdsRole('u4', 'd1', 'a4'),
    ]);
    expect(ledgerRows(h.db, 2)).toEqual([
      ledger(2, 'roleAssignments', {
        outcome: 'failed', error: 'gave up after 8 retries', pages: 2, upserts: 1, deletions: 1, links_upserted: 2, requests: 3, full_reason: LIST_REASON,
      }),
    ]);
    expect(changeRows(h.db, 2)).toEqual([
      { run_id: 2, at: isoOf(2), kind: 'unseen', entity_type: 'roleDefinition', entity_id: 'd2' },
      { run_id: 2, at: isoOf(2), kind: 'added', relation: 'hasRole', source_type: 'user', source_id: 'u3', target_type: 'roleDefinition', target_id: 'd1', scope: '/' },
    ]);

    // Run 3: step 1 is a list step, so a full round again; step 2 goes on from its saved page.
    const s3 = scriptPages({
      [DEFS_URL]: { value: [def('d1', 'Global Administrator')] },
      'https://graph.test/ra?page=2&t=2': { value: [] },
    });
    const r3 = await h.run(roles, { readPages: s3.reader });
    expect(r3).toMatchObject({ outcome: 'success', mode: 'full', pages: 2, links_deleted: 1 });
    expect(s3.asked).toEqual([DEFS_URL, 'https://graph.test/ra?page=2&t=2']);
    // a4 was seen by neither run of the round: removed. a2's role is unseen (Graph did not say how it went): kept.
    expect(linkRows(h.db, 'hasRole')).toEqual([
      holdsRole('u1', 'd1', 'a1', { last: 2 }),
      holdsRole('u2', 'd2', 'a2'),
      holdsRole('u3', 'd1', 'a3', { first: 2 }),
      holdsRole('u4', 'd1', 'a4', { deletedAt: isoOf(3) }),
    ]);
    expect(syncRow(h.db, 'roleAssignments')).toEqual(settled('roleAssignments', DEFS_URL, { lastFullRun: 3, updatedRun: 3 }));
    expect(syncRow(h.db, STEP2)).toEqual(settled(STEP2, ASSIGN_URL, { lastFullRun: 3, updatedRun: 3 }));
    expect(ledgerRows(h.db, 3)).toEqual([
      ledger(3, 'roleAssignments', { pages: 2, upserts: 1, links_deleted: 1, requests: 2, full_reason: LIST_REASON }),
    ]);
  });
});

// ---- [delta, fanOut]: service principals, then each one's owners ---------------------------------

const ownerOf: RelationScope = { relation: 'ownerOf', anchor: 'target', anchorType: 'servicePrincipal' };
const spStep: DeltaStep = {
  kind: 'delta',
  name: 'servicePrincipals',
  entityTypes: ['servicePrincipal'],
  relationScopes: [],
  url: () => '/servicePrincipals/delta',
  map: (obj) => {
    const reason = (obj['@removed'] as { reason?: string } | undefined)?.reason;
    return reason !== undefined
      ? [{ entityType: 'servicePrincipal', id: obj.id as string, removed: reason, links: [] }]
      : [{ entityType: 'servicePrincipal', id: obj.id as string, data: { displayName: obj.displayName }, links: [] }];
  },
};
const ownersStep: FanOutStep = {
  kind: 'fanOut',
  name: 'owners',
  parentType: 'servicePrincipal',
  entityTypes: [],
  relationScopes: [ownerOf],
  url: (id) => `/servicePrincipals/${id}/owners`,
  map: (obj, parentId) => [{
    entityType: 'servicePrincipal', id: parentId, links: [{ scope: ownerOf, anchorId: parentId, otherId: obj.id as string, otherType: 'user', removed: false }],
  }],
  parentLinks: (id) => ({ relation: 'ownerOf', targetType: 'servicePrincipal', targetId: id }),
};
const sps = connector('servicePrincipals', [spStep, ownersStep], 'delta');
const OWNERS_QUERY = 'fanOut servicePrincipal /servicePrincipals/{id}/owners';

describe('a collection of steps: [delta, fanOut]', () => {
  it('the fan-out reads the parents the delta step has just written; the delta step follows its deltaLink while the fan-out lists in full', async () => {
    const h = new Harness();
    const owners: Record<string, string[]> = { p1: ['u1'], p2: ['u2'], p3: ['u3'] };
    const batch = () => fakeBatch((key) => [owners[key]!.map((id) => ({ id }))]);

    const b1 = batch();
    const r1 = await h.run(sps, {
      readPages: scriptPages({ '/servicePrincipals/delta': { value: [{ id: 'p1', displayName: 'One' }, { id: 'p2', displayName: 'Two' }], deltaLink: 'https://graph.test/d1' } }).reader,
      readBatch: b1.reader,
    });
    expect(r1).toMatchObject({ outcome: 'success', mode: 'full', fullReason: 'first round', pages: 3, upserts: 2, links_upserted: 2 });
    expect(b1.keys()).toEqual(['p1', 'p2']);
    expect(ledgerRows(h.db, 1)).toEqual([ledger(1, 'servicePrincipals', { pages: 3, upserts: 2, links_upserted: 2, requests: 3, full_reason: 'first round', full_read: 'delta chain' })]);
    expect(syncRow(h.db, 'servicePrincipals')).toEqual(settled('servicePrincipals', '/servicePrincipals/delta', { lastFullRun: 1, updatedRun: 1, deltaLink: 'https://graph.test/d1' }));
    expect(syncRow(h.db, 'servicePrincipals:owners')).toEqual(settled('servicePrincipals:owners', OWNERS_QUERY, { lastFullRun: 1, updatedRun: 1 }));

    // Run 2: p3 is new and p2 was soft-deleted; u1 left p1 and u4 joined.
    owners.p1 = ['u4'];
    const b2 = batch();
    const r2 = await h.run(sps, {
      readPages: scriptPages({ 'https://graph.test/d1': { value: [{ id: 'p3', displayName: 'Three' }, { id: 'p2', '@removed': { reason: 'changed' } }], deltaLink: 'https://graph.test/d2' } }).reader,
      readBatch: b2.reader,
    });
    expect(r2).toMatchObject({ outcome: 'success', mode: 'delta', pages: 3, upserts: 1, deletions: 1, links_upserted: 2, links_deleted: 1 });
    expect(r2.fullReason).toBeUndefined();
    expect(b2.keys()).toEqual(['p1', 'p3']);
    expect(linkRows(h.db, 'ownerOf')).toEqual([
      link('ownerOf', ['user', 'u1'], ['servicePrincipal', 'p1'], { deletedAt: isoOf(2) }),
      link('ownerOf', ['user', 'u2'], ['servicePrincipal', 'p2']), // p2 is soft-deleted: its link is kept
      link('ownerOf', ['user', 'u3'], ['servicePrincipal', 'p3'], { first: 2 }),
      link('ownerOf', ['user', 'u4'], ['servicePrincipal', 'p1'], { first: 2 }),
    ]);
    expect(ledgerRows(h.db, 2)).toEqual([
      ledger(2, 'servicePrincipals', { mode: 'delta', pages: 3, upserts: 1, deletions: 1, links_upserted: 2, links_deleted: 1, requests: 3 }),
    ]);
    expect(syncRow(h.db, 'servicePrincipals')).toEqual(settled('servicePrincipals', '/servicePrincipals/delta', { lastFullRun: 1, updatedRun: 2, deltaLink: 'https://graph.test/d2' }));
    expect(syncRow(h.db, 'servicePrincipals:owners')).toEqual(settled('servicePrincipals:owners', OWNERS_QUERY, { lastFullRun: 2, updatedRun: 2 }));
  });
  it('a failure in the fan-out step leaves the delta step\'s new deltaLink in place; the next run follows it and resumes the fan-out', async () => {
    const h = new Harness();
    const owners: Record<string, string[]> = { p1: ['u1'], p2: ['u2'], p3: ['u3'] };
    await h.run(sps, {
      readPages: scriptPages({ '/servicePrincipals/delta': { value: [{ id: 'p1', displayName: 'One' }, { id: 'p2', displayName: 'Two' }], deltaLink: 'https://graph.test/d1' } }).reader,
      readBatch: fakeBatch((key) => [owners[key]!.map((id) => ({ id }))]).reader,
    });
    const denied = new GraphError('GRAPH_REQUEST_FAILED', 'Insufficient privileges', { status: 403, graphCode: 'Authorization_RequestDenied' });
    const r2 = await h.run(sps, {
      readPages: scriptPages({ 'https://graph.test/d1': { value: [{ id: 'p3', displayName: 'Three' }], deltaLink: 'https://graph.test/d2' } }).reader,
      readBatch: fakeBatch((key) => (key === 'p2' ? { error: denied } : [owners[key]!.map((id) => ({ id }))]), { order: 'fifo' }).reader,
    });
    expect(r2).toMatchObject({ outcome: 'failed', mode: 'delta', upserts: 1, links_deleted: 0 });
    expect(syncRow(h.db, 'servicePrincipals')).toEqual(settled('servicePrincipals', '/servicePrincipals/delta', { lastFullRun: 1, updatedRun: 2, deltaLink: 'https://graph.test/d2' }));
    expect(syncRow(h.db, 'servicePrincipals:owners')).toEqual({
      ...settled('servicePrincipals:owners', OWNERS_QUERY, { lastFullRun: 1, updatedRun: 2 }),
      round_mode: 'full', round_next_link: 'p1', round_start_run: 2, round_started_at: isoOf(2),
    });
    expect(ledgerRows(h.db, 2)).toEqual([
      ledger(2, 'servicePrincipals', {
        mode: 'delta', outcome: 'failed', error: 'servicePrincipals: Insufficient privileges', pages: 2, upserts: 1, links_upserted: 1, requests: 3,
      }),
    ]);

    const pages3 = scriptPages({ 'https://graph.test/d2': { value: [], deltaLink: 'https://graph.test/d3' } });
    const b3 = fakeBatch((key) => [owners[key]!.map((id) => ({ id }))]);
    const r3 = await h.run(sps, { readPages: pages3.reader, readBatch: b3.reader });
    expect(r3).toMatchObject({ outcome: 'success', mode: 'delta', links_deleted: 0 });
    expect(pages3.asked).toEqual(['https://graph.test/d2']);
    expect(b3.keys()).toEqual(['p2', 'p3']);
    expect(linkRows(h.db, 'ownerOf').map((l) => [l.source_id, l.target_id, l.last_seen_run, l.deleted_at])).toEqual([
      ['u1', 'p1', 2, null], ['u2', 'p2', 3, null], ['u3', 'p3', 3, null],
    ]);
    expect(syncRow(h.db, 'servicePrincipals:owners')).toEqual(settled('servicePrincipals:owners', OWNERS_QUERY, { lastFullRun: 3, updatedRun: 3 }));
  });
});
