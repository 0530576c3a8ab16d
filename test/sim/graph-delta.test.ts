import { describe, expect, it } from 'vitest';
import { createGraphSim, type GraphSimOptions } from '../../src/sim/graph/graph-sim.js';
import { generateTenant } from '../../src/sim/tenant/generate-tenant.js';
import type { Tenant } from '../../src/sim/tenant/tenant.js';
import { ORIGIN, fakeVerify, get, runRound } from './helpers.js';

const USERS = `${ORIGIN}/v1.0/users/delta?$select=displayName,jobTitle,accountEnabled,manager`;
const GROUPS = `${ORIGIN}/v1.0/groups/delta?$select=displayName,description,members,owners`;

function setup(options: GraphSimOptions = {}, size = { users: 400, groups: 30, memberships: 2500 }) {
  const tenant = generateTenant({ seed: 11, ...size });
  const sim = createGraphSim({ tenant, verifyBearer: fakeVerify, options: { userPageUnits: [20, 40], groupPageUnits: [50, 120], ...options } });
  return { tenant, sim };
}

function expectMatchesTruth(t: Tenant, users: Awaited<ReturnType<typeof runRound>>, groups: Awaited<ReturnType<typeof runRound>>) {
  const truth = t.truth();
  expect(new Set(users.objects.keys())).toEqual(new Set(truth.entities.filter((e) => e.type === 'user').map((e) => e.id)));
  expect(new Set(groups.objects.keys())).toEqual(new Set(truth.entities.filter((e) => e.type === 'group').map((e) => e.id)));
  const seen = new Set<string>();
  for (const [g, ms] of groups.members) for (const [m, v] of ms) if (!v.removed) seen.add(`memberOf|${m}|${g}|${v.type}`);
  for (const [g, os] of groups.owners) for (const [o, v] of os) if (!v.removed) seen.add(`ownerOf|${o}|${g}|${v.type}`);
  for (const [u, v] of users.manager) if (!v.removed) seen.add(`reportsTo|${u}|${v.id}|#microsoft.graph.user`);
  const want = new Set(truth.relations.map((r) =>
    r.relation === 'reportsTo' ? `reportsTo|${r.sourceId}|${r.targetId}|#microsoft.graph.user` : `${r.relation}|${r.sourceId}|${r.targetId}|#microsoft.graph.${r.sourceType}`));
  expect(seen).toEqual(want);
}

describe('full rounds', () => {
  it('yields every live object exactly once with all its links, across pages', async () => {
    const { tenant, sim } = setup();
    const users = await runRound(sim, USERS);
    const groups = await runRound(sim, GROUPS);
    expect(users.pages.length).toBeGreaterThan(5);
    expect([...users.appearances.values()].every((n) => n === 1)).toBe(true);
    expectMatchesTruth(tenant, users, groups);
    expect(users.deltaLink).toMatch(/^https:\/\/graph\.sim\.test\/v1\.0\/users\/delta\?\$deltatoken=/);
    expect(users.pages[0]['@odata.nextLink']).toMatch(/^https:\/\/graph\.sim\.test\/v1\.0\/users\/delta\?\$skiptoken=/);
    const sample = [...users.objects.values()][0];
    expect(Object.keys(sample).sort()).toEqual(expect.arrayContaining(['id', 'displayName']));
    expect(sample.mail).toBeUndefined();
  });

  it('splits a large group across pages, repeating the same properties', async () => {
    const { tenant, sim } = setup({}, { users: 3000, groups: 10, memberships: 3000 });
    const big = [...tenant.groups.values()].sort((a, b) => b.members.size - a.members.size)[0]!;
    expect(big.members.size).toBeGreaterThan(300);
    const r = await runRound(sim, GROUPS);
    const slices = r.pages.flatMap((p) => p.value).filter((o: any) => o.id === big.id);
    expect(slices.length).toBeGreaterThan(2);
    for (const s of slices) expect(s.displayName).toBe(big.props.displayName);
    expect(r.members.get(big.id)!.size).toBe(big.members.size);
  });

  it('survives empty pages, replays and shuffling', async () => {
    const { tenant, sim } = setup({ emptyPageRate: 0.3, replayRate: 0.1 });
    const users = await runRound(sim, USERS);
    const groups = await runRound(sim, GROUPS);
    expect(users.pages.some((p) => p.value.length === 0 && p['@odata.nextLink'])).toBe(true);
    expect([...users.appearances.values()].some((n) => n > 1)).toBe(true);
    expectMatchesTruth(tenant, users, groups);
  });

  it('returns members@delta by default for groups and the default user set', async () => {
    const { sim } = setup();
    const g = await runRound(sim, `${ORIGIN}/v1.0/groups/microsoft.graph.delta`);
    expect(g.members.size).toBeGreaterThan(0);
    const u = await get(sim, `${ORIGIN}/v1.0/users/delta?$top=5`);
    expect(u.status).toBe(200);
    expect(u.json.value.length).toBeGreaterThan(5);
    expect(Object.keys(u.json.value[0])).toContain('userPrincipalName');
    expect(u.json.value[0]['manager@delta']).toBeUndefined();
  });
});

