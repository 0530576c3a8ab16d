import type { ChangeRow, Db, LinkKeyColumns } from '../store/index.js';
import type { DiffWindow } from './resolve-window.js';

/** The object and link changes after the window's start, split by what they describe. */
export interface LaterChanges {
  /** Object changes by object key (objectKey), each list in order. */
  objects: Map<string, ChangeRow[]>;
  /** Link changes by link key (linkKey), each list in order. */
  links: Map<string, ChangeRow[]>;
  /** `baseline` rows: a link set's first round. */
  baselines: ChangeRow[];
}

export const objectKey = (type: string, id: string): string => `${type}\u0000${id}`;

export type LinkKeyParts = LinkKeyColumns;

export const linkKey = (l: LinkKeyParts): string =>
  `${l.relation}\u0000${l.source_type}\u0000${l.source_id}\u0000${l.target_type}\u0000${l.target_id}\u0000${l.scope}`;

/** Order of changes: by run, then by id (appended in run order, so this is the order they were made). */
export function changeOrder(a: ChangeRow, b: ChangeRow): number {
  return a.run_id - b.run_id || a.id - b.id;
}

/**
 * Reads every change after the window's start, through the changes_by_run index (a range from the
 * window's first run to the end: the window itself and the runs after --until, which rewind the
 * current state of the review tables to the state at --until). A date window leaves out the changes
 * made at or before the date.
 */
export function readLaterChanges(db: Db, window: Pick<DiffWindow, 'firstRun' | 'after'>): LaterChanges {
  const objects = new Map<string, ChangeRow[]>();
  const links = new Map<string, ChangeRow[]>();
  const baselines: ChangeRow[] = [];
  const rows = db
    .prepare('SELECT * FROM changes INDEXED BY changes_by_run WHERE run_id >= ? ORDER BY run_id, id')
    .iterate(window.firstRun) as IterableIterator<ChangeRow>;
  for (const row of rows) {
    if (window.after !== null && row.at <= window.after) continue;
    if (row.kind === 'baseline') baselines.push(row);
    else if (row.entity_type !== null && row.entity_id !== null) push(objects, objectKey(row.entity_type, row.entity_id), row);
    else if (row.relation !== null) push(links, linkKey(row as LinkKeyParts & ChangeRow), row);
  }
  return { objects, links, baselines };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
