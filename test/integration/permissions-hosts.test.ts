import { afterEach, describe, expect, it } from 'vitest';
import { GraphError } from '../../src/errors/index.js';
import { createSimWorld, truthState, type SimWorld } from '../support/sim-world.js';
import { dbFile, expectTruth, pull, state } from '../support/integration-helpers.js';

/** Permissions steer what is asked and what fails; any https hosts work; every request is identifiable. */
let world: SimWorld;
afterEach(() => world?.close());

const usersSelect = (w: SimWorld): string[] => {
  const first = w.graph.requests.find((q) => q.path.startsWith('/v1.0/users/delta?') && q.path.includes('select'));
  expect(first, 'a users request with $select').toBeDefined();
  const url = new URL(`https://x${first!.path}`);
  return (url.searchParams.get('$select') ?? '').split(',');
};

describe('permissions', () => {
  it('User.Read.All only: groups fails with Authorization_RequestDenied, users is committed, outcome partial', async () => {
    world = createSimWorld({ roles: ['User.Read.All'] });
    const path = dbFile();
    const r = await pull(world, path);
    expect(r.outcome).toBe('partial');
    expect(r.collections.users!.outcome).toBe('success');
    expect(r.collections.groups!.outcome).toBe('failed');
    const err = r.errors.find((e) => e.collection === 'groups')!.error as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.graphCode).toBe('Authorization_RequestDenied');
    expect(err.status).toBe(403);
    // The explanation names the permission the collection needs.
    expect(err.suggestion).toMatch(/GroupMember\.Read\.All.*admin consent/);
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);
    // Not retried: a 403 is final.
    expect(world.graph.requests.filter((q) => q.path.includes('/groups/delta'))).toHaveLength(1);
    const want = truthState(world.tenant);
    const got = state(path);
    expect(got.entities).toEqual(want.entities.filter((e) => e.startsWith('user|')));
    expect(got.relations).toEqual(want.relations.filter((e) => e.startsWith('reportsTo|')));
  });

  it('with User-LifeCycleInfo.Read.All the users $select asks for employeeLeaveDateTime', async () => {
    world = createSimWorld({ roles: ['User.Read.All', 'GroupMember.Read.All', 'User-LifeCycleInfo.Read.All'] });
    const path = dbFile();
    expect((await pull(world, path)).outcome).toBe('success');
    expect(usersSelect(world)).toContain('employeeLeaveDateTime');
    expectTruth(path, world.tenant);
  });

  it('without it the users $select does not ask for employeeLeaveDateTime', async () => {
    world = createSimWorld({ roles: ['User.Read.All', 'GroupMember.Read.All'] });
    const path = dbFile();
    expect((await pull(world, path)).outcome).toBe('success');
    const select = usersSelect(world);
    expect(select).toContain('displayName');
    expect(select).not.toContain('employeeLeaveDateTime');
  });
});

describe('custom (sovereign-like) hosts', () => {
  it('works end to end against non-Microsoft https Graph and login hosts', async () => {
    world = createSimWorld({
      graphOrigin: 'https://graph.contoso-sovereign.example',
      loginOrigin: 'https://login.contoso-sovereign.example',
    });
    const path = dbFile();
    const config = world.config(path);
    expect(config.graphEndpoint).toBe('https://graph.contoso-sovereign.example');
    expect(config.authorityHost).toBe('https://login.contoso-sovereign.example');
    const r = await pull(world, path);
    expect(r.outcome).toBe('success');
    expect(world.login.stats.tokenRequests).toBeGreaterThanOrEqual(1);
    // The Graph client sent the token to the custom host (customHosts), so nothing was refused.
    expect(world.graph.requests.length).toBeGreaterThan(0);
    expect(world.graph.requests.every((q) => q.status === 200 && q.hasAuthorization)).toBe(true);
    expectTruth(path, world.tenant);
    world.tenant.randomChanges(0.05, 3);
    expect((await pull(world, path)).outcome).toBe('success');
    expectTruth(path, world.tenant);
  });
});

describe('request identity', () => {
  it('every Graph request, retries included, carries its own client-request-id and an Authorization header', async () => {
    world = createSimWorld({ graph: { userPageUnits: [10, 30], groupPageUnits: [20, 120] } });
    const path = dbFile();
    world.graph.faults.add({ path: /\/groups\/delta/, status: 503, times: 2 });
    world.graph.faults.add({ path: /\/users\/delta/, status: 504, times: 1 });
    world.graph.throttle.set({ every: 5, retryAfter: 'decimal', seconds: 0.05 });
    const r = await pull(world, path);
    expect(r.outcome).toBe('success');
    world.tenant.randomChanges(0.05, 8);
    expect((await pull(world, path)).outcome).toBe('success');
    const log = world.graph.requests;
    expect(log.length).toBeGreaterThan(20);
    expect(log.some((q) => q.status !== 200)).toBe(true);
    expect(log.filter((q) => !q.hasAuthorization)).toEqual([]);
    // Sub-requests of a $batch carry no headers of their own: the envelope's id is theirs.
    const ids = log.filter((q) => !q.batched).map((q) => q.clientRequestId);
    expect(ids.filter((id) => !id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
