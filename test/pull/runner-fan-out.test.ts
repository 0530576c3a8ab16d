import { describe, expect, it } from 'vitest';
import type { FanOutStep, GraphObject } from '../../src/pull/connector.js';
import { settleUnseenLinks } from '../../src/pull/settle-unseen-links.js';
import { GraphError, InterruptedError } from '../../src/errors/index.js';
import type { RelationScope } from '../../src/store/index.js';
import {
  Harness, changeRows, connector, fakeBatch, isoOf, ledger, ledgerRows, link, linkFacts, linkRows, seedEntity, seedLink, settled,
  syncRow, type FakeBatchOptions, type ParentAnswer,
} from './support-runners.js';

const ownerOf: RelationScope = { relation: 'ownerOf', anchor: 'target', anchorType: 'servicePrincipal' };
const ownersStep: FanOutStep = {
  kind: 'fanOut',
  name: 'owners',
  parentType: 'servicePrincipal',
  entityTypes: [],
  relationScopes: [ownerOf],
  url: (id) => `/servicePrincipals/${id}/owners?$select=id`,
  map: (obj, parentId) => [{
    entityType: 'servicePrincipal',
    id: parentId,
    links: [{ scope: ownerOf, anchorId: parentId, otherId: obj.id as string, otherType: 'user', removed: false }],
  }],
  parentLinks: (id) => ({ relation: 'ownerOf', targetType: 'servicePrincipal', targetId: id }),
};
const owners = connector('spOwners', [ownersStep]);
const QUERY = 'fanOut servicePrincipal /servicePrincipals/{id}/owners?$select=id';
const LIST_REASON = 'list collection: every run reads everything';

const hasAppRole: RelationScope = { relation: 'hasAppRole', anchor: 'target', anchorType: 'appRole' };
const assignedTo = connector('assignments', [{
  kind: 'fanOut',
  name: 'appRoleAssignedTo',
  parentType: 'servicePrincipal',
  entityTypes: [],
  relationScopes: [hasAppRole],
  url: (id) => `/servicePrincipals/${id}/appRoleAssignedTo`,
  map: (obj, parentId) => {
    const role = `${parentId}/${obj.appRoleId as string}`;
    return [{
      entityType: 'appRole',
      id: role,
      links: [{ scope: hasAppRole, anchorId: role, otherId: obj.principalId as string, otherType: 'user', removed: false, data: { assignmentId: obj.id } }],
    }];
  },
  parentLinks: (id) => ({ relation: 'hasAppRole', targetType: 'appRole', targetIdPrefix: `${id}/` }),
}]);

const own = (id: string): GraphObject => ({ '@odata.type': '#microsoft.graph.user', id });
const sp = 'servicePrincipal';
const owner = (u: string, p: string, o: Parameters<typeof link>[3] = {}) => link('ownerOf', ['user', u], [sp, p], o);

/** Answers from a table; a parent the test did not expect fails the test. */
function tenant(table: Record<string, ParentAnswer>, o: FakeBatchOptions = {}) {
  return fakeBatch((key) => {
    const a = table[key];
    if (a === undefined) throw new Error(`unexpected sub-request for ${key}`);
    return a;
  }, o);
}

