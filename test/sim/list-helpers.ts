import type { GraphSim } from '../../src/sim/graph/graph-sim.js';
import { ALL_ROLES, ORIGIN, get } from './helpers.js';

/** Helpers of the plain-listing tests (list-*.test.ts). */

export const u = (path: string): string => `${ORIGIN}/v1.0${path}`;

/** Follows nextLinks exactly as given from url to the last page; throws on anything but 200. */
export async function listAll(sim: GraphSim, url: string, auth = ALL_ROLES): Promise<{ values: any[]; pages: any[] }> {
  const pages: any[] = [];
  let next: string | undefined = url;
  for (let i = 0; next && i < 10_000; i++) {
    const res = await get(sim, next, auth);
    if (res.status !== 200) throw new Error(`${res.status} ${res.body}`);
    if (res.json['@odata.deltaLink']) throw new Error('a plain list has no deltaLink');
    pages.push(res.json);
    next = res.json['@odata.nextLink'];
  }
  return { values: pages.flatMap((p) => p.value), pages };
}

/** Ids in the order served must be strictly increasing (a listing is ordered by id). */
export function isAscending(ids: string[]): boolean {
  return ids.every((id, i) => i === 0 || ids[i - 1]! < id);
}
