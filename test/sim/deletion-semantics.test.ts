import { describe, expect, it } from 'vitest';
import { createGraphSim } from '../../src/sim/graph/graph-sim.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import type { Tenant } from '../../src/sim/tenant/tenant.js';
import type { TruthRelation } from '../../src/sim/tenant/tenant-types.js';
import { ORIGIN, fakeVerify, runRound } from './helpers.js';

/**
 * Deletion as documented (https://learn.microsoft.com/graph/delta-query-groups): "Only users that
 * have been permanently deleted are removed from groups. Users that have been temporary deleted keep
 * their group memberships and won't appear in the delta result until they're permanently deleted."
 */
const USERS = `${ORIGIN}/v1.0/users/delta?$select=displayName,manager`;
const GROUPS = `${ORIGIN}/v1.0/groups/delta?$select=displayName,members,owners`;

async function primed() {
  const tenant = generateTenant({ seed: 21, users: 200, groups: 20, memberships: 1200, largeGroups: 0 });
  const sim = createGraphSim({ tenant, verifyBearer: fakeVerify, options: { userPageUnits: [30, 60], groupPageUnits: [80, 200] } });
  const u = await runRound(sim, USERS);
  const g = await runRound(sim, GROUPS);
  return { tenant, sim, links: { users: u.deltaLink, groups: g.deltaLink } };
}

const key = (r: TruthRelation) => `${r.relation}|${r.sourceId}|${r.targetId}`;
const linksOf = (rels: TruthRelation[], id: string) => rels.filter((r) => r.sourceId === id || r.targetId === id).map(key).sort();

/** A live user that is a member of some group, owns one, and manages someone. */
function wellLinkedUser(t: Tenant): { user: string; group: string; report: string } {
  const ids = [...t.users.keys()];
  const user = ids[0]!;
  const group = [...t.groups.keys()][1]!;
  t.addMember(group, { type: 'user', id: user });
  t.addOwner(group, { type: 'user', id: user });
  const report = [...t.users.values()].find((u) => u.manager === user)!.id;
  return { user, group, report };
}

