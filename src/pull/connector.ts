import type { RelationScope } from '../store/relations.js';

/** A Graph object as it arrives in a page's `value`. */
export type GraphObject = Record<string, unknown> & { id?: string };

/** One link change a Graph object carries (e.g. one entry of `members@delta`). */
export interface LinkChange {
  scope: RelationScope;
  /** Id of the object that carried the link (the group for members, the user for manager). */
  anchorId: string;
  /** Type and id of the other side. The type may be unknown on a removal. */
  otherType?: string;
  otherId: string;
  removed: boolean;
  /** The `scope` column (hasRole's directoryScopeId); '' when not scoped. */
  scopeValue?: string;
  data?: Record<string, unknown>;
}

/** What one Graph object means for the store. */
export interface MappedItem {
  entityType: string;
  id: string;
  /** Set when Graph reported the object removed (`@removed`): 'changed' = soft-deleted, 'deleted' = permanently. */
  removed?: string;
  /** The object's own properties, annotations stripped (absent when removed). */
  data?: Record<string, unknown>;
  links: LinkChange[];
}

/** What a connector may know about the run when it builds its request. */
export interface ConnectorContext {
  /** Application permissions in the access token's `roles` claim. */
  grantedRoles: ReadonlySet<string>;
}

/**
 * A collection, declared: where it comes from in Graph, what it needs, what it owns in the store,
 * and how one Graph object maps to entities and relations. HTTP lives in the transport and all
 * writing in the engine (src/pull), so adding a collection means adding one file under connectors/.
 */
export interface Connector {
  name: string;
  description: string;
  /** Least-privileged application permission, and the others that also work. */
  permission: string;
  alsoAccepted: readonly string[];
  /** delta: the first round is full, later rounds follow the saved deltaLink. list: every run is a full round. */
  changeTracking: 'delta' | 'list';
  /** Entity types this collection is the authority for (a full round tombstones the unseen ones). */
  entityTypes: readonly string[];
  /** Link sets this collection is the authority for. */
  relationScopes: readonly RelationScope[];
  /**
   * Collections whose round must end first when they are pulled in the same run (license links are
   * derived from the stored users). They come earlier in pull order. If one fails, this one fails
   * without running and tombstones nothing; if one is skipped or stopped, so is this one.
   */
  dependsOn?: readonly string[];
  /** Link sets holding at most one live link per anchor (a user's manager): a new one replaces the old. */
  singleValued?: readonly RelationScope[];
  /** The first request of a full round, relative to the Graph root and version, with its query. */
  firstUrl(ctx: ConnectorContext): string;
  /** Maps one Graph object; pure. */
  map(obj: GraphObject): MappedItem[];
}
