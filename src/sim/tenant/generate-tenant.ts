import { mulberry32 } from './prng.js';
import { groupProps, userProps, type GroupKind } from './object-factory.js';
import { Tenant } from './tenant.js';
import { populateDirectory, type DirectoryGenOptions } from '../directory/directory-data.js';
import { populateAudit, type AuditGenOptions } from '../audit/audit-data.js';

export interface GenerateTenantOptions {
  seed?: number;
  users: number;
  groups: number;
  /** Target number of group memberships (all member types). */
  memberships: number;
  /** Default 0.08. */
  guestRatio?: number;
  /** Default 0.05. */
  disabledRatio?: number;
  /** Members with an employeeLeaveDateTime, default 0.03. */
  leaverRatio?: number;
  /** Users/groups synced from on-premises, default 0.3. */
  syncedRatio?: number;
  /** Default max(2, users / 500). */
  servicePrincipals?: number;
  /** Default max(2, users / 200). */
  devices?: number;
  /** Groups given more than 5,000 members (when users allow), default 2 when users >= 10,000 else 0. */
  largeGroups?: number;
  /** Share of groups with owners, default 0.85. */
  ownedRatio?: number;
  /** Share of memberships that are nested groups, default 0.02; service principals / devices 0.005 each. */
  nestedRatio?: number;
  /** The apps-and-roles directory (src/sim/directory); generated from its own seeded generator. */
  directory?: DirectoryGenOptions;
  /** The sign-in log (src/sim/audit); generated from its own seeded generator. */
  audit?: AuditGenOptions;
}

/**
 * A deterministic tenant: same options, same directory (ids included). Linear in its size.
 * The initial state is not in the change log (seq stays 0).
 */
