import type { Connector } from '../src/pull/connector.js';
import type { RelationScope } from '../src/store/relations.js';
import { ownProperties } from './lib/delta-annotations.js';

const licensedWith: RelationScope = { relation: 'licensedWith', anchor: 'source', anchorType: 'user' };

/**
 * The tenant's subscriptions (subscribedSku, id `<tenantId>_<skuId>`), then which user holds which,
 * derived from the stored users' assignedLicenses (direct and group-based alike), so this collection
 * waits for users. https://learn.microsoft.com/graph/api/subscribedsku-list
 */
export const licenses: Connector = {
  name: 'licenses',
  description: 'Subscribed SKUs with enabled and consumed units, and the users holding each (from assignedLicenses)',
  permission: 'LicenseAssignment.Read.All',
  alsoAccepted: ['Organization.Read.All', 'Organization.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  changeTracking: 'list',
  source: '/subscribedSkus (+ users\' assignedLicenses)',
  dependsOn: ['users'],
  steps: [
    {
      kind: 'list',
      name: 'subscribedSkus',
      entityTypes: ['subscribedSku'],
      relationScopes: [],
      url: () => '/subscribedSkus',
      map: (obj) => [{
        entityType: 'subscribedSku', id: obj.id as string, data: ownProperties(obj), links: [],
        displayName: typeof obj.skuPartNumber === 'string' ? obj.skuPartNumber : null,
      }],
    },
    {
      kind: 'derive',
      name: 'licensedWith',
      sourceType: 'user',
      sourceFields: ['assignedLicenses'],
      entityTypes: [],
      relationScopes: [licensedWith],
      derive: (user, ctx) => {
        const held = user.data.assignedLicenses;
        if (!Array.isArray(held) || !ctx.tenantId) return [];
        const skus = [...new Set(held.map((l) => (l as { skuId?: unknown })?.skuId).filter((s): s is string => typeof s === 'string'))];
        return [{
          entityType: 'user',
          id: user.id,
          links: skus.map((sku) => ({ scope: licensedWith, anchorId: user.id, otherId: `${ctx.tenantId}_${sku}`, otherType: 'subscribedSku', removed: false })),
        }];
      },
    },
  ],
};
