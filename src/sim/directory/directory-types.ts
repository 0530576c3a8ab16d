import type { Props } from '../tenant/tenant-types.js';

/** Types of the simulated apps-and-roles directory (service principals, apps, roles, units, grants, SKUs). */

export type ObjState = 'live' | 'soft';

/** A directory object type that can hold access (a principal) or be a member of a role or unit. */
export type PrincipalType = 'user' | 'group' | 'servicePrincipal' | 'device';

/**
 * One object of a change-tracked collection (service principals, applications, directory roles,
 * administrative units). `props` is a frozen bag replaced on every update, so a delta round can keep
 * a reference; a cleared property is null (Graph sends null), never absent. `links` holds the owners
 * (service principals, applications) or the members (roles, units), stored whatever their state:
 * a link counts only while both ends are live.
 */
export interface TrackedRec {
  readonly id: string;
  props: Props;
  state: ObjState;
  readonly links: Set<string>;
}

/**
 * An app role assignment, kept small: the benchmark tenant holds 200,000 of them. Display names and
 * the principal type are looked up when served.
 */
export interface AppRoleAssignmentRec {
  /** Opaque, 43 characters of base64url like Graph's (the principal's id bytes + 16 more). */
  readonly id: string;
  readonly appRoleId: string;
  /** Seconds since the epoch. */
  readonly createdAt: number;
  readonly principalId: string;
  readonly resourceId: string;
}

/** An oAuth2PermissionGrant (delegated permission grant). Replaced, never mutated, when its scope changes. */
export interface GrantRec {
  readonly id: string;
  readonly clientId: string;
  readonly consentType: 'AllPrincipals' | 'Principal';
  /** null for AllPrincipals. */
  readonly principalId: string | null;
  readonly resourceId: string;
  /** Space-separated delegated permission values, e.g. "openid profile User.Read". */
  readonly scope: string;
}

/** A unifiedRoleDefinition: id, then every served property in `props`. */
export interface RoleDefinitionRec {
  readonly id: string;
  readonly props: Props;
}

/** A unifiedRoleAssignment. */
export interface RoleAssignmentRec {
  readonly id: string;
  readonly principalId: string;
  readonly roleDefinitionId: string;
  /** '/' (tenant), '/administrativeUnits/<id>' or '/<application object id>'. */
  readonly directoryScopeId: string;
  readonly appScopeId: string | null;
}

export type DirectoryEntityType =
  | 'directoryRole' | 'roleDefinition' | 'administrativeUnit' | 'servicePrincipal' | 'application' | 'appRole' | 'subscribedSku';

export interface DirectoryTruthEntity {
  type: DirectoryEntityType;
  id: string;
  displayName: string | null;
  /** The object's properties as served (credentials without secretText, hint and key; roles and units without members). */
  data: Record<string, unknown>;
}

export type DirectoryRelationName = 'memberOf' | 'hasRole' | 'appRoleOf' | 'hasAppRole' | 'ownerOf' | 'delegatedGrant';

export interface DirectoryTruthRelation {
  relation: DirectoryRelationName;
  sourceType: string;
  sourceId: string;
  targetType: string;
  targetId: string;
  /** directoryScopeId for hasRole, '' otherwise. */
  scope: string;
  data: unknown;
}

export interface DirectoryTruth {
  /** Live objects only. */
  entities: DirectoryTruthEntity[];
  /** Effective relations only: both ends live. */
  relations: DirectoryTruthRelation[];
  /** Soft-deleted service principals, applications and administrative units. */
  softDeleted: { type: DirectoryEntityType; id: string }[];
}
