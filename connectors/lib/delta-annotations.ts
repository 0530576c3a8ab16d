import type { LinkChange, GraphObject } from '../../src/pull/connector.js';
import type { RelationScope } from '../../src/store/relations.js';
import { graphTypeName } from './graph-type.js';

/** The removal reason of an `@removed` annotation, or undefined when the object is live. */
export function removedReason(obj: GraphObject): string | undefined {
  const removed = obj['@removed'];
  if (removed === undefined || removed === null) return undefined;
  const reason = (removed as { reason?: unknown }).reason;
  return typeof reason === 'string' ? reason : 'unknown';
}

/** The object's own properties: every `@odata.*`, `@removed` and `<nav>@delta` annotation removed. */
export function ownProperties(obj: GraphObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k.includes('@')) continue;
    out[k] = v;
  }
  return out;
}

/**
 * Reads a `<nav>@delta` array (members@delta, owners@delta, manager@delta) into link changes.
 * Each element holds `@odata.type` and `id`; a removed link has `@removed` whether the link was
 * removed or the other object was deleted.
 * https://learn.microsoft.com/graph/delta-query-groups#members-of-a-group
 */
export function deltaLinks(
  obj: GraphObject,
  property: string,
  scope: RelationScope,
  anchorId: string,
  defaultType?: string,
): LinkChange[] {
  const raw = obj[`${property}@delta`];
  if (!Array.isArray(raw)) return [];
  const out: LinkChange[] = [];
  for (const el of raw as GraphObject[]) {
    if (typeof el?.id !== 'string') continue;
    out.push({
      scope,
      anchorId,
      otherId: el.id,
      otherType: graphTypeName(el['@odata.type']) ?? defaultType,
      removed: removedReason(el) !== undefined,
    });
  }
  return out;
}
