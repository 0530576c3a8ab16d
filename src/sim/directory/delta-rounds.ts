import type { RoundItem } from '../graph/rounds.js';
import type { DeltaSelection } from './catalogs.js';
import type { TrackedRec } from './directory-types.js';
import type { TrackedObjects } from './tracked-objects.js';

/** What a round needs to know about one delta collection. */
export interface DeltaView {
  store: TrackedObjects;
  /** A member counts (is listed in a full state) only while live. */
  isLive(memberId: string): boolean;
  /** Whether this caller may see the object's members (hidden membership needs Member.Read.Hidden). */
  membersVisible(rec: TrackedRec): boolean;
}

/**
 * Every live object in its current state with its live members (members@delta lists only live
 * members, as GET /{id}/members does not return deleted objects). Items share the frozen props.
 */
export function fullItems(v: DeltaView, sel: DeltaSelection, filter: Set<string> | null): RoundItem[] {
  const items: RoundItem[] = [];
  for (const rec of v.store.recs.values()) {
    if (rec.state !== 'live' || (filter && !filter.has(rec.id))) continue;
    const links: string[] = [];
    if (sel.members && v.membersVisible(rec)) for (const m of rec.links) if (v.isLive(m)) links.push(m);
    items.push({ kind: 'object', id: rec.id, props: rec.props, links, nFirst: links.length });
  }
  return items;
}

/**
 * The changes after `fromSeq`, each object once in its current state
 * (https://learn.microsoft.com/graph/delta-query-overview):
 * - permanently deleted → `@removed: deleted`, soft-deleted → `@removed: changed`;
 * - created or restored → the whole object with its live members, plus the member links changed in
 *   the window that this list does not already say (removed ones, stored ones whose member is
 *   soft-deleted now);
 * - otherwise, changed → the whole object; and its changed member links, each by its stored state when
 *   the round starts: present when stored (even if the member is soft-deleted: the directory keeps
 *   the link, https://learn.microsoft.com/graph/delta-query-groups), `@removed` when not.
 * An object whose members the caller may not see comes without members@delta.
 */
export function deltaItems(v: DeltaView, sel: DeltaSelection, filter: Set<string> | null, fromSeq: number): RoundItem[] {
  const tracker = v.store.tracker;
  const changes = new Map(tracker.changedSince(fromSeq).map((c) => [c.id, c]));
  const linkChanges = sel.members ? tracker.linksSince(fromSeq) : new Map<string, Set<string>>();
  const order = [...changes.keys()];
  for (const owner of linkChanges.keys()) if (!changes.has(owner)) order.push(owner);
  const items: RoundItem[] = [];
  for (const id of order) {
    if (filter && !filter.has(id)) continue;
    const c = changes.get(id);
    const rec = v.store.get(id);
    if (!rec || c?.removed === 'deleted') {
      items.push({ kind: 'removed', id, reason: 'deleted' });
      continue;
    }
    if (rec.state === 'soft') {
      items.push({ kind: 'removed', id, reason: 'changed' });
      continue;
    }
    const visible = sel.members && v.membersVisible(rec);
    const changed = visible ? linkChanges.get(id) ?? EMPTY : EMPTY;
    const links: string[] = [];
    const removed = new Set<number>();
    if (c?.full && visible) for (const m of rec.links) if (v.isLive(m)) links.push(m);
    for (const m of changed) {
      const stored = rec.links.has(m);
      if (c?.full && stored && v.isLive(m)) continue; // already listed
      if (!stored) removed.add(links.length);
      links.push(m);
    }
    if (!c && links.length === 0) continue;
    items.push({ kind: 'object', id, props: rec.props, links, nFirst: links.length, ...(removed.size > 0 ? { removed } : {}) });
  }
  return items;
}

const EMPTY: ReadonlySet<string> = new Set();
