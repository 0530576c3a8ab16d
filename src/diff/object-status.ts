import type { ChangeRow, Db } from '../store/index.js';
import type { EntityLookup } from './entity-lookup.js';
import { changeOrder, objectKey } from './read-changes.js';

/**
 * An object's state as effective access sees it: `live`, `gone` (soft-deleted, unseen or permanently
 * deleted: its links are not access), or `absent` (no row yet, which effective_relations counts as live).
 */
export type ObjectStatus = 'live' | 'gone' | 'absent';

/** Whether a link with this end can be effective. */
export const endCounts = (s: ObjectStatus): boolean => s !== 'gone';

/** The state an object change leaves behind. */
export function statusAfter(kind: string): ObjectStatus {
  return kind === 'created' || kind === 'changed' || kind === 'restored' ? 'live' : 'gone';
}

/** An object's changes after the window's start and its state at the start. */
export interface ObjectTimeline {
  type: string;
  id: string;
  start: ObjectStatus;
  /** Changes after the window's start, in order (the window's first, then those after --until). */
  events: ChangeRow[];
}

/**
 * Works out the state of each object at the window's start from its current row and the changes made
 * since (rewinding): the first later change says what was before it. A soft or permanent delete says
 * only that the object was not already in that state: if the deletion that is still current began
 * earlier (entities.deleted_at, kept from the first removal), the object was already gone; if the
 * object came back since, its older history is read (one scan, for those objects only).
 */
export function objectTimelines(
  db: Db,
  wanted: Iterable<{ type: string; id: string }>,
  later: Map<string, ChangeRow[]>,
  lookup: EntityLookup,
): Map<string, ObjectTimeline> {
  const out = new Map<string, ObjectTimeline>();
  const unresolved: ObjectTimeline[] = [];
  for (const { type, id } of wanted) {
    const key = objectKey(type, id);
    if (out.has(key)) continue;
    const events = later.get(key) ?? [];
    const timeline: ObjectTimeline = { type, id, start: 'live', events };
    out.set(key, timeline);
    const row = lookup.get(type, id);
    const first = events[0];
    if (!first) {
      timeline.start = row === null ? 'absent' : row.deleted_at === null ? 'live' : 'gone';
      continue;
    }
    switch (first.kind) {
      case 'created':
        timeline.start = 'absent';
        break;
      case 'changed':
      case 'unseen':
        timeline.start = 'live';
        break;
      case 'restored':
        timeline.start = 'gone';
        break;
      default: {
        // soft_deleted or deleted: live before, or already gone (unseen, then soft; soft, then purged).
        const stillGone = row !== null && row.deleted_at !== null && events.every((e) => statusAfter(e.kind) === 'gone');
        if (stillGone) timeline.start = row.deleted_at! < first.at ? 'gone' : 'live';
        else unresolved.push(timeline);
      }
    }
  }
  if (unresolved.length > 0) resolveFromHistory(db, unresolved);
  return out;
}

/** The state left by each object's last change before its first later one; live when history holds none. */
function resolveFromHistory(db: Db, timelines: ObjectTimeline[]): void {
  const ids = [...new Set(timelines.map((t) => t.id))];
  const rows = db
    .prepare(
      `SELECT * FROM changes WHERE entity_id IN (SELECT value FROM json_each(?)) AND entity_type IS NOT NULL ORDER BY run_id, id`,
    )
    .all(JSON.stringify(ids)) as ChangeRow[];
  for (const t of timelines) {
    const first = t.events[0]!;
    let last: ChangeRow | undefined;
    for (const r of rows) {
      if (r.entity_type !== t.type || r.entity_id !== t.id) continue;
      if (changeOrder(r, first) >= 0) break;
      last = r;
    }
    t.start = last ? statusAfter(last.kind) : 'live';
  }
}
