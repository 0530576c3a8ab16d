import type { Connector } from '../src/pull/connector.js';
import type { RelationScope } from '../src/store/relations.js';
import { principalEntityType } from './lib/principal-type.js';

const hasAppRole: RelationScope = { relation: 'hasAppRole', anchor: 'target', anchorType: 'appRole' };

/**
 * Who holds which app role of which service principal: users, groups and service principals,
 * including the application permissions granted to apps (an app holding Microsoft Graph's
 * Directory.Read.All is assigned that app role of the Microsoft Graph service principal). There is
 * no delta function (graph-facts 1.5): every service principal's appRoleAssignedTo is read each run,
 * through $batch. https://learn.microsoft.com/graph/api/serviceprincipal-list-approleassignedto
 */
export const appRoleAssignments: Connector = {
  name: 'appRoleAssignments',
  description: 'App role assignments to users, groups and service principals, application permissions included',
  permission: 'Application.Read.All',
  alsoAccepted: ['Application.ReadWrite.All', 'Application.ReadWrite.OwnedBy', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  changeTracking: 'list',
  source: '/servicePrincipals/{id}/appRoleAssignedTo for each service principal',
  dependsOn: ['servicePrincipals'],
  steps: [{
    kind: 'fanOut',
    name: 'appRoleAssignedTo',
    parentType: 'servicePrincipal',
    entityTypes: [],
    relationScopes: [hasAppRole],
    url: (id) => `/servicePrincipals/${id}/appRoleAssignedTo?$top=999`,
    map: (obj, parentId) => {
      if (typeof obj.principalId !== 'string' || typeof obj.appRoleId !== 'string') return [];
      const resource = typeof obj.resourceId === 'string' ? obj.resourceId : parentId;
      const role = `${resource}/${obj.appRoleId}`;
      return [{
        entityType: 'appRole',
        id: role,
        links: [{
          scope: hasAppRole, anchorId: role, otherId: obj.principalId, otherType: principalEntityType(obj.principalType), removed: false,
          data: { assignmentId: obj.id, createdDateTime: obj.createdDateTime ?? null },
        }],
      }];
    },
    parentLinks: (id) => ({ relation: 'hasAppRole', targetType: 'appRole', targetIdPrefix: `${id}/` }),
  }],
};
