import { afterEach, describe, expect, it } from 'vitest';
import { GraphError } from '../../src/errors/index.js';
import type { RetryAfterForm } from '../../src/sim/graph/throttle.js';
import { createSimWorld, liveState, truthState, type SimWorld } from '../support/sim-world.js';
import { pullChain, dbFile, expectTruth, liveUsers, readDb, state, syncStateRow, type RelationRowT } from '../support/integration-helpers.js';

/**
 * Throttling in every Retry-After form, transient server faults and connection resets are absorbed
 * by the transport; a fault beyond the retry budget fails only its collection.
 */
let world: SimWorld;
afterEach(() => world?.close());

/** Pages of a size that gives a dozen or so requests per pull: enough 429s, few real waits. */
const mediumPages = { userPageUnits: [40, 80] as [number, number], groupPageUnits: [150, 300] as [number, number] };

describe('429 with every Retry-After form', () => {
  const cases: { form: RetryAfterForm; seconds: number }[] = [
    { form: 'integer', seconds: 1 },
    { form: 'decimal', seconds: 0.25 },
    { form: 'http-date', seconds: 1 },
    { form: 'none', seconds: 0 },
  ];
  for (const { form, seconds } of cases) {
    it(`Retry-After ${form}: the pull succeeds, counts throttling and never sends into a window`, async () => {
      world = createSimWorld({ graph: mediumPages });
      const path = dbFile();
      world.graph.throttle.set({ every: 4, retryAfter: form, seconds });
      const r = await pullChain(world, path, { concurrency: 4 });
      expect(r.outcome).toBe('success');
      expectTruth(path, world.tenant);
      const got429 = world.graph.requests.filter((q) => q.status === 429).length;
      expect(got429).toBeGreaterThan(0);
      expect(r.throttled).toBe(got429);
      expect(r.collections.users!.throttled + r.collections.groups!.throttled).toBe(got429);
      expect(world.graph.throttle.violations()).toEqual([]);
      const ledger = readDb(path, (db) => db.prepare('SELECT throttled FROM runs WHERE id = ?').get(r.runId)) as { throttled: number };
      expect(ledger.throttled).toBe(got429);
    }, 20_000);
  }
});

describe('transient faults are retried', () => {
  for (const fault of [
    { name: '503', spec: { status: 503 } },
    { name: '504', spec: { status: 504 } },
    { name: 'connection reset', spec: { status: 0, reset: true } },
  ]) {
    it(`${fault.name} on groups and users pages`, async () => {
      world = createSimWorld({ graph: mediumPages });
      const path = dbFile();
      world.graph.faults.add({ path: /\/groups\/delta/, times: 2, ...fault.spec });
      world.graph.faults.add({ path: /\/users\/delta\?\$skiptoken/, times: 1, ...fault.spec });
      const r = await pullChain(world, path);
      expect(world.graph.faults.pending()).toBe(0);
      expect(r.outcome).toBe('success');
      expect(r.retries).toBeGreaterThanOrEqual(3);
      expect(r.collections.groups!.retries).toBeGreaterThanOrEqual(2);
      expect(r.collections.users!.retries).toBeGreaterThanOrEqual(1);
      expectTruth(path, world.tenant);
      // And a delta round under the same faults.
      world.tenant.randomChanges(0.05, 9);
      world.graph.faults.add({ path: /\/groups\/delta/, times: 2, ...fault.spec });
      const r2 = await pullChain(world, path);
      expect(r2.outcome).toBe('success');
      expect(r2.collections.groups!.retries).toBeGreaterThanOrEqual(2);
      expectTruth(path, world.tenant);
    });
  }
});

