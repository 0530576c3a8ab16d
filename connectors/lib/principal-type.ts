/**
 * The entity type of an app role assignment's principal: Graph's `principalType` is 'User', 'Group'
 * or 'ServicePrincipal' (https://learn.microsoft.com/graph/api/resources/approleassignment).
 */
export function principalEntityType(principalType: unknown): string | undefined {
  switch (principalType) {
    case 'User': return 'user';
    case 'Group': return 'group';
    case 'ServicePrincipal': return 'servicePrincipal';
    default: return undefined;
  }
}
