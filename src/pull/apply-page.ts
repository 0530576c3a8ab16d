import type { Connector, GraphObject } from './connector.js';
import {
  markAnchorRelationsDeleted,
  markEntityDeleted,
  markRelationDeleted,
  upsertEntity,
  upsertRelation,
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
 */
export function applyPage(
  db: Db,
  connector: Connector,
  objects: readonly GraphObject[],
  ctx: { runId: number; mode: CollectionMode; at: string },
): PageCounts {
  const counts: PageCounts = { upserts: 0, deletions: 0, links_upserted: 0, links_deleted: 0 };
  const single = new Set<RelationScope>(connector.singleValued ?? []);
  for (const obj of objects) {
    if (typeof obj.id !== 'string') continue;
    for (const item of connector.map(obj)) {
      if (item.removed !== undefined) {
        if (markEntityDeleted(db, item.entityType, item.id, ctx.at, ctx.runId)) counts.deletions++;
        // A removed object takes its own links with it (a deleted group's members and owners).
        for (const scope of connector.relationScopes) {
          if (scope.anchorType === item.entityType) counts.links_deleted += markAnchorRelationsDeleted(db, scope, item.id, ctx.at);
        }
      } else if (item.data !== undefined) {
        // A delta round may carry only some properties; a full round carries the whole object.
        if (upsertEntity(db, { entityType: item.entityType, id: item.id, data: item.data, runId: ctx.runId, merge: ctx.mode === 'delta' })) {
          counts.upserts++;
        }
      }
      for (const link of item.links) {
        if (link.removed) {
          counts.links_deleted += markRelationDeleted(db, link.scope, link.anchorId, link.otherId, ctx.at);
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
          ctx.runId,
          link.data,
        );
        if (written) counts.links_upserted++;
        if (single.has(link.scope)) {
          counts.links_deleted += markAnchorRelationsDeleted(db, link.scope, link.anchorId, ctx.at, link.otherId);
        }
      }
    }
  }
  return counts;
}
