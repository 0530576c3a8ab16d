import { afterEach, describe, expect, it } from 'vitest';
import { GraphError } from '../../src/errors/index.js';
import type { FaultSpec, SpoilKind } from '../../src/sim/graph/index.js';
import { spoilResponse } from '../../src/sim/graph/spoil.js';
import type { SimHandler } from '../../src/sim/sim-http.js';
import { createSimWorld, GRAPH, truthState, type SimWorld } from '../support/sim-world.js';
import { pullChain, dbFile, entityRow, expectTruth, liveGroups, liveUsers, readDb, state, syncStateRow } from '../support/integration-helpers.js';

/**
 * Not every 200 is a page (graph-facts 1.4): a proxy, captive portal or gateway can answer with HTML,
 * an empty or cut body, JSON that is not a page, or break the connection after the headers. A delta
 * round ends only at a page carrying @odata.deltaLink (https://learn.microsoft.com/graph/delta-query-overview),
 * so such an answer is retried and, when it persists, fails its collection: it is never an (empty)
 * end of the round, and an unfinished full round never tombstones anything.
 *
 * Every test here runs a `--full` round over a database that already holds the tenant, so an answer
 * taken for the end of the round would tombstone objects and links that still exist.
 */
let world: SimWorld;
afterEach(() => world?.close());

type Collection = 'users' | 'groups';
type Spoil = { name: string; spec: Pick<FaultSpec, 'spoil' | 'resetAfterHeaders'> };

const SPOILS: Spoil[] = [
  ...(['truncated', 'html', 'empty', 'emptyObject', 'noValue', 'noLinks', 'wrongContentType'] as SpoilKind[]).map((spoil) => ({
    name: spoil, spec: { spoil },
  })),
  { name: 'resetAfterHeaders', spec: { resetAfterHeaders: true } },
];

/** The retry budget of the persistent cases: three attempts, no real waiting. */
const tinyBudget = { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 2 };
/** Far more than the budget: the spoil outlasts every retry. */
const PERSISTENT = 50;

const RELATIONS: Record<Collection, string[]> = { users: ['reportsTo'], groups: ['memberOf', 'ownerOf'] };
const ENTITY: Record<Collection, string> = { users: 'user', groups: 'group' };
const other = (c: Collection): Collection => (c === 'users' ? 'groups' : 'users');

/**
 * Where the spoil is injected:
 * - mid: the users round's second page (a nextLink request), with pages after it;
 * - last: the groups round's page that carries @odata.deltaLink. Every page of a round has the same
 *   kind of URL ($skiptoken=…) and the simulation's faults choose a request by its URL before it is
 *   served, so this one wraps the simulation's handler and spoils the answer after it was served
 *   when it carries the deltaLink, with the simulation's own spoiler (src/sim/graph/spoil.ts). As
 *   with a fault, a retry of the same URL gets the real page.
 */
type Where = 'mid' | 'last';
const SPOILED_COLLECTION: Record<Where, Collection> = { mid: 'users', last: 'groups' };

interface Injected {
  /** The URLs (path + query) whose answer was spoiled, in order. */
  spoiled(): string[];
}

function inject(where: Where, spec: Spoil['spec'], times: number): Injected {
  if (where === 'mid') {
    world.graph.faults.add({ path: /^\/v1\.0\/users\/delta\?\$skiptoken=/, times, ...spec });
    return { spoiled: () => world.graph.requests.filter((q) => q.spoiled !== undefined).map((q) => q.path) };
  }
  const seen: string[] = [];
  let left = times;
  const real: SimHandler = world.graph.handle;
  world.graph.handle = async (req) => {
    const res = await real(req);
    if (left > 0 && res && res.status === 200 && req.url.pathname.endsWith('/groups/delta') && (res.body ?? '').includes('"@odata.deltaLink"')) {
      left--;
      seen.push(req.url.pathname + req.url.search);
      return spoilResponse(res, spec);
    }
    return res;
  };
  return { spoiled: () => seen };
}

/** The stored rows of one collection, every column but last_seen_run, in key order. */
function rowsOf(path: string, c: Collection) {
  return readDb(path, (db) => ({
    entities: db
      .prepare('SELECT entity_type, id, display_name, data, first_seen_run, deleted_at, deleted_kind FROM entities WHERE entity_type = ? ORDER BY id')
      .all(ENTITY[c]),
    relations: db
      .prepare(
        `SELECT relation, source_type, source_id, target_type, target_id, scope, data, first_seen_run, deleted_at FROM entity_relations
         WHERE relation IN (${RELATIONS[c].map(() => '?').join(',')}) ORDER BY 1, 2, 3, 4, 5, 6`,
      )
      .all(...RELATIONS[c]),
    deltaLink: syncStateRow(path, c)?.delta_link,
  }));
}

