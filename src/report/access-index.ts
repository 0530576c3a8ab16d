import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/index.js';
import { GroupNesting } from './group-nesting.js';
import type { Identities } from './identities.js';
import { ACCESS_KINDS, type AccessKind, type Holdings } from './report-findings.js';
import { kindOf } from '../export/access-expansion.js';

/** The kinds a group passes on to its direct members only (CONTRACT.md section 5). */
export type GroupGrantKind = 'directoryRole' | 'roleAssignment' | 'appRole';

export interface GroupGrant {
  kind: GroupGrantKind;
  targetType: string;
  targetId: string;
  scope: string;
  firstSeenRun: number | null;
}

const K = ACCESS_KINDS.length;
const KIND_AT = new Map<AccessKind, number>(ACCESS_KINDS.map((k, i) => [k, i]));
const GROUP = KIND_AT.get('group')!;

/** The access kind of an effective link, as the flat export names it; undefined for reportsTo and appRoleOf. */
export function accessKind(relation: string, targetType: string): AccessKind | undefined {
  return kindOf({ relation, target_type: targetType });
}

const grantKey = (kind: string, targetId: string, scope: string) => `${kind}\u0000${targetId}\u0000${scope}`;

/**
 * What every user and service principal holds, counted by kind, from one pass over the effective
 * links (the view effective_relations): its own links, every group it is in through nesting, and
 * the directory roles, role assignments and app roles of its direct groups. Only counts and the
 * direct groups of each identity are kept, not the links.
 */
export class AccessIndex {
  readonly nesting = new GroupNesting();
  /** Directory roles, role assignments and app roles held by each group (group index → grants). */
  readonly groupGrants = new Map<number, GroupGrant[]>();
  private readonly direct: Int32Array;
  /** The direct groups of each identity: groupList[groupStart[s] .. groupStart[s + 1]). */
  private groupStart: Int32Array = new Int32Array(1);
  private groupList: Int32Array = new Int32Array(0);
  private readonly held: Int32Array;
  private readonly directGrantsOf: Statement;

  constructor(db: Db, private readonly ids: Identities) {
    const slots = ids.slots;
    this.direct = new Int32Array(slots * K);
    const pairs = new PairList();
    const sql = `SELECT relation, source_type, source_id, target_type, target_id, scope, first_seen_run FROM effective_relations
                 WHERE relation IN ('memberOf', 'hasRole', 'hasAppRole', 'licensedWith', 'ownerOf', 'delegatedGrant')`;
    for (const r of db.prepare(sql).raw().iterate() as Iterable<[string, string, string, string, string, string, number | null]>) {
      const kind = accessKind(r[0], r[3]);
      if (!kind) continue;
      if (r[1] === 'group') {
        this.addGroupLink(kind, r);
        continue;
      }
      const slot = ids.slotOf(r[1], r[2]);
      if (slot === undefined) continue;
      this.direct[slot * K + KIND_AT.get(kind)!]!++;
      if (kind === 'group') pairs.push(slot, ids.groupSlot(r[4]));
    }
    this.indexGroups(pairs, slots);
    this.nesting.seal(ids.groups.length);
    this.directGrantsOf = db.prepare(
      `SELECT relation, target_type, target_id, scope FROM effective_relations
       WHERE relation IN ('memberOf', 'hasRole', 'hasAppRole') AND source_type = ? AND source_id = ? AND target_type <> 'group'`,
    );
    this.held = this.computeHeld();
  }

  private addGroupLink(kind: AccessKind, r: [string, string, string, string, string, string, number | null]): void {
    const g = this.ids.groupSlot(r[2]);
    if (kind === 'group') {
      this.nesting.addEdge(g, this.ids.groupSlot(r[4]));
    } else if (kind === 'directoryRole' || kind === 'roleAssignment' || kind === 'appRole') {
      const grant: GroupGrant = { kind, targetType: r[3], targetId: r[4], scope: r[5], firstSeenRun: r[6] };
      const list = this.groupGrants.get(g);
      if (list) list.push(grant);
      else this.groupGrants.set(g, [grant]);
    }
  }

