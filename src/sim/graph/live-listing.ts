import { TokenStore } from '../directory/token-store.js';
import { okJson } from '../directory/respond.js';
import type { SimRequest, SimResponse } from '../sim-http.js';
import type { Rng } from '../tenant/prng.js';
import { graphError, type ResponseContext } from './graph-error.js';
import type { ListingOptions } from './list-options.js';
import type { ListQuery } from './list-query.js';
import { firstAfter } from './sorted-ids.js';

/** Where a listing stands: the last id served, on which path and with which options. */
interface Cursor {
  path: string;
  signature: string;
  after: string;
}

/** What one page of a listing is drawn from: the state now. */
export interface ListSource {
  /** `@odata.context` after `$metadata#`. */
  context: string;
  /** Every candidate id, in id order (sortedIds). */
  ids: readonly string[];
  /** Whether an id is listed now (live, ...). */
  listed(id: string): boolean;
  render(id: string): string;
}

const q = JSON.stringify;

/**
 * Paging of the plain listings (https://learn.microsoft.com/graph/paging). A listing is not a
 * snapshot: items come in id order, and each page is drawn from the state when it is served,
 * continuing after the last id served, so an object created meanwhile with a larger id appears, a
 * deleted one is gone, and a changed one shows its change. The server chooses each page's size, at
 * most the $top asked for. Every page but the last carries an absolute `@odata.nextLink`: the request's
 * URL with an opaque `$skiptoken` added, random and server-side like the delta tokens, which expires
 * (the TTL, `expireAll`) and then answers 400 Directory_ExpiredPageToken (graph-facts 1.4).
 */
export class LiveListings {
  private readonly tokens: TokenStore<Cursor>;

  constructor(private readonly rng: Rng, now: () => number, ttlMs: number, max: number, private readonly o: Required<ListingOptions>, prefix = '') {
    this.tokens = new TokenStore(now, ttlMs, max, prefix);
  }

  expireAll(): void {
    this.tokens.expireAll();
  }

  /**
   * Where a request starts: null for a first page, after the last id served for a nextLink; an error
   * for an unknown, expired or foreign token, or for options that differ from the nextLink's.
   */
  resume(req: SimRequest, query: ListQuery, ctx: ResponseContext): { ok: true; after: string | null } | { ok: false; error: SimResponse } {
    if (query.skiptoken === null) return { ok: true, after: null };
    const c = this.tokens.get(query.skiptoken);
    if (!c || c.path !== pathKey(req)) {
      return { ok: false, error: graphError(400, 'Directory_ExpiredPageToken', 'The specified page token value has expired and can no longer be included in your request.', ctx) };
    }
    if (c.signature !== query.signature) {
      return { ok: false, error: graphError(400, 'Request_BadRequest', '$skiptoken cannot be combined with query options other than those of the request that issued it.', ctx) };
    }
    return { ok: true, after: c.after };
  }

  /** A page of at most `query.top` items after `after`, with a nextLink when more are listed now. */
  page(req: SimRequest, query: ListQuery, after: string | null, src: ListSource): SimResponse {
    const size = this.drawSize(query.top);
    const values: string[] = [];
    let i = firstAfter(src.ids, after);
    let last: string | null = null;
    for (; i < src.ids.length && values.length < size; i++) {
      const id = src.ids[i]!;
      if (!src.listed(id)) continue;
      values.push(src.render(id));
      last = id;
    }
    let next = '';
    if (last !== null && hasListed(src, i)) {
      const tok = this.tokens.issue({ path: pathKey(req), signature: query.signature, after: last });
      const search = query.search ? `${query.search}&` : '';
      next = `,"@odata.nextLink":${q(`${req.url.origin}${req.url.pathname}?${search}$skiptoken=${tok}`)}`;
    }
    return okJson(`{"@odata.context":${q(`${req.url.origin}/v1.0/$metadata#${src.context}`)}${next},"value":[${values.join(',')}]}`);
  }

  /** Everything listed now, in id order, on one page without a nextLink, cut at `cap` items. */
  single(req: SimRequest, src: ListSource, cap = Number.POSITIVE_INFINITY): SimResponse {
    const values: string[] = [];
    for (const id of src.ids) {
      if (values.length >= cap) break;
      if (src.listed(id)) values.push(src.render(id));
    }
    return okJson(`{"@odata.context":${q(`${req.url.origin}/v1.0/$metadata#${src.context}`)},"value":[${values.join(',')}]}`);
  }

  /** Between pageFill of top and top, sometimes exactly top. */
  private drawSize(top: number): number {
    if (this.o.fullPageRate > 0 && this.rng.chance(this.o.fullPageRate)) return top;
    const lo = Math.max(1, Math.ceil(top * this.o.pageFill[0]));
    const hi = Math.max(lo, Math.min(top, Math.floor(top * this.o.pageFill[1])));
    return this.rng.int(lo, hi);
  }
}

function hasListed(src: ListSource, from: number): boolean {
  for (let i = from; i < src.ids.length; i++) if (src.listed(src.ids[i]!)) return true;
  return false;
}

/** A token is good for the path that issued it only (case and a trailing slash aside). */
function pathKey(req: SimRequest): string {
  return req.url.pathname.toLowerCase().replace(/\/+$/, '');
}
