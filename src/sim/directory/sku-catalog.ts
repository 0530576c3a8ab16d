import { SKUS } from '../tenant/object-factory.js';

/**
 * Real SKU part numbers and service plans of the SKUs the simulated users hold (object-factory's
 * SKUS), plus one the tenant subscribes to but assigns to nobody
 * (https://learn.microsoft.com/entra/identity/users/licensing-service-plan-reference).
 */
export interface SkuInfo {
  skuId: string;
  skuPartNumber: string;
  plans: [id: string, name: string][];
}

const EXCHANGE: [string, string] = ['efb87545-963c-4e0d-99df-69c6916d9eb0', 'EXCHANGE_S_ENTERPRISE'];
const SHAREPOINT: [string, string] = ['5dbe027f-2339-4123-9542-606e4d348a72', 'SHAREPOINTENTERPRISE'];
const TEAMS: [string, string] = ['57ff2da0-773e-42df-b2af-ffb7a2317929', 'TEAMS1'];
const OFFICE: [string, string] = ['43de0ff5-c92c-492b-9116-175376d08c38', 'OFFICESUBSCRIPTION'];
const SKYPE: [string, string] = ['0feaeb32-d00e-4d66-bd5a-43b5b83db82c', 'MCOSTANDARD'];
const AAD_P1: [string, string] = ['41781fb2-bc02-4b7c-bd55-b576c07bb09d', 'AAD_PREMIUM'];
const MFA: [string, string] = ['8a256a2b-b617-496d-b51b-e76466e88db0', 'MFA_PREMIUM'];
const INTUNE: [string, string] = ['c1ec4a95-1f05-45b3-a911-aa3fa01094f5', 'INTUNE_A'];
const PHONE: [string, string] = ['4828c8ec-dc2e-4779-b502-87ac9ce28ab7', 'MCOEV'];
const BI_PRO: [string, string] = ['70d33638-9c74-4d01-bfd3-562de28bd4ba', 'BI_AZURE_P2'];
const BI_FREE: [string, string] = ['2049e525-b859-401b-b2a0-e0a31c4b1fe4', 'BI_AZURE_P0'];
const FOUNDATION: [string, string] = ['113feb6c-3fe4-4440-bddc-54d774bf0318', 'EXCHANGE_S_FOUNDATION'];

const KNOWN: Record<string, Omit<SkuInfo, 'skuId'>> = {
  '6fd2c87f-b296-42f0-b197-1e91e994b900': { skuPartNumber: 'ENTERPRISEPACK', plans: [EXCHANGE, SHAREPOINT, TEAMS, OFFICE, SKYPE] },
  'c7df2760-2c81-4ef7-b578-5b5392b571df': { skuPartNumber: 'ENTERPRISEPREMIUM', plans: [EXCHANGE, SHAREPOINT, TEAMS, OFFICE, PHONE, BI_PRO] },
  '05e9a617-0261-4cee-bb44-138d3ef5d965': { skuPartNumber: 'SPE_E3', plans: [EXCHANGE, SHAREPOINT, TEAMS, OFFICE, AAD_P1, MFA, INTUNE] },
  '078d2b04-f1bd-4111-bbd4-b4b1b354cef4': { skuPartNumber: 'AAD_PREMIUM', plans: [AAD_P1, MFA, FOUNDATION] },
};

/** Power BI (free): subscribed, held by nobody. */
export const UNASSIGNED_SKU: SkuInfo = { skuId: 'a403ebcc-fae0-4ca2-8c8c-7a907fd6c235', skuPartNumber: 'POWER_BI_STANDARD', plans: [BI_FREE, FOUNDATION] };

/** Every subscribed SKU of the simulated tenant, in a fixed order. */
export function subscribedSkuCatalog(): SkuInfo[] {
  const out: SkuInfo[] = SKUS.map((skuId) => ({ skuId, ...(KNOWN[skuId] ?? { skuPartNumber: `SKU_${skuId.slice(0, 8).toUpperCase()}`, plans: [FOUNDATION] }) }));
  out.push(UNASSIGNED_SKU);
  return out;
}
