import type { Props } from './tenant-types.js';

/**
 * New frozen props with the patch applied and the names whose value changed. Clearing a property
 * (null or undefined in the patch) stores null, which delta and full rounds send as `"name":null`
 * (https://learn.microsoft.com/graph/api/user-delta: a changed property carries its new value, which
 * may be null). Clearing a property that was never set, or is already null, changes nothing.
 */
export function applyPatch(old: Props, patch: Record<string, unknown>): { props: Props; changed: string[] } {
  const next: Record<string, unknown> = { ...old };
  const changed: string[] = [];
  for (const [k, raw] of Object.entries(patch)) {
    if (k === 'id') continue;
    const v = raw === undefined ? null : raw;
    const was = old[k] === undefined ? null : old[k];
    if (JSON.stringify(was) === JSON.stringify(v)) continue;
    next[k] = v;
    changed.push(k);
  }
  return { props: Object.freeze(next), changed };
}
