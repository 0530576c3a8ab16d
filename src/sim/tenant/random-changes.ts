import { mulberry32, type Rng } from './prng.js';
import type { Tenant } from './tenant.js';
import type { MemberType } from './tenant-types.js';

export interface RandomChangesResult {
  operations: number;
  byKind: Record<string, number>;
  fromSeq: number;
  toSeq: number;
}

const TITLES = ['Engineer', 'Lead', 'Principal', 'Manager', 'Analyst', 'Director'];
const DEPTS = ['Engineering', 'Sales', 'Finance', 'Legal', 'IT', 'Support'];
/**
 * User properties an update may clear (Graph then sends them as null, user-delta:
 * https://learn.microsoft.com/graph/api/user-delta) and a later update may set again.
 */
const CLEARABLE = ['jobTitle', 'department', 'officeLocation', 'employeeId', 'mobilePhone', 'companyName'] as const;

function valueFor(rng: Rng, name: (typeof CLEARABLE)[number]): string {
  switch (name) {
    case 'jobTitle': return rng.pick(TITLES);
    case 'department': return rng.pick(DEPTS);
    case 'officeLocation': return `Floor ${rng.int(1, 40)}`;
    case 'employeeId': return String(rng.int(100000, 999999));
    case 'mobilePhone': return `+1 206 555 ${String(rng.int(0, 9999)).padStart(4, '0')}`;
    case 'companyName': return rng.pick(['Contoso', 'Fabrikam', 'Northwind']);
  }
}

/**
 * Applies about fraction × (live users + live groups + membership links) random mutations, a mix of
 * creates, updates (some clearing a property to null, some setting a cleared one again), soft/hard
 * deletes, restores, membership and owner changes and manager changes. Deterministic for a seed and
 * a tenant state: it draws only from its own seeded generator.
 */
