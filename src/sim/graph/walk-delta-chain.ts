import type { SimHandler } from '../sim-http.js';
import { countIds } from './graph-profile.js';

export interface DeltaChainCost {
  /** Pages from the first request to the one with the deltaLink. */
  pages: number;
  /** Objects and link entries over those pages (graph-profile.ts countIds). */
  items: number;
}

/**
 * Reads a delta round's whole page chain inside the simulation, the way a client would (each page's
 * nextLink from the page before, to the deltaLink), and counts it: what a delta-chain round of the
 * tenant as it is now costs, for the benchmark to price at the profile's latency when the pull read
 * by listing instead (bench/bench.ts). `handle` is the simulation without the profile (no latency, no
 * budget), `authorization` a valid `Bearer` header, `url` the round's first request (absolute).
 */
export async function walkDeltaChain(handle: SimHandler, url: string, authorization: string): Promise<DeltaChainCost> {
  let next: string | undefined = url;
  let pages = 0;
  let items = 0;
  while (next !== undefined) {
    const res = await handle({ method: 'GET', url: new URL(next), headers: new Headers({ authorization }), body: '' });
    if (!res || res.status !== 200 || typeof res.body !== 'string') throw new Error(`GET ${next} answered ${res?.status ?? 'nothing'} while walking the delta chain`);
    const page = JSON.parse(res.body) as { '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
    pages++;
    items += countIds(res.body);
    next = page['@odata.nextLink'];
    if (next === undefined && page['@odata.deltaLink'] === undefined) throw new Error(`GET ${url}: a page with neither a nextLink nor a deltaLink`);
  }
  return { pages, items };
}
