/**
 * The Microsoft Graph service principal's permissions, with their real ids: application permissions
 * are its appRoles, delegated permissions its oauth2PermissionScopes. A tenant can list them with
 * GET /servicePrincipals(appId='00000003-0000-0000-c000-000000000000')?$select=appRoles,oauth2PermissionScopes
 * (https://learn.microsoft.com/graph/permissions-reference). A subset; descriptions paraphrased.
 */

export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** Microsoft's own tenant: appOwnerOrganizationId of first-party apps. */
export const MICROSOFT_TENANT_ID = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a';
/** "Microsoft Graph Command Line Tools" (Graph PowerShell), a first-party public client. */
export const GRAPH_CLI_APP_ID = '14d82eec-204b-4c2f-b7e8-296a70dab67e';
/**
 * The default access role: an assignment with it grants access to an app that defines no roles
 * (https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignedto).
 */
export const DEFAULT_ACCESS_ROLE_ID = '00000000-0000-0000-0000-000000000000';

export interface AppRole {
  allowedMemberTypes: string[];
  description: string | null;
  displayName: string | null;
  id: string;
  isEnabled: boolean;
  origin: string;
  value: string | null;
}

export interface PermissionScope {
  adminConsentDescription: string;
  adminConsentDisplayName: string;
  id: string;
  isEnabled: boolean;
  type: 'User' | 'Admin';
  userConsentDescription: string | null;
  userConsentDisplayName: string | null;
  value: string;
}

/** The appRole entity of the default access role (CONTRACT.md 4: every service principal has one). */
export const DEFAULT_ACCESS_ROLE: Readonly<AppRole> = Object.freeze({
  id: DEFAULT_ACCESS_ROLE_ID, displayName: 'Default Access', value: null, isEnabled: true, allowedMemberTypes: ['User'],
  description: null, origin: 'Application',
});

const role = (id: string, value: string, displayName: string, description: string): AppRole =>
  ({ allowedMemberTypes: ['Application'], description, displayName, id, isEnabled: true, origin: 'Application', value });

/** Microsoft Graph application permissions (appRoles). */
export const GRAPH_APP_ROLES: readonly AppRole[] = [
  role('df021288-bdef-4463-88db-98f22de89214', 'User.Read.All', "Read all users' full profiles", 'Allows the app to read user profiles without a signed-in user.'),
  role('741f803b-c850-494e-b5df-cde7c675a1ca', 'User.ReadWrite.All', "Read and write all users' full profiles", 'Allows the app to read and update user profiles without a signed-in user.'),
  role('7ab1d382-f21e-4acd-a863-ba3e13f7da61', 'Directory.Read.All', 'Read directory data', "Allows the app to read data in your organization's directory, such as users, groups and apps, without a signed-in user."),
  role('19dbc75e-c2e2-444c-a770-ec69d8559fc7', 'Directory.ReadWrite.All', 'Read and write directory data', "Allows the app to read and write data in your organization's directory, such as users and groups, without a signed-in user."),
  role('5b567255-7703-4780-807c-7be8301ae99b', 'Group.Read.All', 'Read all groups', 'Allows the app to read group properties and memberships for all groups, without a signed-in user.'),
  role('62a82d76-70ea-41e2-9197-370581804d09', 'Group.ReadWrite.All', 'Read and write all groups', 'Allows the app to create groups, read all group properties and memberships, and update them, without a signed-in user.'),
  role('98830695-27a2-44f7-8c18-0c3ebc9698f6', 'GroupMember.Read.All', 'Read all group memberships', 'Allows the app to read memberships and basic group properties for all groups without a signed-in user.'),
  role('9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30', 'Application.Read.All', 'Read all applications', 'Allows the app to read all applications and service principals without a signed-in user.'),
  role('1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9', 'Application.ReadWrite.All', 'Read and write all applications', 'Allows the app to create, read, update and delete applications and service principals without a signed-in user.'),
  role('18a4783c-866b-4cc7-a460-3d5e5662c884', 'Application.ReadWrite.OwnedBy', 'Manage apps that this app creates or owns', 'Allows the app to create other applications, and fully manage those it owns, without a signed-in user.'),
  role('06b708a9-e830-4db3-a914-8e69da51d44f', 'AppRoleAssignment.ReadWrite.All', 'Manage app permission grants and app role assignments', 'Allows the app to manage permission grants for application permissions to any API and app role assignments for any app, without a signed-in user.'),
  role('8e8e4742-1d95-4f68-9d56-6ee75648c72a', 'DelegatedPermissionGrant.ReadWrite.All', 'Manage all delegated permission grants', 'Allows the app to grant or revoke any delegated permission for any API, without a signed-in user.'),
  role('483bed4a-2ad3-4361-a73b-c83ccdbdc53c', 'RoleManagement.Read.Directory', 'Read all directory RBAC settings', "Allows the app to read the role-based access control (RBAC) settings for your company's directory, without a signed-in user."),
  role('9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8', 'RoleManagement.ReadWrite.Directory', 'Read and write all directory RBAC settings', "Allows the app to read and manage the role-based access control (RBAC) settings for your company's directory, without a signed-in user."),
  role('134fd756-38ce-4afd-ba33-e9623dbe66c2', 'AdministrativeUnit.Read.All', 'Read all administrative units', 'Allows the app to read administrative units and administrative unit membership without a signed-in user.'),
  role('658aa5d8-239f-45c4-aa12-864f4fc7e490', 'Member.Read.Hidden', 'Read all hidden memberships', 'Allows the app to read the memberships of hidden groups and administrative units without a signed-in user.'),
  role('498476ce-e0fe-48b0-b801-37ba7e2685c6', 'Organization.Read.All', 'Read organization information', 'Allows the app to read the organization and related resources, such as subscribed SKUs, without a signed-in user.'),
  role('b0afded3-3588-46d8-8b3d-9842eff778da', 'AuditLog.Read.All', 'Read all audit log data', "Allows the app to read and query your audit log activities, without a signed-in user."),
  role('810c84a8-4a9e-49e6-bf7d-12d183f40d01', 'Mail.Read', 'Read mail in all mailboxes', 'Allows the app to read mail in all mailboxes without a signed-in user.'),
];

