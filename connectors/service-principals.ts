import type { Connector, GraphObject, MappedItem } from '../src/pull/connector.js';
import type { RelationScope } from '../src/store/relations.js';
import { stripCredentials } from './lib/credentials.js';
import { ownProperties, removedReason } from './lib/delta-annotations.js';
import { ownersStep } from './lib/owners-step.js';

const appRoleOf: RelationScope = { relation: 'appRoleOf', anchor: 'source', anchorType: 'appRole' };

/** Every service principal has this role: "default access" for assignments without a specific role. */
export const DEFAULT_ACCESS_ROLE_ID = '00000000-0000-0000-0000-000000000000';

// "Publisher" in v1.0 is the owning tenant (appOwnerOrganizationId) and verifiedPublisher;
// publisherName exists only in beta, and v1.0 answers 400 to a $select that names it
// (https://learn.microsoft.com/graph/api/resources/serviceprincipal?view=graph-rest-1.0).
const SELECT = [
  'id', 'appId', 'displayName', 'servicePrincipalType', 'accountEnabled', 'appOwnerOrganizationId', 'description',
  'verifiedPublisher', 'signInAudience', 'appRoleAssignmentRequired', 'tags', 'servicePrincipalNames',
  'appRoles', 'oauth2PermissionScopes', 'passwordCredentials', 'keyCredentials',
];

/**
 * Service principals (enterprise apps, managed identities, Microsoft's own) with the app roles they
 * define as `appRole` entities (`<servicePrincipalId>/<appRoleId>`, plus the default-access role),
 * each linked to it by appRoleOf, then their owners.
 * https://learn.microsoft.com/graph/api/serviceprincipal-delta
 */
export const servicePrincipals: Connector = {
  name: 'servicePrincipals',
  description: 'Service principals with their type, publisher, app roles, delegated scopes, credential expiry and owners',
  permission: 'Application.Read.All',
  alsoAccepted: ['Application.ReadWrite.All', 'Application.ReadWrite.OwnedBy', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  changeTracking: 'delta',
  source: '/servicePrincipals/delta, /servicePrincipals/{id}/owners',
  steps: [
    {
      kind: 'delta',
      name: 'servicePrincipals',
      entityTypes: ['servicePrincipal', 'appRole'],
      relationScopes: [appRoleOf],
      url: () => `/servicePrincipals/delta?$select=${SELECT.join(',')}`,
      map: mapServicePrincipal,
    },
    ownersStep('servicePrincipal', 'servicePrincipals'),
  ],
};

function mapServicePrincipal(obj: GraphObject): MappedItem[] {
  const id = obj.id as string;
  const reason = removedReason(obj);
  if (reason !== undefined) return [{ entityType: 'servicePrincipal', id, removed: reason, links: [], children: { entityType: 'appRole', ids: [] } }];
  const sp: MappedItem = { entityType: 'servicePrincipal', id, data: stripCredentials(ownProperties(obj)), links: [] };
  // An object without appRoles (not selected, or a delta entry with only changed properties) leaves its roles as they are.
  if (!Array.isArray(obj.appRoles)) return [sp];
  const roles = [defaultAccessRole(), ...(obj.appRoles as Record<string, unknown>[]).filter((r) => typeof r?.id === 'string')];
  const items: MappedItem[] = roles.map((role) => {
    const roleId = `${id}/${role.id as string}`;
    return {
      entityType: 'appRole',
      id: roleId,
      data: role,
      links: [{ scope: appRoleOf, anchorId: roleId, otherId: id, otherType: 'servicePrincipal', removed: false }],
    };
  });
  sp.children = { entityType: 'appRole', ids: items.map((i) => i.id) };
  // The roles first, then the service principal, whose whole set retires the roles it no longer has.
  return [...items, sp];
}

function defaultAccessRole(): Record<string, unknown> {
  return {
    id: DEFAULT_ACCESS_ROLE_ID, displayName: 'Default Access', value: null, isEnabled: true,
    allowedMemberTypes: ['User'], description: null, origin: 'Application',
  };
}
