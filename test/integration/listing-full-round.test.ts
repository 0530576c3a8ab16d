import { afterEach, describe, expect, it } from 'vitest';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import { dbFile, expectTruth, liveGroups, liveUsers, pull, readDb, syncStateRow } from '../support/integration-helpers.js';

/**
 * A full round of users and groups read by listing (issue 13): a baseline deltaLink, then plain
 * listings of the objects and, through $batch, of every group's members and owners.
 */
let world: SimWorld | undefined;
afterEach(() => world?.close());

const small = { users: 150, groups: 30, memberships: 900 };

function fullRead(path: string, runId: number, collection: string): string | null {
  return readDb(path, (db) => (db.prepare('SELECT full_read FROM run_collections WHERE run_id = ? AND collection = ?').get(runId, collection) as { full_read: string | null }).full_read);
}

/** Sub-request URLs of a $batch envelope. */
function batchUrls(body: string): string[] {
  return ((JSON.parse(body) as { requests: { url: string }[] }).requests ?? []).map((r) => r.url);
}

describe('a full round read by listing', () => {
  it('equals the tenant, follows no delta chain, and the next delta round starts at its baseline', async () => {
    world = createSimWorld({ tenant: small, graph: { emptyPageRate: 0.1 } });
    const path = dbFile();
    const mark = world.graph.requests.length;
    const first = await pull(world, path);
    expect(first.outcome).toBe('success');
    expect(first.collections.users!.mode).toBe('full');
    expect(fullRead(path, first.runId, 'users')).toBe('listing');
    expect(fullRead(path, first.runId, 'groups')).toBe('listing');
    expectTruth(path, world.tenant);
    const sent = world.graph.requests.slice(mark).map((r) => r.path);
    // The delta functions were asked only for their baselines.
    expect(sent.filter((p) => /\/delta/.test(p)).every((p) => /\$deltatoken=latest/.test(p))).toBe(true);
    expect(sent.filter((p) => /\/delta/.test(p))).toHaveLength(2);
    expect(sent.some((p) => /^\/v1\.0\/groups\/[^/?]+\/members\?/.test(p))).toBe(true);
    expect(syncStateRow(path, 'users')!.delta_link).toMatch(/\/users\/delta\?\$deltatoken=/);

    const t = world.tenant;
    const users = liveUsers(t);
    const groups = liveGroups(t);
    const created = t.createUser({ displayName: 'After the baseline' });
    t.setManager(created, users[0]!);
    t.updateUser(users[1]!, { jobTitle: 'Changed', department: null });
    t.softDeleteUser(users[2]!);
    t.addMember(groups[0]!, { type: 'user', id: created });
    t.hardDeleteGroup(groups[1]!);
    const second = await pull(world, path);
    expect(second.collections.users!.mode).toBe('delta');
    expect(second.collections.groups!.mode).toBe('delta');
    expect(second.collections.users!.upserts).toBeLessThan(10);
    expect(fullRead(path, second.runId, 'users')).toBeNull();
    expectTruth(path, world.tenant);
  });

  it('changes made while the listing runs are right after the next delta round', async () => {
    world = createSimWorld({ tenant: small });
    const w = world;
    const t = w.tenant;
    const path = dbFile();
    const users = liveUsers(t);
    const groups = liveGroups(t);
    let envelopes = 0;
    let objectPages = 0;
    w.intercept((req) => {
      if (/^\/v1\.0\/(users|groups)$/.test(req.url.pathname) && ++objectPages === 2) {
        // Between object pages: objects deleted, restored, created; a manager changed.
        t.softDeleteUser(users[5]!);
        t.hardDeleteUser(users[6]!);
        t.softDeleteGroup(groups[3]!);
        t.createGroup({ displayName: 'Made mid-listing' });
        t.setManager(users[7]!, users[8]!);
      }
      if (req.method === 'POST' && req.url.pathname.endsWith('/$batch') && batchUrls(req.body).some((u) => u.includes('/members'))) {
        envelopes++;
        if (envelopes === 1) {
          // Between member lists: memberships added and removed, a group deleted after it was listed.
          t.addMember(groups[groups.length - 1]!, { type: 'user', id: users[9]! });
          const m = [...t.groups.get(groups[0]!)!.members][0];
          if (m) t.removeMember(groups[0]!, m);
          t.hardDeleteGroup(groups[groups.length - 2]!);
          t.restoreUser(users[5]!);
        }
      }
    });
    const first = await pull(w, path);
    w.intercept(() => undefined);
    expect(first.outcome).toBe('success');
    expect(envelopes).toBeGreaterThan(1);
    const second = await pull(w, path);
    expect(second.collections.groups!.mode).toBe('delta');
    expectTruth(path, t);
  });

  it('a crash in the middle of the member lists resumes after the last finished group', async () => {
    world = createSimWorld({ tenant: { users: 150, groups: 60, memberships: 900 } });
    const w = world;
    const path = dbFile();
    const stop = new AbortController();
    let envelopes = 0;
    w.intercept((req) => {
      if (req.method === 'POST' && req.url.pathname.endsWith('/$batch') && ++envelopes === 3) stop.abort('test: crash');
    });
    const first = await pull(w, path, { signal: stop.signal, concurrency: 1 });
    w.intercept(() => undefined);
    expect(first.outcome).toBe('interrupted');
    const row = syncStateRow(path, 'groups')!;
    expect(row.round_mode).toBe('full');
    expect(row.round_next_link).toMatch(/^listing:\{/);
    const saved = JSON.parse(row.round_next_link!.slice('listing:'.length)) as { baseline: string; cursor?: string };
    expect(saved.cursor).toBeDefined();

    const mark = w.graph.requests.length;
    const second = await pull(w, path);
    expect(second.outcome).toBe('success');
    expect(second.collections.groups!.resumed).toBe(true);
    const again = w.graph.requests.slice(mark).filter((r) => r.batched && /^\/v1\.0\/groups\/[^/]+\/members/.test(r.path));
    // Groups up to the cursor are not read again; nor is the baseline taken again.
    expect(again.every((r) => r.path.split('/')[3]! > saved.cursor!)).toBe(true);
    expect(w.graph.requests.slice(mark).some((r) => /groups\/delta/.test(r.path))).toBe(false);
    expect(syncStateRow(path, 'groups')!.delta_link).toBe(saved.baseline);
    expectTruth(path, w.tenant);
    const third = await pull(w, path);
    expect(third.collections.groups!.mode).toBe('delta');
    expectTruth(path, w.tenant);
  });

  it('a listing refused with 403 falls back to the delta chain, and status says so', async () => {
    world = createSimWorld({ tenant: small });
    world.graph.faults.add({ path: /^\/v1\.0\/users\?/, status: 403, times: 1 });
    const path = dbFile();
    const first = await pull(world, path);
    expect(first.outcome).toBe('success');
    expect(fullRead(path, first.runId, 'users')).toMatch(/^delta chain \(403 Authorization_RequestDenied on users/);
    expect(fullRead(path, first.runId, 'groups')).toBe('listing');
    expectTruth(path, world.tenant);
    world.tenant.updateUser(liveUsers(world.tenant)[0]!, { jobTitle: 'After the fallback' });
    const second = await pull(world, path);
    expect(second.collections.users!.mode).toBe('delta');
    expectTruth(path, world.tenant);
  });

  it('a listing query Graph refuses as malformed (400) falls back to the delta chain; an expired skip token (400 too) only restarts the listing', async () => {
    world = createSimWorld({ tenant: small });
    world.graph.faults.add({ path: /^\/v1\.0\/groups\/[^/]+\/members\?/, status: 400, graphCode: 'Request_UnsupportedQuery', times: 1 });
    world.graph.faults.add({ path: /^\/v1\.0\/users\?/, status: 400, graphCode: 'Directory_ExpiredPageToken', times: 1 });
    const path = dbFile();
    const first = await pull(world, path);
    expect(first.outcome).toBe('success');
    expect(fullRead(path, first.runId, 'groups')).toMatch(/^delta chain \(400 Request_UnsupportedQuery on group [0-9a-f-]+ members\)$/);
    // Both answers were given, and users still ended as a listing: the expired token began it again.
    expect(world.graph.faults.pending()).toBe(0);
    expect(fullRead(path, first.runId, 'users')).toBe('listing');
    expectTruth(path, world.tenant);
  });
});
