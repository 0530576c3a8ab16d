import type { DirectoryData } from './directory-data.js';
import { subscribedSkuCatalog } from './sku-catalog.js';

/**
 * GET /subscribedSkus as Graph serves it (https://learn.microsoft.com/graph/api/resources/subscribedsku):
 * one object per SKU the tenant subscribes to, id `<tenantId>_<skuId>`, consumedUnits = the live users
 * holding it now (users' assignedLicenses), prepaid units fixed when the tenant was generated.
 */
export function servedSkus(d: DirectoryData): Record<string, unknown>[] {
  if (d.skuSubscriptions.size === 0) return [];
  const consumed = consumedUnits(d);
  return subscribedSkuCatalog().filter((s) => d.skuSubscriptions.has(s.skuId)).map((s) => {
    const sub = d.skuSubscriptions.get(s.skuId)!;
    return {
      accountId: d.tenantId,
      accountName: 'Contoso',
      appliesTo: 'User',
      capabilityStatus: 'Enabled',
      consumedUnits: consumed.get(s.skuId) ?? 0,
      id: `${d.tenantId}_${s.skuId}`,
      prepaidUnits: { enabled: sub.enabled, lockedOut: 0, suspended: 0, warning: 0 },
      servicePlans: s.plans.map(([servicePlanId, servicePlanName]) => ({ servicePlanId, servicePlanName, provisioningStatus: 'Success', appliesTo: 'User' })),
      skuId: s.skuId,
      skuPartNumber: s.skuPartNumber,
      subscriptionIds: [sub.subscriptionId],
    };
  });
}

/** skuId → live users whose assignedLicenses hold it. */
export function consumedUnits(d: DirectoryData): Map<string, number> {
  const counts = new Map<string, number>();
  for (const u of d.tenant.users.values()) {
    if (u.state !== 'live') continue;
    const licenses = u.props.assignedLicenses as { skuId: string }[] | null | undefined;
    if (licenses) for (const l of licenses) counts.set(l.skuId, (counts.get(l.skuId) ?? 0) + 1);
  }
  return counts;
}
