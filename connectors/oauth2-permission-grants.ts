import type { Connector } from '../src/pull/connector.js';
import type { RelationScope } from '../src/store/relations.js';

const delegatedGrant: RelationScope = { relation: 'delegatedGrant', anchor: 'source', anchorType: 'servicePrincipal' };

interface Grant {
  id: unknown;
  consentType: unknown;
  principalId: unknown;
  scope: unknown;
}

/** The grants of one (client, resource) pair, by id: the union of what the round has seen. */
function mergeGrants(written: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const byId = new Map<string, Grant>();
  for (const g of [...((written.grants as Grant[]) ?? []), ...((next.grants as Grant[]) ?? [])]) byId.set(String(g.id), g);
  // Code-unit order, the same on every machine (localeCompare depends on the locale).
  return { grants: [...byId.values()].sort((a, b) => (String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0)) };
}

/**
 * Delegated permissions consented for a client app to call a resource API, for everyone
 * (AllPrincipals) or one user (Principal): one delegatedGrant link per (client, resource) pair,
 * listing each grant. https://learn.microsoft.com/graph/api/oauth2permissiongrant-list
 */
export const oauth2PermissionGrants: Connector = {
  name: 'oauth2PermissionGrants',
  description: 'Delegated permission grants (admin and user consent): which app may act for whom on which API, with which scopes',
  permission: 'Directory.Read.All',
  alsoAccepted: ['DelegatedPermissionGrant.ReadWrite.All', 'Directory.ReadWrite.All'],
  changeTracking: 'list',
  source: '/oauth2PermissionGrants',
  steps: [{
    kind: 'list',
    name: 'oauth2PermissionGrants',
    entityTypes: [],
    relationScopes: [delegatedGrant],
    url: () => '/oauth2PermissionGrants',
    map: (obj) => {
      if (typeof obj.clientId !== 'string' || typeof obj.resourceId !== 'string') return [];
      const grant = { id: obj.id, consentType: obj.consentType ?? null, principalId: obj.principalId ?? null, scope: obj.scope ?? null };
      return [{
        entityType: 'servicePrincipal',
        id: obj.clientId,
        links: [{
          scope: delegatedGrant, anchorId: obj.clientId, otherId: obj.resourceId, otherType: 'servicePrincipal', removed: false,
          data: { grants: [grant] }, accumulate: mergeGrants,
        }],
      }];
    },
  }],
};
