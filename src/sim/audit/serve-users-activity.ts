import type { SimResponse } from '../sim-http.js';
import { graphError } from '../graph/graph-error.js';
import type { ResourceRequest } from '../graph/sim-resource.js';
import type { AuditData } from './audit-data.js';
import { collectionPage, insufficientPrivileges, nonPremium } from './odata-response.js';
import type { PageTokens } from './page-tokens.js';

const READ_USERS = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const OPTIONS = new Set(['$select', '$top', '$skiptoken', '$filter']);
/** "The default and maximum page sizes are 100 and 999 user objects" (user-list; graph-facts 2 and 5.2). */
export const USERS_PAGE_DEFAULT = 100;
export const USERS_PAGE_MAX = 999;

interface UsersChain {
  /** Live users when the first page was served, in the tenant's order. */
  ids: string[];
  /** Selected properties other than id, as the client spelled them. */
  select: string[];
  selectRaw: string;
  top: number;
}

export interface UsersPage {
  chain: UsersChain;
  offset: number;
}

/** Whether a GET /users request is the signInActivity listing this resource serves. */
export function wantsSignInActivity(url: URL, tokens: PageTokens<UsersPage>): boolean {
  for (const [k, v] of url.searchParams) {
    const key = k.toLowerCase();
    if ((key === '$select' || key === '$filter') && /signInActivity/i.test(v)) return true;
    if (key === '$skiptoken' && tokens.owns(v)) return true;
  }
  return false;
}

/**
 * GET /users?$select=id,signInActivity[,...] (graph-facts 5.2; https://learn.microsoft.com/graph/api/user-list,
 * example "Get users including their last sign-in time"): the live users with id, the selected
 * properties and signInActivity, `$top` default 100 and maximum 999, paged with opaque nextLinks.
 * Needs AuditLog.Read.All and a permission that lists users
 * (https://learn.microsoft.com/entra/identity/monitoring-health/howto-manage-inactive-user-accounts#prerequisites),
 * and a P1/P2 licence. `$filter=signInActivity/...` is documented but not modelled (400).
 * signInActivity values are read when each page is served; the set of users is fixed at the first page.
 */
export function serveUsersActivity(a: AuditData, tokens: PageTokens<UsersPage>, r: ResourceRequest, now: number): SimResponse {
  const { req, ctx } = r;
  if (!r.roles.includes('AuditLog.Read.All') || !r.roles.some((x) => READ_USERS.includes(x))) return insufficientPrivileges(ctx);
  if (!a.premium) return nonPremium(ctx);
  const params = new Map<string, string>();
  for (const [k, v] of req.url.searchParams) {
    const key = k.toLowerCase();
    if (!OPTIONS.has(key)) return graphError(400, 'Request_UnsupportedQuery', `Query option '${k}' is not modelled by the simulation together with signInActivity.`, ctx);
    params.set(key, v);
  }
  const skip = params.get('$skiptoken');
  if (skip !== undefined) {
    if (params.size > 1) return graphError(400, 'Request_BadRequest', '$skiptoken cannot be combined with other query options.', ctx);
    const st = tokens.get(skip, now);
    if (!st) return graphError(400, 'Directory_ExpiredPageToken', 'The specified page token value has expired and can no longer be included in your request.', ctx);
    return page(a, tokens, st, r.origin, now);
  }
  if (params.has('$filter')) {
    return graphError(400, 'Request_UnsupportedQuery', 'The simulation does not model $filter on users together with signInActivity.', ctx);
  }
  let top = USERS_PAGE_DEFAULT;
  const rawTop = params.get('$top');
  if (rawTop !== undefined) {
    top = Number(rawTop);
    if (!/^\d+$/.test(rawTop.trim()) || top < 1 || top > USERS_PAGE_MAX) {
      return graphError(400, 'Request_UnsupportedQuery', `Invalid page size specified: '${rawTop}'. Must be between 1 and ${USERS_PAGE_MAX} inclusive.`, ctx);
    }
  }
  const selectRaw = params.get('$select') ?? '';
  const select = selectRaw.split(',').map((x) => x.trim()).filter((x) => x !== '' && x.toLowerCase() !== 'id');
  const ids: string[] = [];
  for (const u of a.tenant.users.values()) if (u.state === 'live') ids.push(u.id);
  return page(a, tokens, { chain: { ids, select, selectRaw, top }, offset: 0 }, r.origin, now);
}

function page(a: AuditData, tokens: PageTokens<UsersPage>, st: UsersPage, origin: string, now: number): SimResponse {
  const { chain } = st;
  const items: string[] = [];
  let p = st.offset;
  for (; p < chain.ids.length && items.length < chain.top; p++) {
    const id = chain.ids[p] as string;
    const u = a.tenant.users.get(id);
    // A user deleted since the first page is not listed any more.
    if (!u || u.state !== 'live') continue;
    const o: Record<string, unknown> = { id };
    for (const name of chain.select) {
      if (name.toLowerCase() === 'signinactivity') o.signInActivity = a.signInActivity(id) ?? null;
      else o[name] = u.props[name] ?? null;
    }
    items.push(JSON.stringify(o));
  }
  const next = p < chain.ids.length ? `${origin}/v1.0/users?$skiptoken=${tokens.issue({ chain, offset: p }, now)}` : undefined;
  return collectionPage(`${origin}/v1.0/$metadata#users(${chain.selectRaw})`, items, next);
}
