import { graphError } from '../graph/graph-error.js';
import type { ResourceRequest, SimResource } from '../graph/sim-resource.js';
import type { SimResponse } from '../sim-http.js';
import { listingOptions } from '../graph/list-options.js';
import { mulberry32 } from '../tenant/prng.js';
import type { Tenant } from '../tenant/tenant.js';
import {
  APP_ROLE_ASSIGNMENT, DIRECTORY_OBJECT, GRANT, ROLE_ASSIGNMENT, ROLE_DEFINITION, SUBSCRIBED_SKU, parseListSelect, type DeltaCollection, type ListCatalog,
} from './catalogs.js';
import { DeltaEndpoint } from './delta-endpoint.js';
import { DirectoryListings, listingAllowed, type DirectoryListing } from './directory-listings.js';
import type { AppRoleAssignmentRec, GrantRec, RoleAssignmentRec, RoleDefinitionRec } from './directory-types.js';
import { DIRECTORY_RESOURCE_DEFAULTS, type DirectoryResourceOptions } from './directory-resource-options.js';
import { assignmentJson, grantJson, ownerJson, roleAssignmentJson, roleDefinitionJson, selected } from './list-items.js';
import { ListPages, type ListSpec } from './list-pages.js';
import { PERMISSIONS, allowed } from './permissions.js';
import { okJson } from './respond.js';

export type { DirectoryResourceOptions } from './directory-resource-options.js';

const DELTA = /^\/(servicePrincipals|applications|directoryRoles|administrativeUnits)\/(?:microsoft\.graph\.)?delta(?:\(\))?\/?$/i;
const ROLE_MANAGEMENT = /^\/roleManagement\/directory\/(roleDefinitions|roleAssignments)\/?$/i;
/** /servicePrincipals/{id}/owners, /servicePrincipals(appId='…')/appRoleAssignedTo, /applications/{id}/owners, … */
const CHILD = /^\/(servicePrincipals|applications)(?:\/([^/()]+)|\(appId='([^']*)'\))\/(owners|appRoleAssignedTo)\/?$/i;
const GRANTS = /^\/oauth2PermissionGrants\/?$/i;
const SKUS = /^\/subscribedSkus\/?$/i;
/** The plain listings of units and roles and their members (directory-listings.ts). */
const UNITS = /^(?:\/directory)?\/administrativeUnits\/?$/i;
const UNIT_MEMBERS = /^(?:\/directory)?\/administrativeUnits\/([^/()]+)\/members\/?$/i;
const ROLES = /^\/directoryRoles\/?$/i;
const ROLE_MEMBERS = /^\/directoryRoles(?:\/([^/()]+)|\(roleTemplateId='([^']*)'\))\/members\/?$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CANONICAL: Record<string, DeltaCollection> = {
  serviceprincipals: 'servicePrincipals', applications: 'applications', directoryroles: 'directoryRoles', administrativeunits: 'administrativeUnits',
};

/**
 * The simulated endpoints of the apps-and-roles directory (every GET the connectors send):
 *   /{servicePrincipals|applications|directoryRoles|administrativeUnits}/delta
 *   /roleManagement/directory/{roleDefinitions|roleAssignments}
 *   /servicePrincipals/{id}/owners, /servicePrincipals/{id}/appRoleAssignedTo, /applications/{id}/owners
 *   /oauth2PermissionGrants, /subscribedSkus
 *   /[directory/]administrativeUnits[/{id}/members], /directoryRoles[/{id}/members] (plain listings)
 * Options come from `o`, over tenant.directory.resourceOptions, over DIRECTORY_RESOURCE_DEFAULTS.
 */
