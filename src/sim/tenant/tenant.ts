import { mulberry32, type Rng } from './prng.js';
import { DirectoryData } from '../directory/directory-data.js';
import { AuditData } from '../audit/audit-data.js';
import { groupProps, userProps } from './object-factory.js';
import { randomChanges, type RandomChangesResult } from './random-changes.js';
import { applyPatch } from './apply-patch.js';
import type {
  Change, DirType, GroupRec, MemberType, ObjectOp, OwnerType, PlainRec, Props, Truth, TruthRelation, UserRec,
} from './tenant-types.js';

/**
 * The simulated directory and its change log.
 *
 * Links (memberships, ownerships, manager) are stored independently of their ends' state and count
 * ("are effective") only while both ends are live. Deletion follows Graph's documented behaviour
 * (https://learn.microsoft.com/graph/delta-query-groups): "Only users that have been permanently
 * deleted are removed from groups. Users that have been temporary deleted keep their group
 * memberships and won't appear in the delta result until they're permanently deleted." So:
 * - a soft delete logs only the object (reported `@removed: {reason: 'changed'}`), no link change;
 * - a restore logs only the object (reported again as a normal, full object), no link re-add;
 * - a permanent delete logs the removal of every stored link involving the object (groups report
 *   it in members@delta / owners@delta as removed, its reports in manager@delta as removed) and the
 *   object itself (reported `@removed: {reason: 'deleted'}`), then drops those links.
 * Link changes are logged by their stored state, whether or not the other end is live.
 */
export class Tenant {
  readonly users = new Map<string, UserRec>();
  readonly groups = new Map<string, GroupRec>();
  readonly others = new Map<string, PlainRec>();
  /** Service principals, applications, roles, units, assignments, grants, SKUs (src/sim/directory). */
  readonly directory: DirectoryData = new DirectoryData(this);
  /** Sign-in events and users' signInActivity (src/sim/audit). */
  readonly audit: AuditData = new AuditData(this);
  /** Type of every id ever created (kept after hard delete so removals can name the type). */
  private readonly typeById = new Map<string, DirType>();
  /** memberId → groups whose stored member set holds it. */
  private readonly memberOfIdx = new Map<string, Set<string>>();
  private readonly ownerOfIdx = new Map<string, Set<string>>();
  /** managerId → users whose stored manager is that id. */
  private readonly reportsIdx = new Map<string, Set<string>>();
  /** Append-only; the sequence number of changes[i] is i + 1. */
  readonly changes: Change[] = [];
  private logging = true;
  private readonly rng: Rng;
  private counter = 0;
  private memberLinkCount = 0;

  constructor(seed = 1) {
    this.rng = mulberry32(seed ^ 0x5eed);
  }

  /** Sequence number of the last change (0 before any). */
  get seq(): number {
    return this.changes.length;
  }

  get storedMemberLinks(): number {
    return this.memberLinkCount;
  }

  /** Runs fn without recording changes: the generator builds the initial state this way. */
  quietly<T>(fn: () => T): T {
    const before = this.logging;
    this.logging = false;
    try {
      return fn();
    } finally {
      this.logging = before;
    }
  }

  typeOf(id: string): DirType | undefined {
    return this.typeById.get(id);
  }

  isLive(id: string): boolean {
    const t = this.typeById.get(id);
    if (t === 'user') return this.users.get(id)?.state === 'live';
    if (t === 'group') return this.groups.get(id)?.state === 'live';
    return t !== undefined && this.others.has(id);
  }

  /** Live or soft-deleted (not permanently deleted). */
  exists(id: string): boolean {
    const t = this.typeById.get(id);
    if (t === 'user') return this.users.has(id);
    if (t === 'group') return this.groups.has(id);
    return t !== undefined && this.others.has(id);
  }

  /** The stored manager when both users are live, else null. */
  effectiveManager(userId: string): string | null {
    const u = this.users.get(userId);
    if (!u || u.state !== 'live' || u.manager === null) return null;
    return this.users.get(u.manager)?.state === 'live' ? u.manager : null;
  }

  private log(c: Change): void {
    if (this.logging) this.changes.push(c);
  }

  private newId(): string {
    return this.rng.guid();
  }