const scope = (id: string, value: string, type: 'User' | 'Admin', name: string, description: string): PermissionScope => ({
  adminConsentDescription: description, adminConsentDisplayName: name, id, isEnabled: true, type,
  userConsentDescription: type === 'User' ? description : null, userConsentDisplayName: type === 'User' ? name : null, value,
});

/** Microsoft Graph delegated permissions (oauth2PermissionScopes). */
export const GRAPH_SCOPES: readonly PermissionScope[] = [
  scope('e1fe6dd8-ba31-4d61-89e7-88639da4683d', 'User.Read', 'User', 'Sign in and read user profile', 'Allows users to sign in to the app, and allows the app to read the profile of signed-in users.'),
  scope('b340eb25-3456-403f-be2f-af7a0d370277', 'User.ReadBasic.All', 'User', "Read all users' basic profiles", "Allows the app to read a basic set of profile properties of other users in your organization on behalf of the signed-in user."),
  scope('37f7f235-527c-4136-accd-4a02d197296e', 'openid', 'User', 'Sign users in', 'Allows users to sign in to the app with their work or school accounts.'),
  scope('14dad69e-099b-42c9-810b-d002981feec1', 'profile', 'User', "View users' basic profile", "Allows the app to see your users' basic profile (name, picture, user name)."),
  scope('64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0', 'email', 'User', "View users' email address", "Allows the app to read your users' primary email address."),
  scope('7427e0e9-2fba-42fe-b0c0-848c9e6a8182', 'offline_access', 'User', 'Maintain access to data you have given it access to', 'Allows the app to read and update user data, even when they are not currently using the app.'),
  scope('570282fd-fa5c-430d-a7fd-fc8dc98a9dca', 'Mail.Read', 'User', 'Read user mail', 'Allows the app to read email in user mailboxes.'),
  scope('06da0dbc-49e2-44d2-8312-53f166ab848a', 'Directory.Read.All', 'Admin', 'Read directory data', "Allows the app to read data in your organization's directory, such as users, groups and apps, on behalf of the signed-in user."),
];

/** Application permission id by value, e.g. GRAPH_ROLE_ID['Directory.Read.All']. */
export const GRAPH_ROLE_ID: Readonly<Record<string, string>> = Object.freeze(Object.fromEntries(GRAPH_APP_ROLES.map((r) => [r.value, r.id])));
