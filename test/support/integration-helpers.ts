import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { runPull, type PullOptions, type PullSummary } from '../../src/pull/run-pull.js';
import { liveState, truthState, type DbState, type SimWorld } from './sim-world.js';
import type { Tenant } from '../../src/sim/tenant/index.js';
import type { EntityRow, RelationRow } from '../../src/store/index.js';
import type { Connector } from '../../src/pull/connector.js';
import { users } from '../../connectors/users.js';
import { groups } from '../../connectors/groups.js';
import { CONNECTORS } from '../../connectors/index.js';

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

/**
 * The collections the engine tests pull unless they say otherwise: users and groups, whose
 * simulation those tests change and check (the other collections have tests of their own).
 */
export const DIRECTORY_CORE = ['users', 'groups'];

/**
 * Every collection, its full rounds read through the delta chain (the listing left out): for the
 * tests of the chain's paging quirks and faults, which a full round otherwise reads only when Graph
 * refuses the listing (test/integration/listing-full-round.test.ts tests the listing).
 */
export const DELTA_CHAIN: readonly Connector[] = CONNECTORS.map(chainOnly);

/** A connector whose full rounds read the delta chain: its delta steps without their listing. */
export function chainOnly(c: Connector): Connector {
  return { ...c, steps: c.steps.map((s) => (s.kind === 'delta' ? { ...s, listing: undefined } : s)) };
}

/** pull() with full rounds read through the delta chain. */
export function pullChain(world: SimWorld, path: string, extra: Partial<PullOptions> = {}): ReturnType<typeof pull> {
  return pull(world, path, { registry: DELTA_CHAIN, ...extra });
}

/** One pull with fast retries, timed from the outside as well. */
export async function pull(
  world: SimWorld,
  path: string,
  extra: Partial<PullOptions> = {},
): Promise<PullSummary & { startedMs: number; endedMs: number }> {
  const startedMs = Date.now();
  const summary = await runPull({ config: world.config(path), retry: fastRetry, only: DIRECTORY_CORE, ...extra });
  const endedMs = Date.now();
  return { ...summary, startedMs, endedMs };
}

/**
 * The database equals the tenant's truth: the live objects, the effective links (effective_relations),
 * and every live object's stored properties, whole (not only its key): a stale or cleared property
 * that the database still holds fails here.
 */
export function expectTruth(path: string, tenant: Tenant, roles: ReadonlySet<string> = new Set()): void {
  const got = state(path);
  const want = truthState(tenant);
  // Compare sizes first so a mismatch reports something readable before the long diff.
  expect({ entities: got.entities.length, relations: got.relations.length }).toEqual({
    entities: want.entities.length,
    relations: want.relations.length,
  });
  expect(got).toEqual(want);
  expectObjectData(path, tenant, roles);
}

/** The $select of a connector's first request. */
function selected(connector: Connector, roles: ReadonlySet<string>): string[] {
  const step = connector.steps[0];
  if (step?.kind !== 'delta') throw new Error(`${connector.name} does not start with a delta step`);
  const query = step.url({ grantedRoles: roles });
  return decodeURIComponent(/\$select=([^&]*)/.exec(query)?.[1] ?? '').split(',').filter(Boolean);
}

/** Properties with a value: a cleared property may be stored as null or left out, never with a stale value. */
function withValues(data: Readonly<Record<string, unknown>>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const v = data[name];
    if (v !== undefined && v !== null) out[name] = v;
  }
  return out;
}

/** Every live user's and group's stored `data` equals the tenant's object, property by property. */
export function expectObjectData(path: string, tenant: Tenant, roles: ReadonlySet<string> = new Set()): void {
  const rows = readDb(path, (db) => db.prepare("SELECT entity_type, id, data FROM entities WHERE deleted_at IS NULL AND entity_type IN ('user', 'group')").all()) as {
    entity_type: string; id: string; data: string;
  }[];
  const userProps = selected(users, roles);
  const groupProps = selected(groups, roles);
  const got: Record<string, unknown> = {};
  const want: Record<string, unknown> = {};
  for (const r of rows) {
    const names = r.entity_type === 'user' ? userProps : groupProps;
    const data = JSON.parse(r.data) as Record<string, unknown>;
    // Nothing but what was asked for (and id) is stored; signInActivity is the signInActivity collection's key.
    const stray = Object.keys(data).filter((k) => !names.includes(k) && !(r.entity_type === 'user' && (k === 'employeeLeaveDateTime' || k === 'signInActivity')));
    expect(stray, `${r.entity_type} ${r.id} stores properties it did not select`).toEqual([]);
    got[`${r.entity_type}|${r.id}`] = withValues(data, [...names, ...(r.entity_type === 'user' ? ['employeeLeaveDateTime'] : [])]);
  }
  // employeeLeaveDateTime is selected only with User-LifeCycleInfo.Read.All: compare it when the database has it.
  const withLeave = rows.some((r) => r.entity_type === 'user' && 'employeeLeaveDateTime' in (JSON.parse(r.data) as object));
  const wantUserProps = withLeave ? [...userProps, 'employeeLeaveDateTime'] : userProps;
  for (const u of tenant.users.values()) if (u.state === 'live') want[`user|${u.id}`] = withValues({ id: u.id, ...u.props }, wantUserProps);
  for (const g of tenant.groups.values()) if (g.state === 'live') want[`group|${g.id}`] = withValues({ id: g.id, ...g.props }, groupProps);
  const differing = Object.keys(want).filter((k) => JSON.stringify(sortKeys(got[k])) !== JSON.stringify(sortKeys(want[k])));
  expect(differing.slice(0, 3).map((k) => ({ key: k, stored: got[k], tenant: want[k] }))).toEqual([]);
}

function sortKeys(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
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
