import type { Connector } from '../src/pull/connector.js';
import { groups } from './groups.js';
import { users } from './users.js';

/** Every collection name of CONTRACT.md section 3, in pull order. */
export const COLLECTION_NAMES = [
  'users', 'groups', 'directoryRoles', 'roleAssignments', 'administrativeUnits', 'servicePrincipals',
  'applications', 'appRoleAssignments', 'oauth2PermissionGrants', 'licenses', 'signIns', 'signInActivity',
] as const;

export type CollectionName = (typeof COLLECTION_NAMES)[number];

/** The collections this version pulls. */
export const CONNECTORS: readonly Connector[] = [users, groups];

export function findConnector(name: string): Connector | undefined {
  return CONNECTORS.find((c) => c.name === name);
}