describe('soft delete and restore', () => {
  it('a soft-deleted then restored user brings no link entry into the groups delta, and keeps its links', async () => {
    const { tenant, sim, links } = await primed();
    const { user, report } = wellLinkedUser(tenant);
    // Start from a round that saw those links.
    let g = await runRound(sim, links.groups);
    let u = await runRound(sim, links.users);
    const before = linksOf(tenant.truth().relations, user);
    expect(before.filter((k) => k.startsWith('memberOf')).length).toBeGreaterThan(0);

    tenant.softDeleteUser(user);
    const during = tenant.truth();
    expect(during.softDeleted).toEqual([{ type: 'user', id: user }]);
    expect(linksOf(during.relations, user)).toEqual([]);
    expect(linksOf(during.storedRelations, user)).toEqual(before);
    g = await runRound(sim, g.deltaLink);
    expect(g.pages.flatMap((p) => p.value)).toEqual([]);
    u = await runRound(sim, u.deltaLink);
    expect([...u.removed]).toEqual([[user, 'changed']]);
    expect(u.objects.size).toBe(0); // its reports are not reported: their manager is soft-deleted, not gone

    tenant.restoreUser(user);
    g = await runRound(sim, g.deltaLink);
    expect(g.pages.flatMap((p) => p.value)).toEqual([]);
    u = await runRound(sim, u.deltaLink);
    expect([...u.objects.keys()]).toEqual([user]);
    expect(u.objects.get(user).displayName).toBe(tenant.users.get(user)!.props.displayName);
    expect(u.manager.has(report)).toBe(false);
    expect(linksOf(tenant.truth().relations, user)).toEqual(before);
    expect(tenant.effectiveManager(report)).toBe(user);
  });

  it('soft delete and restore in one window: the groups delta is empty, the user comes back in full', async () => {
    const { tenant, sim, links } = await primed();
    const { user } = wellLinkedUser(tenant);
    const g0 = await runRound(sim, links.groups);
    const u0 = await runRound(sim, links.users);
    tenant.softDeleteUser(user);
    tenant.restoreUser(user);
    expect((await runRound(sim, g0.deltaLink)).pages.flatMap((p) => p.value)).toEqual([]);
    const u = await runRound(sim, u0.deltaLink);
    expect([...u.objects.keys()]).toEqual([user]);
    const mgr = tenant.effectiveManager(user);
    expect(u.manager.get(user)).toEqual(mgr ? { id: mgr, removed: false } : undefined);
  });

  it('a soft-deleted group is removed (changed) with no entry in its parent; restored, it comes back with its current members', async () => {
    const { tenant, sim, links } = await primed();
    const [parent, child] = [...tenant.groups.keys()].slice(2, 4) as [string, string];
    tenant.addMember(parent, { type: 'group', id: child });
    let g = await runRound(sim, links.groups);
    expect(g.members.get(parent)!.get(child)).toEqual({ type: '#microsoft.graph.group', removed: false });

    tenant.softDeleteGroup(child);
    g = await runRound(sim, g.deltaLink);
    expect([...g.removed]).toEqual([[child, 'changed']]);
    expect(g.objects.size).toBe(0);
    expect(tenant.truth().storedRelations.some((r) => r.sourceId === child && r.targetId === parent)).toBe(true);

    const leaving = [...tenant.groups.get(child)!.members].find((m) => tenant.isLive(m))!;
    tenant.restoreGroup(child);
    tenant.removeMember(child, leaving);
    g = await runRound(sim, g.deltaLink);
    expect([...g.objects.keys()]).toEqual([child]);
    const listed = g.members.get(child)!;
    const live = [...tenant.groups.get(child)!.members].filter((m) => tenant.isLive(m));
    expect([...listed].filter(([, v]) => !v.removed).map(([id]) => id).sort()).toEqual(live.sort());
    expect(listed.get(leaving)!.removed).toBe(true);
    expect(g.members.has(parent)).toBe(false);
    expect(tenant.truth().relations.some((r) => r.sourceId === child && r.targetId === parent)).toBe(true);
  });
});

describe('permanent delete', () => {
  it('after a soft delete, reports the removal of every link: members@delta, owners@delta, manager@delta', async () => {
    const { tenant, sim, links } = await primed();
    const { user, group, report } = wellLinkedUser(tenant);
    let g = await runRound(sim, links.groups);
    let u = await runRound(sim, links.users);
    const memberOf = [...tenant.groups.values()].filter((x) => x.members.has(user)).map((x) => x.id).sort();
    const reports = [...tenant.users.values()].filter((x) => x.manager === user).map((x) => x.id).sort();
    expect(reports).toContain(report);

    tenant.softDeleteUser(user);
    g = await runRound(sim, g.deltaLink);
    u = await runRound(sim, u.deltaLink);
    expect(g.pages.flatMap((p) => p.value)).toEqual([]);

    tenant.hardDeleteUser(user);
    g = await runRound(sim, g.deltaLink);
    expect([...g.members.keys()].sort()).toEqual(memberOf);
    for (const gid of memberOf) expect(g.members.get(gid)!.get(user)).toEqual({ type: '#microsoft.graph.user', removed: true });
    expect(g.owners.get(group)!.get(user)).toEqual({ type: '#microsoft.graph.user', removed: true });
    const raw = JSON.stringify(g.pages);
    expect(raw).toContain(`{"@odata.type":"#microsoft.graph.user","id":"${user}","@removed":{"reason":"deleted"}}`);
    u = await runRound(sim, u.deltaLink);
    expect(u.removed.get(user)).toBe('deleted');
    expect([...u.manager.keys()].sort()).toEqual(reports);
    for (const r of reports) expect(u.manager.get(r)).toEqual({ id: user, removed: true });
    const truth = tenant.truth();
    expect(linksOf(truth.storedRelations, user)).toEqual([]);
    expect(truth.softDeleted).toEqual([]);
  });

  it('of a live group, reports its removal from the groups that held it, and the group deleted', async () => {
    const { tenant, sim, links } = await primed();
    const [parent, child] = [...tenant.groups.keys()].slice(4, 6) as [string, string];
    tenant.addMember(parent, { type: 'group', id: child });
    let g = await runRound(sim, links.groups);
    tenant.hardDeleteGroup(child);
    g = await runRound(sim, g.deltaLink);
    expect(g.removed.get(child)).toBe('deleted');
    expect(g.members.get(parent)!.get(child)).toEqual({ type: '#microsoft.graph.group', removed: true });
  });

  it('a manager soft-deleted before the window and purged in it: the report shows the manager removed', async () => {
    const { tenant, sim, links } = await primed();
    const { user, report } = wellLinkedUser(tenant);
    tenant.softDeleteUser(user);
    const u0 = await runRound(sim, links.users);
    tenant.hardDeleteUser(user);
    const u = await runRound(sim, u0.deltaLink);
    expect(u.manager.get(report)).toEqual({ id: user, removed: true });
  });
});