export function generateTenant(o: GenerateTenantOptions): Tenant {
  const seed = o.seed ?? 1;
  const rng = mulberry32(seed);
  const t = new Tenant(seed);
  const guestRatio = o.guestRatio ?? 0.08;
  const disabledRatio = o.disabledRatio ?? 0.05;
  const leaverRatio = o.leaverRatio ?? 0.03;
  const syncedRatio = o.syncedRatio ?? 0.3;
  const nSp = o.servicePrincipals ?? Math.max(2, Math.floor(o.users / 500));
  const nDev = o.devices ?? Math.max(2, Math.floor(o.users / 200));
  const nLarge = Math.min(o.groups, o.largeGroups ?? (o.users >= 10_000 ? 2 : 0));
  const ownedRatio = o.ownedRatio ?? 0.85;
  const nestedRatio = o.nestedRatio ?? 0.02;

  t.quietly(() => {
    const userIds: string[] = new Array(o.users);
    const firstGuest = Math.floor(o.users * (1 - guestRatio));
    for (let i = 0; i < o.users; i++) {
      const id = rng.guid();
      userIds[i] = id;
      const guest = i >= firstGuest && i > 0;
      t.insertUser(id, userProps(rng, i, {
        guest,
        disabled: rng.chance(disabledRatio),
        leaver: !guest && rng.chance(leaverRatio),
        synced: !guest && rng.chance(syncedRatio),
      }));
    }
    // Hierarchy: each member reports to someone earlier (about 8 reports per manager); no cycles.
    for (let i = 1; i < firstGuest; i++) {
      if (rng.chance(0.03)) continue;
      const m = Math.max(0, Math.floor((i - 1) / 8) - rng.int(0, 2));
      t.setManager(userIds[i] as string, userIds[m] as string);
    }
    const spIds: string[] = [];
    for (let i = 0; i < nSp; i++) {
      const id = rng.guid();
      spIds.push(id);
      t.insertPlain(id, 'servicePrincipal', `App ${i}`);
    }
    const devIds: string[] = [];
    for (let i = 0; i < nDev; i++) {
      const id = rng.guid();
      devIds.push(id);
      t.insertPlain(id, 'device', `DEVICE-${String(i).padStart(5, '0')}`);
    }
    const groupIds: string[] = new Array(o.groups);
    const kinds: GroupKind[] = ['security', 'security', 'security', 'security', 'unified', 'unified', 'unified', 'unified', 'dynamic', 'mailSecurity'];
    for (let i = 0; i < o.groups; i++) {
      const id = rng.guid();
      groupIds[i] = id;
      t.insertGroup(id, groupProps(rng, i, rng.pick(kinds), rng.chance(syncedRatio)));
    }
    // Owners (users, sometimes a service principal).
    for (let i = 0; i < o.groups; i++) {
      if (!rng.chance(ownedRatio) || o.users === 0) continue;
      const gid = groupIds[i] as string;
      const n = rng.int(1, 3);
      for (let k = 0; k < n; k++) t.addOwner(gid, { type: 'user', id: userIds[rng.int(0, o.users - 1)] as string });
      if (spIds.length > 0 && rng.chance(0.05)) t.addOwner(gid, { type: 'servicePrincipal', id: rng.pick(spIds) });
    }
    if (o.groups === 0 || o.users === 0) return;
    // Large groups first, then the rest spread with a skew (a few big groups, many small ones).
    let made = 0;
    for (let i = 0; i < nLarge && made < o.memberships; i++) {
      const want = Math.min(Math.floor(o.users * 0.9), rng.int(5_001, 12_000), o.memberships - made);
      const gid = groupIds[i] as string;
      let tries = 0;
      while (t.groups.get(gid)!.members.size < want && tries++ < want * 3) {
        if (t.insertMemberUnchecked(gid, userIds[rng.int(0, o.users - 1)] as string)) made++;
      }
    }
    const rest = o.groups - nLarge;
    let attempts = 0;
    const maxAttempts = (o.memberships - made) * 3 + 100;
    while (made < o.memberships && attempts++ < maxAttempts && rest > 0) {
      const r = rng.next();
      const gi = nLarge + Math.floor(rest * r * r);
      const gid = groupIds[gi] as string;
      const kind = rng.next();
      let ok: boolean;
      if (kind < nestedRatio && gi + 1 < o.groups) {
        // Only later groups nest inside earlier ones: no cycles.
        ok = t.insertMemberUnchecked(gid, groupIds[rng.int(gi + 1, o.groups - 1)] as string);
      } else if (kind < nestedRatio + 0.005 && spIds.length > 0) {
        ok = t.insertMemberUnchecked(gid, rng.pick(spIds));
      } else if (kind < nestedRatio + 0.01 && devIds.length > 0) {
        ok = t.insertMemberUnchecked(gid, rng.pick(devIds));
      } else {
        ok = t.insertMemberUnchecked(gid, userIds[rng.int(0, o.users - 1)] as string);
      }
      if (ok) made++;
    }
  });
  // After users and groups, each from a generator of its own, so the ids above never change.
  t.quietly(() => {
    populateDirectory(t, o.directory, seed);
    populateAudit(t, o.audit, seed);
  });
  return t;
}

/**
 * The built-in tenant of `entra-extract demo`: a few hundred users, ~40 groups, and the rest of a
 * directory (apps with roles, owners and credentials, role holders, units, grants, SKUs, sign-ins).
 * Credential expiry is measured from `now`, so "expires within 30 days" means the real next month.
 */
export function demoTenant(seed = 2024, o: { tenantId?: string; now?: number } = {}): Tenant {
  const now = o.now ?? Date.now();
  return generateTenant({
    seed, users: 300, groups: 40, memberships: 1_400, guestRatio: 0.08, disabledRatio: 0.05,
    servicePrincipals: 4, devices: 6, largeGroups: 0,
    directory: { tenantId: o.tenantId, referenceTime: now, extraServicePrincipals: 24 },
    audit: { now, signIns: 1_500 },
  });
}
