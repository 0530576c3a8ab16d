import { describe, expect, it } from 'vitest';
import { demoTenant, generateTenant } from '../../src/sim/tenant/generate-tenant.js';

describe('generateTenant', () => {
  it('is deterministic and realistic', () => {
    const a = generateTenant({ seed: 5, users: 2000, groups: 200, memberships: 10_000, largeGroups: 0 });
    const b = generateTenant({ seed: 5, users: 2000, groups: 200, memberships: 10_000, largeGroups: 0 });
    expect(JSON.stringify(a.truth())).toBe(JSON.stringify(b.truth()));
    const users = [...a.users.values()];
    const guests = users.filter((u) => u.props.userType === 'Guest').length;
    const disabled = users.filter((u) => u.props.accountEnabled === false).length;
    expect(guests / users.length).toBeGreaterThan(0.06);
    expect(guests / users.length).toBeLessThan(0.1);
    expect(disabled / users.length).toBeGreaterThan(0.03);
    expect(disabled / users.length).toBeLessThan(0.08);
    expect(users.some((u) => u.props.employeeLeaveDateTime)).toBe(true);
    expect(users.filter((u) => u.manager).length).toBeGreaterThan(1500);
    const rel = a.truth().relations;
    expect(rel.filter((r) => r.relation === 'memberOf').length).toBe(10_000);
    expect(new Set(rel.filter((r) => r.relation === 'memberOf').map((r) => r.sourceType))).toEqual(new Set(['user', 'group', 'servicePrincipal', 'device']));
    expect(rel.filter((r) => r.relation === 'ownerOf').length).toBeGreaterThan(150);
    expect(a.seq).toBe(0);
  });

  it('builds large groups and the demo tenant', () => {
    const t = generateTenant({ seed: 1, users: 12_000, groups: 300, memberships: 40_000 });
    expect(Math.max(...[...t.groups.values()].map((g) => g.members.size))).toBeGreaterThan(5000);
    const d = demoTenant();
    expect(d.stats().users).toBe(300);
    expect(d.stats().groups).toBe(40);
  });

  it.runIf(process.env.SIM_BIG === '1')('generates 100k users / 20k groups / 1M memberships in a few seconds', () => {
    const t0 = Date.now();
    const t = generateTenant({ seed: 7, users: 100_000, groups: 20_000, memberships: 1_000_000 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(t.stats().memberLinks).toBe(1_000_000);
  }, 60_000);
});

describe('mutations', () => {
  const small = () => generateTenant({ seed: 3, users: 50, groups: 5, memberships: 100, largeGroups: 0 });

  // Was: a soft delete logged link removals and a restore logged re-adds. Graph keeps a soft-deleted
  // user's links and removes them only on a permanent delete (https://learn.microsoft.com/graph/delta-query-groups).
  it('a soft delete keeps the user\'s links and logs none; a restore logs none; a permanent delete logs every removal', () => {
    const t = small();
    const u = [...t.users.keys()][3]!;
    const g = [...t.groups.keys()][0]!;
    t.addMember(g, { type: 'user', id: u });
    t.addOwner(g, { type: 'user', id: u });
    const report = [...t.users.keys()][10]!;
    t.setManager(report, u);
    const before = t.truth();
    const key = (r: { relation: string; sourceId: string; targetId: string }) => `${r.relation}|${r.sourceId}|${r.targetId}`;
    const mine = (rels: typeof before.relations) => rels.filter((r) => r.sourceId === u || r.targetId === u).map(key).sort();
    const linksOfU = mine(before.relations);
    expect(linksOfU).toEqual(expect.arrayContaining([`memberOf|${u}|${g}`, `ownerOf|${u}|${g}`, `reportsTo|${report}|${u}`]));

    let seq = t.seq;
    t.softDeleteUser(u);
    const during = t.truth();
    expect(during.entities.some((e) => e.id === u)).toBe(false);
    expect(during.softDeleted).toEqual([{ type: 'user', id: u }]);
    expect(mine(during.relations)).toEqual([]);
    expect(mine(during.storedRelations)).toEqual(linksOfU);
    expect(t.changes.slice(seq)).toEqual([{ kind: 'object', objType: 'user', id: u, op: 'softDeleted' }]);
    expect(t.effectiveManager(report)).toBe(null);
    expect(t.users.get(report)!.manager).toBe(u);

    seq = t.seq;
    t.restoreUser(u);
    expect(t.changes.slice(seq)).toEqual([{ kind: 'object', objType: 'user', id: u, op: 'restored' }]);
    expect(mine(t.truth().relations)).toEqual(linksOfU);
    expect(t.truth().softDeleted).toEqual([]);

    t.softDeleteUser(u);
    seq = t.seq;
    t.hardDeleteUser(u);
    const logged = t.changes.slice(seq);
    expect(logged.some((c) => c.kind === 'member' && c.groupId === g && c.id === u && c.op === 'removed')).toBe(true);
    expect(logged.some((c) => c.kind === 'owner' && c.groupId === g && c.id === u && c.op === 'removed')).toBe(true);
    expect(logged.some((c) => c.kind === 'manager' && c.userId === report && c.old === u)).toBe(true);
    expect(logged.at(-1)).toEqual({ kind: 'object', objType: 'user', id: u, op: 'hardDeleted' });
    expect(t.users.has(u)).toBe(false);
    expect(t.users.get(report)!.manager).toBe(null);
    const after = t.truth();
    expect(mine(after.storedRelations)).toEqual([]);
    expect(after.softDeleted).toEqual([]);
  });

  it('randomChanges keeps truth consistent', () => {
    const t = generateTenant({ seed: 9, users: 500, groups: 50, memberships: 2000 });
    const r = t.randomChanges(0.05, 1);
    expect(r.toSeq).toBeGreaterThan(r.fromSeq);
    const live = new Set(t.truth().entities.map((e) => e.id));
    for (const rel of t.truth().relations) {
      expect(live.has(rel.targetId)).toBe(true);
      if (rel.sourceType === 'user' || rel.sourceType === 'group') expect(live.has(rel.sourceId)).toBe(true);
    }
  });
});
