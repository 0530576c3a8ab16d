import type { MappedItem } from './connector.js';
import {
  childIds,
  markAnchorRelationsDeleted,
  markEntityDeleted,
  markObjectRelationsDeleted,
  markRelationDeleted,
  readLiveRelation,
  upsertEntity,
  upsertRelation,
  type ChangeStamp,
  type Db,
  type RelationKey,
  type RelationScope,
} from '../store/index.js';
import type { CollectionMode } from '../store/runs.js';

export interface PageCounts {
  upserts: number;
  deletions: number;
  links_upserted: number;
  links_deleted: number;
}

export interface ApplyContext {
  runId: number;
  mode: CollectionMode;
  at: string;
  /**
   * The step has never completed a round: its rows are all new, and its new links are recorded by
   * the run's baseline rows (recordBaseline) rather than one by one.
   */
  fresh?: boolean;
  /** The run that started the round (links written since then belong to it: see LinkChange.accumulate). */
  roundStart?: number;
  /** Link sets holding at most one live link per anchor. */
  singleValued?: readonly RelationScope[];
  /** Per entity type, keys of `data` other collections write (enrich), kept by full writes. */
  keep?: ReadonlyMap<string, readonly string[]>;
  /**
   * What the step declared it writes: an object of another type, or a link of another set, is a
   * mistake in the connector and fails the collection instead of writing into another's rows.
   */
  owns?: { entityTypes: readonly string[]; relationScopes: readonly RelationScope[] };
}

/**
 * Writes one page's mapped objects and link changes. Runs inside the caller's transaction;
 * idempotent, so a replayed change or a page read twice (after a crash) leaves the same state.
 *
 * Deletion follows Graph's documented semantics (https://learn.microsoft.com/graph/delta-query-groups:
 * "Users that have been temporary deleted keep their group memberships and won't appear in the
 * delta result until they're permanently deleted"): `@removed` reason `changed` (soft delete) marks
 * only the object, whose links stay and come back to life with it on restore; reason `deleted`
 * (permanent) takes the object's links on both sides, in every collection.
 */
export function applyItems(db: Db, items: Iterable<MappedItem>, ctx: ApplyContext): PageCounts {
  const counts: PageCounts = { upserts: 0, deletions: 0, links_upserted: 0, links_deleted: 0 };
  const stamp: ChangeStamp = { runId: ctx.runId, at: ctx.at };
  const single = new Set<RelationScope>(ctx.singleValued ?? []);
  // A first round and delta rounds bring mostly new links; a later full round mostly known ones.
  // A first round's new links are covered by its baseline rows.
  const hints = { expectNew: ctx.fresh === true || ctx.mode === 'delta', baseline: ctx.fresh === true && ctx.mode === 'full' };
  const ownTypes = ctx.owns ? new Set(ctx.owns.entityTypes) : undefined;
  const ownScopes = ctx.owns ? new Set(ctx.owns.relationScopes) : undefined;
  for (const item of items) {
    if (ownTypes && (item.removed !== undefined || item.data !== undefined) && !ownTypes.has(item.entityType)) {
      throw new Error(`the step writes ${item.entityType} objects, which it did not declare`);
    }
    if (ownTypes && item.children && !ownTypes.has(item.children.entityType)) {
      throw new Error(`the step writes ${item.children.entityType} children, which it did not declare`);
    }
    if (ownScopes) {
      for (const link of item.links) {
        if (!ownScopes.has(link.scope)) throw new Error(`the step writes ${link.scope.relation} links, which it did not declare`);
      }
    }
    if (item.removed !== undefined) {
      // Only reason `deleted` is permanent; anything else (changed, or a reason this version does
      // not know) keeps the links: losing access data on a guess is worse than keeping a link
      // that effective_relations already leaves out.
      const kind = item.removed === 'deleted' ? 'permanent' : 'soft';
      counts.deletions += removeEntity(db, item.entityType, item.id, kind, stamp, counts);
      // The object's children go with it, the same way.
      if (item.children) {
        for (const child of childIds(db, item.children.entityType, item.id)) {
          counts.deletions += removeEntity(db, item.children.entityType, child, kind, stamp, counts);
        }
      }
    } else if (item.data !== undefined) {
      // A delta round carries the changed properties (a cleared one as null); a full round the whole object.
      const keep = ctx.keep?.get(item.entityType);
      if (upsertEntity(db, { entityType: item.entityType, id: item.id, data: item.data, merge: ctx.mode === 'delta', keep, displayName: item.displayName }, stamp, ctx.fresh === true)) {
        counts.upserts++;
      }
      if (item.children) {
        // The object arrived with its whole set of children: any other stored child is gone.
        const now = new Set(item.children.ids);
        for (const child of childIds(db, item.children.entityType, item.id)) {
          if (!now.has(child)) counts.deletions += removeEntity(db, item.children.entityType, child, 'permanent', stamp, counts);
        }
      }
    }
    for (const link of item.links) {
      if (link.removed) {
        counts.links_deleted += markRelationDeleted(db, link.scope, link.anchorId, link.otherId, stamp);
        continue;
      }
      const otherType = link.otherType ?? 'directoryObject';
      const anchorIsSource = link.scope.anchor === 'source';
      const key: RelationKey = {
        relation: link.scope.relation,
        sourceType: anchorIsSource ? link.scope.anchorType : otherType,
        sourceId: anchorIsSource ? link.anchorId : link.otherId,
        targetType: anchorIsSource ? otherType : link.scope.anchorType,
        targetId: anchorIsSource ? link.otherId : link.anchorId,
        scope: link.scopeValue ?? '',
      };
      let data = link.data;
      if (link.accumulate && data !== undefined) {
        // Written earlier in this round (an earlier page, or an earlier run of a resumed round): add to it.
        const written = readLiveRelation(db, key);
        if (written?.data && (written.last_seen_run ?? 0) >= (ctx.roundStart ?? ctx.runId)) {
          data = link.accumulate(JSON.parse(written.data) as Record<string, unknown>, data);
        }
      }
      if (upsertRelation(db, key, data, stamp, hints)) counts.links_upserted++;
      if (single.has(link.scope)) {
        counts.links_deleted += markAnchorRelationsDeleted(db, link.scope, link.anchorId, stamp, link.otherId);
      }
    }
  }
  return counts;
}

/** Marks one object removed; a permanent removal takes its links on both sides. Returns 1 when the row changed. */
function removeEntity(db: Db, entityType: string, id: string, kind: 'soft' | 'permanent', stamp: ChangeStamp, counts: PageCounts): number {
  const changed = markEntityDeleted(db, entityType, id, kind, stamp);
  if (kind === 'permanent') counts.links_deleted += markObjectRelationsDeleted(db, entityType, id, stamp);
  return changed ? 1 : 0;
}
