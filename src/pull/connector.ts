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
  /**
   * A link that several objects of one round describe together (one delegatedGrant row per client
   * and resource, listing every grant of the pair, which Graph may spread over pages): combines the
   * data already written in this round with this object's part.
   */
  accumulate?: (written: Record<string, unknown>, next: Record<string, unknown>) => Record<string, unknown>;
}

/** What one Graph object means for the store. */
export interface MappedItem {
  entityType: string;
  id: string;
  /** Set when Graph reported the object removed (`@removed`): 'changed' = soft-deleted, 'deleted' = permanently. */
  removed?: string;
  /** The object's own properties, annotations stripped (absent when removed). */
  data?: Record<string, unknown>;
  /** The display name, when it is not the object's `displayName` property. */
  displayName?: string | null;
  links: LinkChange[];
  /**
   * Entities that live inside this object (a service principal's app roles, ids `<id>/<child id>`):
   * when the object arrives, `ids` is its whole set of them and any other stored child is gone; when
   * it is removed, its children go with it, the same way (`ids` is then empty).
   */
  children?: { entityType: string; ids: readonly string[] };
}

/** An application permission and the others that also give what it gives. */
export interface PermissionNeed {
  permission: string;
  alsoAccepted: readonly string[];
}

/** What a connector may know about the run when it builds its requests. */
export interface ConnectorContext {
  /** Application permissions in the access token's `roles` claim. */
  grantedRoles: ReadonlySet<string>;
  /** The tenant GUID (the token's `tid`), when known. */
  tenantId?: string;
  /** When the run started (epoch ms): the end of an events window. Default: now. */
  runStartedAt?: number;
  /** signIns: how far back the first window reaches (days, default 7, at most 30). */
  signInsDays?: number;
  /** signIns: how far each later window reaches back over the watermark (ms, default 60 minutes). */
  signInsOverlapMs?: number;
}

/** What a step is the authority for: a complete listing tombstones the rows of these it did not see. */
interface StepBase {
  /** Names the step's saved state: `<collection>:<name>`; the first step's state is the collection's own. */
  name: string;
  /** Entity types this step is the authority for. */
  entityTypes: readonly string[];
  /** Link sets this step is the authority for. */
  relationScopes: readonly RelationScope[];
  /** Link sets holding at most one live link per anchor (a user's manager): a new one replaces the old. */
  singleValued?: readonly RelationScope[];
}

/**
 * A delta function: the first round lists everything (then tombstones what it did not see), later
 * rounds follow the saved deltaLink and bring only changes.
 */
export interface DeltaStep extends StepBase {
  kind: 'delta';
  /** The first request of a full round, relative to the Graph root and version, with its query. */
  url(ctx: ConnectorContext): string;
  /** Maps one Graph object; pure. */
  map(obj: GraphObject): MappedItem[];
  /**
   * How a full round reads the collection without the delta page chain: a baseline deltaLink
   * (`$deltatoken=latest`), then plain listings in parallel (src/pull/runners/listing-runner.ts).
   * Without it, or when Graph refuses the listing, a full round follows the delta chain.
   */
  listing?: Listing;
}

/**
 * A full round by plain listing: the objects (`$select`, `$top=999`), then each object's
 * relationship sub-collections through JSON `$batch`. Listings are cheap in Graph's resource units
 * and run side by side, where a delta round is a chain in which each page's link comes from the
 * page before (https://learn.microsoft.com/graph/throttling-limits#identity-and-access-service-limits).
 */
export interface Listing {
  /** The objects' first request, relative to the version root. */
  objects(ctx: ConnectorContext): string;
  /** Maps one listed object (a whole object, its relationship sub-collections not included); pure. */
  map(obj: GraphObject): MappedItem[];
  /** The type of the listed objects whose sub-collections are read (live rows this round has seen). */
  parentType: string;
  /** Each listed object's relationship sub-collections (members, owners). */
  links: readonly ListingLinks[];
}

/** One relationship sub-collection of every listed object (a group's members). */
export interface ListingLinks {
  /** Names the sub-collection in messages and batch keys. */
  name: string;
  /** The link set the sub-collection fills (one of the step's relationScopes). */
  scope: RelationScope;
  /** The first request for one object, relative to the version root. */
  url(parentId: string): string;
  /** Maps one item of the sub-collection (`@odata.type` and `id`) to the parent's link; pure. */
  map(obj: GraphObject, parentId: string): MappedItem[];
  /**
   * Graph answers at most this many items without paging (directoryRole members: 1,000): a page this
   * full without a nextLink may be cut short, so it cannot prove the listing complete.
   */
  unpagedCap?: number;
}

