import type { ChangeRow } from '../store/index.js';
import { endCounts, statusAfter, type ObjectStatus, type ObjectTimeline } from './object-status.js';
import { changeOrder, type LinkKeyParts } from './read-changes.js';

/** A link whose effective state may have changed in the window, with what happened to it. */
export interface LinkCandidate extends LinkKeyParts {
  /** The link's own changes after the window's start, in order (a first round's `baseline` row included). */
  events: ChangeRow[];
  /** Whether the row is live today (deleted_at IS NULL); only read when the link has no later change. */
  liveNow: boolean;
}

/** One change of effective state: the change that caused it and why. */
interface Transition {
  effective: boolean;
  at: ChangeRow;
  reason: string;
}

/** A link's effective change over the window, before names are attached. */
export interface FoldedLink {
  link: LinkKeyParts;
  kind: 'granted' | 'removed';
  at: ChangeRow;
  reason: string;
  undone: { at: ChangeRow; reason: string } | null;
}

/** The stored state of a link (ignoring its ends) at both ends of the window. */
export interface StoredLinkState {
  liveAtStart: boolean;
  liveAtEnd: boolean;
  /** The link's last own change in the window, if any. */
  lastOwnChange: ChangeRow | null;
}

/**
 * Replays, in order, every change in the window that bears on one link's effective state (its own
 * changes and its two ends' object changes) from its state at the window's start, and folds the
 * transitions:
 * - not effective at the start, effective at the end: granted (when the last transition happened);
 * - effective at the start, not at the end: removed (likewise);
 * - the same at both ends but changed in between: granted then removed (or removed then granted
 *   back), reported with `undone` and both times: the first transition and the last one.
 * Effective means what the view effective_relations says: the row is live and neither end is a
 * deleted object.
 */
export function foldLink(
  link: LinkCandidate,
  source: ObjectTimeline,
  target: ObjectTimeline,
  toRun: number,
): { folded: FoldedLink | null; stored: StoredLinkState } {
  const first = link.events[0];
  let live = first ? first.kind === 'removed' : link.liveNow;
  let src: ObjectStatus = source.start;
  let tgt: ObjectStatus = target.start;
  const liveAtStart = live;
  const effectiveAtStart = live && endCounts(src) && endCounts(tgt);
  let effective = effectiveAtStart;
  let lastOwnChange: ChangeRow | null = null;
  const transitions: Transition[] = [];
  for (const { row, role } of windowChanges(link, source, target, toRun)) {
    if (role === 'link') {
      live = row.kind !== 'removed';
      lastOwnChange = row;
    } else {
      if (role !== 'target') src = statusAfter(row.kind);
      if (role !== 'source') tgt = statusAfter(row.kind);
    }
    const next = live && endCounts(src) && endCounts(tgt);
    if (next !== effective) {
      transitions.push({ effective: next, at: row, reason: role === 'link' ? row.kind : `${role === 'both' ? 'source' : role}_${row.kind}` });
      effective = next;
    }
  }
  const stored = { liveAtStart, liveAtEnd: live, lastOwnChange };
  if (transitions.length === 0) return { folded: null, stored };
  const firstT = transitions[0]!;
  const lastT = transitions[transitions.length - 1]!;
  const kind = effectiveAtStart ? 'removed' : 'granted';
  const folded: FoldedLink =
    effective !== effectiveAtStart
      ? { link: keyOf(link), kind, at: lastT.at, reason: lastT.reason, undone: null }
      : { link: keyOf(link), kind, at: firstT.at, reason: firstT.reason, undone: { at: lastT.at, reason: lastT.reason } };
  return { folded, stored };
}

type Role = 'link' | 'source' | 'target' | 'both';

/** The window's changes of the link and of its ends, merged in order. */
function windowChanges(link: LinkCandidate, source: ObjectTimeline, target: ObjectTimeline, toRun: number): { row: ChangeRow; role: Role }[] {
  const out: { row: ChangeRow; role: Role }[] = [];
  const add = (rows: ChangeRow[], role: Role) => {
    for (const row of rows) {
      if (row.run_id > toRun) break;
      out.push({ row, role });
    }
  };
  add(link.events, 'link');
  if (source === target) add(source.events, 'both');
  else {
    add(source.events, 'source');
    add(target.events, 'target');
  }
  if (out.length > 1) out.sort((a, b) => changeOrder(a.row, b.row));
  return out;
}

function keyOf(l: LinkKeyParts): LinkKeyParts {
  return {
    relation: l.relation, source_type: l.source_type, source_id: l.source_id,
    target_type: l.target_type, target_id: l.target_id, scope: l.scope,
  };
}
