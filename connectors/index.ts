import type { Connector } from '../src/pull/connector.js';
import { administrativeUnits } from './administrative-units.js';
import { appRoleAssignments } from './app-role-assignments.js';
import { applications } from './applications.js';
import { directoryRoles } from './directory-roles.js';
import { groups } from './groups.js';
import { licenses } from './licenses.js';
import { oauth2PermissionGrants } from './oauth2-permission-grants.js';
import { roleAssignments } from './role-assignments.js';
import { servicePrincipals } from './service-principals.js';
import { signInActivity } from './sign-in-activity.js';
import { signIns } from './sign-ins.js';
import { users } from './users.js';

/** Every collection name of CONTRACT.md section 3, in pull order. */
export const COLLECTION_NAMES = [
  'users', 'groups', 'directoryRoles', 'roleAssignments', 'administrativeUnits', 'servicePrincipals',
  'applications', 'appRoleAssignments', 'oauth2PermissionGrants', 'licenses', 'signIns', 'signInActivity',
] as const;

export type CollectionName = (typeof COLLECTION_NAMES)[number];

/** The collections this version pulls, in pull order (a collection's dependencies come before it). */
export const CONNECTORS: readonly Connector[] = [
  users, groups, directoryRoles, roleAssignments, administrativeUnits, servicePrincipals, applications,
  appRoleAssignments, oauth2PermissionGrants, licenses, signIns, signInActivity,
];

export function findConnector(name: string): Connector | undefined {
  return CONNECTORS.find((c) => c.name === name);
}