export function createDirectoryResource(tenant: Tenant, o: { seed: number; now: () => number } & DirectoryResourceOptions): SimResource {
  const d = tenant.directory;
  const { seed, now, ...rest } = o;
  const opts: Required<DirectoryResourceOptions> = { ...DIRECTORY_RESOURCE_DEFAULTS, ...d.resourceOptions, ...rest };
  const rng = mulberry32(seed ^ 0x5eedd1);
  const delta = new DeltaEndpoint(d, opts, rng, now);
  const lists = new ListPages(rng, now, opts.skipTokenTtlMs, opts.maxSkipTokens);
  const listings = new DirectoryListings(d, listingOptions(opts.listing), mulberry32(seed ^ 0x115715), now, opts.skipTokenTtlMs, opts.maxSkipTokens);
  d.attach({
    expireDeltaTokens: () => delta.expireDeltaTokens(),
    expireSkipTokens: () => { delta.expireSkipTokens(); lists.expireAll(); listings.expireSkipTokens(); },
  });

  function handle(r: ResourceRequest): SimResponse | undefined {
    let path: string;
    try {
      path = decodeURIComponent(r.path);
    } catch {
      return undefined;
    }
    const { req, ctx, roles, origin } = r;
    const deny = (accepted: readonly string[]): SimResponse | undefined =>
      allowed(roles, accepted) ? undefined : graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', ctx);
    const route = matchRoute(path);
    if (!route) return undefined;
    if (req.method !== 'GET') return graphError(405, 'Request_BadRequest', 'The specified HTTP method is not allowed for the request target.', ctx);
    d.sync();
    switch (route.kind) {
      case 'delta': {
        const kind = CANONICAL[route.collection.toLowerCase()]!;
        const accepted = kind === 'directoryRoles' ? PERMISSIONS.directoryRoles : kind === 'administrativeUnits' ? PERMISSIONS.administrativeUnits : PERMISSIONS.applications;
        return deny(accepted) ?? delta.serve(kind, req, ctx, roles, origin);
      }
      case 'roleManagement': {
        const denied = deny(PERMISSIONS.roleManagement);
        if (denied) return denied;
        if (route.which.toLowerCase() === 'roledefinitions') {
          return list<RoleDefinitionRec>(r, path, ROLE_DEFINITION, opts.listPageSize, (select) => ({
            context: 'roleManagement/directory/roleDefinitions', items: [...d.roles.definitions.values()], render: (x) => roleDefinitionJson(x, select),
          }));
        }
        return list<RoleAssignmentRec>(r, path, ROLE_ASSIGNMENT, opts.listPageSize, (select, expand) => ({
          context: 'roleManagement/directory/roleAssignments',
          // As for appRoleAssignedTo, a deleted principal's assignments are not listed (kept, back on restore).
          items: [...d.roles.assignments.values()].filter((a) => d.isLive(a.principalId)),
          render: (x) => roleAssignmentJson(d, x, select, expand),
        }), { expand: ['principal', 'roleDefinition'] });
      }
      case 'child':
        return deny(PERMISSIONS.applicationChildren) ?? child(r, path, route);
      case 'grants':
        return deny(PERMISSIONS.grants) ?? list<GrantRec>(r, path, GRANT, opts.listPageSize, (select) => ({
          context: 'oauth2PermissionGrants', items: [...d.grants.values()], render: (g) => grantJson(g, select),
        }));
      case 'skus':
        return deny(PERMISSIONS.subscribedSkus) ?? skus(r);
      case 'listing': {
        if (!listingAllowed(roles, route.listing)) return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', ctx);
        const id = 'id' in route.listing ? route.listing.id : undefined;
        if (id !== undefined && !GUID.test(id)) return graphError(400, 'Request_BadRequest', `Invalid object identifier '${id}'.`, ctx);
        return listings.serve(r, route.listing);
      }
    }
  }

  /** Owners and appRoleAssignedTo of one service principal or application; 404 unless it is live. */
  function child(r: ResourceRequest, path: string, route: ChildRoute): SimResponse {
    const { ctx } = r;
    const isSp = route.parent.toLowerCase() === 'serviceprincipals';
    const reg = d.registry;
    const key = route.id ?? route.appId ?? '';
    if (route.id !== undefined && !GUID.test(route.id)) return graphError(400, 'Request_BadRequest', `Invalid object identifier '${route.id}'.`, ctx);
    const id = route.id ?? (isSp ? reg.spOfAppId(route.appId!) : reg.appOfAppId(route.appId!));
    const store = isSp ? reg.sps : reg.apps;
    const assignedTo = route.child.toLowerCase() === 'approleassignedto';
    if (!id || !store.isLive(id) || (assignedTo && !isSp)) {
      return graphError(404, 'Request_ResourceNotFound', `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`, ctx);
    }
    if (assignedTo) {
      return list<AppRoleAssignmentRec>(r, path, APP_ROLE_ASSIGNMENT, opts.assignedToPageSize, (select) => ({
        context: `servicePrincipals('${id}')/appRoleAssignedTo`,
        // Assignments of a deleted principal are not listed (it keeps them, and has them back on restore).
        items: [...d.appRoleAssignments.forResource(id)].filter((a) => d.isLive(a.principalId)),
        render: (a) => assignmentJson(d, a, select),
      }), { defaultTop: 100 });
    }
    return list<string>(r, path, DIRECTORY_OBJECT, opts.ownersPageSize, (select) => ({
      context: select ? `directoryObjects(${select.join(',')})` : 'directoryObjects',
      items: [...store.get(id)!.links].filter((o) => d.isLive(o)),
      render: (o) => ownerJson(d, o, select),
    }));
  }

  /**
   * A plain list: $select (validated), $top (1–999), $expand of the navigation properties allowed,
   * $skiptoken (the nextLink as given; other options are then ignored: the token holds them).
   * `defaultTop` is the page size when $top is absent.
   */
  function list<T>(r: ResourceRequest, path: string, cat: ListCatalog, sizes: [number, number],
    make: (select: string[] | null, expand: string[]) => Pick<ListSpec<T>, 'context' | 'items' | 'render'>,
    o: { defaultTop?: number; expand?: string[] } = {}): SimResponse {
    const { ctx, origin } = r;
    const params = lowerParams(r);
    const skip = params.get('$skiptoken');
    if (skip !== undefined) {
      const page = lists.next(skip, path, origin);
      return page === undefined
        ? graphError(400, 'Directory_ExpiredPageToken', 'The specified page token value has expired and can no longer be included in your request.', ctx)
        : okJson(page);
    }
    for (const k of params.keys()) {
      if (k.startsWith('$') && k !== '$select' && k !== '$top' && !(k === '$expand' && o.expand)) {
        return graphError(400, 'Request_BadRequest', `Query option '${k}' is not supported by the simulation for this request.`, ctx);
      }
    }
    const expand: string[] = [];
    for (const part of (params.get('$expand') ?? '').split(',')) {
      const name = part.trim();
      if (name === '') continue;
      const known = o.expand?.find((x) => x.toLowerCase() === name.toLowerCase());
      if (!known) return graphError(400, 'Request_BadRequest', `Could not find a navigation property named '${name}' on type '${cat.odataType}'.`, ctx);
      expand.push(known);
    }
    const s = parseListSelect(cat, params.get('$select') ?? null);
    if (!s.ok) return graphError(400, 'Request_BadRequest', s.message, ctx);
    let top = o.defaultTop ?? null;
    if (params.has('$top')) {
      const n = Number(params.get('$top'));
      if (!Number.isInteger(n) || n < 1 || n > 999) {
        return graphError(400, 'Request_BadRequest', `Invalid page size specified: '${params.get('$top')}'. Must be between 1 and 999 inclusive.`, ctx);
      }
      top = n;
    }
    return okJson(lists.first({ path, sizes, top, ...make(s.value, expand) }, origin));
  }

  /** One page, no nextLink; only $select is supported (graph-facts 2). */
  function skus(r: ResourceRequest): SimResponse {
    const params = lowerParams(r);
    for (const k of params.keys()) {
      if (k.startsWith('$') && k !== '$select') return graphError(400, 'Request_BadRequest', `Query option '${k}' is not supported for subscribedSkus; only $select is.`, r.ctx);
    }
    const s = parseListSelect(SUBSCRIBED_SKU, params.get('$select') ?? null);
    if (!s.ok) return graphError(400, 'Request_BadRequest', s.message, r.ctx);
    const values = d.subscribedSkus().map((x) => selected(x, s.value));
    return okJson(`{"@odata.context":${JSON.stringify(`${r.origin}/v1.0/$metadata#subscribedSkus`)},"value":[${values.join(',')}]}`);
  }

  return { handle };
}

interface ChildRoute {
  kind: 'child';
  parent: string;
  id?: string;
  appId?: string;
  child: string;
}

type Route =
  | { kind: 'delta'; collection: string }
  | { kind: 'roleManagement'; which: string }
  | ChildRoute
  | { kind: 'grants' }
  | { kind: 'skus' }
  | { kind: 'listing'; listing: DirectoryListing };

function matchRoute(path: string): Route | undefined {
  let m = DELTA.exec(path);
  if (m) return { kind: 'delta', collection: m[1]! };
  if ((m = ROLE_MANAGEMENT.exec(path))) return { kind: 'roleManagement', which: m[1]! };
  if ((m = CHILD.exec(path))) return { kind: 'child', parent: m[1]!, ...(m[2] !== undefined ? { id: m[2].toLowerCase() } : { appId: m[3]! }), child: m[4]! };
  if (GRANTS.test(path)) return { kind: 'grants' };
  if (SKUS.test(path)) return { kind: 'skus' };
  if (UNITS.test(path)) return { kind: 'listing', listing: { kind: 'units', path } };
  if ((m = UNIT_MEMBERS.exec(path))) return { kind: 'listing', listing: { kind: 'unitMembers', path, id: m[1]!.toLowerCase() } };
  if (ROLES.test(path)) return { kind: 'listing', listing: { kind: 'roles' } };
  if ((m = ROLE_MEMBERS.exec(path))) return { kind: 'listing', listing: { kind: 'roleMembers', ...(m[1] !== undefined ? { id: m[1].toLowerCase() } : { templateId: m[2]! }) } };
  return undefined;
}

function lowerParams(r: ResourceRequest): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, v] of r.req.url.searchParams) params.set(k.toLowerCase(), v);
  return params;
}