describe('fanOut runner', () => {
  it('reads the sub-collection of every live parent in id order (deleted parents and other types skipped) and writes its links', async () => {
    const h = new Harness();
    seedEntity(h.db, sp, 'p2');
    seedEntity(h.db, sp, 'p1', { displayName: 'One' });
    seedEntity(h.db, sp, 'p3', {}, { deletedKind: 'soft' });
    seedEntity(h.db, sp, 'p4', {}, { deletedKind: 'permanent' });
    seedEntity(h.db, 'application', 'p0');
    const b = tenant({ p1: [[own('u1'), own('u2')], [own('u3')]], p2: [[own('u1')]] });

    const r = await h.run(owners, { readBatch: b.reader });

    expect(r).toMatchObject({ outcome: 'success', mode: 'full', resumed: false, pages: 3, links_upserted: 4, links_deleted: 0, upserts: 0 });
    expect(b.requested).toEqual([
      { key: 'p1', url: '/servicePrincipals/p1/owners?$select=id' },
      { key: 'p2', url: '/servicePrincipals/p2/owners?$select=id' },
    ]);
    expect(linkRows(h.db, 'ownerOf')).toEqual([owner('u1', 'p1'), owner('u1', 'p2'), owner('u2', 'p1'), owner('u3', 'p1')]);
    // The parents themselves are not this step's: untouched.
    expect(h.db.prepare("SELECT id, last_seen_run, deleted_kind FROM entities WHERE entity_type = 'servicePrincipal' ORDER BY id").all()).toEqual([
      { id: 'p1', last_seen_run: 0, deleted_kind: null },
      { id: 'p2', last_seen_run: 0, deleted_kind: null },
      { id: 'p3', last_seen_run: 0, deleted_kind: 'soft' },
      { id: 'p4', last_seen_run: 0, deleted_kind: 'permanent' },
    ]);
    expect(syncRow(h.db, 'spOwners')).toEqual(settled('spOwners', QUERY, { lastFullRun: 1, updatedRun: 1 }));
    expect(ledgerRows(h.db, 1)).toEqual([ledger(1, 'spOwners', { pages: 3, links_upserted: 4, requests: 2, full_reason: LIST_REASON })]);
    // A first round: one baseline row for the link set instead of one 'added' per link.
    expect(changeRows(h.db, 1)).toEqual([{ run_id: 1, at: isoOf(1), kind: 'baseline', relation: 'ownerOf', target_type: sp }]);
  });

  it('reads parents past the store chunk of 500, each once, in id order', async () => {
    const h = new Harness();
    const ids = Array.from({ length: 1203 }, (_, i) => `p${String(i).padStart(4, '0')}`);
    for (const id of [...ids].reverse()) seedEntity(h.db, sp, id);
    const b = fakeBatch((key) => [[own(`u-${key}`)]], { window: 40 });
    const r = await h.run(owners, { readBatch: b.reader });
    expect(r).toMatchObject({ outcome: 'success', pages: 1203, links_upserted: 1203 });
    expect(b.keys()).toEqual(ids);
    expect(h.db.prepare("SELECT COUNT(*) FROM entity_relations WHERE relation = 'ownerOf' AND deleted_at IS NULL").pluck().get()).toBe(1203);
    expect(syncRow(h.db, 'spOwners')).toEqual(settled('spOwners', QUERY, { lastFullRun: 1, updatedRun: 1 }));
  });

  it('a parent answering 404 loses its links (parentLinks by exact targetId); the other parents keep theirs', async () => {
    const h = new Harness();
    for (const id of ['p1', 'p2']) seedEntity(h.db, sp, id);
    await h.run(owners, { readBatch: tenant({ p1: [[own('u1'), own('u2')]], p2: [[own('u1')]] }).reader });

    const r = await h.run(owners, { readBatch: tenant({ p1: { notFound: true }, p2: [[own('u1')]] }).reader });

    expect(r).toMatchObject({ outcome: 'success', links_deleted: 2 });
    expect(linkRows(h.db, 'ownerOf')).toEqual([
      owner('u1', 'p1', { last: 1, deletedAt: isoOf(2) }),
      owner('u1', 'p2', { last: 2 }),
      owner('u2', 'p1', { last: 1, deletedAt: isoOf(2) }),
    ]);
    expect(changeRows(h.db, 2)).toEqual([
      { run_id: 2, at: isoOf(2), kind: 'removed', relation: 'ownerOf', source_type: 'user', source_id: 'u1', target_type: sp, target_id: 'p1', scope: '' },
      { run_id: 2, at: isoOf(2), kind: 'removed', relation: 'ownerOf', source_type: 'user', source_id: 'u2', target_type: sp, target_id: 'p1', scope: '' },
    ]);
    expect(ledgerRows(h.db, 2)).toEqual([ledger(2, 'spOwners', { pages: 1, links_upserted: 1, links_deleted: 2, requests: 2, full_reason: LIST_REASON })]);
    // The parent row is not this step's to delete.
    expect(h.db.prepare("SELECT deleted_at FROM entities WHERE id = 'p1'").pluck().get()).toBeNull();
  });

  it('a parent answering 404 (after a page) loses every link under its prefix `<id>/`, not those of a parent whose id only starts alike', async () => {
    const h = new Harness();
    for (const id of ['p1', 'p10', 'p2']) seedEntity(h.db, sp, id);
    const a = (id: string, principal: string, role: string) => ({ id, principalId: principal, appRoleId: role });
    await h.run(assignedTo, {
      readBatch: tenant({ p1: [[a('a1', 'u1', 'r1'), a('a2', 'u2', 'r2')]], p10: [[a('a3', 'u1', 'r1')]], p2: [[a('a4', 'u3', 'r1')]] }).reader,
    });

    const r = await h.run(assignedTo, {
      readBatch: tenant({ p1: { pages: [[a('a1', 'u1', 'r1')]], notFound: true }, p10: [[a('a3', 'u1', 'r1')]], p2: [[a('a4', 'u3', 'r1')]] }).reader,
    });

    expect(r).toMatchObject({ outcome: 'success', links_deleted: 2 });
    const role = (u: string, target: string, assignmentId: string, o: Parameters<typeof link>[3] = {}) =>
      link('hasAppRole', ['user', u], ['appRole', target], { data: { assignmentId }, ...o });
    expect(linkRows(h.db, 'hasAppRole')).toEqual([
      role('u1', 'p1/r1', 'a1', { last: 2, deletedAt: isoOf(2) }),
      role('u1', 'p10/r1', 'a3', { last: 2 }),
      role('u2', 'p1/r2', 'a2', { last: 1, deletedAt: isoOf(2) }),
      role('u3', 'p2/r1', 'a4', { last: 2 }),
    ]);
    expect(changeRows(h.db, 2).map((c) => `${c.kind} ${c.source_id}>${c.target_id}`)).toEqual(['removed u1>p1/r1', 'removed u2>p1/r2']);
  });

  it('an item that fails fails the collection and tombstones nothing; the next run resumes after the last finished parent', async () => {
    const h = new Harness();
    for (const id of ['p1', 'p2', 'p3']) seedEntity(h.db, sp, id);
    await h.run(owners, { readBatch: tenant({ p1: [[own('u1'), own('u2')]], p2: [[own('u1')]], p3: [[own('u3')]] }).reader });
    const denied = new GraphError('GRAPH_REQUEST_FAILED', 'Insufficient privileges', { status: 403, graphCode: 'Authorization_RequestDenied' });

    const b2 = tenant({ p1: [[own('u1')]], p2: { error: denied }, p3: [[]] }, { order: 'fifo' });
    const r2 = await h.run(owners, { readBatch: b2.reader });

    expect(r2).toMatchObject({ outcome: 'failed', mode: 'full', links_deleted: 0, deletions: 0 });
    expect((r2.error as Error).message).toBe('spOwners: Insufficient privileges');
    expect(b2.answered).toEqual(['p1', 'p2']);
    // u2 is no longer an owner of p1, but an incomplete round says nothing about what is gone.
    expect(linkRows(h.db, 'ownerOf')).toEqual([owner('u1', 'p1', { last: 2 }), owner('u1', 'p2'), owner('u2', 'p1'), owner('u3', 'p3')]);
    expect(syncRow(h.db, 'spOwners')).toEqual({
      ...settled('spOwners', QUERY, { lastFullRun: 1, updatedRun: 2 }),
      round_mode: 'full', round_next_link: 'p1', round_start_run: 2, round_started_at: isoOf(2),
    });
    expect(ledgerRows(h.db, 2)).toEqual([
      ledger(2, 'spOwners', { outcome: 'failed', error: 'spOwners: Insufficient privileges', pages: 1, links_upserted: 1, requests: 2, full_reason: LIST_REASON }),
    ]);
    expect(changeRows(h.db, 2)).toEqual([]);

    // The next run goes on after p1 and, the round complete, tombstones what the round (runs 2 and 3) did not see.
    const b3 = tenant({ p2: [[own('u1')]], p3: [[]] });
    const r3 = await h.run(owners, { readBatch: b3.reader });
    expect(r3).toMatchObject({ outcome: 'success', resumed: true, mode: 'full', links_deleted: 2 });
    expect(b3.keys()).toEqual(['p2', 'p3']);
    expect(linkRows(h.db, 'ownerOf')).toEqual([
      owner('u1', 'p1', { last: 2 }),
      owner('u1', 'p2', { last: 3 }),
      owner('u2', 'p1', { last: 1, deletedAt: isoOf(3) }),
      owner('u3', 'p3', { last: 1, deletedAt: isoOf(3) }),
    ]);
    expect(syncRow(h.db, 'spOwners')).toEqual(settled('spOwners', QUERY, { lastFullRun: 3, updatedRun: 3 }));
    expect(ledgerRows(h.db, 3)).toEqual([
      ledger(3, 'spOwners', { pages: 2, links_upserted: 1, links_deleted: 2, requests: 2, full_reason: 'resuming an unfinished full round' }),
    ]);
  });

  it('a complete round tombstones the links it did not see, except those of a soft-deleted parent', async () => {
    const h = new Harness();
    for (const id of ['p1', 'p2', 'p3']) seedEntity(h.db, sp, id);
    await h.run(owners, { readBatch: tenant({ p1: [[own('u1'), own('u2')]], p2: [[own('u1')]], p3: [[own('u4')]] }).reader });
    h.db.prepare("UPDATE entities SET deleted_at = ?, deleted_kind = 'soft' WHERE id = 'p3'").run(isoOf(1));

    const b = tenant({ p1: [[own('u1')]], p2: [[]] });
    const r = await h.run(owners, { readBatch: b.reader });

    expect(r).toMatchObject({ outcome: 'success', links_deleted: 2 });
    expect(b.keys()).toEqual(['p1', 'p2']);
    expect(linkRows(h.db, 'ownerOf')).toEqual([
      owner('u1', 'p1', { last: 2 }),
      owner('u1', 'p2', { last: 1, deletedAt: isoOf(2) }),
      owner('u2', 'p1', { last: 1, deletedAt: isoOf(2) }),
      owner('u4', 'p3', { last: 1 }),
    ]);
    expect(changeRows(h.db, 2).map((c) => `${c.kind} ${c.source_id}>${c.target_id}`)).toEqual(['removed u1>p2', 'removed u2>p1']);
    expect(syncRow(h.db, 'spOwners')).toEqual(settled('spOwners', QUERY, { lastFullRun: 2, updatedRun: 2 }));
  });

  it('with deferLinkTombstones the complete round only records links_unsettled_since; settleUnseenLinks marks them later', async () => {
    const h = new Harness();
    for (const id of ['p1', 'p2']) seedEntity(h.db, sp, id);
    await h.run(owners, { readBatch: tenant({ p1: [[own('u1'), own('u2')]], p2: [[own('u1')]] }).reader, deferLinkTombstones: true });
    expect(syncRow(h.db, 'spOwners')).toEqual(settled('spOwners', QUERY, { lastFullRun: 1, updatedRun: 1, unsettled: 1 }));
    settleUnseenLinks(h.db, [owners], { runId: 1, at: isoOf(1) });

    const r = await h.run(owners, { readBatch: tenant({ p1: [[own('u1')]], p2: [[]] }).reader, deferLinkTombstones: true });

    expect(r).toMatchObject({ outcome: 'success', links_deleted: 0 });
    expect(syncRow(h.db, 'spOwners')).toEqual(settled('spOwners', QUERY, { lastFullRun: 2, updatedRun: 2, unsettled: 2 }));
    expect(linkRows(h.db, 'ownerOf').filter((l) => l.deleted_at !== null)).toEqual([]);

    expect(settleUnseenLinks(h.db, [owners], { runId: 2, at: isoOf(2) })).toEqual({ spOwners: 2 });
    expect(linkRows(h.db, 'ownerOf')).toEqual([
      owner('u1', 'p1', { last: 2 }),
      owner('u1', 'p2', { last: 1, deletedAt: isoOf(2) }),
      owner('u2', 'p1', { last: 1, deletedAt: isoOf(2) }),
    ]);
    expect(syncRow(h.db, 'spOwners')?.links_unsettled_since).toBeNull();
    expect(ledgerRows(h.db, 2)[0]).toMatchObject({ links_deleted: 2 });
  });

  it('an empty parent set completes the round and tombstones the step\'s links (a soft-deleted end keeps its link)', async () => {
    const h = new Harness();
    seedEntity(h.db, sp, 'p9', {}, { deletedKind: 'soft' });
    seedLink(h.db, 'ownerOf', ['user', 'u1'], [sp, 'spGone']);
    seedLink(h.db, 'ownerOf', ['user', 'u2'], [sp, 'p9']);
    seedLink(h.db, 'memberOf', ['user', 'u1'], ['group', 'g1']); // not this step's

    const b = tenant({});
    const r = await h.run(owners, { readBatch: b.reader });

    expect(r).toMatchObject({ outcome: 'success', pages: 0, links_deleted: 1 });
    expect(b.requested).toEqual([]);
    expect(linkRows(h.db, 'ownerOf')).toEqual([
      owner('u1', 'spGone', { first: 0, last: 0, deletedAt: isoOf(1) }),
      owner('u2', 'p9', { first: 0, last: 0 }),
    ]);
    expect(linkRows(h.db, 'memberOf')).toEqual([link('memberOf', ['user', 'u1'], ['group', 'g1'], { first: 0, last: 0 })]);
    expect(syncRow(h.db, 'spOwners')).toEqual(settled('spOwners', QUERY, { lastFullRun: 1, updatedRun: 1 }));
    expect(ledgerRows(h.db, 1)).toEqual([ledger(1, 'spOwners', { links_deleted: 1, full_reason: LIST_REASON })]);
  });

  describe('a round cut short with items completing out of order', () => {
    const parents = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];
    // Run 1: every parent has its own owner and 'old'; since then 'old' left everywhere and n5 joined p5.
    const before = Object.fromEntries(parents.map((p) => [p, [[own(`u${p.slice(1)}`), own('old')]]])) as Record<string, ParentAnswer>;
    const after = Object.fromEntries(parents.map((p) => [p, [[own(`u${p.slice(1)}`), ...(p === 'p5' ? [own('n5')] : [])]]])) as Record<string, ParentAnswer>;

    async function cleanRun() {
      const h = new Harness();
      for (const id of parents) seedEntity(h.db, sp, id);
      await h.run(owners, { readBatch: tenant(before).reader });
      const r = await h.run(owners, { readBatch: tenant(after).reader });
      expect(r.outcome).toBe('success');
      return h;
    }

    for (const how of ['a failing reader', 'an abort signal'] as const) {
      it(`stopped by ${how}: round_next_link is the last parent up to which all finished; the next run reads only later parents and ends like a clean run`, async () => {
        const h = new Harness();
        for (const id of parents) seedEntity(h.db, sp, id);
        await h.run(owners, { readBatch: tenant(before).reader });

        // Window 3, completed newest/oldest in turn: p3, p1, p5, p2, p7, p4, ... Each parent is a page then done,
        // so after 10 results p3, p1, p5, p2 and p7 are finished and p4 is not: the cursor is p3.
        const ac = new AbortController();
        const b2 = tenant(after, {
          window: 3,
          order: 'alternate',
          before: (n) => {
            if (how === 'a failing reader' && n === 11) throw new Error('socket hang up');
            if (how === 'an abort signal' && n === 10) ac.abort('SIGTERM');
          },
        });
        const r2 = await h.run(owners, { readBatch: b2.reader, signal: ac.signal });

        expect(b2.answered.slice(0, 5)).toEqual(['p3', 'p1', 'p5', 'p2', 'p7']);
        if (how === 'a failing reader') {
          expect(r2).toMatchObject({ outcome: 'failed', links_deleted: 0 });
          expect((r2.error as Error).message).toBe('socket hang up');
        } else {
          expect(r2).toMatchObject({ outcome: 'interrupted', links_deleted: 0 });
          expect(r2.error).toBeInstanceOf(InterruptedError);
        }
        expect(syncRow(h.db, 'spOwners')).toEqual({
          ...settled('spOwners', QUERY, { lastFullRun: 1, updatedRun: 2 }),
          round_mode: 'full', round_next_link: 'p3', round_start_run: 2, round_started_at: isoOf(2),
        });
        // Nothing tombstoned: 'old' still owns every parent.
        expect(linkRows(h.db, 'ownerOf').filter((l) => l.source_id === 'old').map((l) => [l.target_id, l.deleted_at])).toEqual(
          parents.map((p) => [p, null]),
        );
        expect(ledgerRows(h.db, 2)).toEqual([
          ledger(2, 'spOwners', {
            outcome: r2.outcome, error: (r2.error as Error).message, pages: 5, links_upserted: 6, full_reason: LIST_REASON,
            // the failing reader had taken p4 (a request) before it broke
            requests: how === 'a failing reader' ? 6 : 5,
          }),
        ]);

        const b3 = tenant(after, { order: 'fifo' });
        const r3 = await h.run(owners, { readBatch: b3.reader });
        expect(r3).toMatchObject({ outcome: 'success', resumed: true, mode: 'full', links_deleted: 8 });
        expect(b3.keys()).toEqual(['p4', 'p5', 'p6', 'p7', 'p8']);

        const clean = await cleanRun();
        expect(linkFacts(h.db, 'ownerOf')).toEqual(linkFacts(clean.db, 'ownerOf'));
        expect(linkFacts(h.db, 'ownerOf').filter((f) => f.endsWith('live'))).toEqual([
          'user:n5>servicePrincipal:p5 null live',
          ...parents.map((p) => `user:u${p.slice(1)}>servicePrincipal:${p} null live`),
        ]);
        expect(syncRow(h.db, 'spOwners')).toEqual(settled('spOwners', QUERY, { lastFullRun: 3, updatedRun: 3 }));
        // The links p1..p3 got in the cut-short run belong to the round: not tombstoned at its end.
        expect(linkRows(h.db, 'ownerOf').filter((l) => ['p1', 'p2', 'p3'].includes(l.target_id) && l.source_id !== 'old')).toEqual([
          owner('u1', 'p1', { last: 2 }), owner('u2', 'p2', { last: 2 }), owner('u3', 'p3', { last: 2 }),
        ]);
      });
    }
  });

  it('an item failing before any parent finished leaves a state from which the next run reads every parent again', async () => {
    const h = new Harness();
    // Graph object ids are GUIDs.
    const ids = ['0d5f3a8e-1111-4c1e-9a55-000000000001', '7c1b2d3e-2222-4c1e-9a55-000000000002', 'e2a4b6c8-3333-4c1e-9a55-000000000003'];
    for (const id of ids) seedEntity(h.db, sp, id);
    const all = Object.fromEntries(ids.map((id, i) => [id, [[own(`u${i}`)]]])) as Record<string, ParentAnswer>;
    await h.run(owners, { readBatch: tenant(all).reader });

    const exhausted = new GraphError('GRAPH_RETRIES_EXHAUSTED', 'gave up after 8 retries', { status: 503 });
    const r2 = await h.run(owners, { readBatch: tenant({ ...all, [ids[0]!]: { error: exhausted } }, { order: 'fifo' }).reader });
    expect(r2.outcome).toBe('failed');

    const b3 = tenant(all, { order: 'fifo' });
    const r3 = await h.run(owners, { readBatch: b3.reader });
    expect(r3.outcome).toBe('success');
    expect(b3.keys()).toEqual(ids);
    expect(linkRows(h.db, 'ownerOf').map((l) => [l.target_id, l.deleted_at])).toEqual(ids.map((id) => [id, null]));
  });
});
