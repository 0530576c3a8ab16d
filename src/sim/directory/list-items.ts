import type { DirectoryData } from './directory-data.js';
import type { AppRoleAssignmentRec, GrantRec, RoleAssignmentRec, RoleDefinitionRec } from './directory-types.js';
import { iso } from './object-builders.js';

/** JSON of the items of the plain lists, restricted to a $select (null = every property). */

/** The object's properties in its own order, only the selected ones. */
export function selected(obj: Record<string, unknown>, select: string[] | null): string {
  if (select === null) return JSON.stringify(obj);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (select.includes(k)) out[k] = v;
  return JSON.stringify(out);
}

const PRINCIPAL_TYPE: Record<string, string> = { user: 'User', group: 'Group', servicePrincipal: 'ServicePrincipal', device: 'Device' };

/** https://learn.microsoft.com/graph/api/resources/approleassignment */
export function assignmentJson(d: DirectoryData, a: AppRoleAssignmentRec, select: string[] | null): string {
  return selected({
    id: a.id, deletedDateTime: null, appRoleId: a.appRoleId, createdDateTime: iso(a.createdAt * 1000),
    principalDisplayName: d.displayNameOf(a.principalId), principalId: a.principalId, principalType: PRINCIPAL_TYPE[d.typeOf(a.principalId) ?? ''] ?? null,
    resourceDisplayName: d.displayNameOf(a.resourceId), resourceId: a.resourceId,
  }, select);
}

/** A directoryObject (an owner, an expanded principal): its type, id and (unless $select leaves them out) deletedDateTime and display name. */
export function ownerJson(d: DirectoryData, id: string, select: string[] | null): string {
  const head = `{"@odata.type":"#microsoft.graph.${d.typeOf(id) ?? 'directoryObject'}","id":${JSON.stringify(id)}`;
  let rest = '';
  if (select === null || select.includes('deletedDateTime')) rest += ',"deletedDateTime":null';
  if (select === null || select.includes('displayName')) rest += `,"displayName":${JSON.stringify(d.displayNameOf(id))}`;
  return `${head}${rest}}`;
}

/** https://learn.microsoft.com/graph/api/resources/oauth2permissiongrant */
export function grantJson(g: GrantRec, select: string[] | null): string {
  return selected({ clientId: g.clientId, consentType: g.consentType, id: g.id, principalId: g.principalId, resourceId: g.resourceId, scope: g.scope }, select);
}

/** https://learn.microsoft.com/graph/api/resources/unifiedroledefinition */
export function roleDefinitionJson(r: RoleDefinitionRec, select: string[] | null): string {
  return selected({ id: r.id, ...r.props }, select);
}

/**
 * https://learn.microsoft.com/graph/api/resources/unifiedroleassignment; `$expand=principal` adds the
 * principal as a directoryObject (its type, id, display name), `$expand=roleDefinition` the definition.
 */
export function roleAssignmentJson(d: DirectoryData, a: RoleAssignmentRec, select: string[] | null, expand: string[] = []): string {
  const base = selected({
    id: a.id, principalId: a.principalId, roleDefinitionId: a.roleDefinitionId, directoryScopeId: a.directoryScopeId, appScopeId: a.appScopeId, condition: null,
  }, select);
  let extra = '';
  if (expand.includes('principal')) extra += `,"principal":${ownerJson(d, a.principalId, null)}`;
  if (expand.includes('roleDefinition')) {
    const def = d.roles.definitions.get(a.roleDefinitionId);
    extra += `,"roleDefinition":${def ? roleDefinitionJson(def, null) : 'null'}`;
  }
  return extra ? `${base.slice(0, -1)}${extra}}` : base;
}