/** A full listing every run: what a complete listing did not return is tombstoned; an incomplete one tombstones nothing. */
export interface ListStep extends StepBase {
  kind: 'list';
  url(ctx: ConnectorContext): string;
  map(obj: GraphObject): MappedItem[];
}

/** The links of one parent a 404 (the parent deleted meanwhile) takes away. */
export interface ParentLinks {
  relation: string;
  targetType: string;
  /** Exactly this target, or every target whose id starts with `targetIdPrefix`. */
  targetId?: string;
  targetIdPrefix?: string;
}

/**
 * One sub-collection per stored parent (`/servicePrincipals/{id}/owners` for every live service
 * principal), read through JSON `$batch`; a full listing each run.
 */
export interface FanOutStep extends StepBase {
  kind: 'fanOut';
  /** The stored entities whose sub-collection is read (live ones, in id order). */
  parentType: string;
  /** The sub-collection's first request for one parent, relative to the version root. */
  url(parentId: string, ctx: ConnectorContext): string;
  map(obj: GraphObject, parentId: string): MappedItem[];
  /** What a parent that answers 404 loses. */
  parentLinks(parentId: string): ParentLinks;
}

/** A stored entity's row, as a derive step reads it. */
export interface StoredEntity {
  id: string;
  data: Record<string, unknown>;
}

/**
 * Links computed from what another collection stored (licensedWith from users' assignedLicenses); a
 * full listing each run. Reads the live rows of `sourceType` in id order.
 */
export interface DeriveStep extends StepBase {
  kind: 'derive';
  sourceType: string;
  /** The properties of the stored rows `derive` reads (only these are in `row.data`). */
  sourceFields: readonly string[];
  derive(row: StoredEntity, ctx: ConnectorContext): MappedItem[];
}

/**
 * Append-only events in a table of their own, read in windows of a time property: no tombstones; the
 * watermark moves only when a window is complete; each window reaches back over the last one, and
 * rows are de-duplicated on their id, because events arrive late.
 */
export interface EventsStep extends StepBase {
  kind: 'events';
  /** The table rows go to (INSERT OR IGNORE on its primary key). */
  table: string;
  /** The first request of the window [from, to] (ISO-8601 UTC). */
  url(from: string, to: string): string;
  /** One event's row: column name → value. */
  row(obj: GraphObject): Record<string, string | number | null>;
  /** Where the first window starts (ms before its end). */
  firstWindowMs(ctx: ConnectorContext): number;
  /** How far each later window reaches back over the watermark (ms). */
  overlapMs(ctx: ConnectorContext): number;
}

/**
 * Fields of rows another collection owns (users' signInActivity): never creates, revives or
 * tombstones a row. The value lives under its own key of `data`, which the owner's rounds keep and
 * do not record as the owner's changes.
 */
export interface EnrichStep extends StepBase {
  kind: 'enrich';
  url(ctx: ConnectorContext): string;
  entityType: string;
  /** The key of `data` this step writes. */
  key: string;
  /** The owner's id and the value for one Graph object, or undefined to skip it. */
  value(obj: GraphObject): { id: string; value: unknown } | undefined;
}

export type Step = DeltaStep | ListStep | FanOutStep | DeriveStep | EventsStep | EnrichStep;

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
  /**
   * Permissions needed as well, each with the others that also work (signInActivity lists users, so
   * it needs User.Read.All beside AuditLog.Read.All).
   */
  requiresAlso?: readonly PermissionNeed[];
  /** Permissions that widen what is read; without one the collection still works, with less (a warning). */
  optional?: readonly (PermissionNeed & { widens: string })[];
  /** For people: how changes are followed (delta, a full list every run, or a time watermark). */
  changeTracking: 'delta' | 'list' | 'watermark';
  /** The Graph source, for the README and `check`. */
  source: string;
  /**
   * Collections whose round must end first when they are pulled in the same run (license links are
   * derived from the stored users). They come earlier in pull order. If one fails, this one fails
   * without running and tombstones nothing; if one is skipped or stopped, so is this one.
   */
  dependsOn?: readonly string[];
  /** Run in order; the collection succeeds when every step completed. */
  steps: readonly Step[];
}

/** The saved-state key of a step: the collection's own name for the first, `<collection>:<step>` after. */
export function stepKey(connector: Connector, index: number): string {
  return index === 0 ? connector.name : `${connector.name}:${connector.steps[index]!.name}`;
}

/** Every entity type a collection writes (its steps'). */
export function connectorEntityTypes(connector: Connector): string[] {
  return [...new Set(connector.steps.flatMap((s) => s.entityTypes))];
}

/** Every link set a collection writes (its steps'). */
export function connectorRelationScopes(connector: Connector): RelationScope[] {
  return connector.steps.flatMap((s) => s.relationScopes);
}
