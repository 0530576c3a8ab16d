import type { GraphObject, LinkChange, ListingLinks, MappedItem } from '../../src/pull/connector.js';
import type { RelationScope } from '../../src/store/relations.js';
import { ownProperties } from './delta-annotations.js';
import { graphTypeName } from './graph-type.js';

/**
 * A listed object: its own properties (annotations and the `expanded` navigation properties left
 * out, so the row holds what a delta round writes) and the links `links(id)` reads from it.
 */
export function mapListedObject(obj: GraphObject, entityType: string, expanded: readonly string[] = [], links: (id: string) => LinkChange[] = () => []): MappedItem[] {
  const id = obj.id as string;
  const data = ownProperties(obj);
  for (const key of expanded) delete data[key];
  return [{ entityType, id, data, links: links(id) }];
}

/**
 * One relationship sub-collection of every listed object (`/groups/{id}/members?$select=id`): each
 * item is a directoryObject whose `@odata.type` names its type (OData JSON format: the annotation is
 * sent when the type is derived from the declared one, http://docs.oasis-open.org/odata/odata-json-format/v4.01/odata-json-format-v4.01.html#sec_ControlInformationtypeodatatype).
 */
export function linkListing(o: {
  name: string;
  scope: RelationScope;
  url: (parentId: string) => string;
  unpagedCap?: number;
}): ListingLinks {
  return {
    ...o,
    map: (obj, parentId) => [{
      entityType: o.scope.anchorType,
      id: parentId,
      links: [{ scope: o.scope, anchorId: parentId, otherId: obj.id as string, otherType: graphTypeName(obj['@odata.type']), removed: false }],
    }],
  };
}
