/** Types of the simulated directory. Records are replaced, never mutated, on update, so a round can keep a reference. */
export type DirType = 'user' | 'group' | 'servicePrincipal' | 'device';
export type MemberType = DirType;
export type OwnerType = 'user' | 'servicePrincipal';
export type ObjState = 'live' | 'soft';
export type Props = Readonly<Record<string, unknown>>;

export interface UserRec {
  readonly id: string;
  readonly props: Props;
  /** Stored manager id; it counts only while that manager is live (see Tenant.effectiveManager). */
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
  /** The effective manager of userId changed; `old` is the effective manager before. */
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

export interface Truth {
  entities: TruthEntity[];
  relations: TruthRelation[];
}
