import { describe, expect, it } from 'vitest';
import { createGraphSim } from '../../src/sim/graph/graph-sim.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import { ORIGIN, fakeVerify, get, runRound } from './helpers.js';

/**
 * A removed value is sent as null (https://learn.microsoft.com/graph/api/user-delta: a changed
 * property carries its new value, which may be null); a property never set is omitted.
 */
const USERS = `${ORIGIN}/v1.0/users/delta?$select=displayName,jobTitle,department,employeeId,manager`;
const GROUPS = `${ORIGIN}/v1.0/groups/delta?$select=displayName,description,members`;

function setup() {
  const tenant = generateTenant({ seed: 8, users: 120, groups: 10, memberships: 400 });
  const sim = createGraphSim({ tenant, verifyBearer: fakeVerify, options: { userPageUnits: [500, 500], groupPageUnits: [5000, 5000] } });
  return { tenant, sim };
}

const member = (t: ReturnType<typeof setup>['tenant']) => [...t.users.values()].find((u) => u.props.userType === 'Member' && u.props.jobTitle)!.id;
const guest = (t: ReturnType<typeof setup>['tenant']) => [...t.users.values()].find((u) => u.props.userType === 'Guest')!.id;

describe('cleared properties', () => {
  it('are stored as null; clearing a property never set changes nothing', () => {
    const { tenant } = setup();
    const id = member(tenant);
    expect(tenant.updateUser(id, { jobTitle: null, department: undefined })).toEqual(['jobTitle', 'department']);
    expect(tenant.users.get(id)!.props).toMatchObject({ jobTitle: null, department: null });
    expect(tenant.updateUser(id, { jobTitle: null })).toEqual([]);
    const g = guest(tenant);
    expect(tenant.users.get(g)!.props.jobTitle).toBeUndefined();
    expect(tenant.updateUser(g, { jobTitle: null })).toEqual([]);
    expect('jobTitle' in tenant.users.get(g)!.props).toBe(false);
  });

  it('are rendered as "name":null in a delta round, and a property never set stays omitted', async () => {
    const { tenant, sim } = setup();
    const first = await runRound(sim, USERS);
    const id = member(tenant);
    const g = guest(tenant);
    tenant.updateUser(id, { jobTitle: null });
    tenant.updateUser(g, { displayName: 'Renamed Guest' });
    const r = await runRound(sim, first.deltaLink);
    const raw = (await get(sim, first.deltaLink)).body!;
    expect(raw).toContain(`"id":"${id}"`);
    expect(raw).toMatch(new RegExp(`\\{"id":"${id}"[^}]*"jobTitle":null`));
    expect(r.objects.get(id).jobTitle).toBeNull();
    expect(r.objects.get(id).department).toBe(tenant.users.get(id)!.props.department);
    expect(r.objects.get(g).displayName).toBe('Renamed Guest');
    expect('jobTitle' in r.objects.get(g)).toBe(false);
    expect('employeeId' in r.objects.get(g)).toBe(false);
  });

  it('are rendered as "name":null in a full round', async () => {
    const { tenant, sim } = setup();
    const id = member(tenant);
    tenant.updateUser(id, { employeeId: null });
    const r = await runRound(sim, USERS);
    expect(r.objects.get(id).employeeId).toBeNull();
    expect(JSON.stringify(r.pages)).toMatch(new RegExp(`\\{"id":"${id}"[^}]*"employeeId":null`));
    expect('jobTitle' in r.objects.get(guest(tenant))).toBe(false);
  });

  it('a cleared group description is null in delta and full rounds', async () => {
    const { tenant, sim } = setup();
    const first = await runRound(sim, GROUPS);
    const gid = [...tenant.groups.keys()][3]!;
    tenant.updateGroup(gid, { description: null });
    const d = await runRound(sim, first.deltaLink);
    expect(d.objects.get(gid)).toMatchObject({ id: gid, description: null });
    const full = await runRound(sim, GROUPS);
    expect(full.objects.get(gid).description).toBeNull();
  });

  it('randomChanges clears some properties and sets some again, deterministically for a seed', () => {
    const run = () => {
      const t = generateTenant({ seed: 6, users: 400, groups: 40, memberships: 1500 });
      const results = [t.randomChanges(0.2, 1), t.randomChanges(0.2, 2), t.randomChanges(0.2, 3)];
      return { t, results };
    };
    const a = run();
    const b = run();
    expect(JSON.stringify(b.t.changes)).toBe(JSON.stringify(a.t.changes));
    expect(JSON.stringify(b.t.truth())).toBe(JSON.stringify(a.t.truth()));
    const users = [...a.t.users.values()];
    expect(JSON.stringify(users.map((u) => u.props))).toBe(JSON.stringify([...b.t.users.values()].map((u) => u.props)));
    const kinds = a.results.reduce<Record<string, number>>((acc, r) => {
      for (const [k, n] of Object.entries(r.byKind)) acc[k] = (acc[k] ?? 0) + n;
      return acc;
    }, {});
    expect(kinds.userPropertyCleared).toBeGreaterThan(0);
    expect(kinds.groupDescriptionCleared).toBeGreaterThan(0);
    expect(users.some((u) => Object.values(u.props).includes(null) && u.state === 'live')).toBe(true);
    expect(kinds.userPropertySetAgain).toBeGreaterThan(0);
  });
});
