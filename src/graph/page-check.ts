import type { PageKind } from './types.js';

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Why a parsed body is not a page of a Graph collection, or undefined when it is one. A page is a
 * JSON object with an array `value` (https://learn.microsoft.com/graph/paging); a delta page must also
 * say how the round goes on, with `@odata.nextLink` or `@odata.deltaLink`
 * (https://learn.microsoft.com/graph/delta-query-overview). A page missing both is not the end of the
 * round: the end is only ever a deltaLink.
 */
export function pageProblem(body: unknown, kind: PageKind): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return `a JSON value that is ${kindOf(body)}, not a page object`;
  const page = body as Record<string, unknown>;
  if (!Array.isArray(page.value)) return 'a JSON object without a `value` array';
  for (const link of ['@odata.nextLink', '@odata.deltaLink']) {
    if (page[link] !== undefined && typeof page[link] !== 'string') return `a page whose ${link} is not a string`;
  }
  if (kind === 'delta' && page['@odata.nextLink'] === undefined && page['@odata.deltaLink'] === undefined) {
    return 'a delta page with neither @odata.nextLink nor @odata.deltaLink';
  }
  return undefined;
}

/** pageProblem bound to a kind, in the shape of GetOptions.accept. */
export function pageAcceptor(kind: PageKind): (body: unknown) => string | undefined {
  return (body) => pageProblem(body, kind);
}
