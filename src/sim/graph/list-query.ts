import type { SimRequest, SimResponse } from '../sim-http.js';
import { graphError, type ResponseContext } from './graph-error.js';
import type { ListingOptions } from './list-options.js';

/** The query options of one plain-listing request, checked. */
export interface ListQuery {
  /** Lowercased option name → value, $skiptoken excepted. */
  params: Map<string, string>;
  /** Items per page asked for: $top, clamped to the maximum, or the default. */
  top: number;
  /** The $skiptoken of a nextLink, or null on a first page. */
  skiptoken: string | null;
  /**
   * The options in a canonical form: a nextLink repeats the request's options, and its token is good
   * only with those (anything else combined with $skiptoken is a 400, as for delta).
   */
  signature: string;
  /** The request's query string without $skiptoken, as the client encoded it (nextLinks repeat it). */
  search: string;
}

/**
 * Parses the options of a plain listing. `allowed` names the options this endpoint supports besides
 * $skiptoken (lowercase); any other is 400 Request_BadRequest. `$top` is a positive integer, and one
 * above the maximum is clamped (https://learn.microsoft.com/graph/api/user-list: "default and maximum
 * page sizes are 100 and 999"; graph-facts 2: a larger $top is ignored, clamped or rejected by API).
 */
export function parseListQuery(req: SimRequest, ctx: ResponseContext, allowed: readonly string[], o: Required<ListingOptions>, what: string):
  { ok: true; query: ListQuery } | { ok: false; error: SimResponse } {
  const params = new Map<string, string>();
  let skiptoken: string | null = null;
  for (const [k, v] of req.url.searchParams) {
    const key = k.toLowerCase();
    if (key === '$skiptoken') { skiptoken = v; continue; }
    if (!allowed.includes(key)) {
      return { ok: false, error: graphError(400, 'Request_BadRequest', `Query option '${k}' is not supported for ${what}.`, ctx) };
    }
    params.set(key, v);
  }
  let top = o.defaultTop;
  const rawTop = params.get('$top');
  if (rawTop !== undefined) {
    if (!/^\s*\d+\s*$/.test(rawTop) || Number(rawTop) < 1) {
      return { ok: false, error: graphError(400, 'Request_BadRequest', `Invalid page size specified: '${rawTop}'. Must be a positive integer.`, ctx) };
    }
    top = Math.min(Number(rawTop), o.maxTop);
  }
  const signature = [...params].map(([k, v]) => `${k}=${v}`).sort().join('&');
  return { ok: true, query: { params, top, skiptoken, signature, search: searchWithoutSkiptoken(req.url.search) } };
}

function searchWithoutSkiptoken(search: string): string {
  if (search.length <= 1) return '';
  return search.slice(1).split('&').filter((part) => {
    const key = part.split('=')[0] ?? '';
    try {
      return decodeURIComponent(key.replace(/\+/g, ' ')).toLowerCase() !== '$skiptoken';
    } catch {
      return true;
    }
  }).join('&');
}
