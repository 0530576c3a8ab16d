import { highPrivilegePermission, MICROSOFT_GRAPH_APP_ID } from './graph-permissions.js';
import { readRoleInfo } from './privileged-roles-held.js';
import type { ReportContext } from './report-context.js';

export interface GrantRank {
  /** 0 is the most privileged. */
  rank: number;
  label: string;
}

/**
 * How much a link grants, to order changes "biggest first": privileged roles, then high-privilege
 * Microsoft Graph permissions, then groups that carry roles, other roles, ownership, app roles and
 * grants, plain groups, units and licenses, managers.
 */
export function makeGrantRanker(ctx: ReportContext): (relation: string, targetType: string, targetId: string) => GrantRank {
  const roles = readRoleInfo(ctx);
  const graph = ctx.ids.servicePrincipalByAppId(MICROSOFT_GRAPH_APP_ID)?.id ?? null;
  const appRoleValue = ctx.db.prepare("SELECT data ->> '$.value' FROM entities WHERE entity_type = 'appRole' AND id = ?").pluck();
  return (relation, targetType, targetId) => {
    if ((relation === 'hasRole' && targetType === 'roleDefinition') || (relation === 'memberOf' && targetType === 'directoryRole')) {
      return roles.get(`${targetType}\u0000${targetId}`)?.privileged ? { rank: 0, label: 'privileged role' } : { rank: 3, label: 'role' };
    }
    if (relation === 'hasAppRole') {
      if (graph !== null && targetId.startsWith(`${graph}/`) && highPrivilegePermission((appRoleValue.get(targetId) as string | null | undefined) ?? null, 'application')) {
        return { rank: 1, label: 'high-privilege Graph permission' };
      }
      return { rank: 5, label: 'app role' };
    }
    if (relation === 'memberOf' && targetType === 'group') {
      const g = ctx.ids.findGroup(targetId);
      const grants = g === undefined ? [] : ctx.access.groupGrants.get(ctx.ids.groupSlot(targetId)) ?? [];
      const carriesRoles = g !== undefined && (g.assignable || grants.some((x) => x.kind !== 'appRole'));
      return carriesRoles ? { rank: 2, label: 'group with roles' } : { rank: 6, label: 'group' };
    }
    if (relation === 'ownerOf') return { rank: 4, label: 'owner' };
    if (relation === 'delegatedGrant') return { rank: 5, label: 'delegated grant' };
    if (relation === 'memberOf' && targetType === 'administrativeUnit') return { rank: 7, label: 'administrative unit' };
    if (relation === 'licensedWith') return { rank: 7, label: 'license' };
    if (relation === 'reportsTo') return { rank: 8, label: 'manager' };
    return { rank: 8, label: relation };
  };
}
