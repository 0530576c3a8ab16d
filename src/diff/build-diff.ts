import type { ChangeRow, Db, PropertyChanges } from '../store/index.js';
import { baselineFor, baselineSets } from './baseline.js';
import type { DeletedObject, DiffReport, ObjectEvent, PropertyChange, RelationChange } from './diff-report.js';
import { EntityLookup } from './entity-lookup.js';
import { foldLink, type FoldedLink, type LinkCandidate, type StoredLinkState } from './fold-links.js';
import { firstSeenRun, liveLinksOf } from './link-rows.js';
import { managerChanges } from './manager-changes.js';
import { objectTimelines, type ObjectTimeline } from './object-status.js';
import type { SinceBound } from './parse-bounds.js';
import { changeOrder, linkKey, objectKey, readLaterChanges, type LinkKeyParts } from './read-changes.js';
import { resolveWindow } from './resolve-window.js';
import { reviewChanges } from './review-properties.js';

/** Object changes after which an object's links may have stopped (or started) counting as access. */
const STATE_CHANGES = new Set(['soft_deleted', 'unseen', 'restored', 'deleted']);
const DELETED_KIND = { soft_deleted: 'soft', unseen: 'unseen', deleted: 'permanent' } as const;

/**
 * The diff of a window, read from `changes` (and the current review tables, to name things and to
 * rewind today's state to --until). Call it inside one read transaction so every read sees the same
 * database state.
 */
export function diffDatabase(db: Db, bounds: { since?: SinceBound; until?: number }): DiffReport {
  const window = resolveWindow(db, bounds);
  const toRun = window.to.run;
  const later = readLaterChanges(db, window);
  const lookup = new EntityLookup(db);
  const inWindow = (r: ChangeRow) => r.run_id <= toRun;

  // Every link whose effective state may have moved: those with changes of their own, and the live
  // links of every object deleted, restored or unseen in the window (their access went or came with it).
  const candidates = new Map<string, LinkCandidate & { firstSeen?: number | null }>();
  for (const [key, events] of later.links) candidates.set(key, { ...keyParts(events[0]!), events, liveNow: false });
  const purgedUsers = new Set<string>();
  for (const events of later.objects.values()) {
    const changed = events.filter(inWindow);
    if (!changed.some((e) => STATE_CHANGES.has(e.kind))) continue;
    const { entity_type: type, entity_id: id } = changed[0]!;
    if (type === 'user' && changed.some((e) => e.kind === 'deleted')) purgedUsers.add(id!);
    for (const row of liveLinksOf(db, type!, id!)) {
      const key = linkKey(row);
      if (!candidates.has(key)) candidates.set(key, { ...keyParts(row), events: [], liveNow: true, firstSeen: row.first_seen_run });
    }
  }
  if (later.baselines.length > 0) {
    // A link read by a first round after the window's start has that round's baseline row as its first change.
    for (const c of candidates.values()) {
      const b = baselineFor(later.baselines, c, c.firstSeen !== undefined ? c.firstSeen : firstSeenRun(db, c));
      if (b) c.events = [b, ...c.events].sort(changeOrder);
    }
  }

  const ends: { type: string; id: string }[] = [];
  for (const c of candidates.values()) ends.push({ type: c.source_type, id: c.source_id }, { type: c.target_type, id: c.target_id });
  const timelines = objectTimelines(db, ends, later.objects, lookup);
  const timeline = (type: string, id: string): ObjectTimeline => timelines.get(objectKey(type, id))!;

  const folded: FoldedLink[] = [];
  const stored: { link: LinkKeyParts; stored: StoredLinkState }[] = [];
  for (const c of candidates.values()) {
    const r = foldLink(c, timeline(c.source_type, c.source_id), timeline(c.target_type, c.target_id), toRun);
    // A link a first round read and the window kept is the starting point: counted in `baseline`, not listed.
    if (r.folded && !(r.folded.reason === 'baseline' && r.folded.undone === null)) folded.push(r.folded);
    if (c.relation === 'reportsTo') stored.push({ link: c, stored: r.stored });
  }

  const granted: RelationChange[] = [];
  const removed: RelationChange[] = [];
  for (const f of folded) (f.kind === 'granted' ? granted : removed).push(relationRow(f, lookup));
  const objects = objectChanges(later.objects, inWindow, lookup);
  objects.changed.push(...managerChanges(stored, purgedUsers, lookup));
  return {
    since: window.since,
    from: window.from,
    to: window.to,
    runs: window.runs,
    granted: granted.sort(byTimeThenLink),
    removed: removed.sort(byTimeThenLink),
    objects: {
      created: objects.created.sort(byTimeThenObject),
      deleted: objects.deleted.sort(byTimeThenObject),
      restored: objects.restored.sort(byTimeThenObject),
      changed: objects.changed.sort((a, b) => byTimeThenObject(a, b) || cmp(a.property, b.property)),
    },
    baseline: baselineSets(db, later.baselines, toRun),
  };
}

