import { describe, expect, it } from 'vitest';
import { openDatabase, getSyncState, type Db } from '../../src/store/index.js';
import { syncCollection, type GraphPage, type PageReader } from '../../src/pull/sync-collection.js';
import { users as usersConnector } from '../../connectors/users.js';
import { groups as groupsConnector } from '../../connectors/groups.js';
import { chainOnly } from '../support/integration-helpers.js';

// These tests drive the delta chain over scripted pages: the connectors without their listing (a
// full round read by listing is tested in test/integration/listing-full-round.test.ts).
const users = chainOnly(usersConnector);
const groups = chainOnly(groupsConnector);
import { GraphError } from '../../src/errors/index.js';
import type { Connector, DeltaStep } from '../../src/pull/connector.js';

/** A scripted Graph: each URL answers one page (or throws). Records the URLs asked for. */
function script(pages: Record<string, GraphPage | Error>) {
  const asked: string[] = [];
  const reader: PageReader = async function* (url, stats) {
    let next: string | undefined = url;
    while (next) {
      asked.push(next);
      stats.requests++;
      const p: GraphPage | Error | undefined = pages[next.startsWith('/') ? 'first' : next];
      if (p === undefined) throw new Error(`unscripted ${next}`);
      if (p instanceof Error) throw p;
      yield p;
      next = p.nextLink;
    }
  };
  return { reader, asked };
}

let runId = 0;
async function run(db: Db, connector: Connector, reader: PageReader, full = false) {
  runId++;
  db.prepare('INSERT INTO runs (id, command, started_at) VALUES (?, ?, ?)').run(runId, 'pull', new Date().toISOString());
  return syncCollection({ db, connector, runId, readPages: reader, context: { grantedRoles: new Set() }, full });
}

const live = (db: Db, type: string) =>
  (db.prepare('SELECT id FROM entities WHERE entity_type = ? AND deleted_at IS NULL ORDER BY id').all(type) as { id: string }[]).map((r) => r.id);
const liveLinks = (db: Db, relation: string) =>
  (db.prepare('SELECT source_type, source_id, target_id FROM entity_relations WHERE relation = ? AND deleted_at IS NULL ORDER BY 1, 2, 3').all(relation) as {
    source_type: string; source_id: string; target_id: string;
  }[]).map((r) => `${r.source_type}:${r.source_id}>${r.target_id}`);

const effectiveLinks = (db: Db, relation: string) =>
  (db.prepare('SELECT source_type, source_id, target_id FROM effective_relations WHERE relation = ? ORDER BY 1, 2, 3').all(relation) as {
    source_type: string; source_id: string; target_id: string;
  }[]).map((r) => `${r.source_type}:${r.source_id}>${r.target_id}`);

const u = (id: string, extra: Record<string, unknown> = {}) => ({ id, displayName: `User ${id}`, ...extra });
const mgr = (id: string) => ({ 'manager@delta': [{ '@odata.type': '#microsoft.graph.user', id }] });