  /** Identity → direct groups in one array (CSR, by identity): 4 bytes a membership instead of a JS array per identity. */
  private indexGroups(pairs: PairList, slots: number): void {
    const start = new Int32Array(slots + 1);
    for (let k = 0; k < pairs.length; k++) start[pairs.a[k]! + 1]!++;
    for (let s = 0; s < slots; s++) start[s + 1]! += start[s]!;
    const fill = start.slice(0, slots);
    const list = new Int32Array(pairs.length);
    for (let k = 0; k < pairs.length; k++) list[fill[pairs.a[k]!]!++] = pairs.b[k]!;
    this.groupStart = start;
    this.groupList = list;
  }

  /** The direct groups of an identity (group indexes). */
  groupsOf(slot: number): Int32Array {
    return this.groupList.subarray(this.groupStart[slot]!, this.groupStart[slot + 1]!);
  }

  private computeHeld(): Int32Array {
    const slots = this.ids.slots;
    const held = new Int32Array(slots * (K + 1));
    const stamp = new Int32Array(this.ids.groups.length);
    let walk = 0;
    for (let s = 0; s < slots; s++) {
      for (let k = 0; k < K; k++) held[s * (K + 1) + k] = this.direct[s * K + k]!;
      const groups = this.groupsOf(s);
      if (groups.length > 0) {
        if (this.nesting.hasNesting) {
          walk++;
          let n = 0;
          for (const g of groups) {
            if (stamp[g] !== walk) {
              stamp[g] = walk;
              n++;
            }
            for (const a of this.nesting.ancestors(g)) {
              if (stamp[a] !== walk) {
                stamp[a] = walk;
                n++;
              }
            }
          }
          held[s * (K + 1) + GROUP] = n;
        }
        if (this.groupGrants.size > 0) this.addInherited(s, groups, held);
      }
      let total = 0;
      for (let k = 0; k < K; k++) total += held[s * (K + 1) + k]!;
      held[s * (K + 1) + K] = total;
    }
    return held;
  }

  /** Roles and app roles of the identity's direct groups that it does not hold itself, each once. */
  private addInherited(slot: number, groups: Int32Array, held: Int32Array): void {
    if (!groups.some((g) => this.groupGrants.has(g))) return;
    const inherited = new Map<string, GroupGrantKind>();
    for (const g of groups) for (const grant of this.groupGrants.get(g) ?? []) inherited.set(grantKey(grant.kind, grant.targetId, grant.scope), grant.kind);
    const key = this.ids.keyOfSlot(slot);
    for (const r of this.directGrantsOf.iterate(key.type, key.id) as Iterable<{ relation: string; target_type: string; target_id: string; scope: string }>) {
      const kind = accessKind(r.relation, r.target_type);
      if (kind) inherited.delete(grantKey(kind, r.target_id, r.scope));
    }
    for (const kind of inherited.values()) held[slot * (K + 1) + KIND_AT.get(kind)!]!++;
  }

  holdings(slot: number): Holdings {
    const base = slot * (K + 1);
    const h = { total: this.held[base + K]! } as Holdings;
    ACCESS_KINDS.forEach((k, i) => (h[k] = this.held[base + i]!));
    return h;
  }

  total(slot: number): number {
    return this.held[slot * (K + 1) + K]!;
  }

  /** Access held by kind, summed over every identity. */
  totals(): Record<AccessKind, number> {
    const out = Object.fromEntries(ACCESS_KINDS.map((k) => [k, 0])) as Record<AccessKind, number>;
    for (let s = 0; s < this.ids.slots; s++) ACCESS_KINDS.forEach((k, i) => (out[k] += this.held[s * (K + 1) + i]!));
    return out;
  }
}

/** Pairs of integers in two growing typed arrays: a million memberships without a million small arrays. */
class PairList {
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  length = 0;

  push(x: number, y: number): void {
    if (this.length === this.a.length) {
      const a = new Int32Array(this.a.length * 2);
      a.set(this.a);
      this.a = a;
      const b = new Int32Array(this.b.length * 2);
      b.set(this.b);
      this.b = b;
    }
    this.a[this.length] = x;
    this.b[this.length++] = y;
  }
}
