import { afterEach, describe, expect, it } from 'vitest';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import { dbFile, expectTruth, pull, readDb } from '../support/integration-helpers.js';
import { selectConnectors } from '../../src/pull/run-pull.js';
import { checkFreshness } from '../../src/pull/check-freshness.js';
import type { CollectionProgress } from '../../src/pull/sync-collection.js';
import type { Connector } from '../../src/pull/connector.js';
import { users } from '../../connectors/users.js';
import { groups } from '../../connectors/groups.js';

/**
 * A collection may wait for another (license links are derived from the stored users): it starts
 * when that one's round has ended, and runs only if it succeeded. A collection whose data the
 * tenant's license does not include is skipped, not failed.
 */
let world: SimWorld;
afterEach(() => world?.close());

const groupsAfterUsers: Connector = { ...groups, dependsOn: ['users'] };
const registry = [users, groupsAfterUsers];

const ledger = (path: string, runId: number) =>
  readDb(path, (db) => db.prepare('SELECT collection, outcome, error FROM run_collections WHERE run_id = ? ORDER BY collection').all(runId)) as {
    collection: string; outcome: string; error: string | null;
  }[];

describe('collections that depend on another', () => {
  it('start only after the collection they need has ended its round', async () => {
    world = createSimWorld();
    const path = dbFile();
    const events: CollectionProgress[] = [];
    const r = await pull(world, path, { registry, onProgress: (p) => events.push(p) });
    expect(r.outcome).toBe('success');
    const usersDone = events.findIndex((e) => e.collection === 'users' && e.event === 'done');
    const groupsStart = events.findIndex((e) => e.collection === 'groups' && e.event === 'start');
    expect(usersDone).toBeGreaterThanOrEqual(0);
    expect(groupsStart).toBeGreaterThan(usersDone);
    // No groups request went out before the last users request was answered.
    const paths = world.graph.requests.map((q) => q.path);
    const lastUsers = paths.map((p, i) => (p.includes('/users/') ? i : -1)).reduce((a, b) => Math.max(a, b));
    const firstGroups = paths.findIndex((p) => p.includes('/groups/'));
    expect(firstGroups).toBeGreaterThan(lastUsers);
    expectTruth(path, world.tenant);
  });

  it('fail without running, and tombstone nothing, when the collection they need fails', async () => {
    world = createSimWorld();
    const path = dbFile();
    expect((await pull(world, path, { registry })).outcome).toBe('success');
    const groupRows = readDb(path, (db) => db.prepare("SELECT * FROM entities WHERE entity_type = 'group' ORDER BY id").all());
    world.tenant.randomChanges(0.1, 5);
    const before = world.graph.requests.length;
    world.graph.faults.add({ path: /\/users\/delta/, status: 403, graphCode: 'Authorization_RequestDenied', times: 100 });
    const r = await pull(world, path, { registry });
    expect(r.outcome).toBe('failed');
    expect(r.collections.groups).toMatchObject({ outcome: 'failed', requests: 0 });
    expect(r.collections.groups!.error).toMatch(/not run, because users \(which it needs\) failed/);
    expect(world.graph.requests.slice(before).some((q) => q.path.includes('/groups/'))).toBe(false);
    expect(readDb(path, (db) => db.prepare("SELECT * FROM entities WHERE entity_type = 'group' ORDER BY id").all())).toEqual(groupRows);
    expect(ledger(path, r.runId).map((c) => [c.collection, c.outcome])).toEqual([['groups', 'failed'], ['users', 'failed']]);
  });

  it('run anyway when the collection they need is not pulled in this run', async () => {
    world = createSimWorld();
    const path = dbFile();
    const r = await pull(world, path, { registry, only: ['groups'] });
    expect(r.outcome).toBe('success');
    expect(Object.keys(r.collections)).toEqual(['groups']);
  });

  it('must come after what they depend on in pull order', () => {
    expect(() => selectConnectors(undefined, [groupsAfterUsers, users])).toThrow(/depends on users, which is not an earlier connector/);
  });
});

describe('a collection the tenant is not licensed for', () => {
  it('is skipped with a warning, not failed; what depends on it is skipped; the run succeeds; monitoring stays green', async () => {
    world = createSimWorld();
    const path = dbFile();
    // Graph's answer for sign-in data in a tenant without Entra ID P1/P2 (graph-facts 5.1).
    world.graph.faults.add({ path: /\/users\/delta/, status: 403, graphCode: 'Authentication_RequestFromNonPremiumTenantOrB2CTenant', times: 100 });
    const events: CollectionProgress[] = [];
    const r = await pull(world, path, { registry, onProgress: (p) => events.push(p) });
    expect(r.outcome).toBe('success');
    expect(r.errors).toEqual([]);
    expect(r.collections.users).toMatchObject({ outcome: 'skipped' });
    expect(r.collections.users!.error).toMatch(/no Microsoft Entra ID P1 or P2 license/);
    expect(r.collections.groups).toMatchObject({ outcome: 'skipped', requests: 0 });
    expect(events.filter((e) => e.event === 'skipped').map((e) => e.collection)).toEqual(['users', 'groups']);
    expect(ledger(path, r.runId).map((c) => [c.collection, c.outcome])).toEqual([['groups', 'skipped'], ['users', 'skipped']]);
    expect(readDb(path, (db) => db.prepare('SELECT outcome FROM runs WHERE id = ?').pluck().get(r.runId))).toBe('success');
    const health = checkFreshness(path, ['users', 'groups']);
    expect(health.ok).toBe(true);
    expect(health.collections.map((c) => c.status)).toEqual(['skipped', 'skipped']);
  });
});
