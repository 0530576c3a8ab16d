/** Microsoft Graph's appId: the same in every tenant (its service principal's id is not). */
export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** Where the permissions are described, with their ids and Microsoft's cautions. */
export const GRAPH_PERMISSIONS_SOURCE = 'https://learn.microsoft.com/graph/permissions-reference';

/**
 * 0: grants authorization: the app can give itself (or anyone) any other permission or role.
 * 1: directory-wide write, or managing any app's credentials (acting as any app).
 * 2: writing every user or group (resetting profiles, adding members to groups that grant access).
 * 3: reading and writing every mailbox, file or site.
 */
export type PermissionTier = 0 | 1 | 2 | 3;

export interface HighPrivilegePermission {
  value: string;
  tier: PermissionTier;
  /** Why it is here, in a few words. */
  why: string;
  /** application: held as an app role (app-only); delegated: consented as a scope; both. */
  kinds: readonly ('application' | 'delegated')[];
}

const both = ['application', 'delegated'] as const;

/**
 * High-privilege Microsoft Graph permissions, the one list the report judges by. Tier 0 and
 * Application.ReadWrite.All carry Microsoft's own caution in the permissions reference: "Permissions
 * that allow granting authorization, such as AppRoleAssignment.ReadWrite.All, allow an application
 * to grant additional privileges to itself, other applications, or any user. Likewise, permissions
 * that allow managing credentials, such as Application.ReadWrite.All, allow an application to act as
 * other entities, and use the privileges they were granted." The others are tenant-wide write access
 * to the directory or to everyone's data (the permission's own description in the same reference).
 */
export const HIGH_PRIVILEGE_GRAPH_PERMISSIONS: readonly HighPrivilegePermission[] = [
  { value: 'RoleManagement.ReadWrite.Directory', tier: 0, why: 'assigns any directory role, Global Administrator included', kinds: both },
  { value: 'AppRoleAssignment.ReadWrite.All', tier: 0, why: 'grants any application permission, to itself too', kinds: both },
  { value: 'DelegatedPermissionGrant.ReadWrite.All', tier: 0, why: 'grants any delegated permission for everyone', kinds: both },
  { value: 'Application.ReadWrite.All', tier: 1, why: "adds credentials to any app and acts as it, with that app's permissions", kinds: both },
  { value: 'Directory.ReadWrite.All', tier: 1, why: 'writes the whole directory: users, groups, memberships', kinds: both },
  { value: 'Directory.AccessAsUser.All', tier: 1, why: 'everything the signed-in user can do in the directory', kinds: ['delegated'] },
  { value: 'User.ReadWrite.All', tier: 2, why: 'writes every user profile', kinds: both },
  { value: 'Group.ReadWrite.All', tier: 2, why: 'writes every group and its members', kinds: both },
  { value: 'GroupMember.ReadWrite.All', tier: 2, why: 'adds anyone to any group', kinds: both },
  { value: 'Mail.ReadWrite', tier: 3, why: 'reads and writes every mailbox', kinds: both },
  { value: 'Mail.Send', tier: 3, why: 'sends mail as any user', kinds: both },
  { value: 'Files.ReadWrite.All', tier: 3, why: 'reads and writes every file', kinds: both },
  { value: 'Sites.ReadWrite.All', tier: 3, why: 'reads and writes every site', kinds: both },
  { value: 'Sites.FullControl.All', tier: 3, why: 'full control of every site collection', kinds: both },
];

const byValue = new Map(HIGH_PRIVILEGE_GRAPH_PERMISSIONS.map((p) => [p.value, p]));

/** The table's entry for a permission value held as an application permission or a delegated scope. */
export function highPrivilegePermission(value: string | null, kind: 'application' | 'delegated'): HighPrivilegePermission | undefined {
  if (value === null) return undefined;
  const p = byValue.get(value);
  return p && p.kinds.includes(kind) ? p : undefined;
}
