import type { GraphObject, LinkChange, MappedItem } from '../../src/pull/connector.js';
import { ownProperties, removedReason } from './delta-annotations.js';

/**
 * The usual mapping of an object from a delta (or list) page: `@removed` → a removal, anything else →
 * the object's own properties plus the link changes `links(id)` reads from its annotations.
 */
export function mapDeltaObject(obj: GraphObject, entityType: string, links: (id: string) => LinkChange[] = () => []): MappedItem[] {
  const id = obj.id as string;
  const reason = removedReason(obj);
  if (reason !== undefined) return [{ entityType, id, removed: reason, links: [] }];
  return [{ entityType, id, data: ownProperties(obj), links: links(id) }];
}
