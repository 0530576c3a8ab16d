/** Types of the simulated directory. Records are replaced, never mutated, on update, so a round can keep a reference. */
export type DirType = 'user' | 'group' | 'servicePrincipal' | 'device';
export type MemberType = DirType;
export type OwnerType = 'user' | 'servicePrincipal';
export type ObjState = 'live' | 'soft';
export type Props = Readonly<Record<string, unknown>>;

export interface UserRec {
  readonly id: string;
  /** Selected properties; a cleared property is null (Graph sends null), a never-set one is absent. */
  readonly props: Props;
  /** Stored manager id; it counts only while both users are live (see Tenant.effectiveManager). */
  manager: string | null;
  state: ObjState;
}

export interface GroupRec {
  readonly id: string;
  readonly props: Props;
  /** Stored links; a link counts only while both ends are live. */
  members: Set<string>;
  owners: Set<string>;
  state: ObjState;
}

/** Service principals and devices: plain objects that groups can contain. */
export interface PlainRec {
  readonly id: string;
  readonly type: 'servicePrincipal' | 'device';
  readonly displayName: string;
}

export type ObjectOp = 'created' | 'updated' | 'softDeleted' | 'hardDeleted' | 'restored';

/** One entry of the change log; its sequence number is its index + 1. */
export type Change =
  | { kind: 'object'; objType: 'user' | 'group'; id: string; op: ObjectOp; props?: readonly string[] }
  | { kind: 'member' | 'owner'; groupId: string; id: string; op: 'added' | 'removed' }
  /**
   * The stored manager of userId changed (set, cleared, or the manager was permanently deleted);
   * `old` is the stored manager before. Soft delete and restore of either user log nothing.
   */
  | { kind: 'manager'; userId: string; old: string | null };

export interface TruthEntity {
  type: 'user' | 'group';
  id: string;
  displayName: string | null;
}

export interface TruthRelation {
  relation: 'memberOf' | 'ownerOf' | 'reportsTo';
  sourceType: DirType;
  sourceId: string;
  targetType: 'group' | 'user';
  targetId: string;
}

export interface TruthObjectRef {
  type: 'user' | 'group';
  id: string;
}

export interface Truth {
  /** Live users and groups. */
  entities: TruthEntity[];
  /** Effective links: both ends live. This is what grants access. */
  relations: TruthRelation[];
  /** Soft-deleted users and groups (in directory/deletedItems, restorable). */
  softDeleted: TruthObjectRef[];
  /**
   * Every stored link; both its ends exist (live or soft-deleted), since a permanent delete removes
   * the object's links. A superset of `relations`: what a client that keeps a soft-deleted object's
   * links, as Graph does (https://learn.microsoft.com/graph/delta-query-groups), holds as live rows.
   *
   * Two limits of what a client can know, both Graph's: a link whose carrier (the group of a
   * memberOf/ownerOf, the user of a reportsTo) is soft-deleted may be stale on the client, because a
   * removed object is reported without its links; and a link to an object that was already
   * soft-deleted when the client ran its full round is not in that round (full rounds list live
   * members only) nor reported on restore. Compare exactly the links whose carrier is not in
   * `softDeleted`, for clients whose full round saw no soft-deleted object.
   */
  storedRelations: TruthRelation[];
}