/** The window's object events: each one listed, in the list of its kind. */
function objectChanges(byObject: Map<string, ChangeRow[]>, inWindow: (r: ChangeRow) => boolean, lookup: EntityLookup) {
  const created: ObjectEvent[] = [];
  const deleted: DeletedObject[] = [];
  const restored: ObjectEvent[] = [];
  const changed: PropertyChange[] = [];
  for (const events of byObject.values()) {
    for (const e of events) {
      if (!inWindow(e)) break;
      const type = e.entity_type!;
      const id = e.entity_id!;
      const base: ObjectEvent = { type, id, name: lookup.name(type, id), time: e.at, run: e.run_id };
      if (e.kind === 'created') created.push(base);
      else if (e.kind === 'restored') restored.push(base);
      else if (e.kind in DELETED_KIND) deleted.push({ ...base, kind: DELETED_KIND[e.kind as keyof typeof DELETED_KIND] });
      if ((e.kind === 'changed' || e.kind === 'restored') && e.properties) {
        for (const c of reviewChanges(type, JSON.parse(e.properties) as PropertyChanges)) changed.push({ ...base, ...c });
      }
    }
  }
  return { created, deleted, restored, changed };
}

function relationRow(f: FoldedLink, lookup: EntityLookup): RelationChange {
  const l = f.link;
  return {
    relation: l.relation,
    source_type: l.source_type,
    source_id: l.source_id,
    source_name: lookup.name(l.source_type, l.source_id),
    target_type: l.target_type,
    target_id: l.target_id,
    target_name: lookup.name(l.target_type, l.target_id),
    scope: l.scope,
    time: f.at.at,
    run: f.at.run_id,
    reason: f.reason,
    undone: f.undone !== null,
    undone_time: f.undone?.at.at ?? null,
    undone_run: f.undone?.at.run_id ?? null,
    undone_reason: f.undone?.reason ?? null,
  };
}

function keyParts(r: { relation: string | null; source_type: string | null; source_id: string | null; target_type: string | null; target_id: string | null; scope: string | null }): LinkKeyParts {
  return {
    relation: r.relation!, source_type: r.source_type!, source_id: r.source_id!,
    target_type: r.target_type!, target_id: r.target_id!, scope: r.scope ?? '',
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function byTimeThenLink(a: RelationChange, b: RelationChange): number {
  return cmp(a.time, b.time) || cmp(a.relation, b.relation) || cmp(a.source_type, b.source_type) || cmp(a.source_id, b.source_id)
    || cmp(a.target_type, b.target_type) || cmp(a.target_id, b.target_id) || cmp(a.scope, b.scope);
}

function byTimeThenObject(a: ObjectEvent, b: ObjectEvent): number {
  return cmp(a.time, b.time) || cmp(a.type, b.type) || cmp(a.id, b.id);
}