/** last_seen_run of every row of one collection. */
function lastSeen(path: string, c: Collection): Map<string, number | null> {
  return readDb(path, (db) => {
    const m = new Map<string, number | null>();
    for (const r of db.prepare('SELECT id, last_seen_run FROM entities WHERE entity_type = ?').all(ENTITY[c]) as { id: string; last_seen_run: number | null }[]) {
      m.set(`e|${r.id}`, r.last_seen_run);
    }
    const rels = db
      .prepare(`SELECT relation, source_id, target_id, scope, last_seen_run FROM entity_relations WHERE relation IN (${RELATIONS[c].map(() => '?').join(',')})`)
      .all(...RELATIONS[c]) as { relation: string; source_id: string; target_id: string; scope: string; last_seen_run: number | null }[];
    for (const r of rels) m.set(`r|${r.relation}|${r.source_id}|${r.target_id}|${r.scope}`, r.last_seen_run);
    return m;
  });
}

function tombstoneCounts(path: string): { entities: number; relations: number } {
  return readDb(path, (db) => ({
    entities: (db.prepare('SELECT COUNT(*) AS n FROM entities WHERE deleted_at IS NOT NULL').get() as { n: number }).n,
    relations: (db.prepare('SELECT COUNT(*) AS n FROM entity_relations WHERE deleted_at IS NOT NULL').get() as { n: number }).n,
  }));
}

/** Removal entries of the changes history written by one run. */
function removalsOf(path: string, runId: number): unknown[] {
  return readDb(path, (db) =>
    db.prepare("SELECT kind, entity_type, entity_id, relation, source_id, target_id FROM changes WHERE run_id = ? AND kind IN ('removed', 'unseen', 'deleted', 'soft_deleted')").all(runId),
  );
}

/** A database that holds the whole tenant, from a first (full) pull. */
async function pulledOnce(): Promise<string> {
  // Small enough to be quick, large enough that each round has several pages.
  world = createSimWorld({ tenant: { users: 60, groups: 12, memberships: 250 } });
  const path = dbFile();
  const first = await pullChain(world, path);
  expect(first.outcome).toBe('success');
  expectTruth(path, world.tenant);
  return path;
}

describe('a spoiled 200 during a --full round', () => {
  for (const where of ['mid', 'last'] as Where[]) {
    const c = SPOILED_COLLECTION[where];
    const placed = where === 'mid' ? 'the middle of the users round' : 'the last page of the groups round (the one with the deltaLink)';

    for (const s of SPOILS) {
      it(`${s.name} on ${placed}, transient: retried, the pull equals the truth, nothing existing is tombstoned`, async () => {
        const path = await pulledOnce();
        const tombsBefore = tombstoneCounts(path);
        const linkBefore = syncStateRow(path, c)!.delta_link;
        const times = 2;
        const injected = inject(where, s.spec, times);

        const r = await pullChain(world, path, { full: true });
        expect(injected.spoiled()).toHaveLength(times);
        // The spoiled page is in the middle of a round (pages before and after it), or its last page after others.
        if (where === 'mid') expect(r.collections[c]!.pages).toBeGreaterThan(2);
        else expect(injected.spoiled()[0]).toMatch(/\$skiptoken=/);
        expect(r.outcome).toBe('success');
        expect(r.collections[c]!.mode).toBe('full');
        // Each spoiled answer cost one more attempt: it was refused, not taken for a page.
        expect(r.collections[c]!.retries).toBeGreaterThanOrEqual(times);
        expect(r.retries).toBeGreaterThanOrEqual(times);
        expectTruth(path, world.tenant);
        expect(tombstoneCounts(path)).toEqual(tombsBefore);
        expect(removalsOf(path, r.runId)).toEqual([]);
        expect(r.collections[c]!.deletions).toBe(0);
        expect(r.collections[c]!.linksDeleted).toBe(0);
        // The round ended at the real last page: a new deltaLink was saved.
        const after = syncStateRow(path, c)!;
        expect(after.round_mode).toBeNull();
        expect(after.delta_link).toMatch(/\/delta\?\$deltatoken=/);
        expect(after.delta_link).not.toBe(linkBefore);
      });

      it(`${s.name} on ${placed}, persistent: that collection fails and keeps its rows; the other is committed`, async () => {
        const path = await pulledOnce();
        const t = world.tenant;
        // A change to the collection that is not spoiled, to see that collection commit.
        const renamed = c === 'groups' ? liveUsers(t)[0]! : liveGroups(t)[0]!;
        if (c === 'groups') t.updateUser(renamed, { displayName: 'Renamed During Spoil' });
        else t.updateGroup(renamed, { displayName: 'Renamed During Spoil' });
        const before = rowsOf(path, c);
        const seenBefore = lastSeen(path, c);
        const tombsBefore = tombstoneCounts(path);
        const injected = inject(where, s.spec, PERSISTENT);

        const r = await pullChain(world, path, { full: true, retry: tinyBudget });
        world.graph.faults.clear();
        // One first attempt and two retries, all spoiled.
        expect(injected.spoiled()).toHaveLength(3);
        expect(new Set(injected.spoiled()).size).toBe(1);
        expect(r.outcome).toBe('partial');
        expect(r.collections[c]!.outcome).toBe('failed');
        expect(r.collections[other(c)]!.outcome).toBe('success');
        expect(r.errors.map((e) => e.collection)).toEqual([c]);
        const err = r.errors[0]!.error as GraphError;
        expect(err).toBeInstanceOf(GraphError);
        expect(err.code).toBe(s.spec.resetAfterHeaders ? 'GRAPH_RETRIES_EXHAUSTED' : 'GRAPH_INVALID_RESPONSE');
        // The message names the request that kept failing, as sent.
        expect(err.message).toContain(`GET ${GRAPH}${injected.spoiled()[0]}`);

        // The failed collection: same rows (deleted_at included), same deltaLink, no change recorded.
        expect(rowsOf(path, c)).toEqual(before);
        // Only last_seen_run moved, to this run, on rows the pages before the spoil did show.
        const seenNow = lastSeen(path, c);
        expect([...seenNow.keys()].sort()).toEqual([...seenBefore.keys()].sort());
        for (const [k, v] of seenNow) if (v !== seenBefore.get(k)) expect(v, k).toBe(r.runId);
        expect(tombstoneCounts(path)).toEqual(tombsBefore);
        expect(removalsOf(path, r.runId)).toEqual([]);
        expect(syncStateRow(path, c)!.round_mode).toBe('full');

        // The other collection was committed: its round ended, and it holds the tenant's change.
        expect(syncStateRow(path, other(c))!.round_mode).toBeNull();
        const got = state(path);
        const want = truthState(t);
        const prefix = `${ENTITY[other(c)]}|`;
        expect(got.entities.filter((e) => e.startsWith(prefix))).toEqual(want.entities.filter((e) => e.startsWith(prefix)));
        expect(entityRow(path, ENTITY[other(c)], renamed)!.display_name).toBe('Renamed During Spoil');
      });
    }
  }
});