  private liveUser(id: string): UserRec {
    const u = this.users.get(id);
    if (!u || u.state !== 'live') throw new Error(`no live user ${id}`);
    return u;
  }

  private liveGroup(id: string): GroupRec {
    const g = this.groups.get(id);
    if (!g || g.state !== 'live') throw new Error(`no live group ${id}`);
    return g;
  }

  // ---- objects -------------------------------------------------------------------------------

  createUser(partial: Record<string, unknown> = {}, id = this.newId()): string {
    const n = ++this.counter;
    const base = userProps(this.rng, 900000 + n, { guest: false, disabled: false, leaver: false, synced: false });
    this.users.set(id, { id, props: Object.freeze({ ...base, ...partial }), manager: null, state: 'live' });
    this.typeById.set(id, 'user');
    this.log({ kind: 'object', objType: 'user', id, op: 'created' });
    return id;
  }

  /** Adds a user with the given properties (generator use). */
  insertUser(id: string, props: Props): void {
    this.users.set(id, { id, props: Object.freeze(props), manager: null, state: 'live' });
    this.typeById.set(id, 'user');
    this.log({ kind: 'object', objType: 'user', id, op: 'created' });
  }

  updateUser(id: string, patch: Record<string, unknown>): string[] {
    const u = this.liveUser(id);
    const { props, changed } = applyPatch(u.props, patch);
    if (changed.length === 0) return changed;
    this.users.set(id, { ...u, props });
    this.log({ kind: 'object', objType: 'user', id, op: 'updated', props: changed });
    return changed;
  }

  softDeleteUser(id: string): void {
    const u = this.liveUser(id);
    // The user keeps its links (delta-query-groups): nothing but the object is logged.
    u.state = 'soft';
    this.log({ kind: 'object', objType: 'user', id, op: 'softDeleted' });
  }

  hardDeleteUser(id: string): void {
    const u = this.users.get(id);
    if (!u) throw new Error(`no user ${id}`);
    this.logUserLinkRemovals(id);
    for (const g of this.memberOfIdx.get(id) ?? []) {
      this.groups.get(g)?.members.delete(id);
      this.memberLinkCount--;
    }
    this.memberOfIdx.delete(id);
    for (const g of this.ownerOfIdx.get(id) ?? []) this.groups.get(g)?.owners.delete(id);
    this.ownerOfIdx.delete(id);
    for (const r of this.reportsIdx.get(id) ?? []) {
      const ru = this.users.get(r);
      if (ru) ru.manager = null;
    }
    this.reportsIdx.delete(id);
    if (u.manager !== null) this.reportsIdx.get(u.manager)?.delete(id);
    this.users.delete(id);
    this.log({ kind: 'object', objType: 'user', id, op: 'hardDeleted' });
  }

  restoreUser(id: string): void {
    const u = this.users.get(id);
    if (!u || u.state !== 'soft') throw new Error(`no soft-deleted user ${id}`);
    // Its links were kept and never reported removed, so none is reported added again.
    u.state = 'live';
    this.log({ kind: 'object', objType: 'user', id, op: 'restored' });
  }

  /**
   * Before a permanent delete: records the removal of every stored link of the user, also in groups
   * (and of reports) that are soft-deleted themselves, so that a restore of those later in the same
   * delta window still reports that this member or manager went away.
   */
  private logUserLinkRemovals(id: string): void {
    for (const g of this.memberOfIdx.get(id) ?? []) {
      if (this.groups.has(g)) this.log({ kind: 'member', groupId: g, id, op: 'removed' });
    }
    for (const g of this.ownerOfIdx.get(id) ?? []) {
      if (this.groups.has(g)) this.log({ kind: 'owner', groupId: g, id, op: 'removed' });
    }
    for (const r of this.reportsIdx.get(id) ?? []) {
      if (this.users.has(r)) this.log({ kind: 'manager', userId: r, old: id });
    }
  }

  createGroup(partial: Record<string, unknown> = {}, id = this.newId()): string {
    const n = ++this.counter;
    const base = groupProps(this.rng, 900000 + n, 'security', false);
    this.insertGroup(id, { ...base, ...partial });
    return id;
  }

  insertGroup(id: string, props: Props): void {
    this.groups.set(id, { id, props: Object.freeze(props), members: new Set(), owners: new Set(), state: 'live' });
    this.typeById.set(id, 'group');
    this.log({ kind: 'object', objType: 'group', id, op: 'created' });
  }

