import type { Connector } from '../src/pull/connector.js';
import type { RelationScope } from '../src/store/relations.js';
import { deltaLinks } from './lib/delta-annotations.js';
import { mapDeltaObject } from './lib/map-delta-object.js';
import { linkListing, mapListedObject } from './lib/listing.js';

const memberOf: RelationScope = { relation: 'memberOf', anchor: 'target', anchorType: 'directoryRole' };

/**
 * Activated directory roles and their members (users, role-assignable groups, service principals).
 * `$select=members` makes delta track membership as members@delta.
 * https://learn.microsoft.com/graph/api/directoryrole-delta
 */
const PROPERTIES = 'id,displayName,description,roleTemplateId';

export const directoryRoles: Connector = {
  name: 'directoryRoles',
  description: 'Activated directory roles (Global Administrator, ...) with their members',
  permission: 'RoleManagement.Read.Directory',
  alsoAccepted: ['RoleManagement.Read.All', 'RoleManagement.ReadWrite.Directory', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  changeTracking: 'delta',
  source: '/directoryRoles/delta (members)',
  steps: [{
    kind: 'delta',
    name: 'directoryRoles',
    entityTypes: ['directoryRole'],
    relationScopes: [memberOf],
    url: () => `/directoryRoles/delta?$select=${PROPERTIES},members`,
    map: (obj) => mapDeltaObject(obj, 'directoryRole', (id) => deltaLinks(obj, 'members', memberOf, id)),
    listing: {
      // Neither the roles nor their members page: members come at most 1,000 at a time, so a role
      // that answers 1,000 cannot be read this way (the round then reads the delta chain).
      // https://learn.microsoft.com/graph/api/directoryrole-list, https://learn.microsoft.com/graph/api/directoryrole-list-members
      objects: () => `/directoryRoles?$select=${PROPERTIES}`,
      map: (obj) => mapListedObject(obj, 'directoryRole'),
      parentType: 'directoryRole',
      links: [linkListing({ name: 'members', scope: memberOf, url: (id) => `/directoryRoles/${id}/members?$select=id`, unpagedCap: 1000 })],
    },
  }],
};
