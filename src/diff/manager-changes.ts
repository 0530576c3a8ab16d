import type { ChangeRow } from '../store/index.js';
import type { PropertyChange } from './diff-report.js';
import type { EntityLookup } from './entity-lookup.js';
import type { StoredLinkState } from './fold-links.js';
import { changeOrder, type LinkKeyParts } from './read-changes.js';

/** Who a manager is, as a property change shows it. */
export interface ManagerRef {
  id: string;
  name: string | null;
}

/**
 * A user's manager is the reportsTo link (users' manager@delta), so a manager change is read from the
 * link's own changes: the manager held at the window's start and the one held at its end, as Graph's
 * `manager` property says them, whether or not either manager is a live object. One `manager` row per
 * user whose reportsTo links changed in the window and whose manager differs between its two ends;
 * a user permanently deleted in the window is left out (its links went with it, objects.deleted says so).
 */
export function managerChanges(
  links: readonly { link: LinkKeyParts; stored: StoredLinkState }[],
  purged: ReadonlySet<string>,
  lookup: EntityLookup,
): PropertyChange[] {
  const byUser = new Map<string, { old: string | null; new: string | null; last: ChangeRow | null }>();
  for (const { link, stored } of links) {
    if (link.relation !== 'reportsTo' || link.source_type !== 'user') continue;
    let u = byUser.get(link.source_id);
    if (!u) byUser.set(link.source_id, (u = { old: null, new: null, last: null }));
    if (stored.liveAtStart && (u.old === null || link.target_id < u.old)) u.old = link.target_id;
    if (stored.liveAtEnd && (u.new === null || link.target_id < u.new)) u.new = link.target_id;
    if (stored.lastOwnChange && (!u.last || changeOrder(stored.lastOwnChange, u.last) > 0)) u.last = stored.lastOwnChange;
  }
  const out: PropertyChange[] = [];
  const ref = (id: string | null): ManagerRef | null => (id === null ? null : { id, name: lookup.name('user', id) });
  for (const [userId, u] of byUser) {
    if (!u.last || u.old === u.new || purged.has(userId)) continue;
    out.push({
      type: 'user', id: userId, name: lookup.name('user', userId), time: u.last.at, run: u.last.run_id,
      property: 'manager', old: ref(u.old), new: ref(u.new),
    });
  }
  return out;
}