describe('links to soft-deleted objects', () => {
  it('full rounds list only live members, owners and managers', async () => {
    const { tenant, sim } = await primed();
    const { user, group, report } = wellLinkedUser(tenant);
    tenant.softDeleteUser(user);
    const g = await runRound(sim, GROUPS);
    const u = await runRound(sim, USERS);
    expect(g.members.get(group)?.has(user) ?? false).toBe(false);
    expect(g.owners.get(group)?.has(user) ?? false).toBe(false);
    expect(u.objects.has(user)).toBe(false);
    expect(u.objects.has(report)).toBe(true);
    expect(u.manager.has(report)).toBe(false);
  });

  it('a link added in the window whose member is soft-deleted later in it is reported: the directory keeps it', async () => {
    const { tenant, sim, links } = await primed();
    const group = [...tenant.groups.keys()][7]!;
    const user = [...tenant.users.keys()].find((id) => !tenant.groups.get(group)!.members.has(id))!;
    tenant.addMember(group, { type: 'user', id: user });
    tenant.softDeleteUser(user);
    const g = await runRound(sim, links.groups);
    expect(g.members.get(group)!.get(user)).toEqual({ type: '#microsoft.graph.user', removed: false });
    expect(tenant.truth().storedRelations.map(key)).toContain(`memberOf|${user}|${group}`);
    expect(tenant.truth().relations.map(key)).not.toContain(`memberOf|${user}|${group}`);
  });

  it('removing a soft-deleted member is reported as removed', async () => {
    const { tenant, sim, links } = await primed();
    const group = [...tenant.groups.values()].find((x) => [...x.members].some((m) => tenant.typeOf(m) === 'user'))!;
    const user = [...group.members].find((m) => tenant.typeOf(m) === 'user')!;
    tenant.softDeleteUser(user);
    tenant.removeMember(group.id, user);
    const g = await runRound(sim, links.groups);
    expect(g.members.get(group.id)!.get(user)!.removed).toBe(true);
  });

  it('truth: storedRelations is relations plus the links with a soft-deleted end', () => {
    const t = generateTenant({ seed: 4, users: 300, groups: 30, memberships: 1500 });
    t.randomChanges(0.1, 3);
    const truth = t.truth();
    const soft = new Set(truth.softDeleted.map((o) => o.id));
    expect(soft.size).toBeGreaterThan(0);
    const effective = new Set(truth.relations.map(key));
    const stored = truth.storedRelations.map(key);
    expect(new Set(stored).size).toBe(stored.length);
    for (const k of effective) expect(stored).toContain(k);
    for (const r of truth.storedRelations) {
      const withSoftEnd = soft.has(r.sourceId) || soft.has(r.targetId);
      expect(effective.has(key(r))).toBe(!withSoftEnd);
      for (const end of [r.sourceId, r.targetId]) expect(t.exists(end)).toBe(true);
    }
    expect(stored.length).toBeGreaterThan(effective.size);
    for (const o of truth.softDeleted) expect((o.type === 'user' ? t.users : t.groups).get(o.id)!.state).toBe('soft');
  });
});
