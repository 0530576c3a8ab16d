import type { FanOutStep } from '../../src/pull/connector.js';
import type { RelationScope } from '../../src/store/relations.js';
import { graphTypeName } from './graph-type.js';

/**
 * The owners of every stored object of `parentType` (service principals, applications), one
 * `/<path>/{id}/owners` request each through $batch: their delta functions do not document owner
 * tracking. https://learn.microsoft.com/graph/api/serviceprincipal-list-owners
 */
export function ownersStep(parentType: 'servicePrincipal' | 'application', path: string): FanOutStep {
  const ownerOf: RelationScope = { relation: 'ownerOf', anchor: 'target', anchorType: parentType };
  return {
    kind: 'fanOut',
    name: 'owners',
    parentType,
    entityTypes: [],
    relationScopes: [ownerOf],
    url: (id) => `/${path}/${id}/owners?$select=id`,
    map: (obj, parentId) => [{
      entityType: parentType,
      id: parentId,
      links: [{ scope: ownerOf, anchorId: parentId, otherId: obj.id as string, otherType: graphTypeName(obj['@odata.type']), removed: false }],
    }],
    parentLinks: (id) => ({ relation: 'ownerOf', targetType: parentType, targetId: id }),
  };
}
