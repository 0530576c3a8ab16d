import type { SimResponse } from '../sim-http.js';
import { graphError } from '../graph/graph-error.js';
import type { ResourceRequest } from '../graph/sim-resource.js';
import type { AuditData } from './audit-data.js';
import { US_PER_MS } from './graph-time.js';
import { collectionPage, insufficientPrivileges, nonPremium } from './odata-response.js';
import { parseSignInFilter } from './sign-in-filter.js';
import type { Cursor } from './sign-in-store.js';
import type { PageTokens } from './page-tokens.js';

/** Application permissions that read sign-ins (signin-list-permissions include, MGDC@64e55821). */
const READ_SIGN_INS = ['AuditLog.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const OPTIONS = new Set(['$filter', '$top', '$skiptoken']);
/** "The maximum and default page size is 1,000 objects" (https://learn.microsoft.com/graph/api/signin-list). */
export const SIGN_IN_PAGE_MAX = 1000;

/**
 * The state behind one nextLink. The result set of a chain is fixed when its first page is served:
 * the window (retention applied), the time `t0` (visibility) and the log's size then (`count0`);
 * later pages resume after the last event sent (keyset), so events that arrive meanwhile, even
 * inside the window, are not mixed into a chain already under way.
 */
export interface SignInChain {
  loUs: number;
  hiUs: number;
  t0: number;
  count0: number;
  top: number;
  cursor: Cursor | null;
}

/**
 * GET /auditLogs/signIns: `$filter` on createdDateTime (sign-in-filter.ts), `$top` (default and
 * maximum 1,000; a larger value is clamped, as the service returns at most 1,000 a page), newest
 * first, paged with opaque `$skiptoken` nextLinks and no deltaLink (signIn has no delta function).
 */
export function serveSignIns(a: AuditData, tokens: PageTokens<SignInChain>, r: ResourceRequest, now: number): SimResponse {
  const { req, ctx } = r;
  if (req.method !== 'GET') return graphError(405, 'Request_BadRequest', 'The specified HTTP method is not allowed for the request target.', ctx);
  if (!r.roles.some((x) => READ_SIGN_INS.includes(x))) return insufficientPrivileges(ctx);
  if (!a.premium) return nonPremium(ctx);
  const params = new Map<string, string>();
  for (const [k, v] of req.url.searchParams) {
    const key = k.toLowerCase();
    if (!OPTIONS.has(key)) return graphError(400, 'Request_BadRequest', `Query option '${k}' is not supported on auditLogs/signIns.`, ctx);
    params.set(key, v);
  }
  const skip = params.get('$skiptoken');
  if (skip !== undefined) {
    // Follow nextLinks verbatim: options are kept in the token, never added again.
    if (params.size > 1) return graphError(400, 'Request_BadRequest', '$skiptoken cannot be combined with other query options.', ctx);
    const state = tokens.get(skip, now);
    // The reporting service answers an unusable token with "Invalid Skip Token"
    // (microsoftgraph/msgraph-sdk-powershell#1388, microsoftgraph/microsoft-graph-docs-contrib#5103).
    if (!state) return graphError(400, 'UnknownError', 'Invalid Skip Token', ctx);
    return page(a, tokens, state, r.origin, now);
  }
  const f = parseSignInFilter(params.get('$filter') ?? null);
  if (!f.ok) return graphError(400, f.code, f.message, ctx);
  let top = SIGN_IN_PAGE_MAX;
  const rawTop = params.get('$top');
  if (rawTop !== undefined) {
    if (!/^\d+$/.test(rawTop.trim()) || Number(rawTop) < 1) return graphError(400, 'Request_BadRequest', `Invalid value '${rawTop}' for query option '$top'.`, ctx);
    top = Math.min(SIGN_IN_PAGE_MAX, Number(rawTop));
  }
  const state: SignInChain = {
    loUs: Math.max(f.window.loUs, (now - a.retentionMs()) * US_PER_MS),
    hiUs: f.window.hiUs,
    t0: now,
    count0: a.store.size,
    top,
    cursor: null,
  };
  return page(a, tokens, state, r.origin, now);
}

function page(a: AuditData, tokens: PageTokens<SignInChain>, st: SignInChain, origin: string, now: number): SimResponse {
  const s = a.store;
  const order = s.sorted();
  const listed = (i: number): boolean => i < st.count0 && (s.visibleMs[i] as number) <= st.t0;
  let p = st.cursor ? s.positionAfter(st.cursor) : s.firstAtOrBefore(st.hiUs);
  const rows: number[] = [];
  for (; p < order.length && rows.length < st.top; p++) {
    const i = order[p] as number;
    if ((s.createdUs[i] as number) < st.loUs) break;
    if (listed(i)) rows.push(i);
  }
  let more = false;
  for (; p < order.length; p++) {
    const i = order[p] as number;
    if ((s.createdUs[i] as number) < st.loUs) break;
    if (listed(i)) {
      more = true;
      break;
    }
  }
  let next: string | undefined;
  if (more) {
    const last = rows[rows.length - 1] as number;
    const tok = tokens.issue({ ...st, cursor: { us: s.createdUs[last] as number, id: s.idOf(last) } }, now);
    next = `${origin}/v1.0/auditLogs/signIns?$skiptoken=${tok}`;
  }
  const items = rows.map((i) => JSON.stringify(a.render(i)));
  return collectionPage(`${origin}/v1.0/$metadata#auditLogs/signIns`, items, next);
}
