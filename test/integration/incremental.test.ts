import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import {
  dbFile, entityRow, expectRemovedDuring, expectTruth, liveGroups, liveUsers, pull, readDb, relationRows, runRow,
} from '../support/integration-helpers.js';

/**
 * Incremental (delta) correctness: each kind of directory change on its own, then a random mix over
 * several rounds. After every pull the database's live rows equal the tenant's truth.
 */
let world: SimWorld;
let path: string;
afterEach(() => world?.close());

/** A world already pulled once (full), so the next pull is a delta round. */
async function pulledWorld(graph = {}): Promise<void> {
  world = createSimWorld({ graph: { replayRate: 0.1, emptyPageRate: 0.1, ...graph } });
  path = dbFile();
  const first = await pull(world, path);
  expect(first.outcome).toBe('success');
  expectTruth(path, world.tenant);
}

async function deltaPull() {
  const r = await pull(world, path);
  expect(r.outcome).toBe('success');
  expect(r.collections.users!.mode).toBe('delta');
  expect(r.collections.groups!.mode).toBe('delta');
  expectTruth(path, world.tenant);
  const run = runRow(path, r.runId);
  return { ...r, runStartMs: Date.parse(run.started_at), runEndMs: Date.parse(run.ended_at!) };
}

describe('incremental pulls, one change kind at a time', () => {
  beforeEach(async () => {
    await pulledWorld();
  });

  it('a created user appears with its properties', async () => {
    const id = world.tenant.createUser({ displayName: 'Zed Created', jobTitle: 'Newcomer' });
    const r = await deltaPull();
    const row = entityRow(path, 'user', id)!;
    expect(row.deleted_at).toBeNull();
    expect(row.display_name).toBe('Zed Created');
    expect(JSON.parse(row.data)).toMatchObject({ id, displayName: 'Zed Created', jobTitle: 'Newcomer' });
    expect(row.first_seen_run).toBe(r.runId);
    expect(r.collections.users!.upserts).toBe(1);
  });

  it('an updated user has its data and display_name updated', async () => {
    const id = liveUsers(world.tenant)[7]!;
    const before = JSON.parse(entityRow(path, 'user', id)!.data) as Record<string, unknown>;
    world.tenant.updateUser(id, { displayName: 'Renamed Person', department: 'Audit' });
    const r = await deltaPull();
    const row = entityRow(path, 'user', id)!;
    expect(row.display_name).toBe('Renamed Person');
    const data = JSON.parse(row.data) as Record<string, unknown>;
    expect(data).toMatchObject({ displayName: 'Renamed Person', department: 'Audit' });
    // Properties the delta did not carry are kept from the earlier full round.
    expect(data.userPrincipalName).toBe(before.userPrincipalName);
    expect(r.collections.users!.upserts).toBe(1);
  });

  it('an updated group has its data and display_name updated', async () => {
    const id = liveGroups(world.tenant)[4]!;
    world.tenant.updateGroup(id, { displayName: 'Renamed Group', description: 'new words' });
    await deltaPull();
    const row = entityRow(path, 'group', id)!;
    expect(row.display_name).toBe('Renamed Group');
    expect(JSON.parse(row.data)).toMatchObject({ displayName: 'Renamed Group', description: 'new words' });
  });

  it('a soft-deleted user keeps its row and data, with deleted_at set during the run', async () => {
    const id = liveUsers(world.tenant)[9]!;
    const before = entityRow(path, 'user', id)!;
    world.tenant.softDeleteUser(id);
    const r = await deltaPull();
    const row = entityRow(path, 'user', id)!;
    expect(row).toBeDefined();
    expect(row.data).toBe(before.data);
    expect(row.display_name).toBe(before.display_name);
    expectRemovedDuring(row.deleted_at, r.runStartMs, r.runEndMs);
    expect(r.collections.users!.deletions).toBe(1);
  });

  it('a hard-deleted user is kept as history with deleted_at', async () => {
    const id = liveUsers(world.tenant)[10]!;
    world.tenant.hardDeleteUser(id);
    const r = await deltaPull();
    const row = entityRow(path, 'user', id)!;
    expect(row).toBeDefined();
    expectRemovedDuring(row.deleted_at, r.runStartMs, r.runEndMs);
  });

  it('a soft-deleted user who is a member and a manager keeps every link (not effective while deleted); a restore makes them effective again', async () => {
    const t = world.tenant;
    const id = liveUsers(t).find((u) =>
      t.effectiveManager(u) && [...t.groups.values()].some((g) => g.members.has(u)) && [...t.users.values()].some((r) => r.manager === u))!;
    expect(id).toBeDefined();
    const links = () => [
      ...relationRows(path, { relation: 'memberOf', source_id: id }),
      ...relationRows(path, { relation: 'reportsTo', source_id: id }),
      ...relationRows(path, { relation: 'reportsTo', target_id: id }),
    ].sort((x, y) => `${x.relation}${x.source_id}${x.target_id}`.localeCompare(`${y.relation}${y.source_id}${y.target_id}`));
    const before = links();
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.every((l) => l.deleted_at === null)).toBe(true);
    const effective = () => readDb(path, (db) =>
      db.prepare('SELECT COUNT(*) FROM effective_relations WHERE source_id = ? OR target_id = ?').pluck().get(id, id)) as number;
    expect(effective()).toBe(before.length);

    t.softDeleteUser(id);
    const r = await deltaPull();
    const row = entityRow(path, 'user', id)!;
    expectRemovedDuring(row.deleted_at, r.runStartMs, r.runEndMs);
    expect(row.deleted_kind).toBe('soft');
    // Graph keeps a soft-deleted user's memberships and manager links: so do we, unchanged...
    expect(links()).toEqual(before);
    // ...but they are not access while the user is deleted.
    expect(effective()).toBe(0);

    t.restoreUser(id);
    await deltaPull();
    expect(entityRow(path, 'user', id)).toMatchObject({ deleted_at: null, deleted_kind: null });
    expect(links().map((l) => ({ ...l, last_seen_run: 0 }))).toEqual(before.map((l) => ({ ...l, last_seen_run: 0 })));
    expect(effective()).toBe(before.length);
  });

  it('a soft-deleted user later deleted for good loses its links on both sides, once', async () => {
    const t = world.tenant;
    const id = liveUsers(t).find((u) => [...t.groups.values()].some((g) => g.members.has(u)) && [...t.users.values()].some((r) => r.manager === u))!;
    t.softDeleteUser(id);
    const soft = await deltaPull();
    const softAt = entityRow(path, 'user', id)!.deleted_at;
    expectRemovedDuring(softAt, soft.runStartMs, soft.runEndMs);
    t.hardDeleteUser(id);
    const hard = await deltaPull();
    expect(entityRow(path, 'user', id)).toMatchObject({ deleted_at: softAt, deleted_kind: 'permanent' });
    const all = [...relationRows(path, { source_id: id }), ...relationRows(path, { target_id: id })];
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const l of all) expectRemovedDuring(l.deleted_at, hard.runStartMs, hard.runEndMs);
    const removals = readDb(path, (db) =>
      db.prepare("SELECT COUNT(*) FROM changes WHERE kind = 'removed' AND (source_id = ? OR target_id = ?)").pluck().get(id, id)) as number;
    expect(removals).toBe(all.length); // each link removed once, though the users and groups rounds both report it
  });

  it('membership adds and removes of every member type keep the real source_type', async () => {
    const t = world.tenant;
    const free = (g: string, type: string) => [...t.others.values()].find((o) => o.type === type && !t.groups.get(g)!.members.has(o.id));
    const g = liveGroups(t).find((id) => free(id, 'servicePrincipal') && free(id, 'device'))!;
    const nested = liveGroups(t).find((id) => id !== g && !t.groups.get(g)!.members.has(id) && !t.groups.get(id)!.members.has(g))!;
    const user = liveUsers(t).find((u) => !t.groups.get(g)!.members.has(u))!;
    const sp = free(g, 'servicePrincipal')!;
    const dev = free(g, 'device')!;
    t.addMember(g, { type: 'user', id: user });
    t.addMember(g, { type: 'servicePrincipal', id: sp.id });
    t.addMember(g, { type: 'device', id: dev.id });
    t.addMember(g, { type: 'group', id: nested });
    const r = await deltaPull();
    expect(r.collections.groups!.linksUpserted).toBe(4);
    const live = (id: string) => relationRows(path, { relation: 'memberOf', source_id: id, target_id: g }).filter((x) => x.deleted_at === null);
    expect(live(user).map((x) => x.source_type)).toEqual(['user']);
    expect(live(sp.id).map((x) => x.source_type)).toEqual(['servicePrincipal']);
    expect(live(dev.id).map((x) => x.source_type)).toEqual(['device']);
    expect(live(nested).map((x) => x.source_type)).toEqual(['group']);
    expect(live(nested)[0]!.target_type).toBe('group');

    for (const id of [user, sp.id, dev.id, nested]) t.removeMember(g, id);
    const r2 = await deltaPull();
    expect(r2.collections.groups!.linksDeleted).toBe(4);
    for (const [id, type] of [[user, 'user'], [sp.id, 'servicePrincipal'], [dev.id, 'device'], [nested, 'group']] as const) {
      const rows = relationRows(path, { relation: 'memberOf', source_id: id, target_id: g });
      expect(rows).toHaveLength(1);
      expect(rows[0]!.source_type).toBe(type);
      expectRemovedDuring(rows[0]!.deleted_at, r2.runStartMs, r2.runEndMs);
    }
  });

  it('owner adds and removes (user and servicePrincipal owners)', async () => {
    const t = world.tenant;
    const g = liveGroups(t)[1]!;
    const user = liveUsers(t).find((u) => !t.groups.get(g)!.owners.has(u))!;
    const sp = [...t.others.values()].find((o) => o.type === 'servicePrincipal' && !t.groups.get(g)!.owners.has(o.id))!;
    t.addOwner(g, { type: 'user', id: user });
    t.addOwner(g, { type: 'servicePrincipal', id: sp.id });
    await deltaPull();
    const owner = (id: string) => relationRows(path, { relation: 'ownerOf', source_id: id, target_id: g });
    expect(owner(user).map((r) => [r.source_type, r.deleted_at])).toEqual([['user', null]]);
    expect(owner(sp.id).map((r) => [r.source_type, r.deleted_at])).toEqual([['servicePrincipal', null]]);
    t.removeOwner(g, user);
    const r = await deltaPull();
    expectRemovedDuring(owner(user)[0]!.deleted_at, r.runStartMs, r.runEndMs);
    expect(owner(sp.id)[0]!.deleted_at).toBeNull();
  });

  it('manager set, changed and cleared', async () => {
    const t = world.tenant;
    const users = liveUsers(t);
    const u = users.find((id) => t.effectiveManager(id) === null && id !== users[0] && id !== users[1])!;
    const [m1, m2] = [users[0]!, users[1]!];
    const live = () => relationRows(path, { relation: 'reportsTo', source_id: u }).filter((r) => r.deleted_at === null);

    t.setManager(u, m1);
    await deltaPull();
    expect(live().map((r) => [r.target_type, r.target_id])).toEqual([['user', m1]]);

    t.setManager(u, m2);
    const changed = await deltaPull();
    expect(live().map((r) => r.target_id)).toEqual([m2]);
    const old = relationRows(path, { relation: 'reportsTo', source_id: u, target_id: m1 })[0]!;
    expectRemovedDuring(old.deleted_at, changed.runStartMs, changed.runEndMs);

    t.setManager(u, null);
    const cleared = await deltaPull();
    expect(live()).toEqual([]);
    const gone = relationRows(path, { relation: 'reportsTo', source_id: u, target_id: m2 })[0]!;
    expectRemovedDuring(gone.deleted_at, cleared.runStartMs, cleared.runEndMs);
  });

  it('a soft-deleted group keeps its member and owner links (not effective while deleted); a restore makes them effective again', async () => {
    const t = world.tenant;
    const g = liveGroups(t).find((id) => t.groups.get(id)!.members.size > 2 && t.groups.get(id)!.owners.size > 0)!;
    const links = () => [
      ...relationRows(path, { relation: 'memberOf', target_type: 'group', target_id: g }),
      ...relationRows(path, { relation: 'ownerOf', target_type: 'group', target_id: g }),
    ];
    const effective = () => readDb(path, (db) => db.prepare('SELECT COUNT(*) FROM effective_relations WHERE target_id = ?').pluck().get(g)) as number;
    const liveBefore = links().filter((r) => r.deleted_at === null).length;
    expect(liveBefore).toBeGreaterThan(2);
    expect(effective()).toBe(liveBefore);
    t.softDeleteGroup(g);
    const r = await deltaPull();
    expectRemovedDuring(entityRow(path, 'group', g)!.deleted_at, r.runStartMs, r.runEndMs);
    expect(links().filter((l) => l.deleted_at === null)).toHaveLength(liveBefore);
    expect(effective()).toBe(0);

    t.restoreGroup(g);
    await deltaPull();
    expect(entityRow(path, 'group', g)!.deleted_at).toBeNull();
    expect(links().filter((l) => l.deleted_at === null)).toHaveLength(liveBefore);
    expect(effective()).toBe(liveBefore);
  });

  it('a hard-deleted group is kept as history and its links are marked deleted', async () => {
    const t = world.tenant;
    const g = liveGroups(t).find((id) => t.groups.get(id)!.members.size > 2)!;
    t.hardDeleteGroup(g);
    const r = await deltaPull();
    expectRemovedDuring(entityRow(path, 'group', g)!.deleted_at, r.runStartMs, r.runEndMs);
    const links = relationRows(path, { relation: 'memberOf', target_type: 'group', target_id: g });
    expect(links.length).toBeGreaterThan(2);
    for (const l of links) expectRemovedDuring(l.deleted_at, r.runStartMs, r.runEndMs);
  });
});

