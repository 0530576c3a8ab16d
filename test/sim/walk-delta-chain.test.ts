import { afterEach, describe, expect, it } from 'vitest';
import { CONNECTORS } from '../../connectors/index.js';
import { walkDeltaChain } from '../../src/sim/graph/walk-delta-chain.js';
import { CLIENT_ID, createSimWorld, GRAPH, LOGIN, SECRET, TENANT_ID, type SimWorld } from '../support/sim-world.js';
import { dbFile, pullChain } from '../support/integration-helpers.js';

let world: SimWorld | undefined;
afterEach(() => world?.close());

async function bearer(w: SimWorld): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: SECRET, scope: `${GRAPH}/.default` });
  const res = await w.login.handle({
    method: 'POST', url: new URL(`${LOGIN}/${TENANT_ID}/oauth2/v2.0/token`),
    headers: new Headers({ 'content-type': 'application/x-www-form-urlencoded' }), body: form.toString(),
  });
  return `Bearer ${(JSON.parse(res!.body!) as { access_token: string }).access_token}`;
}

describe('walking a delta chain inside the simulation (what the benchmark prices a listing round against)', () => {
  it('counts the pages and items a pull reading that chain is served', async () => {
    world = createSimWorld({ tenant: { users: 300, groups: 60, memberships: 900 }, profile: { latencyMs: 0, rowLatencyMs: 0, ruBudget: 0, reportsLimit: false } });
    const roles = new Set(['User.Read.All', 'GroupMember.Read.All']);
    const walked: Record<string, { pages: number; items: number }> = {};
    for (const name of ['users', 'groups']) {
      const step = CONNECTORS.find((c) => c.name === name)!.steps[0]!;
      if (step.kind !== 'delta') throw new Error(`${name}: not a delta step`);
      walked[name] = await walkDeltaChain(world.graph.handle, `${GRAPH}/v1.0${step.url({ grantedRoles: roles })}`, await bearer(world));
    }
    expect(walked.users!.pages).toBeGreaterThan(5);
    expect(walked.groups!.pages).toBeGreaterThan(5);
    // The same tenant read by a pull through the chain: the same items, and as many pages as the
    // server's page sizes give (it picks each round's sizes anew, so not exactly the same pages; a
    // group whose members continue on the next page is repeated there, so its id counts again).
    const summary = await pullChain(world, dbFile());
    expect(summary.outcome).toBe('success');
    const served = world.profile!.stats().delta;
    expect(walked.users!.items).toBe(served.users!.items);
    expect(Math.abs(walked.groups!.items - served.groups!.items)).toBeLessThanOrEqual(served.groups!.pages);
    for (const name of ['users', 'groups']) {
      expect(walked[name]!.pages / served[name]!.pages, name).toBeGreaterThan(0.75);
      expect(walked[name]!.pages / served[name]!.pages, name).toBeLessThan(1.33);
    }
  });

  it('fails on a page that is not one', async () => {
    world = createSimWorld({ tenant: { users: 20, groups: 2, memberships: 10 } });
    world.graph.faults.add({ path: /\/users\/delta/, status: 503 });
    await expect(walkDeltaChain(world.graph.handle, `${GRAPH}/v1.0/users/delta?$select=id`, await bearer(world))).rejects.toThrow(/answered 503/);
  });
});
