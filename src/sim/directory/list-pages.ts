import type { Rng } from '../tenant/prng.js';
import { TokenStore } from './token-store.js';

/** A plain (non-delta) list to page: a snapshot taken at the first request, rendered page by page. */
export interface ListSpec<T> {
  /** The path under /v1.0 (nextLinks repeat it; a token is only good for its own path). */
  path: string;
  /** `@odata.context` after `$metadata#`. */
  context: string;
  items: readonly T[];
  render(item: T): string;
  /** Server-chosen page size range. */
  sizes: [number, number];
  /** The client's $top: a page holds at most this many. */
  top: number | null;
}

interface Listing extends ListSpec<unknown> {
  /** Page size drawn for the page at an offset, and the token of the next page (a repeated page is the same). */
  pages: Map<number, { size: number; next?: string }>;
}

const q = JSON.stringify;

/**
 * Paging of plain lists (roleDefinitions, roleAssignments, owners, appRoleAssignedTo,
 * oauth2PermissionGrants): server-chosen page sizes, an opaque `$skiptoken` nextLink on every page but
 * the last, no deltaLink (https://learn.microsoft.com/graph/paging). Listings live only as long as
 * a token refers to them, so a single-page list costs nothing after it is served.
 */
export class ListPages {
  private readonly tokens: TokenStore<{ listing: Listing; offset: number }>;

  constructor(private readonly rng: Rng, now: () => number, ttlMs: number, max: number) {
    this.tokens = new TokenStore(now, ttlMs, max);
  }

  expireAll(): void {
    this.tokens.expireAll();
  }

  first<T>(spec: ListSpec<T>, origin: string): string {
    return this.page({ ...(spec as ListSpec<unknown>), pages: new Map() }, 0, origin);
  }

  /** The page a nextLink names, or undefined when its token is unknown, expired or of another path. */
  next(token: string, path: string, origin: string): string | undefined {
    const st = this.tokens.get(token);
    if (!st || st.listing.path.toLowerCase() !== path.toLowerCase()) return undefined;
    return this.page(st.listing, st.offset, origin);
  }

  private page(listing: Listing, offset: number, origin: string): string {
    let p = listing.pages.get(offset);
    if (!p) {
      const drawn = this.rng.int(Math.max(1, listing.sizes[0]), Math.max(1, listing.sizes[0], listing.sizes[1]));
      listing.pages.set(offset, (p = { size: Math.min(drawn, listing.top ?? Infinity) }));
    }
    const end = Math.min(listing.items.length, offset + p.size);
    let out = `{"@odata.context":${q(`${origin}/v1.0/$metadata#${listing.context}`)}`;
    if (end < listing.items.length) {
      p.next ??= this.tokens.issue({ listing, offset: end });
      out += `,"@odata.nextLink":${q(`${origin}/v1.0${listing.path}?$skiptoken=${p.next}`)}`;
    }
    const values: string[] = [];
    for (let i = offset; i < end; i++) values.push(listing.render(listing.items[i]));
    return `${out},"value":[${values.join(',')}]}`;
  }
}
