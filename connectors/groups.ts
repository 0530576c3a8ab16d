import type { Connector } from '../src/pull/connector.js';
import type { RelationScope } from '../src/store/relations.js';
import { deltaLinks } from './lib/delta-annotations.js';
import { mapDeltaObject } from './lib/map-delta-object.js';
import { linkListing, mapListedObject } from './lib/listing.js';

const memberOf: RelationScope = { relation: 'memberOf', anchor: 'target', anchorType: 'group' };
const ownerOf: RelationScope = { relation: 'ownerOf', anchor: 'target', anchorType: 'group' };

/**
 * $select with `members` and `owners` makes delta track both relationships and return them as
 * members@delta / owners@delta (ids and types only). A large group repeats over several pages,
 * each with a further slice of its members.
 * https://learn.microsoft.com/graph/api/group-delta#query-parameters
 */
const SELECT = [
  'id', 'displayName', 'description', 'mail', 'mailNickname', 'mailEnabled', 'securityEnabled', 'groupTypes',
  'membershipRule', 'membershipRuleProcessingState', 'visibility', 'isAssignableToRole', 'classification',
  'onPremisesSyncEnabled', 'onPremisesSecurityIdentifier', 'onPremisesSamAccountName', 'onPremisesDomainName',
  'onPremisesLastSyncDateTime', 'securityIdentifier', 'createdDateTime', 'expirationDateTime', 'renewedDateTime',
  'members', 'owners',
];

export const groups: Connector = {
  name: 'groups',
  description: 'Groups (security, Microsoft 365, dynamic, synced) with their members of every type and owners',
  permission: 'GroupMember.Read.All',
  alsoAccepted: ['Group.Read.All', 'Group.ReadWrite.All', 'GroupMember.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  changeTracking: 'delta',
  source: '/groups/delta (members, owners)',
  steps: [{
    kind: 'delta',
    name: 'groups',
    entityTypes: ['group'],
    relationScopes: [memberOf, ownerOf],
    url: () => `/groups/delta?$select=${SELECT.join(',')}`,
    map: (obj) =>
      mapDeltaObject(obj, 'group', (id) => [...deltaLinks(obj, 'members', memberOf, id), ...deltaLinks(obj, 'owners', ownerOf, id)]),
    listing: {
      objects: () => `/groups?$select=${SELECT.filter((p) => p !== 'members' && p !== 'owners').join(',')}&$top=999`,
      map: (obj) => mapListedObject(obj, 'group'),
      parentType: 'group',
      links: [
        // https://learn.microsoft.com/graph/api/group-list-members, https://learn.microsoft.com/graph/api/group-list-owners
        linkListing({ name: 'members', scope: memberOf, url: (id) => `/groups/${id}/members?$select=id&$top=999` }),
        linkListing({ name: 'owners', scope: ownerOf, url: (id) => `/groups/${id}/owners?$select=id&$top=999` }),
      ],
    },
  }],
};
