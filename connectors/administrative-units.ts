import type { Connector } from '../src/pull/connector.js';
import type { RelationScope } from '../src/store/relations.js';
import { deltaLinks } from './lib/delta-annotations.js';
import { mapDeltaObject } from './lib/map-delta-object.js';
import { linkListing, mapListedObject } from './lib/listing.js';

const memberOf: RelationScope = { relation: 'memberOf', anchor: 'target', anchorType: 'administrativeUnit' };

/**
 * Administrative units and their members (users, groups, devices). A unit with hidden membership
 * (`visibility: HiddenMembership`) lists its members only to an app that also holds
 * Member.Read.Hidden; without it the unit is stored (its visibility says so) with no members.
 * https://learn.microsoft.com/graph/api/administrativeunit-delta
 */
const PROPERTIES = 'id,displayName,description,visibility';

export const administrativeUnits: Connector = {
  name: 'administrativeUnits',
  description: 'Administrative units with their members (hidden memberships need Member.Read.Hidden too)',
  permission: 'AdministrativeUnit.Read.All',
  alsoAccepted: ['AdministrativeUnit.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  optional: [{ permission: 'Member.Read.Hidden', alsoAccepted: [], widens: 'the members of units with hidden membership' }],
  changeTracking: 'delta',
  source: '/administrativeUnits/delta (members)',
  steps: [{
    kind: 'delta',
    name: 'administrativeUnits',
    entityTypes: ['administrativeUnit'],
    relationScopes: [memberOf],
    // The v1.0 properties only (membershipType and the dynamic rule are beta: a 400 in v1.0).
    url: () => `/administrativeUnits/delta?$select=${PROPERTIES},members`,
    map: (obj) => mapDeltaObject(obj, 'administrativeUnit', (id) => deltaLinks(obj, 'members', memberOf, id)),
    listing: {
      // A unit with hidden membership answers its members 403 without Member.Read.Hidden: the
      // listing is then refused and the round reads the delta chain, as before.
      // https://learn.microsoft.com/graph/api/administrativeunit-list, https://learn.microsoft.com/graph/api/administrativeunit-list-members
      objects: () => `/directory/administrativeUnits?$select=${PROPERTIES}&$top=999`,
      map: (obj) => mapListedObject(obj, 'administrativeUnit'),
      parentType: 'administrativeUnit',
      links: [linkListing({ name: 'members', scope: memberOf, url: (id) => `/directory/administrativeUnits/${id}/members?$select=id&$top=999` })],
    },
  }],
};
