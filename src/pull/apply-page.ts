import type { Connector, GraphObject } from './connector.js';
import {
  markAnchorRelationsDeleted,
  markEntityDeleted,
  markObjectRelationsDeleted,
  markRelationDeleted,
  upsertEntity,
  upsertRelation,
  type ChangeStamp,
  type Db,
  type RelationScope,
} from '../store/index.js';
import type { CollectionMode } from '../store/runs.js';

export interface PageCounts {
  upserts: number;
  deletions: number;
  links_upserted: number;
  links_deleted: number;
}

/**
 * Writes one page's objects and link changes. Runs inside the caller's transaction; idempotent, so
 * a replayed change or a page read twice (after a crash) leaves the same state.
 *
 * Deletion follows Graph's documented semantics (https://learn.microsoft.com/graph/delta-query-groups:
 * "Users that have been temporary deleted keep their group memberships and won't appear in the
 * delta result until they're permanently deleted"): `@removed` reason `changed` (soft delete) marks
 * only the object, whose links stay and come back to life with it on restore; reason `deleted`
 * (permanent) takes the object's links on both sides, in every collection.
 */
export function applyPage(
  db: Db,
  connector: Connector,
  objects: readonly GraphObject[],
  ctx: {
    runId: number;
    mode: CollectionMode;
    at: string;
    /**
     * The collection has never completed a round: its rows are all new, and its new links are
     * recorded by the run's baseline rows (recordBaseline) rather than one by one.
     */
    fresh?: boolean;
  },
): PageCounts {
  const counts: PageCounts = { upserts: 0, deletions: 0, links_upserted: 0, links_deleted: 0 };
  const stamp: ChangeStamp = { runId: ctx.runId, at: ctx.at };
  const single = new Set<RelationScope>(connector.singleValued ?? []);
  // A first round and delta rounds bring mostly new links; a later full round mostly known ones.
  // A first round's new links are covered by its baseline rows.
  const hints = { expectNew: ctx.fresh === true || ctx.mode === 'delta', baseline: ctx.fresh === true && ctx.mode === 'full' };
  for (const obj of objects) {
    if (typeof obj.id !== 'string') continue;
    for (const item of connector.map(obj)) {
      if (item.removed !== undefined) {
        // Only reason `deleted` is permanent; anything else (changed, or a reason this version does
        // not know) keeps the links: losing access data on a guess is worse than keeping a link
        // that effective_relations already leaves out.
        const permanent = item.removed === 'deleted';
        if (markEntityDeleted(db, item.entityType, item.id, permanent ? 'permanent' : 'soft', stamp)) counts.deletions++;
        if (permanent) counts.links_deleted += markObjectRelationsDeleted(db, item.entityType, item.id, stamp);
      } else if (item.data !== undefined) {
        // A delta round carries the changed properties (a cleared one as null); a full round the whole object.
        if (upsertEntity(db, { entityType: item.entityType, id: item.id, data: item.data, merge: ctx.mode === 'delta' }, stamp, ctx.fresh === true)) {
          counts.upserts++;
        }
      }
      for (const link of item.links) {
        if (link.removed) {
          counts.links_deleted += markRelationDeleted(db, link.scope, link.anchorId, link.otherId, stamp);
          continue;
        }
        const otherType = link.otherType ?? 'directoryObject';
        const anchorIsSource = link.scope.anchor === 'source';
        const written = upsertRelation(
          db,
          {
            relation: link.scope.relation,
            sourceType: anchorIsSource ? link.scope.anchorType : otherType,
            sourceId: anchorIsSource ? link.anchorId : link.otherId,
            targetType: anchorIsSource ? otherType : link.scope.anchorType,
            targetId: anchorIsSource ? link.otherId : link.anchorId,
            scope: link.scopeValue ?? '',
          },
          link.data,
          stamp,
          hints,
        );
        if (written) counts.links_upserted++;
        if (single.has(link.scope)) {
          counts.links_deleted += markAnchorRelationsDeleted(db, link.scope, link.anchorId, stamp, link.otherId);
        }
      }
    }
  }
  return counts;
}
