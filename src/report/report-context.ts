import type { Db } from '../store/index.js';
import type { AccessIndex } from './access-index.js';
import type { Identities } from './identities.js';

/** What every section of the report reads from: one read transaction's connection and what was loaded once. */
export interface ReportContext {
  db: Db;
  ids: Identities;
  access: AccessIndex;
  /** The report's "now" (ms): ages and expiry are measured from it. */
  now: number;
  /** When a run started (runs.started_at): a link's first_seen_run as a time. */
  runStart(run: number | null): string | null;
  /** Display names of any live entity, read by primary key and cached. */
  nameOf(type: string, id: string): string | null;
}

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to` (ISO times), rounded down; negative when `to` is earlier. */
export function daysBetween(from: string, to: number): number {
  return Math.floor((to - Date.parse(from)) / DAY_MS);
}

export function makeNameLookup(db: Db): (type: string, id: string) => string | null {
  const stmt = db.prepare('SELECT display_name FROM entities WHERE entity_type = ? AND id = ? AND deleted_at IS NULL').pluck();
  const cache = new Map<string, string | null>();
  return (type, id) => {
    const key = `${type}\u0000${id}`;
    let name = cache.get(key);
    if (name === undefined) {
      name = (stmt.get(type, id) as string | null | undefined) ?? null;
      if (cache.size > 50_000) cache.clear();
      cache.set(key, name);
    }
    return name;
  };
}

export function makeRunStarts(db: Db): (run: number | null) => string | null {
  const starts = new Map<number, string>();
  for (const r of db.prepare('SELECT id, started_at FROM runs').raw().iterate() as Iterable<[number, string]>) starts.set(r[0], r[1]);
  return (run) => (run === null ? null : starts.get(run) ?? null);
}

/** Code-unit order: the same on every machine (localeCompare depends on the locale). */
export const cmp = (a: string | null, b: string | null): number => {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Names first (case-insensitive), then ids: a stable order for people. */
export const byName = (a: { name: string | null; id: string }, b: { name: string | null; id: string }): number =>
  cmp(a.name?.toLowerCase() ?? null, b.name?.toLowerCase() ?? null) || cmp(a.id, b.id);
