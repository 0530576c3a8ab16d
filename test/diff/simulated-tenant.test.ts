import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDiff } from '../../src/cli/diff-command.js';
import type { DiffReport, RelationChange } from '../../src/diff/diff-report.js';
import type { Tenant } from '../../src/sim/tenant/index.js';
import { dbFile, pull, readDb } from '../support/integration-helpers.js';
import { createSimWorld, type SimWorld } from '../support/sim-world.js';
import { ALL_ROLES } from '../support/tenant-state.js';

/**
 * `diff` against what really changed: a simulated tenant pulled whole (every collection), then changed
 * at random (users, groups, apps and roles directory) plus a few changes on purpose, pulled again
 * twice. The diff must equal the difference of the database's effective access and objects between
 * the pulls, and the users' review-relevant properties must equal the tenant's own change.
 */
interface Snapshot {
  /** effective_relations, one key per link. */
  effective: Set<string>;
  /** Every entities row: `type|id` → 'live' or its deleted_kind. */
  objects: Map<string, string>;
  /** Credential lists of service principals and applications: `type|id` → {property: [{keyId, endDateTime}]}. */
  credentials: Map<string, Record<string, { keyId: string; displayName: string | null; endDateTime: string | null }[]>>;
  /** Users of the tenant, live: review properties and stored manager. */
  users: Map<string, Record<string, unknown>>;
}

const REVIEW = ['accountEnabled', 'userType', 'jobTitle', 'department', 'employeeLeaveDateTime'];
const linkKey = (r: { relation: string; source_type: string; source_id: string; target_type: string; target_id: string; scope: string }) =>
  [r.relation, r.source_type, r.source_id, r.target_type, r.target_id, r.scope].join('|');

function snapshot(path: string, tenant: Tenant): Snapshot {
  return readDb(path, (db) => {
    const effective = new Set((db.prepare('SELECT * FROM effective_relations').all() as RelationChange[]).map(linkKey));
    const objects = new Map<string, string>();
    const credentials: Snapshot['credentials'] = new Map();
    for (const r of db.prepare('SELECT entity_type, id, deleted_kind, deleted_at, data FROM entities').all() as { entity_type: string; id: string; deleted_kind: string | null; deleted_at: string | null; data: string }[]) {
      objects.set(`${r.entity_type}|${r.id}`, r.deleted_at === null ? 'live' : r.deleted_kind ?? 'unknown');
      if (r.entity_type === 'servicePrincipal' || r.entity_type === 'application') {
        const data = JSON.parse(r.data) as Record<string, { keyId: string; displayName: string | null; endDateTime: string | null }[] | null>;
        credentials.set(`${r.entity_type}|${r.id}`, { passwordCredentials: data.passwordCredentials ?? [], keyCredentials: data.keyCredentials ?? [] });
      }
    }
    const users = new Map<string, Record<string, unknown>>();
    for (const u of tenant.users.values()) {
      if (u.state !== 'live') continue;
      users.set(u.id, { ...Object.fromEntries(REVIEW.map((p) => [p, u.props[p] ?? null])), manager: u.manager });
    }
    return { effective, objects, credentials, users };
  });
}

const minus = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();
const keys = (rows: RelationChange[], undone: boolean) => rows.filter((r) => r.undone === undone).map(linkKey).sort();

let world: SimWorld;
let path: string;
const snaps: Snapshot[] = [];
/** The membership granted in pull 2 and removed before pull 3, and the one removed in pull 2 and back in pull 3. */
let grantedThenRemoved: string;
let removedThenBack: string;
let rotated: { sp: string; removed: string; added: string };