describe('server faults in the middle of a delta round', () => {
  const cases: { name: string; spec: Partial<FaultSpec>; throttled: boolean; status?: number }[] = [
    { name: '500', spec: { status: 500 }, throttled: false, status: 500 },
    { name: '500 with Retry-After', spec: { status: 500, headers: { 'Retry-After': '0.05' } }, throttled: true, status: 500 },
    { name: '502', spec: { status: 502 }, throttled: false, status: 502 },
    { name: '502 with Retry-After', spec: { status: 502, headers: { 'Retry-After': '0.05' } }, throttled: true, status: 502 },
    { name: 'reset after the headers', spec: { resetAfterHeaders: true }, throttled: false },
  ];
  for (const f of cases) {
    it(`${f.name}: retried, the pull succeeds and equals the truth; the counters show it`, async () => {
      world = createSimWorld({ graph: { userPageUnits: [8, 16] } });
      const path = dbFile();
      expect((await pullChain(world, path)).outcome).toBe('success');
      // Enough changes that the users delta round has several pages.
      world.tenant.randomChanges(0.3, 77);
      const times = 2;
      const logged = world.graph.requests.length;
      world.graph.faults.add({ path: /^\/v1\.0\/users\/delta\?\$skiptoken=/, times, ...f.spec });

      const r = await pullChain(world, path);
      expect(world.graph.faults.pending()).toBe(0);
      expect(r.outcome).toBe('success');
      expect(r.collections.users!.mode).toBe('delta');
      expectTruth(path, world.tenant);
      const faulted = world.graph.requests.slice(logged).filter((q) => (f.status ? q.status === f.status : q.spoiled === 'resetAfterHeaders'));
      expect(faulted).toHaveLength(times);
      // A 5xx with Retry-After is the service asking to hold off: it counts as throttling.
      expect({ throttled: r.throttled, retries: r.retries }).toEqual({ throttled: f.throttled ? times : 0, retries: times });
      expect({ throttled: r.collections.users!.throttled, retries: r.collections.users!.retries }).toEqual({ throttled: f.throttled ? times : 0, retries: times });
      expect({ throttled: r.collections.groups!.throttled, retries: r.collections.groups!.retries }).toEqual({ throttled: 0, retries: 0 });
      const ledger = readDb(path, (db) => db.prepare('SELECT throttled, retries FROM runs WHERE id = ?').get(r.runId));
      expect(ledger).toEqual({ throttled: f.throttled ? times : 0, retries: times });
    });
  }
});
