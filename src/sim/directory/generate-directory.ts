import { mulberry32, type Rng } from '../tenant/prng.js';
import type { Tenant } from '../tenant/tenant.js';
import type { DirectoryData } from './directory-data.js';
import { DEFAULT_TENANT_ID } from './directory-state.js';
import { generateAccess } from './generate-access.js';
import {
  GRAPH_APP_ROLES, GRAPH_CLI_APP_ID, GRAPH_ROLE_ID, GRAPH_SCOPES, MICROSOFT_GRAPH_APP_ID, MICROSOFT_TENANT_ID, type AppRole, type PermissionScope,
} from './graph-permissions.js';
import { appProps, customAppRoles, customScope, spProps, type SpKind } from './object-builders.js';
import { subscribedSkuCatalog } from './sku-catalog.js';
import { consumedUnits } from './subscribed-skus.js';

/** Options of the simulated apps-and-roles directory; every default scales with the tenant. */
export interface DirectoryGenOptions {
  /** The tenant's id: subscribedSku ids and own apps' appOwnerOrganizationId. Default '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b'. */
  tenantId?: string;
  /**
   * Service principals of the directory's own, besides the tenant's plain ones (which groups may
   * contain): Microsoft Graph, Microsoft Graph Command Line Tools, then own apps, third-party apps,
   * managed identities and one legacy one. Default 30.
   */
  extraServicePrincipals?: number;
  /** Share of the tenant's own Application service principals with an app registration here. Default 0.7. */
  applicationRatio?: number;
  /** App role assignments in all, Graph application permissions included. Default 2 × users. */
  appRoleAssignments?: number;
  /** Service principals holding Microsoft Graph application permissions. Default max(3, 15% of service principals). */
  graphPermissionHolders?: number;
  /** oAuth2PermissionGrants. Default max(6, service principals / 3). */
  grants?: number;
  /** Activated directory roles (built-in templates, in ROLE_TEMPLATES order). Default 8. */
  directoryRoles?: number;
  /** Custom role definitions. Default 2. */
  customRoleDefinitions?: number;
  /** Unified role assignments. Default max(12, users / 50). */
  roleAssignments?: number;
  /** Administrative units. Default max(3, min(200, users / 200)); the last has hidden membership (when 2 or more). */
  administrativeUnits?: number;
  /** Members of administrative units in all. Default min(users, 30 × units). */
  unitMemberships?: number;
  /** Credentials expire relative to this time (ms). Default 2025-06-01T00:00:00Z, so generation is deterministic. */
  referenceTime?: number;
}

const PRODUCTS = ['HR Portal', 'Payroll Sync', 'Expense Tracker', 'CRM Connector', 'Data Warehouse', 'Build Agent', 'Backup Service',
  'Ticketing', 'Wiki', 'Analytics', 'Intranet', 'Vendor Portal', 'Scheduler', 'Inventory', 'Signing Service'];
const VENDORS = ['Fabrikam', 'Northwind', 'Tailspin', 'Wingtip', 'Adventure Works', 'Litware', 'Proseware'];

/**
 * Fills tenant.directory (once, right after the users and groups) deterministically from its own generator (seed XOR a constant), so the users
 * and groups of existing tests never change. Linear in its size; nothing is logged (sequence 0).
 */
export function populateDirectory(t: Tenant, o: DirectoryGenOptions | undefined, seed: number): void {
  const opts = o ?? {};
  const d = t.directory;
  const rng = mulberry32(seed ^ 0x0d1ec7);
  d.rng = mulberry32(seed ^ 0x1d5eed);
  d.tenantId = opts.tenantId ?? DEFAULT_TENANT_ID;
  d.referenceTime = opts.referenceTime ?? d.referenceTime;
  d.clock.quiet = true;
  try {
    const spIds = generateServicePrincipals(d, rng, opts);
    generateApplications(d, rng, spIds, opts.applicationRatio ?? 0.7);
    generateAccess(d, rng, opts);
    for (const s of subscribedSkuCatalog()) d.skuSubscriptions.set(s.skuId, { enabled: 0, subscriptionId: rng.guid(), consumedSeen: 0 });
    const consumed = consumedUnits(d);
    for (const [skuId, sub] of d.skuSubscriptions) {
      const n = consumed.get(skuId) ?? 0;
      sub.enabled = n === 0 ? 25 : Math.ceil((n * 1.1 + 5) / 5) * 5;
      sub.consumedSeen = n;
    }
  } finally {
    d.clock.quiet = false;
  }
}