beforeAll(async () => {
  world = createSimWorld({
    roles: ALL_ROLES,
    tenant: { users: 120, groups: 20, memberships: 600, audit: { premium: true } },
    graph: { directory: { deltaPageUnits: [10, 40], listPageSize: [5, 20], ownersPageSize: [1, 3], assignedToPageSize: [2, 9] } },
  });
  path = dbFile();
  const t = world.tenant;
  expect((await pull(world, path, { only: undefined })).outcome).toBe('success');
  snaps[1] = snapshot(path, t);

  t.randomChanges(0.05, 4242);
  const user = [...t.users.values()].find((u) => u.state === 'live')!.id;
  const group = [...t.groups.values()].find((g) => g.state === 'live' && !g.members.has(user))!;
  expect(t.addMember(group.id, { type: 'user', id: user })).toBe(true);
  grantedThenRemoved = `memberOf|user|${user}|group|${group.id}|`;
  const other = [...t.groups.values()].find((g) => g.state === 'live' && g.id !== group.id && [...g.members].some((m) => t.users.get(m)?.state === 'live'))!;
  const member = [...other.members].find((m) => t.users.get(m)?.state === 'live' && m !== user)!;
  expect(t.removeMember(other.id, member)).toBe(true);
  removedThenBack = `memberOf|user|${member}|group|${other.id}|`;
  // A secret pulled in the first run replaced on a service principal: one removed, one added.
  const d = t.directory;
  const truth = d.truth();
  const sp = truth.entities.find((e) => e.type === 'servicePrincipal' && (snaps[1]!.credentials.get(`servicePrincipal|${e.id}`)?.passwordCredentials.length ?? 0) > 0)!;
  const kept = snaps[1]!.credentials.get(`servicePrincipal|${sp.id}`)!.passwordCredentials[0]!.keyId;
  const creds = (sp.data as { passwordCredentials: { keyId: string }[] }).passwordCredentials;
  const added = { keyId: '0d5c4a52-7c1e-4f0e-9a3b-5e8f1d2c3b4a', displayName: '=HYPERLINK("x")', endDateTime: '2027-01-01T00:00:00Z', startDateTime: '2026-01-01T00:00:00Z', customKeyIdentifier: null, hint: 'abc', secretText: null };
  d.updateServicePrincipal(sp.id, { passwordCredentials: [...creds.filter((c) => c.keyId !== kept), added] });
  rotated = { sp: sp.id, removed: kept, added: added.keyId };
  // A delegated grant to a new (client, resource) pair, and a user soft-deleted and another purged, whatever the random changes drew.
  const sps = truth.entities.filter((e) => e.type === 'servicePrincipal').map((e) => e.id);
  const pair = sps.flatMap((c) => sps.map((r) => [c, r] as const)).find(([c, r]) => c !== r && !snaps[1]!.effective.has(`delegatedGrant|servicePrincipal|${c}|servicePrincipal|${r}|`))!;
  expect(d.addGrant(pair[0], pair[1], 'User.Read')).not.toBeNull();
  const live = [...t.users.values()].filter((u) => u.state === 'live' && u.id !== user && u.id !== member).map((u) => u.id);
  t.softDeleteUser(live[0]!);
  t.hardDeleteUser(live[1]!);
  expect((await pull(world, path, { only: undefined })).outcome).toBe('success');
  snaps[2] = snapshot(path, t);

  expect(t.removeMember(group.id, user)).toBe(true);
  expect(t.addMember(other.id, { type: 'user', id: member })).toBe(true);
  t.randomChanges(0.02, 777);
  expect((await pull(world, path, { only: undefined })).outcome).toBe('success');
  snaps[3] = snapshot(path, t);
}, 60_000);
afterAll(() => world?.close());

function expectAccessEquals(r: DiffReport, from: Snapshot, to: Snapshot, between: Snapshot[]): void {
  expect(keys(r.granted, false)).toEqual(minus(to.effective, from.effective));
  expect(keys(r.removed, false)).toEqual(minus(from.effective, to.effective));
  const seen = new Set(between.flatMap((s) => [...s.effective]));
  expect(keys(r.granted, true)).toEqual([...seen].filter((l) => !from.effective.has(l) && !to.effective.has(l)).sort());
  expect(keys(r.removed, true)).toEqual([...from.effective].filter((l) => to.effective.has(l) && between.some((s) => !s.effective.has(l))).sort());
}

