import { isoNow, stmt, type Db } from './sqlite.js';
import type { CollectionMode } from './runs.js';

export interface SyncStateRow {
  collection: string;
  query: string | null;
  delta_link: string | null;
  delta_link_at: string | null;
  last_full_at: string | null;
  round_mode: CollectionMode | null;
  round_next_link: string | null;
  round_start_run: number | null;
  round_started_at: string | null;
  updated_at: string | null;
  /** A completed full round whose unseen links are still to be marked deleted (its start run). */
  links_unsettled_since: number | null;
  /** Event collections: the end of the last complete window (ISO-8601 UTC). */
  watermark?: string | null;
}

export function getSyncState(db: Db, collection: string): SyncStateRow | undefined {
  return stmt(db, 'SELECT * FROM sync_state WHERE collection = ?').get(collection) as SyncStateRow | undefined;
}

export function listSyncStates(db: Db): SyncStateRow[] {
  return stmt(db, 'SELECT * FROM sync_state ORDER BY collection').all() as SyncStateRow[];
}

/** Starts a round (or restarts one): where it begins, in which mode, and which run started it. */
export function beginRound(
  db: Db,
  collection: string,
  mode: CollectionMode,
  firstLink: string,
  query: string,
  runId: number,
  now = Date.now(),
): void {
  const at = isoNow(now);
  stmt(
    db,
    `INSERT INTO sync_state (collection, query, round_mode, round_next_link, round_start_run, round_started_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (collection) DO UPDATE SET query = excluded.query, round_mode = excluded.round_mode,
       round_next_link = excluded.round_next_link, round_start_run = excluded.round_start_run,
       round_started_at = excluded.round_started_at, updated_at = excluded.updated_at`,
  ).run(collection, query, mode, firstLink, runId, at, at);
}

/** Records where the round goes on; called in the transaction of the page that produced the link. */
export function saveRoundProgress(db: Db, collection: string, nextLink: string, now = Date.now()): void {
  stmt(db, 'UPDATE sync_state SET round_next_link = ?, updated_at = ? WHERE collection = ?').run(nextLink, isoNow(now), collection);
}

/**
 * Ends the round: the new deltaLink (null for collections without change tracking) replaces the old
 * one, in the transaction of the round's last page.
 */
export function completeRound(db: Db, collection: string, deltaLink: string | null, mode: CollectionMode, now = Date.now()): void {
  const at = isoNow(now);
  stmt(
    db,
    `UPDATE sync_state SET delta_link = ?, delta_link_at = ?, last_full_at = CASE WHEN ? = 'full' THEN ? ELSE last_full_at END,
       round_mode = NULL, round_next_link = NULL, round_start_run = NULL, round_started_at = NULL, updated_at = ?
     WHERE collection = ?`,
  ).run(deltaLink, deltaLink === null ? null : at, mode, at, at, collection);
}

/** Forgets the saved deltaLink (expired token, 410, or --full): the next round is a full one. */
export function dropDeltaLink(db: Db, collection: string, now = Date.now()): void {
  stmt(db, 'UPDATE sync_state SET delta_link = NULL, delta_link_at = NULL, updated_at = ? WHERE collection = ?').run(isoNow(now), collection);
}

/**
 * A full round ended: its unseen links are marked deleted once the run knows every object that went
 * away (see settleUnseenLinks in src/pull). Kept with the round's end, so a crash before the end of
 * the run leaves it for the next run.
 */
export function markLinksUnsettled(db: Db, collection: string, sinceRun: number): void {
  stmt(db, 'UPDATE sync_state SET links_unsettled_since = ? WHERE collection = ?').run(sinceRun, collection);
}

export function clearLinksUnsettled(db: Db, collection: string): void {
  stmt(db, 'UPDATE sync_state SET links_unsettled_since = NULL WHERE collection = ?').run(collection);
}

/** An event collection's window ended complete: the next one starts at `watermark` (less the overlap). */
export function setWatermark(db: Db, collection: string, watermark: string): void {
  stmt(db, 'UPDATE sync_state SET watermark = ? WHERE collection = ?').run(watermark, collection);
}