  insertPlain(id: string, type: 'servicePrincipal' | 'device', displayName: string): void {
    this.others.set(id, { id, type, displayName });
    this.typeById.set(id, type);
  }

  updateGroup(id: string, patch: Record<string, unknown>): string[] {
    const g = this.liveGroup(id);
    const { props, changed } = applyPatch(g.props, patch);
    if (changed.length === 0) return changed;
    this.groups.set(id, { ...g, props });
    this.log({ kind: 'object', objType: 'group', id, op: 'updated', props: changed });
    return changed;
  }

  softDeleteGroup(id: string): void {
    const g = this.liveGroup(id);
    // The group keeps its members, owners and its own memberships: only the object is logged.
    g.state = 'soft';
    this.log({ kind: 'object', objType: 'group', id, op: 'softDeleted' });
  }

  hardDeleteGroup(id: string): void {
    const g = this.groups.get(id);
    if (!g) throw new Error(`no group ${id}`);
    this.logGroupParentLinkRemovals(id);
    for (const p of this.memberOfIdx.get(id) ?? []) {
      this.groups.get(p)?.members.delete(id);
      this.memberLinkCount--;
    }
    this.memberOfIdx.delete(id);
    for (const m of g.members) {
      this.memberOfIdx.get(m)?.delete(id);
      this.memberLinkCount--;
    }
    for (const o of g.owners) this.ownerOfIdx.get(o)?.delete(id);
    this.groups.delete(id);
    this.log({ kind: 'object', objType: 'group', id, op: 'hardDeleted' });
  }

  restoreGroup(id: string): void {
    const g = this.groups.get(id);
    if (!g || g.state !== 'soft') throw new Error(`no soft-deleted group ${id}`);
    // Reported as a full object with its current members and owners; no link re-add is logged.
    g.state = 'live';
    this.log({ kind: 'object', objType: 'group', id, op: 'restored' });
  }

  /**
   * Before a permanent delete: records the group's removal from the groups that hold it as a member.
   * Its own members and owners go with it (the group is reported deleted).
   */
  private logGroupParentLinkRemovals(id: string): void {
    for (const p of this.memberOfIdx.get(id) ?? []) {
      if (this.groups.has(p)) this.log({ kind: 'member', groupId: p, id, op: 'removed' });
    }
  }

  // ---- links ---------------------------------------------------------------------------------

  addMember(groupId: string, member: { type: MemberType; id: string }): boolean {
    const g = this.liveGroup(groupId);
    if (this.typeById.get(member.id) !== member.type || !this.isLive(member.id)) {
      throw new Error(`no live ${member.type} ${member.id}`);
    }
    if (member.id === groupId) throw new Error('a group cannot contain itself');
    if (g.members.has(member.id)) return false;
    g.members.add(member.id);
    this.memberLinkCount++;
    addIdx(this.memberOfIdx, member.id, groupId);
    this.log({ kind: 'member', groupId, id: member.id, op: 'added' });
    return true;
  }

  /** Generator fast path: no validation, no log. Returns false when the link already exists. */
  insertMemberUnchecked(groupId: string, memberId: string): boolean {
    const g = this.groups.get(groupId) as GroupRec;
    if (g.members.has(memberId) || memberId === groupId) return false;
    g.members.add(memberId);
    this.memberLinkCount++;
    addIdx(this.memberOfIdx, memberId, groupId);
    return true;
  }

  removeMember(groupId: string, memberId: string): boolean {
    const g = this.groups.get(groupId);
    if (!g || !g.members.has(memberId)) return false;
    g.members.delete(memberId);
    this.memberLinkCount--;
    this.memberOfIdx.get(memberId)?.delete(groupId);
    // Logged even when the link is not effective now (group or member soft-deleted), so a restore
    // later in the same delta window cannot bring back a link the client still holds.
    this.log({ kind: 'member', groupId, id: memberId, op: 'removed' });
    return true;
  }

