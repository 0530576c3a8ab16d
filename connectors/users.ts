import type { Connector, ConnectorContext, GraphObject, LinkChange } from '../src/pull/connector.js';
import type { RelationScope } from '../src/store/relations.js';
import { deltaLinks } from './lib/delta-annotations.js';
import { mapDeltaObject } from './lib/map-delta-object.js';
import { mapListedObject } from './lib/listing.js';
import { graphTypeName } from './lib/graph-type.js';

const reportsTo: RelationScope = { relation: 'reportsTo', anchor: 'source', anchorType: 'user' };

/**
 * Only $select-ed properties are tracked by delta, so the list is explicit.
 * https://learn.microsoft.com/graph/api/user-delta#query-parameters
 */
const SELECT = [
  // identity
  'id', 'displayName', 'userPrincipalName', 'mail', 'mailNickname', 'givenName', 'surname', 'otherMails', 'proxyAddresses',
  // account state
  'accountEnabled', 'userType', 'externalUserState', 'externalUserStateChangeDateTime', 'creationType', 'createdDateTime',
  'lastPasswordChangeDateTime',
  // job and employee data
  'jobTitle', 'department', 'companyName', 'officeLocation', 'employeeId', 'employeeType', 'employeeHireDate', 'employeeOrgData',
  'usageLocation',
  // licences
  'assignedLicenses',
  // on-premises sync
  'onPremisesSyncEnabled', 'onPremisesImmutableId', 'onPremisesSamAccountName', 'onPremisesDomainName',
  'onPremisesUserPrincipalName', 'onPremisesDistinguishedName', 'onPremisesSecurityIdentifier', 'onPremisesLastSyncDateTime',
  // relationship: delta returns manager@delta with the manager's id
  'manager',
];

/**
 * employeeLeaveDateTime can be read by an app only with User-LifeCycleInfo.Read.All (or ReadWrite.All),
 * so it is selected only when the token grants one of them.
 * https://learn.microsoft.com/graph/api/resources/user#properties
 */
const LEAVE_DATE_ROLES = ['User-LifeCycleInfo.Read.All', 'User-LifeCycleInfo.ReadWrite.All'];

function selectFor(ctx: ConnectorContext): string[] {
  return LEAVE_DATE_ROLES.some((r) => ctx.grantedRoles.has(r)) ? [...SELECT, 'employeeLeaveDateTime'] : SELECT;
}

/** The expanded manager (absent when the user has none) as the user's one reportsTo link. */
function managerLink(obj: GraphObject, id: string): LinkChange[] {
  const manager = obj.manager as GraphObject | null | undefined;
  if (typeof manager?.id !== 'string') return [];
  return [{ scope: reportsTo, anchorId: id, otherId: manager.id, otherType: graphTypeName(manager['@odata.type']) ?? 'user', removed: false }];
}

export const users: Connector = {
  name: 'users',
  description: 'Users (members and guests) with account state, job and employee data, licences, on-premises sync fields and manager',
  permission: 'User.Read.All',
  alsoAccepted: ['User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  optional: [{ permission: 'User-LifeCycleInfo.Read.All', alsoAccepted: ['User-LifeCycleInfo.ReadWrite.All'], widens: 'employeeLeaveDateTime (when a leaver leaves)' }],
  changeTracking: 'delta',
  source: '/users/delta (manager)',
  steps: [{
    kind: 'delta',
    name: 'users',
    entityTypes: ['user'],
    relationScopes: [reportsTo],
    singleValued: [reportsTo],
    url: (ctx) => `/users/delta?$select=${selectFor(ctx).join(',')}`,
    map: (obj) => mapDeltaObject(obj, 'user', (id) => deltaLinks(obj, 'manager', reportsTo, id, 'user')),
    listing: {
      // The same properties; the manager comes expanded with each user, so it costs no request of its own.
      // https://learn.microsoft.com/graph/api/user-list-manager
      objects: (ctx) => `/users?$select=${selectFor(ctx).filter((p) => p !== 'manager').join(',')}&$top=999&$expand=manager($select=id)`,
      map: (obj) => mapListedObject(obj, 'user', ['manager'], (id) => managerLink(obj, id)),
      parentType: 'user',
      links: [],
    },
  }],
};