export function randomChanges(t: Tenant, fraction: number, seed: number): RandomChangesResult {
  const rng = mulberry32(seed);
  const st = t.stats();
  const total = Math.max(1, Math.round(fraction * (st.users + st.groups + st.memberLinks)));
  const userIds = [...t.users.keys()];
  const groupIds = [...t.groups.keys()];
  const otherIds = [...t.others.values()].map((o) => ({ id: o.id, type: o.type as MemberType }));
  const softUsers = userIds.filter((id) => t.users.get(id)?.state === 'soft');
  const softGroups = groupIds.filter((id) => t.groups.get(id)?.state === 'soft');
  const byKind: Record<string, number> = {};
  /** Users whose property this run cleared, so that some updates set one again. */
  const clearedUsers: string[] = [];
  const fromSeq = t.seq;
  const liveUser = (): string | undefined => pickLive(rng, userIds, (id) => t.users.get(id)?.state === 'live');
  const liveGroup = (): string | undefined => pickLive(rng, groupIds, (id) => t.groups.get(id)?.state === 'live');
  const count = (k: string): void => {
    byKind[k] = (byKind[k] ?? 0) + 1;
  };

  for (let op = 0; op < total; op++) {
    const r = rng.next();
    if (r < 0.3) {
      const g = liveGroup();
      const u = liveUser();
      if (!g) continue;
      const roll = rng.next();
      const m = roll < 0.9 ? (u ? { type: 'user' as MemberType, id: u } : undefined)
        : roll < 0.95 ? (() => { const h = liveGroup(); return h && h !== g ? { type: 'group' as MemberType, id: h } : undefined; })()
          : otherIds.length > 0 ? rng.pick(otherIds) : undefined;
      if (m && t.addMember(g, m)) count('memberAdded');
    } else if (r < 0.5) {
      const g = liveGroup();
      const grp = g ? t.groups.get(g) : undefined;
      if (!grp || grp.members.size === 0) continue;
      const victim = nth(grp.members, rng.int(0, grp.members.size - 1));
      if (victim !== undefined && t.removeMember(g as string, victim)) count('memberRemoved');
    } else if (r < 0.53) {
      const g = liveGroup();
      const u = liveUser();
      if (g && u && t.addOwner(g, { type: 'user', id: u })) count('ownerAdded');
    } else if (r < 0.55) {
      const g = liveGroup();
      const grp = g ? t.groups.get(g) : undefined;
      if (!grp || grp.owners.size === 0) continue;
      const victim = nth(grp.owners, rng.int(0, grp.owners.size - 1));
      if (victim !== undefined && t.removeOwner(g as string, victim)) count('ownerRemoved');
    } else if (r < 0.73) {
      let u = liveUser();
      if (!u) continue;
      const roll = rng.next();
      let patch: Record<string, unknown>;
      let kind = 'userUpdated';
      if (roll < 0.35) patch = { jobTitle: rng.pick(TITLES) };
      else if (roll < 0.55) patch = { department: rng.pick(DEPTS), officeLocation: `Floor ${rng.int(1, 40)}` };
      else if (roll < 0.7) patch = { accountEnabled: rng.chance(0.5) };
      else if (roll < 0.85) {
        patch = { [rng.pick(CLEARABLE)]: null };
        kind = 'userPropertyCleared';
      } else {
        // Set again: half the time a property this run cleared, else one of the drawn user's.
        if (clearedUsers.length > 0 && rng.chance(0.5)) {
          const back = clearedUsers[rng.int(0, clearedUsers.length - 1)] as string;
          if (t.users.get(back)?.state === 'live') u = back;
        }
        const props = t.users.get(u)!.props;
        const cleared = CLEARABLE.filter((p) => props[p] === null);
        const name = cleared.length > 0 ? rng.pick(cleared) : rng.pick(CLEARABLE);
        patch = { [name]: valueFor(rng, name) };
        if (cleared.length > 0) kind = 'userPropertySetAgain';
      }
      if (t.updateUser(u, patch).length > 0) {
        count(kind);
        if (kind === 'userPropertyCleared') clearedUsers.push(u);
      }
    } else if (r < 0.78) {
      const g = liveGroup();
      if (!g) continue;
      // Some updates clear the description (sent as null), others set it (again).
      const clear = rng.chance(0.25);
      if (t.updateGroup(g, { description: clear ? null : `Updated ${seed}-${op}` }).length > 0) count(clear ? 'groupDescriptionCleared' : 'groupUpdated');
    } else if (r < 0.86) {
      const u = liveUser();
      const m = rng.chance(0.85) ? liveUser() : null;
      if (!u || m === undefined || m === u) continue;
      if (t.setManager(u, m)) count(m === null ? 'managerCleared' : 'managerSet');
    } else if (r < 0.9) {
      const id = t.createUser({ displayName: `New User ${seed}-${op}` });
      userIds.push(id);
      const g = liveGroup();
      if (g) t.addMember(g, { type: 'user', id });
      count('userCreated');
    } else if (r < 0.91) {
      const id = t.createGroup({ displayName: `New Group ${seed}-${op}` });
      groupIds.push(id);
      const u = liveUser();
      if (u) t.addMember(id, { type: 'user', id: u });
      count('groupCreated');
    } else if (r < 0.945) {
      const u = liveUser();
      if (!u) continue;
      t.softDeleteUser(u);
      softUsers.push(u);
      count('userSoftDeleted');
    } else if (r < 0.955) {
      const g = liveGroup();
      if (!g) continue;
      t.softDeleteGroup(g);
      softGroups.push(g);
      count('groupSoftDeleted');
    } else if (r < 0.975) {
      // Hard delete: half of them purge a soft-deleted object, half delete a live one outright.
      const fromSoft = softUsers.length > 0 && rng.chance(0.5);
      const u = fromSoft ? softUsers.splice(rng.int(0, softUsers.length - 1), 1)[0] : liveUser();
      if (!u || !t.users.has(u)) continue;
      t.hardDeleteUser(u);
      count('userHardDeleted');
    } else if (r < 0.98) {
      const g = softGroups.length > 0 ? softGroups.splice(rng.int(0, softGroups.length - 1), 1)[0] : undefined;
      if (!g || !t.groups.has(g)) continue;
      t.hardDeleteGroup(g);
      count('groupHardDeleted');
    } else if (r < 0.995) {
      const u = softUsers.length > 0 ? softUsers.splice(rng.int(0, softUsers.length - 1), 1)[0] : undefined;
      if (!u || t.users.get(u)?.state !== 'soft') continue;
      t.restoreUser(u);
      count('userRestored');
    } else {
      const g = softGroups.length > 0 ? softGroups.splice(rng.int(0, softGroups.length - 1), 1)[0] : undefined;
      if (!g || t.groups.get(g)?.state !== 'soft') continue;
      t.restoreGroup(g);
      count('groupRestored');
    }
  }
  // The rest of the directory and the sign-in log change too, each from a generator of its own.
  for (const [k, n] of Object.entries(t.directory.randomChanges(fraction, seed ^ 0xd1))) byKind[k] = (byKind[k] ?? 0) + n;
  for (const [k, n] of Object.entries(t.audit.randomChanges(fraction, seed ^ 0xa7))) byKind[k] = (byKind[k] ?? 0) + n;
  return { operations: total, byKind, fromSeq, toSeq: t.seq };
}

function pickLive(rng: Rng, ids: string[], live: (id: string) => boolean): string | undefined {
  for (let i = 0; i < 20 && ids.length > 0; i++) {
    const id = ids[rng.int(0, ids.length - 1)] as string;
    if (live(id)) return id;
  }
  return undefined;
}

function nth(set: Set<string>, n: number): string | undefined {
  let i = 0;
  for (const v of set) if (i++ === n) return v;
  return undefined;
}
