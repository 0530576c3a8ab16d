import { afterEach, describe, expect, it } from 'vitest';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import { dbFile, entityRow, expectTruth, liveGroups, liveUsers, pull, readDb } from '../support/integration-helpers.js';

/**
 * History is never overwritten: every change the store makes lands in `changes`, in the same
 * transaction, with old and new values for objects; a replayed change writes nothing.
 */
let world: SimWorld;
afterEach(() => world?.close());

interface Change {
  kind: string;
  entity_id: string | null;
  relation: string | null;
  source_id: string | null;
  target_id: string | null;
  properties: string | null;
}

const changesOf = (path: string, runId: number) =>
  readDb(path, (db) => db.prepare('SELECT kind, entity_id, relation, source_id, target_id, properties FROM changes WHERE run_id = ? ORDER BY id').all(runId)) as Change[];

const describeChange = (c: Change) =>
  c.entity_id ? `${c.kind} ${c.entity_id}${c.properties ? ` ${c.properties}` : ''}` : `${c.kind} ${c.relation} ${c.source_id}>${c.target_id}`;

describe('the changes table after a delta round', () => {
  it('holds exactly the changes made, once each, even when Graph replays every item', async () => {
    // replayRate 1: every item of a round is sent twice.
    world = createSimWorld({ graph: { replayRate: 1, emptyPageRate: 0.2 } });
    const path = dbFile();
    const first = await pull(world, path);
    expect(first.outcome).toBe('success');
    const created = readDb(path, (db) => db.prepare("SELECT kind, COUNT(*) AS n FROM changes WHERE run_id = ? GROUP BY kind ORDER BY kind").all(first.runId));
    const t = world.tenant;
    const truth = t.truth();
    // The first pull records every object it created, once, and one baseline row per link set: every
    // link first seen by that run was added by it (one row per link would double the database).
    expect(created).toEqual([
      { kind: 'baseline', n: 3 },
      { kind: 'created', n: truth.entities.length },
    ]);
    const baseline = readDb(path, (db) => db.prepare("SELECT relation, source_type, target_type FROM changes WHERE kind = 'baseline' ORDER BY relation").all());
    expect(baseline).toEqual([
      { relation: 'memberOf', source_type: null, target_type: 'group' },
      { relation: 'ownerOf', source_type: null, target_type: 'group' },
      { relation: 'reportsTo', source_type: 'user', target_type: null },
    ]);
    // What the baseline rows stand for: the links whose first_seen_run is that run.
    const addedByBaseline = readDb(path, (db) => db.prepare(
      `SELECT COUNT(*) FROM entity_relations r JOIN changes c ON c.kind = 'baseline' AND c.run_id = r.first_seen_run AND c.relation = r.relation
         AND (c.source_type IS NULL OR c.source_type = r.source_type) AND (c.target_type IS NULL OR c.target_type = r.target_type)`,
    ).pluck().get());
    expect(addedByBaseline).toBe(truth.relations.length);

    const [a, b, c] = liveUsers(t).filter((u) => t.users.get(u)!.props.jobTitle && t.users.get(u)!.props.department) as [string, string, string];
    const g = liveGroups(t).find((id) => [...t.groups.get(id)!.members].some((m) => t.isLive(m)))!;
    const oldTitle = t.users.get(a)!.props.jobTitle;
    const oldDept = t.users.get(a)!.props.department;
    t.updateUser(a, { jobTitle: 'Chief Reviewer', department: null }); // one property changed, one cleared
    t.softDeleteUser(b);
    const n = t.createUser({ displayName: 'New Person' });
    t.addMember(g, { type: 'user', id: n });
    const removed = [...t.groups.get(g)!.members].find((m) => m !== n && t.isLive(m) && m !== c)!;
    t.removeMember(g, removed);

    const second = await pull(world, path);
    expect(second.outcome).toBe('success');
    expectTruth(path, t);
    expect(entityRow(path, 'user', a)!.data).toContain('"department":null');
    const got = changesOf(path, second.runId).map(describeChange).sort();
    expect(got).toEqual([
      `added memberOf ${n}>${g}`,
      `changed ${a} ${JSON.stringify({ jobTitle: [oldTitle, 'Chief Reviewer'], department: [oldDept, null] })}`,
      `created ${n}`,
      `removed memberOf ${removed}>${g}`,
      `soft_deleted ${b}`,
    ].sort());

    // Restored: one 'restored' row; its links were kept, so no link rows.
    t.restoreUser(b);
    const third = await pull(world, path);
    expect(changesOf(path, third.runId).map(describeChange)).toEqual([`restored ${b}`]);
    // Nothing changed: nothing written.
    const fourth = await pull(world, path);
    expect(changesOf(path, fourth.runId)).toEqual([]);
  });

  it('a cleared property is stored as cleared, never with its stale value', async () => {
    world = createSimWorld();
    const path = dbFile();
    await pull(world, path);
    const t = world.tenant;
    const u = liveUsers(t).find((id) => t.users.get(id)!.props.jobTitle)!;
    expect(JSON.parse(entityRow(path, 'user', u)!.data).jobTitle).toBe(t.users.get(u)!.props.jobTitle);
    t.updateUser(u, { jobTitle: null });
    const r = await pull(world, path);
    expect(r.collections.users!.mode).toBe('delta');
    const data = JSON.parse(entityRow(path, 'user', u)!.data) as Record<string, unknown>;
    expect(data.jobTitle ?? null).toBeNull();
    expectTruth(path, t);
  });

  it('random changes over rounds: every stored object equals the tenant, property by property', async () => {
    world = createSimWorld({ graph: { replayRate: 0.2, emptyPageRate: 0.1 } });
    const path = dbFile();
    await pull(world, path);
    for (let round = 0; round < 5; round++) {
      const changed = world.tenant.randomChanges(0.08, 9100 + round);
      expect((changed.byKind.userPropertyCleared ?? 0) + (changed.byKind.groupDescriptionCleared ?? 0)).toBeGreaterThan(0);
      const r = await pull(world, path);
      expect(r.outcome).toBe('success');
      expectTruth(path, world.tenant); // compares every live object's data, not only keys
    }
  });
});
