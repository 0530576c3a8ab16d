import type { Connector, GraphObject, MappedItem } from '../src/pull/connector.js';
import type { RelationScope } from '../src/store/relations.js';
import { ownProperties } from './lib/delta-annotations.js';
import { graphTypeName } from './lib/graph-type.js';

const hasRole: RelationScope = { relation: 'hasRole', anchor: 'target', anchorType: 'roleDefinition' };

/**
 * Unified role assignments (RBAC for Entra: built-in and custom roles, scoped to the tenant '/', an
 * administrative unit '/administrativeUnits/<id>' or an application '/<id>'). Neither list has a
 * delta function (graph-facts 1.5), so both are read whole every run: the definitions first, then
 * the assignments, with `$expand=principal` for the principal's type.
 * https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments
 */
export const roleAssignments: Connector = {
  name: 'roleAssignments',
  description: 'Role definitions (built-in and custom, with their permissions) and who holds each, at which scope',
  permission: 'RoleManagement.Read.Directory',
  alsoAccepted: ['RoleManagement.Read.All', 'RoleManagement.ReadWrite.Directory', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  changeTracking: 'list',
  source: '/roleManagement/directory/roleDefinitions, /roleAssignments',
  steps: [
    {
      kind: 'list',
      name: 'roleDefinitions',
      entityTypes: ['roleDefinition'],
      relationScopes: [],
      url: () => '/roleManagement/directory/roleDefinitions',
      map: (obj) => [{ entityType: 'roleDefinition', id: obj.id as string, data: ownProperties(obj), links: [] }],
    },
    {
      kind: 'list',
      name: 'assignments',
      entityTypes: [],
      relationScopes: [hasRole],
      url: () => '/roleManagement/directory/roleAssignments?$expand=principal',
      map: mapAssignment,
    },
  ],
};

function mapAssignment(obj: GraphObject): MappedItem[] {
  const principal = obj.principal as GraphObject | null | undefined;
  if (typeof obj.principalId !== 'string' || typeof obj.roleDefinitionId !== 'string') return [];
  return [{
    entityType: 'roleDefinition',
    id: obj.roleDefinitionId,
    links: [{
      scope: hasRole,
      anchorId: obj.roleDefinitionId,
      otherId: obj.principalId,
      otherType: graphTypeName(principal?.['@odata.type']),
      removed: false,
      scopeValue: typeof obj.directoryScopeId === 'string' ? obj.directoryScopeId : '/',
      data: { assignmentId: obj.id, appScopeId: obj.appScopeId ?? null },
    }],
  }];
}
