import { GRAPH_PERMISSIONS_SOURCE } from './graph-permissions.js';
import { readGraphPermissions } from './graph-permissions-held.js';
import { PRIVILEGED_ROLES_ABOUT, PRIVILEGED_ROLES_SOURCE } from './privileged-roles.js';
import { isGlobalAdministrator, readRoleHoldings } from './privileged-roles-held.js';
import type { ReportContext } from './report-context.js';
import type { CollectionFreshness, Privileged } from './report-findings.js';

/** The collections whose data this section is made of. */
const NEEDS = ['directoryRoles', 'roleAssignments', 'groups', 'servicePrincipals', 'appRoleAssignments', 'oauth2PermissionGrants'];

/** Section 2: who holds directory roles, and which apps hold high-privilege Microsoft Graph permissions. */
export function readPrivileged(ctx: ReportContext, freshness: readonly CollectionFreshness[]): Privileged {
  const roles = readRoleHoldings(ctx);
  const { appPermissions, delegatedGrants } = readGraphPermissions(ctx);
  const people = (rows: typeof roles) => new Set(rows.filter((r) => r.holder.type !== 'group').map((r) => `${r.holder.type}:${r.holder.id}`)).size;
  return {
    roles,
    appPermissions,
    delegatedGrants,
    privilegedHolders: people(roles.filter((r) => r.role.privileged)),
    globalAdministrators: people(roles.filter(isGlobalAdministrator)),
    sources: { roles: PRIVILEGED_ROLES_SOURCE, rolesAbout: PRIVILEGED_ROLES_ABOUT, permissions: GRAPH_PERMISSIONS_SOURCE },
    missing: freshness.filter((c) => NEEDS.includes(c.collection) && (c.status === 'never' || c.status === 'unused')).map((c) => c.collection),
  };
}