describe('diff of a simulated tenant after random changes', () => {
  it('one pull: access granted and removed equal the change of effective access, every relation kind named', async () => {
    const r = await runDiff({ dbPath: path, since: 1, until: 2 });
    expectAccessEquals(r, snaps[1]!, snaps[2]!, []);
    // The random changes reach every relation the tenant has; both ends carry names where rows exist.
    expect(new Set([...r.granted, ...r.removed].map((x) => x.relation))).toEqual(
      new Set(['memberOf', 'ownerOf', 'hasRole', 'hasAppRole', 'appRoleOf', 'reportsTo', 'licensedWith', 'delegatedGrant']),
    );
    // Both ends named by their entities row's display_name; an end without a row (a device) by type and id alone.
    const names = readDb(path, (db) => new Map((db.prepare('SELECT entity_type, id, display_name FROM entities').all() as { entity_type: string; id: string; display_name: string | null }[])
      .map((e) => [`${e.entity_type}|${e.id}`, e.display_name])));
    for (const x of [...r.granted, ...r.removed]) {
      expect(x.source_name, `${x.source_type} ${x.source_id}`).toBe(names.get(`${x.source_type}|${x.source_id}`) ?? null);
      expect(x.target_name, `${x.target_type} ${x.target_id}`).toBe(names.get(`${x.target_type}|${x.target_id}`) ?? null);
    }
    expect([...r.granted, ...r.removed].filter((x) => x.source_name !== null && x.target_name !== null).length).toBeGreaterThan(r.granted.length / 2);
    expect(r.granted.some((x) => x.reason === 'added') && r.removed.some((x) => x.reason === 'removed')).toBe(true);
    expect(r.removed.some((x) => /^(source|target)_soft_deleted$/.test(x.reason))).toBe(true);
  });

  it('one pull: objects created, deleted (soft, permanent) and restored equal the change of the entities rows', async () => {
    const r = await runDiff({ dbPath: path, since: 1, until: 2 });
    const [a, b] = [snaps[1]!.objects, snaps[2]!.objects];
    const kindOf = { soft: 'soft', permanent: 'permanent', unseen: 'unseen' } as Record<string, string>;
    expect(r.objects.created.map((o) => `${o.type}|${o.id}`).sort()).toEqual([...b.keys()].filter((k) => !a.has(k)).sort());
    expect(r.objects.deleted.map((o) => `${o.type}|${o.id}|${o.kind}`).sort()).toEqual(
      [...b].filter(([k, s]) => s !== 'live' && a.get(k) !== s).map(([k, s]) => `${k}|${kindOf[s]}`).sort(),
    );
    expect(r.objects.restored.map((o) => `${o.type}|${o.id}`).sort()).toEqual([...b].filter(([k, s]) => s === 'live' && a.has(k) && a.get(k) !== 'live').map(([k]) => k).sort());
    expect(r.objects.created.length).toBeGreaterThan(0);
    expect(r.objects.deleted.some((o) => o.kind === 'soft') && r.objects.deleted.some((o) => o.kind === 'permanent')).toBe(true);
  });

  it('one pull: users\' review-relevant property changes (and manager) equal the tenant\'s own', async () => {
    const r = await runDiff({ dbPath: path, since: 1, until: 2 });
    const [a, b] = [snaps[1]!.users, snaps[2]!.users];
    const want: string[] = [];
    for (const [id, after] of b) {
      const before = a.get(id);
      if (!before) continue;
      for (const p of [...REVIEW, 'manager']) {
        if (JSON.stringify(before[p]) !== JSON.stringify(after[p])) want.push(`${id}|${p}|${JSON.stringify(before[p])}|${JSON.stringify(after[p])}`);
      }
    }
    const got = r.objects.changed
      .filter((c) => c.type === 'user' && a.has(c.id) && b.has(c.id))
      .map((c) => {
        const v = (x: unknown) => JSON.stringify(c.property === 'manager' ? (x as { id: string } | null)?.id ?? null : x);
        return `${c.id}|${c.property}|${v(c.old)}|${v(c.new)}`;
      });
    expect(got.sort()).toEqual(want.sort());
    expect(want.some((w) => w.includes('|manager|')) && want.some((w) => w.includes('|jobTitle|'))).toBe(true);
  });

  it('one pull: credentials added, removed or re-dated on apps and service principals, by keyId', async () => {
    const r = await runDiff({ dbPath: path, since: 1, until: 2 });
    const [a, b] = [snaps[1]!.credentials, snaps[2]!.credentials];
    const want: string[] = [];
    for (const [k, after] of b) {
      const before = a.get(k);
      if (!before || snaps[1]!.objects.get(k) !== 'live' || snaps[2]!.objects.get(k) !== 'live') continue;
      for (const p of ['passwordCredentials', 'keyCredentials']) {
        const was = new Map(before[p]!.map((c) => [c.keyId, c.endDateTime]));
        const now = new Map(after[p]!.map((c) => [c.keyId, c.endDateTime]));
        for (const [id, end] of was) if (!now.has(id)) want.push(`${k}|${p}|${id}|removed`);
        else if (now.get(id) !== end) want.push(`${k}|${p}|${id}|${end}>${now.get(id)}`);
        for (const id of now.keys()) if (!was.has(id)) want.push(`${k}|${p}|${id}|added`);
      }
    }
    type C = { keyId: string; endDateTime: string | null } | null;
    const got = r.objects.changed.filter((c) => c.property.endsWith('Credentials')).map((c) => {
      const [o, n] = [c.old as C, c.new as C];
      return `${c.type}|${c.id}|${c.property}|${(o ?? n)!.keyId}|${o === null ? 'added' : n === null ? 'removed' : `${o.endDateTime}>${n.endDateTime}`}`;
    });
    expect(got.sort()).toEqual(want.sort());
    expect(got).toContain(`servicePrincipal|${rotated.sp}|passwordCredentials|${rotated.removed}|removed`);
    expect(got).toContain(`servicePrincipal|${rotated.sp}|passwordCredentials|${rotated.added}|added`);
    const added = r.objects.changed.find((c) => (c.new as C)?.keyId === rotated.added)!;
    expect(added.new).toEqual({ keyId: rotated.added, displayName: '=HYPERLINK("x")', endDateTime: '2027-01-01T00:00:00Z' });
  });

  it('two pulls: a grant removed again (and a removal granted back) is shown undone with both times', async () => {
    const r = await runDiff({ dbPath: path, since: 1, until: 3 });
    expectAccessEquals(r, snaps[1]!, snaps[3]!, [snaps[2]!]);
    const g = r.granted.find((x) => linkKey(x) === grantedThenRemoved)!;
    expect(g).toMatchObject({ reason: 'added', run: 2, undone: true, undone_run: 3, undone_reason: 'removed' });
    expect(g.undone_time! > g.time).toBe(true);
    expect(r.removed.find((x) => linkKey(x) === removedThenBack)).toMatchObject({ reason: 'removed', run: 2, undone: true, undone_run: 3, undone_reason: 'revived' });
    // The default window is the last pull alone: there the grant is only a removal.
    const last = await runDiff({ dbPath: path });
    expect(last.from.run).toBe(2);
    expectAccessEquals(last, snaps[2]!, snaps[3]!, []);
    expect(last.removed.find((x) => linkKey(x) === grantedThenRemoved)).toMatchObject({ undone: false, run: 3 });
  });
});
