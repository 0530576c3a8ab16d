/**
 * The ids Microsoft publishes for Microsoft Graph *application* permissions (the appRoles of the
 * Microsoft Graph service principal, appId 00000003-0000-0000-c000-000000000000). An app role
 * assignment or `az ad app permission add` names a permission by this id, never by its name.
 *
 * This maps names to ids; it is not a table of what a collection needs (the connectors declare that).
 *
 * Sources:
 * - https://learn.microsoft.com/graph/permissions-reference (the live reference, one entry per permission)
 * - the list generated from the Graph service principal that the reference includes:
 *   https://github.com/microsoftgraph/microsoft-graph-docs-contrib/blob/0fcd5cbe2910cde47ccadfc740b8df07f57244d7/concepts/includes/permissions-ids.md
 *   (every id below except the three marked "newer")
 * - "newer": permissions published after that list: User-LifeCycleInfo.Read.All and
 *   User-LifeCycleInfo.ReadWrite.All (live reference), LicenseAssignment.Read.All (live reference,
 *   listed among the permissions added on 2025-02-15).
 * Any tenant can confirm them: GET /servicePrincipals(appId='00000003-0000-0000-c000-000000000000')?$select=appRoles
 */
export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

export const GRAPH_PERMISSION_IDS_SOURCE = 'https://learn.microsoft.com/graph/permissions-reference';

export const GRAPH_APPLICATION_PERMISSION_IDS: Readonly<Record<string, string>> = Object.freeze({
  'AdministrativeUnit.Read.All': '134fd756-38ce-4afd-ba33-e9623dbe66c2',
  'AdministrativeUnit.ReadWrite.All': '5eb59dd3-1da2-4329-8733-9dabdc435916',
  'Application.Read.All': '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
  'Application.ReadWrite.All': '1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9',
  'Application.ReadWrite.OwnedBy': '18a4783c-866b-4cc7-a460-3d5e5662c884',
  'AppRoleAssignment.ReadWrite.All': '06b708a9-e830-4db3-a914-8e69da51d44f',
  'AuditLog.Read.All': 'b0afded3-3588-46d8-8b3d-9842eff778da',
  'DelegatedPermissionGrant.ReadWrite.All': '8e8e4742-1d95-4f68-9d56-6ee75648c72a',
  'Directory.Read.All': '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
  'Directory.ReadWrite.All': '19dbc75e-c2e2-444c-a770-ec69d8559fc7',
  'Group.Read.All': '5b567255-7703-4780-807c-7be8301ae99b',
  'Group.ReadWrite.All': '62a82d76-70ea-41e2-9197-370581804d09',
  'GroupMember.Read.All': '98830695-27a2-44f7-8c18-0c3ebc9698f6',
  'GroupMember.ReadWrite.All': 'dbaae8cf-10b5-4b86-a4a1-f871c94c6695',
  // newer (see above)
  'LicenseAssignment.Read.All': 'e2f98668-2877-4f38-a2f4-8202e0717aa1',
  'LicenseAssignment.ReadWrite.All': '5facf0c1-8979-4e95-abcf-ff3d079771c0',
  'Member.Read.Hidden': '658aa5d8-239f-45c4-aa12-864f4fc7e490',
  'Organization.Read.All': '498476ce-e0fe-48b0-b801-37ba7e2685c6',
  'Organization.ReadWrite.All': '292d869f-3427-49a8-9dab-8c70152b74e9',
  'RoleManagement.Read.All': 'c7fbd983-d9aa-4fa7-84b8-17382c103bc4',
  'RoleManagement.Read.Directory': '483bed4a-2ad3-4361-a73b-c83ccdbdc53c',
  'RoleManagement.ReadWrite.Directory': '9e3f62cf-ca93-4989-b6ce-bf83c28f9fe8',
  'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214',
  'User.ReadWrite.All': '741f803b-c850-494e-b5df-cde7c675a1ca',
  // newer (see above)
  'User-LifeCycleInfo.Read.All': '8556a004-db57-4d7a-8b82-97a13428e96f',
  'User-LifeCycleInfo.ReadWrite.All': '925f1248-0f97-47b9-8ec8-538c54e01325',
});

/** The id of a Microsoft Graph application permission, or undefined when the table does not know it. */
export function graphPermissionId(name: string): string | undefined {
  return Object.hasOwn(GRAPH_APPLICATION_PERMISSION_IDS, name) ? GRAPH_APPLICATION_PERMISSION_IDS[name] : undefined;
}