function generateServicePrincipals(d: DirectoryData, rng: Rng, o: DirectoryGenOptions): string[] {
  const reg = d.registry;
  const ids: string[] = [];
  const graph = rng.guid();
  reg.insertSp(graph, firstParty(MICROSOFT_GRAPH_APP_ID, 'Microsoft Graph', [...GRAPH_APP_ROLES], [...GRAPH_SCOPES],
    ['https://graph.microsoft.com/', 'https://graph.microsoft.com', 'https://canary.graph.microsoft.com', MICROSOFT_GRAPH_APP_ID]), true);
  reg.protectedSps.add(graph);
  reg.graphSpId = graph;
  const extras = Math.max(1, o.extraServicePrincipals ?? 30);
  if (extras >= 2) {
    const cli = rng.guid();
    reg.insertSp(cli, firstParty(GRAPH_CLI_APP_ID, 'Microsoft Graph Command Line Tools', [], [], [GRAPH_CLI_APP_ID]), true);
    reg.protectedSps.add(cli);
  }
  const make = (id: string, kind: SpKind, displayName: string, own: boolean): void => {
    const isOwn = kind === 'own';
    const appRoles: AppRole[] = isOwn && rng.chance(0.35) ? customAppRoles(rng, rng.int(1, 4), displayName)
      : kind === 'thirdParty' && rng.chance(0.2) ? customAppRoles(rng, rng.int(1, 2), displayName) : [];
    const scopes: PermissionScope[] = isOwn && rng.chance(0.2) ? [customScope(rng, displayName)] : [];
    reg.insertSp(id, spProps(rng, { kind, appId: rng.guid(), displayName, tenantId: d.tenantId, ref: d.referenceTime, appRoles, scopes }), own);
    ids.push(id);
  };
  // The tenant's plain service principals (groups may hold them): full records here, never deleted.
  for (const p of d.tenant.others.values()) {
    if (p.type === 'servicePrincipal') make(p.id, rng.chance(0.75) ? 'own' : 'thirdParty', p.displayName, false);
  }
  // The rest of the directory's own: one legacy service principal, then apps, third-party apps, managed identities.
  const firstParties = extras >= 2 ? 2 : 1;
  for (let i = 0; i < extras - firstParties; i++) {
    const r = rng.next();
    const kind: SpKind = i === 0 ? 'legacy' : r < 0.15 ? 'managedIdentity' : r < 0.75 ? 'own' : 'thirdParty';
    const product = rng.pick(PRODUCTS);
    const name = kind === 'managedIdentity' ? `mi-${product.toLowerCase().replace(/\s/g, '-')}-${i}`
      : kind === 'thirdParty' ? `${rng.pick(VENDORS)} ${product}` : kind === 'legacy' ? `Legacy ${product}` : `Contoso ${product} ${i}`;
    make(rng.guid(), kind, name, true);
  }
  return ids;
}

function firstParty(appId: string, displayName: string, appRoles: AppRole[], scopes: PermissionScope[], names: string[]): Record<string, unknown> {
  return {
    appId, displayName, servicePrincipalType: 'Application', accountEnabled: true, appOwnerOrganizationId: MICROSOFT_TENANT_ID,
    description: null, verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
    signInAudience: 'AzureADMultipleOrgs', appRoleAssignmentRequired: false, tags: [], servicePrincipalNames: names, appRoles,
    oauth2PermissionScopes: scopes, passwordCredentials: [], keyCredentials: [],
  };
}

/** App registrations of a share of the tenant's own apps: same appId, roles and scopes as the service principal. */
function generateApplications(d: DirectoryData, rng: Rng, spIds: string[], ratio: number): void {
  const reg = d.registry;
  const apis = spIds.filter((id) => (reg.sps.get(id)!.props.oauth2PermissionScopes as PermissionScope[]).length > 0);
  for (const spId of spIds) {
    const sp = reg.sps.get(spId)!.props;
    if (sp.appOwnerOrganizationId !== d.tenantId || !rng.chance(ratio)) continue;
    const graphAccess: { id: string; type: 'Role' | 'Scope' }[] = [{ id: GRAPH_SCOPES[0]!.id, type: 'Scope' }];
    if (rng.chance(0.3)) graphAccess.push({ id: GRAPH_ROLE_ID[rng.pick(['User.Read.All', 'Directory.Read.All', 'Group.Read.All', 'Mail.Read'])]!, type: 'Role' });
    const required = [{ resourceAppId: MICROSOFT_GRAPH_APP_ID, resourceAccess: graphAccess }];
    const api = apis.length > 0 && rng.chance(0.2) ? reg.sps.get(rng.pick(apis))!.props : undefined;
    if (api && api.appId !== sp.appId) {
      required.push({ resourceAppId: api.appId as string, resourceAccess: [{ id: (api.oauth2PermissionScopes as PermissionScope[])[0]!.id, type: 'Scope' }] });
    }
    reg.insertApp(rng.guid(), appProps(rng, {
      appId: sp.appId as string, displayName: sp.displayName as string, signInAudience: sp.signInAudience as string, ref: d.referenceTime,
      appRoles: sp.appRoles as AppRole[], scopes: sp.oauth2PermissionScopes as PermissionScope[], requiredResourceAccess: required,
    }));
  }
}
