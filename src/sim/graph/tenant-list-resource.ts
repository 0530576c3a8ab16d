import type { SimResponse } from '../sim-http.js';
import { mulberry32 } from '../tenant/prng.js';
import type { Tenant } from '../tenant/tenant.js';
import { graphError } from './graph-error.js';
import { managerJson, listedObjectStart, memberJson, type MemberLookup } from './list-json.js';
import { listingOptions, type ListingOptions } from './list-options.js';
import { parseListQuery, type ListQuery } from './list-query.js';
import { parseCollectionSelect, parseManagerExpand, parseMemberSelect } from './list-select.js';
import { LiveListings, type ListSource } from './live-listing.js';
import { READ_GROUPS, READ_USERS } from './read-permissions.js';
import type { ResourceRequest, SimResource } from './sim-resource.js';
import { sortedIds } from './sorted-ids.js';

const USERS = /^\/users\/?$/i;
const GROUPS = /^\/groups\/?$/i;
const GROUP_CHILD = /^\/groups\/([^/]+)\/(members|owners)\/?$/i;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface TenantListOptions {
  seed: number;
  now: () => number;
  /** Lifetime and bound of the nextLinks (the simulation's skipTokenTtlMs and maxSkipTokens). */
  skipTokenTtlMs: number;
  maxSkipTokens: number;
  listing?: ListingOptions;
}

/**
 * The plain (non-delta) listings of users and groups, paged by LiveListings:
 *   GET /users                 $select, $top, $expand=manager[($select=...)]  (https://learn.microsoft.com/graph/api/user-list)
 *   GET /groups                $select, $top                                   (https://learn.microsoft.com/graph/api/group-list)
 *   GET /groups/{id}/members   $select, $top                                   (https://learn.microsoft.com/graph/api/group-list-members)
 *   GET /groups/{id}/owners    $select, $top                                   (https://learn.microsoft.com/graph/api/group-list-owners)
 * Live objects only (a soft-deleted one is in directory/deletedItems, not in the collection); members
 * and owners are the live ones, as the delta's full round lists them. Permissions as the delta of
 * the same collection. GET /users selecting signInActivity is the audit resource's (asked first).
 */
export function createTenantListResource(tenant: Tenant, o: TenantListOptions): SimResource {
  const opts = listingOptions(o.listing);
  // Tokens never start with 'u': the audit resource claims a GET /users whose $skiptoken does.
  const lists = new LiveListings(mulberry32(o.seed ^ 0x11577), o.now, o.skipTokenTtlMs, o.maxSkipTokens, opts, 'L');
  // graph.expireSkipTokens() reaches every token holder attached to the directory.
  tenant.directory.attach({ expireDeltaTokens: () => undefined, expireSkipTokens: () => lists.expireAll() });
  const lookup: MemberLookup = {
    typeOf: (id) => tenant.typeOf(id),
    props: (id) => (tenant.users.get(id) ?? tenant.groups.get(id))?.props,
    displayName: (id) => tenant.directory.displayNameOf(id),
  };

  function handle(r: ResourceRequest): SimResponse | undefined {
    const child = GROUP_CHILD.exec(r.path);
    const kind = USERS.test(r.path) ? 'users' : GROUPS.test(r.path) ? 'groups' : child ? 'child' : undefined;
    if (!kind) return undefined;
    const { req, ctx } = r;
    if (req.method !== 'GET') return graphError(405, 'Request_BadRequest', 'The specified HTTP method is not allowed for the request target.', ctx);
    if (!r.roles.some((x) => (kind === 'users' ? READ_USERS : READ_GROUPS).includes(x))) {
      return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', ctx);
    }
    const allowed = kind === 'users' ? ['$select', '$top', '$expand'] : ['$select', '$top'];
    const parsed = parseListQuery(req, ctx, allowed, opts, kind === 'child' ? `the ${child![2]!.toLowerCase()} of a group` : `a list of ${kind}`);
    if (!parsed.ok) return parsed.error;
    const query = parsed.query;
    if (kind === 'users') return users(r, query);
    if (kind === 'groups') return groups(r, query);
    return members(r, query, child![1]!, child![2]!.toLowerCase() === 'owners');
  }

  function users(r: ResourceRequest, query: ListQuery): SimResponse {
    const sel = parseCollectionSelect('users', query.params.get('$select') ?? null);
    if (!sel.ok) return graphError(sel.status, sel.code, sel.message, r.ctx);
    const rawExpand = query.params.get('$expand');
    const expand = rawExpand === undefined ? null : parseManagerExpand(rawExpand);
    if (expand && !expand.ok) return graphError(expand.status, expand.code, expand.message, r.ctx);
    const managerProps = expand?.ok ? expand.value : null;
    return serve(r, query, {
      context: contextOf('users', query),
      ids: sortedIds(tenant.users, tenant.seq),
      listed: (id) => tenant.users.get(id)?.state === 'live',
      render(id) {
        let s = listedObjectStart('', id, tenant.users.get(id)!.props, sel.value);
        // The manager only while both users are live; absent when there is none (user-list-manager).
        const m = managerProps ? tenant.effectiveManager(id) : null;
        if (m !== null) s += managerJson(m, tenant.users.get(m)!.props, managerProps!);
        return `${s}}`;
      },
    });
  }

  function groups(r: ResourceRequest, query: ListQuery): SimResponse {
    const sel = parseCollectionSelect('groups', query.params.get('$select') ?? null);
    if (!sel.ok) return graphError(sel.status, sel.code, sel.message, r.ctx);
    return serve(r, query, {
      context: contextOf('groups', query),
      ids: sortedIds(tenant.groups, tenant.seq),
      listed: (id) => tenant.groups.get(id)?.state === 'live',
      render: (id) => `${listedObjectStart('', id, tenant.groups.get(id)!.props, sel.value)}}`,
    });
  }

  /** Members or owners of a live group, as directoryObjects; 404 for an unknown or soft-deleted group. */
  function members(r: ResourceRequest, query: ListQuery, rawId: string, owners: boolean): SimResponse {
    let id: string;
    try {
      id = decodeURIComponent(rawId).toLowerCase();
    } catch {
      id = rawId;
    }
    if (!GUID.test(id)) return graphError(400, 'Request_BadRequest', `Invalid object identifier '${id}'.`, r.ctx);
    const sel = parseMemberSelect(query.params.get('$select') ?? null);
    if (!sel.ok) return graphError(sel.status, sel.code, sel.message, r.ctx);
    const g = tenant.groups.get(id);
    if (!g || g.state !== 'live') {
      return graphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, r.ctx);
    }
    return serve(r, query, {
      context: contextOf('directoryObjects', query),
      ids: sortedIds(owners ? g.owners : g.members, tenant.seq),
      // A soft-deleted member keeps its membership but is not listed (as in the delta's full round).
      listed: (m) => tenant.isLive(m),
      render: (m) => memberJson(lookup, m, sel.value),
    });
  }

  function serve(r: ResourceRequest, query: ListQuery, src: ListSource): SimResponse {
    const at = lists.resume(r.req, query, r.ctx);
    return at.ok ? lists.page(r.req, query, at.after, src) : at.error;
  }

  return { handle };
}

/** `users` or `users(displayName,jobTitle)` as Graph names a selected collection in @odata.context. */
function contextOf(collection: string, query: ListQuery): string {
  const sel = query.params.get('$select');
  return sel ? `${collection}(${sel})` : collection;
}