describe('delta rounds', () => {
  async function primed(options: GraphSimOptions = {}) {
    const { tenant, sim } = setup(options);
    const u = await runRound(sim, USERS);
    const g = await runRound(sim, GROUPS);
    return { tenant, sim, usersLink: u.deltaLink, groupsLink: g.deltaLink };
  }

  it('reports nothing when nothing changed', async () => {
    const { sim, usersLink } = await primed();
    const r = await runRound(sim, usersLink);
    expect(r.pages.length).toBe(1);
    expect(r.pages[0].value).toEqual([]);
    expect(r.deltaLink).not.toBe(usersLink);
  });

  it('reports each kind of change exactly', async () => {
    const { tenant, sim, usersLink, groupsLink } = await primed();
    const ids = [...tenant.users.keys()];
    const gids = [...tenant.groups.keys()];
    const updated = ids[1]!;
    tenant.updateUser(updated, { jobTitle: 'Chief Tester' });
    tenant.updateUser(ids[2]!, { mail: 'untracked@x.example' }); // mail is not selected: not reported
    const created = tenant.createUser({ displayName: 'New Person' });
    const soft = ids[3]!;
    tenant.softDeleteUser(soft);
    const hard = ids[4]!;
    tenant.hardDeleteUser(hard);
    const mgrUser = ids[300]!;
    tenant.setManager(mgrUser, ids[5]!);
    const g = gids[2]!;
    const newMember = ids.find((id) => !tenant.groups.get(g)!.members.has(id) && tenant.users.get(id)?.state === 'live')!;
    tenant.addMember(g, { type: 'user', id: newMember });
    const gone = [...tenant.groups.get(gids[3]!)!.members][0]!;
    tenant.removeMember(gids[3]!, gone);

    const u = await runRound(sim, usersLink);
    expect(u.objects.get(updated).jobTitle).toBe('Chief Tester');
    expect(u.objects.has(ids[2]!)).toBe(false);
    expect(u.objects.get(created).displayName).toBe('New Person');
    expect(u.removed.get(soft)).toBe('changed');
    expect(u.removed.get(hard)).toBe('deleted');
    expect(u.manager.get(mgrUser)).toEqual({ id: ids[5], removed: false });

    const gr = await runRound(sim, groupsLink);
    expect(gr.members.get(g)!.get(newMember)).toEqual({ type: '#microsoft.graph.user', removed: false });
    expect(gr.members.get(g)!.size).toBe(1);
    expect(gr.members.get(gids[3]!)!.get(gone)!.removed).toBe(true);
    // delta-query-groups: a soft-deleted user keeps its memberships and is not in the groups delta;
    // a permanently deleted one comes back as a removed link on each group that held it.
    const held = (id: string) => [...tenant.groups.keys()].filter((gid) => gr.members.get(gid)?.has(id));
    expect(held(soft)).toEqual([]);
    expect([...tenant.groups.values()].some((grp) => grp.members.has(soft))).toBe(true);
    expect(held(hard).length).toBeGreaterThan(0);
    for (const gid of held(hard)) expect(gr.members.get(gid)!.get(hard)!.removed).toBe(true);
    // A changed object appears once with its full (not minimal) selected properties.
    expect(gr.objects.get(g).displayName).toBe(tenant.groups.get(g)!.props.displayName);
  });

  // Was: soft delete reported the reports' manager as removed and restore re-added it. Graph keeps a
  // soft-deleted object's links and reports them only on a permanent delete (delta-query-groups).
  it('soft-deleting and restoring a manager reports nothing on its reports; a permanent delete reports the manager removed', async () => {
    const { tenant, sim, usersLink } = await primed();
    const ids = [...tenant.users.keys()];
    const boss = ids[0]!;
    const report = [...tenant.users.values()].find((u) => u.manager === boss)!.id;
    tenant.softDeleteUser(boss);
    let r = await runRound(sim, usersLink);
    expect(r.removed.get(boss)).toBe('changed');
    expect(r.objects.has(report)).toBe(false);
    expect(r.manager.has(report)).toBe(false);
    tenant.restoreUser(boss);
    r = await runRound(sim, r.deltaLink);
    expect(r.objects.has(boss)).toBe(true);
    expect(r.objects.has(report)).toBe(false);
    expect(tenant.effectiveManager(report)).toBe(boss);
    tenant.softDeleteUser(boss);
    tenant.hardDeleteUser(boss);
    r = await runRound(sim, r.deltaLink);
    expect(r.removed.get(boss)).toBe('deleted');
    expect(r.manager.get(report)).toEqual({ id: boss, removed: true });
  });

  it('a round is fixed when it starts; changes during paging come in the next round', async () => {
    const { tenant, sim } = setup();
    const first = await get(sim, USERS);
    const later = tenant.createUser({ displayName: 'During Paging' });
    let next = first.json['@odata.nextLink'];
    const seen = new Set(first.json.value.map((o: any) => o.id));
    let deltaLink = '';
    while (next) {
      const p = await get(sim, next);
      for (const o of p.json.value) seen.add(o.id);
      next = p.json['@odata.nextLink'];
      deltaLink = p.json['@odata.deltaLink'] ?? deltaLink;
    }
    expect(seen.has(later)).toBe(false);
    const r = await runRound(sim, deltaLink);
    expect(r.objects.has(later)).toBe(true);
  });

  // The client keeps a soft-deleted object's links (Graph reports none of them removed) and drops
  // every link of a permanently deleted one; its effective links (both ends live) equal the truth.
  // A removed object is reported without its links, so changes to them made before its soft delete
  // in the same window are never reported: when the object comes back (restored, as a full object),
  // its listing of links to live objects is complete and replaces what the client held. (Rarer
  // compounds stay unknowable, as with Graph: a link changed in the window in which its group was
  // soft-deleted, whose other end is soft-deleted when the group comes back, is in no listing.)
  it('chains deltaLinks after random changes and still matches the tenant', async () => {
    const { tenant, sim } = setup({ replayRate: 0.05, emptyPageRate: 0.1 });
    const users = await runRound(sim, USERS);
    const groups = await runRound(sim, GROUPS);
    let ul = users.deltaLink;
    let gl = groups.deltaLink;
    const soft = new Set<string>();
    let restores = 0;
    for (let i = 0; i < 4; i++) {
      tenant.randomChanges(0.05, 100 + i);
      const du = await runRound(sim, ul);
      const dg = await runRound(sim, gl);
      const back = [...du.objects.keys(), ...dg.objects.keys()].filter((id) => soft.has(id));
      restores += back.length;
      for (const id of back) soft.delete(id);
      for (const [id, o] of du.objects) users.objects.set(id, o);
      for (const [id, o] of dg.objects) groups.objects.set(id, o);
      for (const [id, v] of du.manager) users.manager.set(id, v);
      for (const [src, dst] of [[dg.members, groups.members], [dg.owners, groups.owners]] as const) {
        for (const [gid, links] of src) {
          let cur = dst.get(gid);
          if (!cur) dst.set(gid, (cur = new Map()));
          for (const [id, v] of links) cur.set(id, v);
        }
      }
      const deleted = new Set<string>();
      for (const [id, why] of [...du.removed, ...dg.removed]) {
        users.objects.delete(id);
        groups.objects.delete(id);
        if (why === 'changed') soft.add(id);
        else { deleted.add(id); soft.delete(id); }
      }
      for (const id of deleted) { users.manager.delete(id); groups.members.delete(id); groups.owners.delete(id); }
      for (const links of [...groups.members.values(), ...groups.owners.values()]) for (const id of deleted) links.delete(id);
      for (const [u, v] of users.manager) if (deleted.has(v.id)) users.manager.delete(u);
      const live = (id: string) => !soft.has(id) && !deleted.has(id);
      for (const id of back) {
        for (const [src, dst] of [[dg.members, groups.members], [dg.owners, groups.owners]] as const) {
          for (const m of dst.get(id)?.keys() ?? []) if (live(m) && !src.get(id)?.has(m)) dst.get(id)!.delete(m);
        }
        const held = users.manager.get(id);
        if (held && live(held.id) && !du.manager.has(id)) users.manager.delete(id);
      }
      ul = du.deltaLink;
      gl = dg.deltaLink;
    }
    expect(soft.size).toBeGreaterThan(0);
    expect(restores).toBeGreaterThan(0);
    // Effective: both ends live in the client's view (service principals and devices always are).
    const live = (id: string) => users.objects.has(id) || groups.objects.has(id) || (tenant.typeOf(id) !== 'user' && tenant.typeOf(id) !== 'group');
    for (const [g, ms] of groups.members) for (const [m, v] of ms) if (!live(g) || !live(m)) v.removed = true;
    for (const [g, os] of groups.owners) for (const [o, v] of os) if (!live(g) || !live(o)) v.removed = true;
    for (const [u, v] of users.manager) if (!live(u) || !live(v.id)) v.removed = true;
    expectMatchesTruth(tenant, users, groups);
  });

  it('$deltatoken=latest returns only a deltaLink that starts from now', async () => {
    const { tenant, sim } = setup();
    const res = await get(sim, `${USERS}&$deltatoken=latest`);
    expect(res.json.value).toEqual([]);
    expect(res.json['@odata.nextLink']).toBeUndefined();
    const id = tenant.createUser({ displayName: 'After Latest' });
    const r = await runRound(sim, res.json['@odata.deltaLink']);
    expect([...r.objects.keys()]).toEqual([id]);
  });
});

