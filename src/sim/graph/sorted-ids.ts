/**
 * The keys of a collection (the tenant's users, a group's member set, ...) in id order, cached per
 * collection while its version and size stay the same. A listing serves every page from the current
 * state, so it needs "the ids after X" many times; sorting the benchmark's 100,000 users for each
 * page would cost more than serving it.
 *
 * `version` must move whenever a key is added or removed (the tenant's or the directory's change
 * sequence); the size is compared as well, for changes made quietly (the generators).
 */
const cache = new WeakMap<object, { version: number; size: number; ids: string[] }>();

export function sortedIds(coll: ReadonlyMap<string, unknown> | ReadonlySet<string>, version: number): readonly string[] {
  const hit = cache.get(coll);
  if (hit && hit.version === version && hit.size === coll.size) return hit.ids;
  const ids = [...coll.keys()].sort(compareIds);
  cache.set(coll, { version, size: coll.size, ids });
  return ids;
}

/** Ids are lowercase GUIDs: plain code-unit order. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Index of the first id strictly greater than `after` (0 when after is null). */
export function firstAfter(ids: readonly string[], after: string | null): number {
  if (after === null) return 0;
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