describe('syncCollection (delta engine over scripted pages)', () => {
  it('runs a full round, saves the deltaLink with the last page, then follows it in delta mode', async () => {
    runId = 0;
    const db = openDatabase(':memory:');
    const first = script({
      first: { value: [u('a'), u('b', mgr('a'))], nextLink: 'https://g/next1' },
      'https://g/next1': { value: [], nextLink: 'https://g/next2' }, // empty pages are followed
      'https://g/next2': { value: [u('c', mgr('a'))], deltaLink: 'https://g/delta1' },
    });
    const r1 = await run(db, users, first.reader);
    expect(r1).toMatchObject({ mode: 'full', outcome: 'success', upserts: 3, pages: 3 });
    expect(live(db, 'user')).toEqual(['a', 'b', 'c']);
    expect(liveLinks(db, 'reportsTo')).toEqual(['user:b>a', 'user:c>a']);
    expect(getSyncState(db, 'users')?.delta_link).toBe('https://g/delta1');

    const second = script({
      'https://g/delta1': {
        value: [
          { id: 'a', '@removed': { reason: 'changed' } },
          u('b', { 'manager@delta': [{ '@odata.type': '#microsoft.graph.user', id: 'c' }] }),
          u('d'),
        ],
        deltaLink: 'https://g/delta2',
      },
    });
    const r2 = await run(db, users, second.reader);
    expect(second.asked).toEqual(['https://g/delta1']);
    expect(r2).toMatchObject({ mode: 'delta', deletions: 1 });
    expect(live(db, 'user')).toEqual(['b', 'c', 'd']);
    // b's manager moved from a to c: single-valued, the old link is removed.
    expect(liveLinks(db, 'reportsTo')).toEqual(['user:b>c', 'user:c>a']);
    const a = db.prepare("SELECT deleted_at, data FROM entities WHERE id = 'a'").get() as { deleted_at: string; data: string };
    expect(a.deleted_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(JSON.parse(a.data).displayName).toBe('User a'); // kept for history

    // a restored, d permanently deleted
    const third = script({
      'https://g/delta2': { value: [u('a'), { id: 'd', '@removed': { reason: 'deleted' } }], deltaLink: 'https://g/delta3' },
    });
    await run(db, users, third.reader);
    expect(live(db, 'user')).toEqual(['a', 'b', 'c']);
  });

  it('merges a large group whose members arrive in slices over several pages', async () => {
    runId = 0;
    const db = openDatabase(':memory:');
    const g = (slice: string[]) => ({
      id: 'g1', displayName: 'Big', securityEnabled: true,
      'members@delta': slice.map((id) => ({ '@odata.type': id.startsWith('sp') ? '#microsoft.graph.servicePrincipal' : '#microsoft.graph.user', id })),
    });
    const s = script({
      first: { value: [g(['u1', 'u2'])], nextLink: 'https://g/2' },
      'https://g/2': { value: [{ id: 'g2', displayName: 'Small' }, g(['u3', 'sp1'])], nextLink: 'https://g/3' },
      'https://g/3': { value: [g(['u4']), g(['u1'])], deltaLink: 'https://g/d' }, // a replay is harmless
    });
    await run(db, groups, s.reader);
    expect(liveLinks(db, 'memberOf')).toEqual(['servicePrincipal:sp1>g1', 'user:u1>g1', 'user:u2>g1', 'user:u3>g1', 'user:u4>g1']);
    expect(live(db, 'group')).toEqual(['g1', 'g2']);
  });

  it('marks removed links; a soft-deleted group keeps its links (not effective), a permanently deleted one loses them', async () => {
    runId = 0;
    const db = openDatabase(':memory:');
    const m = (id: string, removed = false) => ({ '@odata.type': '#microsoft.graph.user', id, ...(removed ? { '@removed': { reason: 'deleted' } } : {}) });
    await run(db, groups, script({
      first: {
        value: [
          { id: 'g1', 'members@delta': [m('u1'), m('u2')], 'owners@delta': [m('o1')] },
          { id: 'g2', 'members@delta': [m('u1')] },
          { id: 'g3', 'members@delta': [m('u1')], 'owners@delta': [m('o1')] },
        ],
        deltaLink: 'https://g/d1',
      },
    }).reader);
    await run(db, groups, script({
      'https://g/d1': {
        value: [
          { id: 'g1', 'members@delta': [m('u2', true), m('u3')] },
          { id: 'g2', '@removed': { reason: 'changed' } },
          { id: 'g3', '@removed': { reason: 'deleted' } },
        ],
        deltaLink: 'https://g/d2',
      },
    }).reader);
    expect(liveLinks(db, 'memberOf')).toEqual(['user:u1>g1', 'user:u1>g2', 'user:u3>g1']);
    expect(effectiveLinks(db, 'memberOf')).toEqual(['user:u1>g1', 'user:u3>g1']);
    expect(liveLinks(db, 'ownerOf')).toEqual(['user:o1>g1']);
    expect(live(db, 'group')).toEqual(['g1']);
    const kinds = db.prepare("SELECT id, deleted_kind FROM entities WHERE entity_type = 'group' ORDER BY id").all();
    expect(kinds).toEqual([{ id: 'g1', deleted_kind: null }, { id: 'g2', deleted_kind: 'soft' }, { id: 'g3', deleted_kind: 'permanent' }]);
    // g2 restored (a normal object, no member entries: Graph does not report them again): its link is effective again.
    await run(db, groups, script({ 'https://g/d2': { value: [{ id: 'g2', displayName: 'back' }], deltaLink: 'https://g/d3' } }).reader);
    expect(effectiveLinks(db, 'memberOf')).toEqual(['user:u1>g1', 'user:u1>g2', 'user:u3>g1']);
  });

  it('a run that dies mid-round commits its pages, tombstones nothing and keeps the old deltaLink; the next run resumes', async () => {
    runId = 0;
    const db = openDatabase(':memory:');
    await run(db, users, script({ first: { value: [u('a'), u('b'), u('z')], deltaLink: 'https://g/d1' } }).reader);
    // --full round: page 1 ok, then the network dies
    const broken = script({ first: { value: [u('a')], nextLink: 'https://g/p2' }, 'https://g/p2': new Error('socket hang up') });
    const r = await run(db, users, broken.reader, true);
    expect(r.outcome).toBe('failed');
    expect(live(db, 'user')).toEqual(['a', 'b', 'z']); // nothing tombstoned
    const st = getSyncState(db, 'users')!;
    expect(st.delta_link).toBe('https://g/d1');
    expect(st.round_next_link).toBe('https://g/p2');
    // the next run (no --full) resumes the full round where it stopped; z is gone in the tenant
    const resume = script({ 'https://g/p2': { value: [u('b')], deltaLink: 'https://g/d2' } });
    const r2 = await run(db, users, resume.reader);
    expect(resume.asked).toEqual(['https://g/p2']);
    expect(r2).toMatchObject({ mode: 'full', resumed: true, deletions: 1 });
    expect(live(db, 'user')).toEqual(['a', 'b']);
    expect(getSyncState(db, 'users')?.delta_link).toBe('https://g/d2');
  });

  for (const [label, err] of [
    ['410 Gone', new GraphError('GRAPH_REQUEST_FAILED', 'gone', { status: 410 })],
    ['400 syncStateNotFound', new GraphError('GRAPH_REQUEST_FAILED', 'expired', { status: 400, graphCode: 'syncStateNotFound' })],
    ['400 resyncRequired', new GraphError('GRAPH_REQUEST_FAILED', 'resync', { status: 400, graphCode: 'resyncRequired' })],
  ] as const) {
    it(`an invalid deltaLink (${label}) triggers a full resync that tombstones what was not seen`, async () => {
      runId = 0;
      const db = openDatabase(':memory:');
      await run(db, users, script({ first: { value: [u('a', mgr('b')), u('b')], deltaLink: 'https://g/d1' } }).reader);
      const s = script({ 'https://g/d1': err, first: { value: [u('b')], deltaLink: 'https://g/d2' } });
      const r = await run(db, users, s.reader);
      expect(r).toMatchObject({ mode: 'full', resyncs: 1, outcome: 'success' });
      expect(live(db, 'user')).toEqual(['b']);
      // a was not seen (soft or permanently deleted, Graph did not say): its link is kept, not effective.
      expect(liveLinks(db, 'reportsTo')).toEqual(['user:a>b']);
      expect(effectiveLinks(db, 'reportsTo')).toEqual([]);
      expect(db.prepare("SELECT deleted_kind FROM entities WHERE id = 'a'").pluck().get()).toBe('unseen');
      expect(getSyncState(db, 'users')?.delta_link).toBe('https://g/d2');
    });
  }

  it('an expired skip token mid-round restarts the round; what the abandoned attempt saw does not escape the tombstone', async () => {
    runId = 0;
    const db = openDatabase(':memory:');
    await run(db, users, script({ first: { value: [u('a'), u('b'), u('c')], deltaLink: 'https://g/d1' } }).reader);
    let attempt = 0;
    const expired = new GraphError('GRAPH_REQUEST_FAILED', 'expired page', { status: 400, graphCode: 'Directory_ExpiredPageToken' });
    const reader: PageReader = async function* (url, stats) {
      stats.requests++;
      attempt++;
      if (attempt === 1) {
        yield { value: [u('a'), u('c')], nextLink: 'https://g/p2' }; // c seen by the first attempt...
        throw expired;
      }
      yield { value: [u('a'), u('b')], deltaLink: 'https://g/d2' }; // ...and gone when the round starts again
    };
    const r = await run(db, users, reader, true);
    expect(r.outcome).toBe('success');
    expect(live(db, 'user')).toEqual(['a', 'b']);
  });

  it('a collection that fails for good is reported failed and leaves its state as it was', async () => {
    runId = 0;
    const db = openDatabase(':memory:');
    const denied = new GraphError('GRAPH_REQUEST_FAILED', 'Insufficient privileges', { status: 403, graphCode: 'Authorization_RequestDenied' });
    const r = await run(db, users, script({ first: denied }).reader);
    expect(r.outcome).toBe('failed');
    expect((db.prepare('SELECT outcome FROM run_collections').get() as { outcome: string }).outcome).toBe('failed');
    expect(getSyncState(db, 'users')?.delta_link ?? null).toBeNull();
  });

  it('drops a deltaLink made for another query (this version selects other properties) and runs full', async () => {
    runId = 0;
    const db = openDatabase(':memory:');
    await run(db, users, script({ first: { value: [u('a')], deltaLink: 'https://g/d1' } }).reader);
    db.prepare("UPDATE sync_state SET query = '/users/delta?$select=id'").run();
    const s = script({ first: { value: [u('a')], deltaLink: 'https://g/d2' } });
    const r = await run(db, users, s.reader);
    expect(r.mode).toBe('full');
    expect(s.asked[0]).toMatch(/^\/users\/delta\?\$select=/);
  });
});

describe('resuming from a saved link', () => {
  it('a saved nextLink that Graph now rejects with another 400 begins the round again instead of failing every run', async () => {
    runId = 0;
    const db = openDatabase(':memory:');
    await run(db, users, script({ first: { value: [u('a'), u('b')], deltaLink: 'https://g/d1' } }).reader);
    await run(db, users, script({ first: { value: [u('a')], nextLink: 'https://g/p2' }, 'https://g/p2': new Error('killed') }).reader, true);
    const stale = new GraphError('GRAPH_REQUEST_FAILED', 'bad skip token', { status: 400, graphCode: 'Request_BadRequest' });
    const s = script({ 'https://g/p2': stale, first: { value: [u('a')], deltaLink: 'https://g/d2' } });
    const r = await run(db, users, s.reader);
    expect(s.asked[0]).toBe('https://g/p2');
    expect(r).toMatchObject({ outcome: 'success', mode: 'full' });
    expect(live(db, 'user')).toEqual(['a']);
  });

  it('the same 400 on a fresh link is not retried in a loop: the collection fails', async () => {
    runId = 0;
    const db = openDatabase(':memory:');
    const bad = new GraphError('GRAPH_REQUEST_FAILED', 'bad request', { status: 400, graphCode: 'Request_BadRequest' });
    const r = await run(db, users, script({ first: bad }).reader);
    expect(r.outcome).toBe('failed');
  });
});

describe('a saved deltaLink Graph refuses', () => {
  for (const [label, err] of [
    ['400 Request_BadRequest', new GraphError('GRAPH_REQUEST_FAILED', 'bad', { status: 400, graphCode: 'Request_BadRequest' })],
    ['404 Request_ResourceNotFound', new GraphError('GRAPH_REQUEST_FAILED', 'missing', { status: 404, graphCode: 'Request_ResourceNotFound' })],
    ['422 UnprocessableEntity', new GraphError('GRAPH_REQUEST_FAILED', 'unprocessable', { status: 422, graphCode: 'UnprocessableEntity' })],
  ] as const) {
    it(`on its first request with ${label} starts a full resync with a warning naming the code`, async () => {
      runId = 0;
      const db = openDatabase(':memory:');
      await run(db, users, script({ first: { value: [u('a'), u('b')], deltaLink: 'https://g/d1' } }).reader);
      const s = script({ 'https://g/d1': err, first: { value: [u('b')], deltaLink: 'https://g/d2' } });
      const events: { event: string; detail?: string }[] = [];
      runId++;
      db.prepare('INSERT INTO runs (id, command, started_at) VALUES (?, ?, ?)').run(runId, 'pull', new Date().toISOString());
      const r = await syncCollection({
        db, connector: users, runId, readPages: s.reader, context: { grantedRoles: new Set() }, onProgress: (p) => events.push(p),
      });
      expect(r).toMatchObject({ mode: 'full', resyncs: 1, outcome: 'success' });
      expect(r.fullReason).toContain(label.split(' ')[0]!);
      const warning = events.find((e) => e.event === 'warning');
      expect(warning?.detail).toContain(label);
      expect(live(db, 'user')).toEqual(['b']);
      expect(getSyncState(db, 'users')?.delta_link).toBe('https://g/d2');
      expect(db.prepare('SELECT full_reason FROM run_collections WHERE run_id = ?').pluck().get(runId)).toContain(label);
    });
  }

  it('a 400 after the first page of a delta round is not taken for a refused link: the collection fails', async () => {
    runId = 0;
    const db = openDatabase(':memory:');
    await run(db, users, script({ first: { value: [u('a')], deltaLink: 'https://g/d1' } }).reader);
    const bad = new GraphError('GRAPH_REQUEST_FAILED', 'bad', { status: 400, graphCode: 'Request_BadRequest' });
    const r = await run(db, users, script({ 'https://g/d1': { value: [u('c')], nextLink: 'https://g/p2' }, 'https://g/p2': bad }).reader);
    expect(r).toMatchObject({ outcome: 'failed', mode: 'delta', resyncs: 0 });
    expect(getSyncState(db, 'users')?.delta_link).toBe('https://g/d1');
  });
});

describe('a collection that fails anywhere fails alone', () => {
  it('a throw during set-up (building the first request) is recorded as this collection failing', async () => {
    runId = 0;
    const db = openDatabase(':memory:');
    const broken: Connector = { ...users, steps: [{ ...(users.steps[0] as DeltaStep), url: () => { throw new Error('no query for you'); } }] };
    const r = await run(db, broken, script({}).reader);
    expect(r.outcome).toBe('failed');
    expect((r.error as Error).message).toBe('no query for you');
    expect(db.prepare('SELECT collection, outcome, error FROM run_collections').all()).toEqual([
      { collection: 'users', outcome: 'failed', error: 'no query for you' },
    ]);
  });

  it('a page that is not a delta page (neither link) never ends a delta round', async () => {
    runId = 0;
    const db = openDatabase(':memory:');
    await run(db, users, script({ first: { value: [u('a'), u('b')], deltaLink: 'https://g/d1' } }).reader);
    const r = await run(db, users, script({ first: { value: [] } }).reader, true);
    expect(r.outcome).toBe('failed');
    expect(live(db, 'user')).toEqual(['a', 'b']);
    expect(getSyncState(db, 'users')?.delta_link).toBe('https://g/d1');
  });
});