describe('removal times', () => {
  it('a replayed removal does not move deleted_at (same round, and a later hard delete of a soft-deleted user)', async () => {
    // replayRate 1: every item of a round is sent twice.
    await pulledWorld({ replayRate: 1 });
    const t = world.tenant;
    const [u1, u2] = liveUsers(t).slice(20, 22) as [string, string];
    const g = liveGroups(t).find((id) => t.groups.get(id)!.members.size > 0)!;
    const m = [...t.groups.get(g)!.members][0]!;
    t.softDeleteUser(u1);
    t.softDeleteUser(u2);
    t.removeMember(g, m);
    const r = await deltaPull();
    expect(r.collections.users!.deletions).toBe(2);
    const at1 = entityRow(path, 'user', u1)!.deleted_at;
    const linkAt = relationRows(path, { relation: 'memberOf', source_id: m, target_id: g })[0]!.deleted_at;
    expectRemovedDuring(at1, r.runStartMs, r.runEndMs);
    expectRemovedDuring(linkAt, r.runStartMs, r.runEndMs);

    await new Promise((res) => setTimeout(res, 20)); // later runs have a visibly later clock
    // The soft-deleted user is purged: Graph reports it removed again.
    t.hardDeleteUser(u1);
    // The group changes too, so its removed member could be replayed alongside.
    t.updateGroup(g, { description: 'touched' });
    const r2 = await deltaPull();
    // The purge turns the soft deletion permanent (one change) and keeps the first removal time.
    expect(r2.collections.users!.deletions).toBe(1);
    expect(entityRow(path, 'user', u1)!.deleted_at).toBe(at1);
    expect(entityRow(path, 'user', u1)!.deleted_kind).toBe('permanent');
    expect(relationRows(path, { relation: 'memberOf', source_id: m, target_id: g })[0]!.deleted_at).toBe(linkAt);
  });
});

describe('random changes over several rounds', () => {
  it('equals the truth after every round', async () => {
    await pulledWorld({ replayRate: 0.2, emptyPageRate: 0.2 });
    const totals: Record<string, number> = {};
    for (let round = 1; round <= 6; round++) {
      const res = world.tenant.randomChanges(0.05, 1000 + round);
      for (const [k, v] of Object.entries(res.byKind)) totals[k] = (totals[k] ?? 0) + v;
      await deltaPull();
    }
    // The mix actually exercised the interesting kinds.
    for (const kind of ['memberAdded', 'memberRemoved', 'userUpdated', 'managerSet', 'userCreated', 'userSoftDeleted']) {
      expect(totals[kind] ?? 0, kind).toBeGreaterThan(0);
    }
  });
});
