import type { Connector } from '../src/pull/connector.js';
import type { RelationScope } from '../src/store/relations.js';
import { deltaLinks } from './lib/delta-annotations.js';
import { mapDeltaObject } from './lib/map-delta-object.js';

const memberOf: RelationScope = { relation: 'memberOf', anchor: 'target', anchorType: 'directoryRole' };

/**
 * Activated directory roles and their members (users, role-assignable groups, service principals).
 * `$select=members` makes delta track membership as members@delta.
 * https://learn.microsoft.com/graph/api/directoryrole-delta
 */
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
    url: () => '/directoryRoles/delta?$select=id,displayName,description,roleTemplateId,members',
    map: (obj) => mapDeltaObject(obj, 'directoryRole', (id) => deltaLinks(obj, 'members', memberOf, id)),
  }],
};