describe('tokens, errors and permissions', () => {
  it('a nextLink can be requested again until skip tokens expire', async () => {
    let clock = 1_000_000;
    const { sim } = setup({ now: () => clock, skipTokenTtlMs: 60_000 });
    const first = await get(sim, USERS);
    const next = first.json['@odata.nextLink'];
    const a = await get(sim, next);
    const b = await get(sim, next);
    expect(a.body).toBe(b.body);
    clock += 61_000;
    const c = await get(sim, next);
    expect(c.status).toBe(400);
    expect(c.json.error.code).toBe('Directory_ExpiredPageToken');
    const again = await get(sim, USERS);
    sim.expireSkipTokens();
    const d = await get(sim, again.json['@odata.nextLink']);
    expect(d.json.error.code).toBe('Directory_ExpiredPageToken');
  });

  it.each(['syncStateNotFound', 'resyncRequired'] as const)('expired deltaLinks answer 400 %s', async (code) => {
    const { sim } = setup();
    const r = await runRound(sim, USERS);
    sim.expireDeltaTokens(code);
    const res = await get(sim, r.deltaLink);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe(code);
    expect(res.json.error.innerError['request-id']).toBe(res.headers!['request-id']);
  });

  it('gone deltaLinks answer 410 with the initial query in Location', async () => {
    const { sim } = setup();
    const r = await runRound(sim, USERS);
    sim.expireDeltaTokens('gone');
    const res = await get(sim, r.deltaLink);
    expect(res.status).toBe(410);
    const loc = res.headers!.location!;
    expect(loc).toMatch(/^https:\/\/graph\.sim\.test\/v1\.0\/users\/delta\?\$select=.*&\$deltatoken=$/);
    const again = await runRound(sim, loc);
    expect(again.objects.size).toBeGreaterThan(100);
  });

  it('401 without a token, 403 without the role, 400 on bad options', async () => {
    const { sim } = setup();
    const noAuth = await get(sim, USERS, null, { 'client-request-id': 'abc' });
    expect(noAuth.status).toBe(401);
    expect(noAuth.json.error.code).toBe('InvalidAuthenticationToken');
    expect(noAuth.headers!['www-authenticate']).toMatch(/^Bearer realm=""/);
    expect(noAuth.headers!['client-request-id']).toBe('abc');
    expect(noAuth.json.error.innerError['client-request-id']).toBe('abc');
    const bad = await get(sim, USERS, 'Bearer nope');
    expect(bad.status).toBe(401);
    const forbidden = await get(sim, GROUPS, 'Bearer good-User.Read.All');
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
    expect((await get(sim, GROUPS, 'Bearer good-Directory.Read.All')).status).toBe(200);
    expect((await get(sim, `${ORIGIN}/v1.0/users/delta?$select=id,signInActivity`)).status).toBe(400);
    expect((await get(sim, `${ORIGIN}/v1.0/users/delta?$orderby=displayName`)).json.error.code).toBe('Request_BadRequest');
    expect((await get(sim, `${ORIGIN}/v1.0/users/delta?$expand=manager`)).status).toBe(400);
    expect((await get(sim, `${ORIGIN}/v1.0/users/delta?$select=nonsense`)).status).toBe(400);
    expect(sim.requests.at(-1)).toMatchObject({ method: 'GET', status: 400, hasAuthorization: true });
    expect(sim.requests[0]).toMatchObject({ status: 401, clientRequestId: 'abc', hasAuthorization: false });
  });
});
