import { afterEach, describe, expect, it } from 'vitest';
import { createSimWorld, truthState, type SimWorld } from '../support/sim-world.js';
import { pullChain, dbFile, expectTruth, liveUsers } from '../support/integration-helpers.js';

/**
 * Graph's paging quirks: tiny server pages (a group's members sliced across many pages, with other
 * objects in between), empty pages, and objects sent twice in one round.
 */
let world: SimWorld;
afterEach(() => world?.close());

describe('Graph paging quirks', () => {
  it('tiny pages, empty pages and replays: equals truth, and counts each object and link once', async () => {
    world = createSimWorld({
      tenant: { users: 60, groups: 10, memberships: 250 },
      graph: { userPageUnits: [1, 3], groupPageUnits: [1, 3], emptyPageRate: 0.3, replayRate: 0.2 },
    });
    const path = dbFile();
    const truth = truthState(world.tenant);
    const first = await pullChain(world, path);
    expect(first.outcome).toBe('success');
    expectTruth(path, world.tenant);

    // The server really cut large groups into many slices: far more pages than groups.
    const groups = first.collections.groups!;
    const users = first.collections.users!;
    const nGroups = truth.entities.filter((e) => e.startsWith('group|')).length;
    const nUsers = truth.entities.filter((e) => e.startsWith('user|')).length;
    const groupLinks = truth.relations.filter((r) => r.startsWith('memberOf|') || r.startsWith('ownerOf|')).length;
    const userLinks = truth.relations.filter((r) => r.startsWith('reportsTo|')).length;
    expect(groups.pages).toBeGreaterThan(nGroups * 5);
    expect(groups.pages).toBe(world.graph.requests.filter((r) => r.path.includes('/groups/delta') && r.status === 200).length);

    // A group repeated on several pages, or replayed, is one object written; each link once.
    expect({ upserts: groups.upserts, links: groups.linksUpserted, deletions: groups.deletions, linksDeleted: groups.linksDeleted })
      .toEqual({ upserts: nGroups, links: groupLinks, deletions: 0, linksDeleted: 0 });
    expect({ upserts: users.upserts, links: users.linksUpserted, deletions: users.deletions, linksDeleted: users.linksDeleted })
      .toEqual({ upserts: nUsers, links: userLinks, deletions: 0, linksDeleted: 0 });
    expect(first.requests).toBe(world.graph.requests.length);
    expect(users.requests + groups.requests).toBe(first.requests);

    // A delta round with the same quirks: exact counts of what changed.
    const t = world.tenant;
    // c manages nobody: its removal changes no other user's manager (that would send those users too).
    const managers = new Set(liveUsers(t).map((u) => t.effectiveManager(u)));
    const [a, b, c] = liveUsers(t).filter((u) => !managers.has(u)).slice(3, 6) as [string, string, string];
    t.updateUser(a, { jobTitle: 'Quirk Tester' });
    t.updateUser(b, { department: 'Quirks' });
    t.softDeleteUser(c);
    const second = await pullChain(world, path);
    expect(second.outcome).toBe('success');
    expect(second.collections.users!.mode).toBe('delta');
    expectTruth(path, world.tenant);
    expect(second.collections.users!.upserts).toBe(2);
    expect(second.collections.users!.deletions).toBe(1);

    // A few more random rounds under the same quirks.
    for (let i = 0; i < 3; i++) {
      t.randomChanges(0.05, 77 + i);
      expect((await pullChain(world, path)).outcome).toBe('success');
      expectTruth(path, world.tenant);
    }
  });
});
