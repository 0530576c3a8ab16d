import type { Connector, Listing } from '../pull/connector.js';
import type { GraphTransport } from '../graph/index.js';
import { withQuery, type ProbeContext, type ProbeRequest } from './probe-request.js';
import { runProbe, type ProbeResult } from './run-probe.js';

/**
 * A full round of a collection that declares a `listing` reads by plain listing, not by its delta
 * function (src/pull/runners/listing-runner.ts): the objects' listing, then each object's
 * sub-collections (a group's members and owners). Graph may refuse a listing the delta function
 * allows (a unit's hidden members), and the pull then reads the slower delta chain instead. So check
 * probes the listing too: the objects' listing with `$top=1`, then every sub-collection of the first
 * object it returns, each as the pull sends it with `$top=1` where the pull pages (a directory
 * role's members are not paged, https://learn.microsoft.com/graph/api/directoryrole-list-members,
 * and go as the pull sends them). Empty when the collection has no listing; only the objects'
 * probe when it was refused or listed no object.
 */
export async function probeListing(transport: GraphTransport, connector: Connector, ctx: ProbeContext): Promise<ProbeResult[]> {
  const listing = listingOf(connector);
  if (!listing) return [];
  let first: string | undefined;
  const objects = await runProbe(transport, cheaper(connector.name, listing.objects(ctx)), (body) => {
    first = firstId(body);
  });
  if (objects.status !== 'ok' || first === undefined) return [objects];
  const parent = first;
  const links = await Promise.all(listing.links.map((l) => runProbe(transport, cheaper(connector.name, l.url(parent)))));
  return [objects, ...links];
}

/** The objects a collection's listing reads sub-collections of, and those sub-collections' names. */
export function listingSubCollections(connector: Connector): { parentType: string; names: string[] } {
  const listing = listingOf(connector);
  return { parentType: listing?.parentType ?? '', names: listing?.links.map((l) => l.name) ?? [] };
}

/** The listing a collection's full rounds read by, when its first step declares one. */
function listingOf(connector: Connector): Listing | undefined {
  const step = connector.steps[0];
  return step?.kind === 'delta' ? step.listing : undefined;
}

/** The request with `$top=1` where it pages with `$top`, and the request itself as the fallback on a 400. */
function cheaper(collection: string, pullUrl: string): ProbeRequest {
  if (!/[?&]\$top=/i.test(pullUrl)) return { collection, url: pullUrl, pageKind: 'list' };
  return { collection, url: withQuery(pullUrl, { $top: '1' }), pageKind: 'list', pullUrl };
}

function firstId(body: unknown): string | undefined {
  const value = (body as { value?: unknown } | null)?.value;
  const id = Array.isArray(value) ? (value[0] as { id?: unknown } | undefined)?.id : undefined;
  return typeof id === 'string' ? id : undefined;
}
