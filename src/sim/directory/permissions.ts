/**
 * Application permissions each endpoint accepts (graph-facts.md section 2, from the permissions
 * tables of the API pages, least privileged first). A token holding none of them gets 403
 * Authorization_RequestDenied.
 */
export const PERMISSIONS = {
  /** https://learn.microsoft.com/graph/api/directoryrole-delta */
  directoryRoles: ['RoleManagement.Read.Directory', 'Directory.Read.All', 'RoleManagement.ReadWrite.Directory', 'Directory.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments and -roledefinitions */
  roleManagement: ['RoleManagement.Read.Directory', 'RoleManagement.Read.All', 'Directory.Read.All', 'RoleManagement.ReadWrite.Directory', 'Directory.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/administrativeunit-delta */
  administrativeUnits: ['AdministrativeUnit.Read.All', 'AdministrativeUnit.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/serviceprincipal-delta, application-delta */
  applications: ['Application.ReadWrite.OwnedBy', 'Application.Read.All', 'Application.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  /** /servicePrincipals/{id}/owners, /appRoleAssignedTo, /applications/{id}/owners (serviceprincipal-list-approleassignedto) */
  applicationChildren: ['Application.Read.All', 'Application.ReadWrite.OwnedBy', 'Directory.Read.All', 'Application.ReadWrite.All', 'Directory.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/oauth2permissiongrant-list */
  grants: ['Directory.Read.All', 'DelegatedPermissionGrant.ReadWrite.All', 'Directory.ReadWrite.All'],
  /** https://learn.microsoft.com/graph/api/subscribedsku-list */
  subscribedSkus: ['LicenseAssignment.Read.All', 'Organization.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
} as const;

/**
 * The members of an administrative unit with hidden membership are returned only to a caller that
 * also holds this (https://learn.microsoft.com/graph/api/administrativeunit-list-members).
 */
export const MEMBER_READ_HIDDEN = 'Member.Read.Hidden';

export function allowed(roles: readonly string[], accepted: readonly string[]): boolean {
  return roles.some((r) => accepted.includes(r));
}
