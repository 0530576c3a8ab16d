import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { runPull, type PullOptions, type PullSummary } from '../../src/pull/run-pull.js';
import { liveState, truthState, type DbState, type SimWorld } from './sim-world.js';
import type { Tenant } from '../../src/sim/tenant/index.js';
import type { EntityRow, RelationRow } from '../../src/store/index.js';

/** Backoff that never sleeps long (the server's Retry-After still wins). */
export const fastRetry = { baseDelayMs: 5, maxDelayMs: 50 };

export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** A database path in a fresh temporary directory. */
export function dbFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'ee-int-')), 'entra.db');
}

/** Runs fn on a read-only connection to the database. */
export function readDb<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** Runs fn on a read-write connection (tests that plant rows). */
export function writeDb<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export function state(path: string): DbState {
  return readDb(path, liveState);
}

/** One pull with fast retries, timed from the outside as well. */
export async function pull(
  world: SimWorld,
  path: string,
  extra: Partial<PullOptions> = {},
): Promise<PullSummary & { startedMs: number; endedMs: number }> {
  const startedMs = Date.now();
  const summary = await runPull({ config: world.config(path), retry: fastRetry, ...extra });
  const endedMs = Date.now();
  return { ...summary, startedMs, endedMs };
}

/** The database equals the tenant's truth (live objects, effective links). */
export function expectTruth(path: string, tenant: Tenant): void {
  const got = state(path);
  const want = truthState(tenant);
  // Compare sizes first so a mismatch reports something readable before the long diff.
  expect({ entities: got.entities.length, relations: got.relations.length }).toEqual({
    entities: want.entities.length,
    relations: want.relations.length,
  });
  expect(got).toEqual(want);
}

/** The columns the tests read of a link. */
export type RelationRowT = Pick<RelationRow, 'relation' | 'source_type' | 'source_id' | 'target_type' | 'target_id' | 'deleted_at' | 'last_seen_run'>;

export function entityRow(path: string, type: string, id: string): EntityRow | undefined {
  return readDb(path, (db) => db.prepare('SELECT * FROM entities WHERE entity_type = ? AND id = ?').get(type, id) as EntityRow | undefined);
}

export function relationRows(path: string, where: Partial<Record<keyof RelationRowT, string>>): RelationRowT[] {
  const keys = Object.keys(where);
  const sql = `SELECT * FROM entity_relations${keys.length ? ` WHERE ${keys.map((k) => `${k} = ?`).join(' AND ')}` : ''}`;
  return readDb(path, (db) => db.prepare(sql).all(...keys.map((k) => where[k as keyof RelationRowT])) as RelationRowT[]);
}

export function runRow(path: string, runId: number): { id: number; started_at: string; ended_at: string | null; outcome: string; error: string | null } {
  return readDb(path, (db) => db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as never);
}

export function syncStateRow(path: string, collection: string): { delta_link: string | null; round_mode: string | null; round_next_link: string | null; query: string | null } | undefined {
  return readDb(path, (db) => db.prepare('SELECT * FROM sync_state WHERE collection = ?').get(collection) as never);
}

/** deleted_at is an ISO-8601 UTC time within [startMs, endMs] (the run that saw the removal). */
export function expectRemovedDuring(deletedAt: string | null | undefined, startMs: number, endMs: number): void {
  expect(deletedAt, 'deleted_at').toMatch(ISO_UTC);
  const t = Date.parse(deletedAt!);
  expect(t).toBeGreaterThanOrEqual(startMs);
  expect(t).toBeLessThanOrEqual(endMs);
}

export function liveUsers(t: Tenant): string[] {
  return [...t.users.values()].filter((u) => u.state === 'live').map((u) => u.id);
}

export function liveGroups(t: Tenant): string[] {
  return [...t.groups.values()].filter((g) => g.state === 'live').map((g) => g.id);
}

/** The bytes of the database and its WAL / shared-memory files, as latin1 text for searching. */
export function databaseBytes(path: string): string {
  return ['', '-wal', '-shm', '-journal']
    .map((suffix) => path + suffix)
    .filter((p) => existsSync(p))
    .map((p) => readFileSync(p).toString('latin1'))
    .join('\n');
}
