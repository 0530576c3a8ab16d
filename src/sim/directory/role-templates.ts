/**
 * Built-in Microsoft Entra roles with their real template ids (a built-in unifiedRoleDefinition's id
 * is its template id; an activated directoryRole carries it as roleTemplateId):
 * https://learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference.
 * Descriptions are Microsoft's; the resource actions are a representative subset.
 */
export interface RoleTemplate {
  id: string;
  displayName: string;
  description: string;
  actions: string[];
}

const t = (id: string, displayName: string, description: string, actions: string[]): RoleTemplate => ({ id, displayName, description, actions });

export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
export const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
export const APPLICATION_ADMINISTRATOR = '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3';
export const PRIVILEGED_ROLE_ADMINISTRATOR = 'e8611ab8-c189-46e8-94e1-60213ab1f814';
export const GLOBAL_READER = 'f2ef992c-3afb-46b9-b7cf-a126ee74c451';
export const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
export const GROUPS_ADMINISTRATOR = 'fdd7a751-b60b-444a-984c-02652fe8fa1c';
export const CLOUD_APPLICATION_ADMINISTRATOR = '158c047a-c907-4556-b7ef-446551a6b5f7';

/** In activation order: the generator activates the first `directoryRoles` of them. */
export const ROLE_TEMPLATES: readonly RoleTemplate[] = [
  t(GLOBAL_ADMINISTRATOR, 'Global Administrator', 'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
    ['microsoft.directory/applications/allProperties/allTasks', 'microsoft.directory/users/allProperties/allTasks', 'microsoft.directory/groups/allProperties/allTasks', 'microsoft.directory/roleAssignments/allProperties/allTasks']),
  t(USER_ADMINISTRATOR, 'User Administrator', 'Can manage all aspects of users and groups, including resetting passwords for limited admins.',
    ['microsoft.directory/users/create', 'microsoft.directory/users/delete', 'microsoft.directory/users/basic/update', 'microsoft.directory/groups/members/update']),
  t(APPLICATION_ADMINISTRATOR, 'Application Administrator', 'Can create and manage all aspects of app registrations and enterprise apps.',
    ['microsoft.directory/applications/create', 'microsoft.directory/applications/credentials/update', 'microsoft.directory/servicePrincipals/appRoleAssignedTo/update', 'microsoft.directory/oAuth2PermissionGrants/allProperties/allTasks']),
  t(PRIVILEGED_ROLE_ADMINISTRATOR, 'Privileged Role Administrator', 'Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.',
    ['microsoft.directory/roleAssignments/allProperties/allTasks', 'microsoft.directory/roleDefinitions/allProperties/allTasks', 'microsoft.directory/servicePrincipals/appRoleAssignedTo/update']),
  t(GLOBAL_READER, 'Global Reader', 'Can read everything that a Global Administrator can, but not update anything.',
    ['microsoft.directory/applications/allProperties/read', 'microsoft.directory/users/allProperties/read', 'microsoft.directory/groups/allProperties/read', 'microsoft.directory/roleAssignments/allProperties/read']),
  t(HELPDESK_ADMINISTRATOR, 'Helpdesk Administrator', 'Can reset passwords for non-administrators and Helpdesk Administrators.',
    ['microsoft.directory/users/password/update', 'microsoft.directory/users/invalidateAllRefreshTokens', 'microsoft.directory/users/basic/update']),
  t(GROUPS_ADMINISTRATOR, 'Groups Administrator', 'Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports.',
    ['microsoft.directory/groups/create', 'microsoft.directory/groups/delete', 'microsoft.directory/groups/members/update', 'microsoft.directory/groups/owners/update']),
  t(CLOUD_APPLICATION_ADMINISTRATOR, 'Cloud Application Administrator', 'Can create and manage all aspects of app registrations and enterprise apps except App Proxy.',
    ['microsoft.directory/applications/create', 'microsoft.directory/applications/credentials/update', 'microsoft.directory/servicePrincipals/credentials/update']),
  t('194ae4cb-b126-40b2-bd5b-6091b380977d', 'Security Administrator', 'Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.',
    ['microsoft.directory/policies/conditionalAccess/basic/update', 'microsoft.directory/auditLogs/allProperties/read', 'microsoft.directory/signInReports/allProperties/read']),
  t('5d6b6bb7-de71-4623-b4af-96380a352509', 'Security Reader', 'Can read security information and reports in Microsoft Entra ID and Office 365.',
    ['microsoft.directory/auditLogs/allProperties/read', 'microsoft.directory/signInReports/allProperties/read']),
  t('29232cdf-9323-42fd-ade2-1d097af3e4de', 'Exchange Administrator', 'Can manage all aspects of the Exchange product.',
    ['microsoft.office365.exchange/allEntities/basic/allTasks', 'microsoft.directory/groups.unified/create']),
  t('f28a1f50-f6e7-4571-818b-6a12f2af6b6c', 'SharePoint Administrator', 'Can manage all aspects of the SharePoint service.',
    ['microsoft.office365.sharePoint/allEntities/allTasks', 'microsoft.directory/groups.unified/create']),
  t('88d8e3e3-8f55-4a1e-953a-9b9898b8876b', 'Directory Readers', 'Can read basic directory information. Commonly used to grant directory read access to applications and guests.',
    ['microsoft.directory/users/standard/read', 'microsoft.directory/groups/standard/read', 'microsoft.directory/applications/standard/read']),
  t('7be44c8a-adaf-4e2a-84d6-ab2649e08a13', 'Privileged Authentication Administrator', 'Can access to view, set and reset authentication method information for any user (admin or non-admin).',
    ['microsoft.directory/users/authenticationMethods/create', 'microsoft.directory/users/authenticationMethods/delete', 'microsoft.directory/users/password/update']),
  t('c4e39bd9-1100-46d3-8c65-fb160da0071f', 'Authentication Administrator', 'Can access to view, set and reset authentication method information for any non-admin user.',
    ['microsoft.directory/users/authenticationMethods/create', 'microsoft.directory/users/authenticationMethods/basic/update']),
  t('b1be1c3e-b65d-4f19-8427-f6fa0d97feb9', 'Conditional Access Administrator', 'Can manage Conditional Access capabilities.',
    ['microsoft.directory/conditionalAccessPolicies/create', 'microsoft.directory/conditionalAccessPolicies/basic/update']),
  t('4d6ac14f-3453-41d0-bef9-a3e0c569773a', 'License Administrator', 'Can manage product licenses on users and groups.',
    ['microsoft.directory/users/assignLicense', 'microsoft.directory/groups/assignLicense']),
  t('4a5d8f65-41da-4de4-8968-e035b65339cf', 'Reports Reader', 'Can read sign-in and audit reports.',
    ['microsoft.directory/auditLogs/allProperties/read', 'microsoft.directory/signInReports/allProperties/read']),
  t('b0f54661-2d74-4c50-afa3-1ec803f12efe', 'Billing Administrator', 'Can perform common billing related tasks like updating payment information.',
    ['microsoft.commerce.billing/allEntities/allProperties/allTasks']),
  t('3a2c62db-5318-420d-8d74-23affee5d9d5', 'Intune Administrator', 'Can manage all aspects of the Intune product.',
    ['microsoft.intune/allEntities/allTasks', 'microsoft.directory/devices/basic/update']),
  t('69091246-20e8-4a56-aa4d-066075b2a7a8', 'Teams Administrator', 'Can manage the Microsoft Teams service.',
    ['microsoft.teams/allEntities/allProperties/allTasks', 'microsoft.directory/groups.unified/create']),
];

/** Roles that can be assigned at an administrative unit scope in the simulation. */
export const AU_SCOPABLE = [USER_ADMINISTRATOR, HELPDESK_ADMINISTRATOR, GROUPS_ADMINISTRATOR];
/** Roles that can be assigned at an application scope in the simulation. */
export const APP_SCOPABLE = [APPLICATION_ADMINISTRATOR, CLOUD_APPLICATION_ADMINISTRATOR];