  addOwner(groupId: string, owner: { type: OwnerType; id: string }): boolean {
    const g = this.liveGroup(groupId);
    if (this.typeById.get(owner.id) !== owner.type || !this.isLive(owner.id)) {
      throw new Error(`no live ${owner.type} ${owner.id}`);
    }
    if (g.owners.has(owner.id)) return false;
    g.owners.add(owner.id);
    addIdx(this.ownerOfIdx, owner.id, groupId);
    this.log({ kind: 'owner', groupId, id: owner.id, op: 'added' });
    return true;
  }

  removeOwner(groupId: string, ownerId: string): boolean {
    const g = this.groups.get(groupId);
    if (!g || !g.owners.has(ownerId)) return false;
    g.owners.delete(ownerId);
    this.ownerOfIdx.get(ownerId)?.delete(groupId);
    this.log({ kind: 'owner', groupId, id: ownerId, op: 'removed' });
    return true;
  }

  setManager(userId: string, managerId: string | null): boolean {
    const u = this.liveUser(userId);
    if (managerId !== null) {
      this.liveUser(managerId);
      if (managerId === userId) throw new Error('a user cannot manage itself');
    }
    const old = u.manager;
    if (old === managerId) return false;
    if (old !== null) this.reportsIdx.get(old)?.delete(userId);
    u.manager = managerId;
    if (managerId !== null) addIdx(this.reportsIdx, managerId, userId);
    this.log({ kind: 'manager', userId, old });
    return true;
  }

  /** Random mix of mutations touching about fraction of the objects and links (see random-changes.ts). */
  randomChanges(fraction: number, seed: number): RandomChangesResult {
    return randomChanges(this, fraction, seed);
  }

  // ---- export --------------------------------------------------------------------------------

  /**
   * What a client's database must hold after a complete pull: live objects and effective links
   * (`entities`, `relations`), plus the soft-deleted objects and every stored link (`softDeleted`,
   * `storedRelations`; see Truth). One pass; the two link lists share their objects.
   */
  truth(): Truth {
    const entities: Truth['entities'] = [];
    const relations: TruthRelation[] = [];
    const softDeleted: Truth['softDeleted'] = [];
    const storedRelations: TruthRelation[] = [];
    const keep = (r: TruthRelation, effective: boolean): void => {
      storedRelations.push(r);
      if (effective) relations.push(r);
    };
    for (const u of this.users.values()) {
      if (u.state === 'live') entities.push({ type: 'user', id: u.id, displayName: (u.props.displayName as string | null | undefined) ?? null });
      else softDeleted.push({ type: 'user', id: u.id });
      const m = u.manager;
      if (m !== null && this.users.has(m)) {
        keep({ relation: 'reportsTo', sourceType: 'user', sourceId: u.id, targetType: 'user', targetId: m }, u.state === 'live' && this.isLive(m));
      }
    }
    for (const g of this.groups.values()) {
      const live = g.state === 'live';
      if (live) entities.push({ type: 'group', id: g.id, displayName: (g.props.displayName as string | null | undefined) ?? null });
      else softDeleted.push({ type: 'group', id: g.id });
      for (const m of g.members) {
        if (!this.exists(m)) continue;
        keep({ relation: 'memberOf', sourceType: this.typeById.get(m) as DirType, sourceId: m, targetType: 'group', targetId: g.id }, live && this.isLive(m));
      }
      for (const o of g.owners) {
        if (!this.exists(o)) continue;
        keep({ relation: 'ownerOf', sourceType: this.typeById.get(o) as DirType, sourceId: o, targetType: 'group', targetId: g.id }, live && this.isLive(o));
      }
    }
    return { entities, relations, softDeleted, storedRelations };
  }

  stats(): { users: number; groups: number; softDeletedUsers: number; softDeletedGroups: number; memberLinks: number; others: number; seq: number } {
    let su = 0;
    let sg = 0;
    for (const u of this.users.values()) if (u.state === 'soft') su++;
    for (const g of this.groups.values()) if (g.state === 'soft') sg++;
    return {
      users: this.users.size - su, groups: this.groups.size - sg, softDeletedUsers: su, softDeletedGroups: sg,
      memberLinks: this.memberLinkCount, others: this.others.size, seq: this.seq,
    };
  }
}

function addIdx(idx: Map<string, Set<string>>, key: string, value: string): void {
  let s = idx.get(key);
  if (!s) idx.set(key, (s = new Set()));
  s.add(value);
}

export type { ObjectOp };
