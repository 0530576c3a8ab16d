import type { GraphTransport, Page, TransportStats } from './types.js';

export interface PagesOptions {
  /** Counters for this collection. */
  stats?: TransportStats;
  /** Start the request for the next page before yielding the current one. Default true. */
  prefetch?: boolean;
  /** Extra request headers for every page. */
  headers?: Record<string, string>;
}

async function fetchPage(transport: GraphTransport, url: string, options: PagesOptions): Promise<Page> {
  const response = await transport.get(url, { stats: options.stats, headers: options.headers });
  const body = (response.body ?? {}) as Record<string, unknown>;
  const page: Page = { value: Array.isArray(body.value) ? (body.value as object[]) : [] };
  if (typeof body['@odata.nextLink'] === 'string') page.nextLink = body['@odata.nextLink'];
  if (typeof body['@odata.deltaLink'] === 'string') page.deltaLink = body['@odata.deltaLink'];
  const requestId = response.headers.get('request-id');
  if (requestId) page.requestId = requestId;
  return page;
}

/**
 * The pages of a Graph collection, following `@odata.nextLink` exactly as Graph wrote it
 * (https://learn.microsoft.com/graph/paging: never rebuild it or pull tokens out) until a page
 * without one; empty pages are yielded too. With prefetch the next request is already on the wire
 * while the caller stores the current page. A failed prefetch surfaces when its page is awaited;
 * an abandoned prefetch is settled quietly.
 */
export async function* pages(transport: GraphTransport, firstUrl: string, options: PagesOptions = {}): AsyncGenerator<Page, void, undefined> {
  const prefetch = options.prefetch ?? true;
  let pending: Promise<Page> | undefined = fetchPage(transport, firstUrl, options);
  while (pending) {
    const page: Page = await pending;
    pending = undefined;
    if (page.nextLink === undefined) {
      yield page;
      return;
    }
    if (prefetch) {
      const ahead = fetchPage(transport, page.nextLink, options);
      // Marks the rejection handled in case the caller stops early; awaiting `ahead` still throws.
      ahead.catch(() => undefined);
      pending = ahead;
      // Let the event loop put the prefetch on the wire before the caller's synchronous work.
      await new Promise(setImmediate);
      yield page;
    } else {
      yield page;
      pending = fetchPage(transport, page.nextLink, options);
    }
  }
}

/** Every item of a small list (roles, SKUs). The pull streams with pages() instead. */
export async function collectAll(transport: GraphTransport, firstUrl: string, options: PagesOptions = {}): Promise<object[]> {
  const items: object[] = [];
  for await (const page of pages(transport, firstUrl, { ...options, prefetch: options.prefetch ?? false })) {
    items.push(...page.value);
  }
  return items;
}
