import { GraphError } from '../errors/index.js';
import { pageAcceptor, pageProblem } from './page-check.js';
import type { GraphTransport, Page, PageKind, TransportStats } from './types.js';

export interface PagesOptions {
  /** Counters for this collection. */
  stats?: TransportStats;
  /**
   * `delta`: every page must carry @odata.nextLink or @odata.deltaLink, and the round ends only at a
   * deltaLink. `list` (default): the first page without a nextLink is the last.
   */
  kind?: PageKind;
  /** Start the request for the next page before yielding the current one. Default true. */
  prefetch?: boolean;
  /** Extra request headers for every page. */
  headers?: Record<string, string>;
}

async function fetchPage(transport: GraphTransport, url: string, options: PagesOptions): Promise<Page> {
  const kind = options.kind ?? 'list';
  // The transport retries a body that is not a page (an HTML 200 from a proxy, a body cut short)
  // and fails once its budget is spent: such a body must never read as an empty last page.
  const response = await transport.get(url, { stats: options.stats, headers: options.headers, accept: pageAcceptor(kind) });
  const requestId: string | undefined = response.headers.get('request-id') ?? undefined;
  // Checked again for a transport that does not honour `accept`: a page is never built from an invalid body.
  const problem = pageProblem(response.body, kind);
  if (problem !== undefined) {
    throw new GraphError('GRAPH_INVALID_RESPONSE', `GET ${url} answered ${response.status} with ${problem}, not a page${requestId ? ` (request-id ${requestId})` : ''}.`, {
      status: response.status,
      request: `GET ${url}`,
      requestId,
      suggestion: 'A proxy or gateway between this machine and Graph may be answering instead of Graph; run again later.',
    });
  }
  const body = response.body as { value: object[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
  const page: Page = { value: body.value };
  if (body['@odata.nextLink'] !== undefined) page.nextLink = body['@odata.nextLink'];
  if (body['@odata.deltaLink'] !== undefined) page.deltaLink = body['@odata.deltaLink'];
  if (requestId) page.requestId = requestId;
  return page;
}

/**
 * The pages of a Graph collection, following `@odata.nextLink` exactly as Graph wrote it
 * (https://learn.microsoft.com/graph/paging: never rebuild it or pull tokens out) until a page
 * without one; empty pages are yielded too. With prefetch the next request is already on the wire
 * while the caller stores the current page. A failed prefetch surfaces when its page is awaited;
 * an abandoned prefetch (the caller stopped, or the run was interrupted) is settled quietly.
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
