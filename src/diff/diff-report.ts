/**
 * What `entra-extract diff` answers (README, "diff"): the changes the store recorded between two
 * points of the run ledger, as effective access granted and removed, object events, and the
 * property changes a review looks at.
 */

/** One end of the window: the run whose end state the window starts from (or ends at), and its time. */
export interface WindowEnd {
  /** runs.id; `from.run` is null when the window starts before the first run. */
  run: number | null;
  /** ISO-8601 UTC: the run's ended_at (null while it has not ended), or the --since date as given. */
  time: string | null;
}

export interface DiffRun {
  id: number;
  command: string;
  outcome: string;
  started_at: string;
  ended_at: string | null;
}

/**
 * Why a link's effective state changed: the link itself (`added`, `revived`, `removed`, or
 * `baseline`: read by its collection's first round), or one of its ends (`source_soft_deleted`,
 * `target_restored`, ...: `<end>_<object change kind>`).
 */
export type RelationReason = string;

/** A link (entity_relations key) that became effective (granted) or stopped being effective (removed). */
export interface RelationChange {
  relation: string;
  source_type: string;
  source_id: string;
  /** entities.display_name; null when the end has no row (a device) or no name. */
  source_name: string | null;
  target_type: string;
  target_id: string;
  target_name: string | null;
  scope: string;
  /** When the pull saw it happen (changes.at) and the run that did. */
  time: string;
  run: number;
  reason: RelationReason;
  /** The opposite change followed inside the window: the link ended the window as it started it. */
  undone: boolean;
  /** When it was undone (the last opposite change), else null. */
  undone_time: string | null;
  undone_run: number | null;
  undone_reason: RelationReason | null;
}

export interface ObjectEvent {
  type: string;
  id: string;
  name: string | null;
  time: string;
  run: number;
}

/** soft: restorable (deletedItems); permanent: gone with its links; unseen: a full round did not return it. */
export interface DeletedObject extends ObjectEvent {
  kind: 'soft' | 'permanent' | 'unseen';
}

/** A review-relevant property change; credentials are one row per credential added, removed or re-dated. */
export interface PropertyChange extends ObjectEvent {
  property: string;
  old: unknown;
  new: unknown;
}

/** A first round in the window: the links it read are the starting point, counted, not listed. */
export interface BaselineSet {
  run: number;
  time: string;
  relation: string;
  /** The anchor side's type (the other is null): target_type 'group' for memberships, source_type 'user' for managers. */
  source_type: string | null;
  target_type: string | null;
  /** Links of this set first read by that run (entity_relations.first_seen_run = run). */
  links: number;
}

export interface DiffReport {
  /** The window's start as resolved: after this run (0: before the first run), or after this time. */
  since: { run: number } | { date: string };
  from: WindowEnd;
  to: WindowEnd;
  /** The runs whose changes the window holds, oldest first. */
  runs: DiffRun[];
  granted: RelationChange[];
  removed: RelationChange[];
  objects: {
    created: ObjectEvent[];
    deleted: DeletedObject[];
    restored: ObjectEvent[];
    changed: PropertyChange[];
  };
  baseline: BaselineSet[];
}