describe('a fault beyond the retry budget', () => {
  it('fails that collection only; the other is committed; delta state unchanged; the next pull catches up', async () => {
    world = createSimWorld({ graph: mediumPages });
    const path = dbFile();
    expect((await pullChain(world, path)).outcome).toBe('success');
    const groupsBefore = syncStateRow(path, 'groups')!;
    const groupRowsBefore = readDb(path, (db) => db.prepare("SELECT * FROM entity_relations WHERE target_type = 'group' ORDER BY 1,2,3,4,5").all());
    const t = world.tenant;
    t.randomChanges(0.05, 31);
    const newUser = t.createUser({ displayName: 'Partial Run Person' });
    const g = [...t.groups.values()].find((x) => x.state === 'live')!.id;
    t.addMember(g, { type: 'user', id: newUser });

    world.graph.faults.add({ path: /\/groups\/delta/, status: 503, times: 50 });
    const r = await pullChain(world, path, { retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 2 } });
    world.graph.faults.clear();
    expect(r.outcome).toBe('partial');
    expect(r.collections.users!.outcome).toBe('success');
    expect(r.collections.groups!.outcome).toBe('failed');
    expect(r.errors.map((e) => e.collection)).toEqual(['groups']);
    const err = r.errors[0]!.error as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.code).toBe('GRAPH_RETRIES_EXHAUSTED');
    expect(err.message).toMatch(/groups\/delta/);
    expect(err.message).toMatch(/request-id [0-9a-f-]{36}/);
    expect(world.graph.requests.filter((q) => q.status === 503)).toHaveLength(3);

    // users committed: its objects and links equal the truth.
    const got = state(path);
    const want = truthState(t);
    expect(got.entities.filter((e) => e.startsWith('user|'))).toEqual(want.entities.filter((e) => e.startsWith('user|')));
    expect(got.relations.filter((e) => e.startsWith('reportsTo|'))).toEqual(want.relations.filter((e) => e.startsWith('reportsTo|')));
    // groups: same deltaLink, same rows.
    expect(syncStateRow(path, 'groups')!.delta_link).toBe(groupsBefore.delta_link);
    // Its rows are as they were, except links of users deleted for good: the users round removes
    // those on both sides, whichever collection owns them (the one write across collections).
    const purged = new Set(readDb(path, (db) => db.prepare("SELECT id FROM entities WHERE deleted_kind = 'permanent'").pluck().all()) as string[]);
    const groupRowsNow = readDb(path, (db) => db.prepare("SELECT * FROM entity_relations WHERE target_type = 'group' ORDER BY 1,2,3,4,5").all()) as RelationRowT[];
    const untouched = (rows: RelationRowT[]) => rows.filter((row) => !purged.has(row.source_id));
    expect(untouched(groupRowsNow)).toEqual(untouched(groupRowsBefore as RelationRowT[]));
    for (const row of groupRowsNow.filter((x) => purged.has(x.source_id))) expect(row.deleted_at).not.toBeNull();
    const ledger = readDb(path, (db) => ({
      run: db.prepare('SELECT outcome, error FROM runs WHERE id = ?').get(r.runId) as { outcome: string; error: string },
      cols: db.prepare('SELECT collection, outcome FROM run_collections WHERE run_id = ? ORDER BY collection').all(r.runId),
    }));
    expect(ledger.run.outcome).toBe('partial');
    expect(ledger.run.error).toMatch(/^groups: /);
    expect(ledger.cols).toEqual([{ collection: 'groups', outcome: 'failed' }, { collection: 'users', outcome: 'success' }]);

    const next = await pullChain(world, path);
    expect(next.outcome).toBe('success');
    expect(next.collections.groups!.mode).toBe('delta');
    expectTruth(path, t);
    expect(readDb(path, liveState).relations).toContain(`memberOf|user|${newUser}|group|${g}`);
  });

  it('a full round that fails midway tombstones nothing and is resumed by the next run', async () => {
    world = createSimWorld({ graph: mediumPages });
    const path = dbFile();
    expect((await pullChain(world, path)).outcome).toBe('success');
    // --full over a fault in the middle of the groups round: the unfinished round must not tombstone.
    world.graph.faults.add({ path: /\/groups\/delta\?\$skiptoken/, status: 504, times: 50 });
    const r = await pullChain(world, path, { full: true, retry: { baseDelayMs: 5, maxDelayMs: 50, maxRetries: 1 } });
    world.graph.faults.clear();
    expect(r.outcome).toBe('partial');
    expect(r.collections.groups!.linksDeleted).toBe(0);
    expect(r.collections.groups!.deletions).toBe(0);
    expectTruth(path, world.tenant);
    expect(syncStateRow(path, 'groups')!.round_mode).toBe('full');
    const next = await pullChain(world, path);
    expect(next.collections.groups!.resumed).toBe(true);
    expect(next.collections.groups!.mode).toBe('full');
    expect(next.collections.groups!.linksDeleted).toBe(0);
    expectTruth(path, world.tenant);
    expect(liveUsers(world.tenant).length).toBeGreaterThan(0);
  });
});
