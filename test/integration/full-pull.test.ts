import { afterEach, describe, expect, it } from 'vitest';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import {
  dbFile, entityRow, expectRemovedDuring, expectTruth, liveGroups, liveUsers, pull, readDb, relationRows, runRow, syncStateRow, writeDb,
} from '../support/integration-helpers.js';

/**
 * --full ignores the saved delta state, reads everything, and marks what it did not see deleted,
 * including rows no delta round would ever mention; rows already deleted stay as history.
 */
let world: SimWorld;
afterEach(() => world?.close());

const GHOST_USER = '00000000-dead-4bee-8000-000000000001';
const GHOST_GROUP = '00000000-dead-4bee-8000-000000000002';

describe('pull --full', () => {
  it('tombstones rows it does not see and keeps deleted rows as history', async () => {
    world = createSimWorld({ graph: { replayRate: 0.1 } });
    const path = dbFile();
    expect((await pull(world, path)).outcome).toBe('success');
    const t = world.tenant;
    // History from a delta round: a soft-deleted user and a removed membership.
    const old = liveUsers(t)[40]!;
    const g = liveGroups(t).find((id) => t.groups.get(id)!.members.size > 1)!;
    const m = [...t.groups.get(g)!.members].find((x) => x !== old)!;
    t.softDeleteUser(old);
    t.removeMember(g, m);
    expect((await pull(world, path)).collections.users!.mode).toBe('delta');
    const oldRow = entityRow(path, 'user', old)!;
    const oldLink = relationRows(path, { relation: 'memberOf', source_id: m, target_id: g })[0]!;
    expect(oldRow.deleted_at).not.toBeNull();
    expect(oldLink.deleted_at).not.toBeNull();

    // Rows the delta stream will never mention: objects and links the database believes live.
    const liveUser = liveUsers(t).find((u) => u !== m && !t.groups.get(g)!.members.has(u))!;
    writeDb(path, (db) => {
      const ins = db.prepare('INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run) VALUES (?, ?, ?, ?, 1, 1)');
      ins.run('user', GHOST_USER, 'Ghost User', JSON.stringify({ id: GHOST_USER, displayName: 'Ghost User' }));
      ins.run('group', GHOST_GROUP, 'Ghost Group', JSON.stringify({ id: GHOST_GROUP, displayName: 'Ghost Group' }));
      const rel = db.prepare(
        "INSERT INTO entity_relations (relation, source_type, source_id, target_type, target_id, scope, first_seen_run, last_seen_run) VALUES (?, ?, ?, ?, ?, '', 1, 1)",
      );
      rel.run('memberOf', 'user', liveUser, 'group', g); // a link Graph does not have
      rel.run('memberOf', 'user', GHOST_USER, 'group', g);
      rel.run('ownerOf', 'user', liveUser, 'group', GHOST_GROUP);
      rel.run('reportsTo', 'user', GHOST_USER, 'user', liveUser);
    });
    const plantedLinks = 4;

    // An incremental pull does not notice them (nothing changed in Graph).
    const inc = await pull(world, path);
    expect(inc.collections.users!.mode).toBe('delta');
    expect(entityRow(path, 'user', GHOST_USER)!.deleted_at).toBeNull();

    const deltaBefore = syncStateRow(path, 'users')!.delta_link;
    const r = await pull(world, path, { full: true });
    expect(r.outcome).toBe('success');
    expect(r.collections.users!.mode).toBe('full');
    expect(r.collections.groups!.mode).toBe('full');
    expect(r.collections.users!.resyncs).toBe(0);
    expectTruth(path, t);
    const run = runRow(path, r.runId);
    const [s, e] = [Date.parse(run.started_at), Date.parse(run.ended_at!)];
    expectRemovedDuring(entityRow(path, 'user', GHOST_USER)!.deleted_at, s, e);
    expectRemovedDuring(entityRow(path, 'group', GHOST_GROUP)!.deleted_at, s, e);
    expect(r.collections.users!.deletions).toBe(1);
    expect(r.collections.groups!.deletions).toBe(1);
    // The planted link between two live objects is gone; the three with a ghost end are kept, as Graph
    // keeps a soft-deleted object's links (the full round cannot tell soft from permanent), but they
    // are not access: effective_relations leaves them out.
    expect(r.collections.users!.linksDeleted + r.collections.groups!.linksDeleted).toBe(1);
    expectRemovedDuring(relationRows(path, { relation: 'memberOf', source_id: liveUser, target_id: g })[0]!.deleted_at, s, e);
    const ghostLinks = [...relationRows(path, { source_id: GHOST_USER }), ...relationRows(path, { target_id: GHOST_GROUP })];
    expect(ghostLinks).toHaveLength(plantedLinks - 1);
    for (const l of ghostLinks) expect(l.deleted_at).toBeNull();
    expect(readDb(path, (db) => db.prepare('SELECT COUNT(*) FROM effective_relations WHERE source_id = ? OR target_id = ?').pluck().get(GHOST_USER, GHOST_GROUP))).toBe(0);
    expect(entityRow(path, 'user', GHOST_USER)!.deleted_kind).toBe('unseen');
    expect(entityRow(path, 'group', GHOST_GROUP)!.deleted_kind).toBe('unseen');
    // Planted rows are kept (history), not dropped.
    expect(entityRow(path, 'user', GHOST_USER)!.display_name).toBe('Ghost User');

    // Earlier history untouched: same removal times, still deleted, same data.
    expect(entityRow(path, 'user', old)).toEqual(oldRow);
    expect(relationRows(path, { relation: 'memberOf', source_id: m, target_id: g })[0]!.deleted_at).toBe(oldLink.deleted_at);

    // The full round saved a new deltaLink; the next pull is incremental again.
    expect(syncStateRow(path, 'users')!.delta_link).not.toBe(deltaBefore);
    const after = await pull(world, path);
    expect(after.collections.users!.mode).toBe('delta');
    expectTruth(path, t);
  });
});
