/**
 * Shared fakes for the runner tests: an in-memory database with a run ledger and a fixed clock per
 * run, a scripted PageReader, a scripted BatchReader that pulls its requests lazily and completes them
 * out of order (like batchPages), small synthetic connectors, and whole-row readers of the tables.
 */
import { openDatabase, type Db, type LinkKeyColumns } from '../../src/store/index.js';
import { syncCollection, type CollectionResult, type GraphPage, type PageReader, type SyncCollectionOptions } from '../../src/pull/sync-collection.js';
import type { BatchReader } from '../../src/pull/runners/runner.js';
import type { BatchRequest, BatchResult } from '../../src/graph/index.js';
import type { EntraExtractError } from '../../src/errors/index.js';
import type { Connector, ConnectorContext, GraphObject, Step } from '../../src/pull/connector.js';

/** Run n happens at T0 + n hours (every stamp it writes is this time). */
export const T0 = Date.parse('2025-03-01T00:00:00.000Z');
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const timeOf = (runId: number): number => T0 + runId * HOUR;
export const isoOf = (runId: number): string => new Date(timeOf(runId)).toISOString();

export function connector(name: string, steps: Step[], changeTracking: Connector['changeTracking'] = 'list'): Connector {
  return { name, description: `${name} (test)`, permission: 'Test.Read.All', alsoAccepted: [], changeTracking, source: name, steps };
}

/** A database and its run ledger: each `run` opens the next run id and calls syncCollection at that run's time. */
export class Harness {
  readonly db: Db = openDatabase(':memory:');
  runId = 0;

  async run(
    connector: Connector,
    o: Partial<Omit<SyncCollectionOptions, 'context'>> & { context?: Partial<ConnectorContext> } = {},
  ): Promise<CollectionResult> {
    this.runId++;
    const runId = this.runId;
    const t = timeOf(runId);
    this.db.prepare('INSERT INTO runs (id, command, started_at) VALUES (?, ?, ?)').run(runId, 'pull', isoOf(runId));
    const { context, ...rest } = o;
    return syncCollection({
      db: this.db,
      connector,
      runId,
      readPages: noPages,
      now: () => t,
      ...rest,
      context: { grantedRoles: new Set(), ...context },
    });
  }
}

export const noPages: PageReader = () => {
  throw new Error('this test reads no Graph pages');
};

/** A scripted Graph: each URL answers one page (or throws). Records the URLs asked for, in order. */
export function scriptPages(script: Record<string, GraphPage | Error | (() => GraphPage | Error)>) {
  const asked: string[] = [];
  const reader: PageReader = async function* (url, stats) {
    let next: string | undefined = url;
    while (next !== undefined) {
      asked.push(next);
      stats.requests++;
      const entry: GraphPage | Error | (() => GraphPage | Error) | undefined = script[next];
      const p: GraphPage | Error | undefined = typeof entry === 'function' ? entry() : entry;
      if (p === undefined) throw new Error(`unscripted ${next}`);
      if (p instanceof Error) throw p;
      yield p;
      next = p.nextLink;
    }
  };
  return { reader, asked };
}

/** What one parent's sub-request answers: its pages (then done), or pages then 404, or pages then a failure. */
export type ParentAnswer =
  | GraphObject[][]
  | { pages?: GraphObject[][]; notFound: true }
  | { pages?: GraphObject[][]; error: EntraExtractError };

export interface FakeBatchOptions {
  /** Requests taken from the input before one is completed (default 3). */
  window?: number;
  /** fifo: oldest first; alternate: newest, oldest, newest, ... (out of order). Default alternate. */
  order?: 'fifo' | 'alternate';
  /** Called before the n-th result (1-based) is yielded; may throw (a crash) or abort a signal. */
  before?: (n: number, result: BatchResult) => void;
}

/**
 * A scripted `$batch` reader: pulls requests from the engine's iterable only while fewer than
 * `window` are unfinished, answers one whole item at a time (its pages, then done / notFound /
 * error), in the chosen order.
 */
export function fakeBatch(answer: (key: string, url: string) => ParentAnswer, o: FakeBatchOptions = {}) {
  const requested: BatchRequest[] = [];
  const answered: string[] = [];
  const window = o.window ?? 3;
  const reader: BatchReader = async function* (requests, stats) {
    const input = requests[Symbol.asyncIterator]();
    const pending: BatchRequest[] = [];
    let exhausted = false;
    let turn = 0;
    let n = 0;
    for (;;) {
      while (!exhausted && pending.length < window) {
        const r = await input.next();
        if (r.done) exhausted = true;
        else {
          requested.push(r.value);
          pending.push(r.value);
        }
      }
      if (pending.length === 0) return;
      const index = o.order === 'fifo' || turn++ % 2 === 1 ? 0 : pending.length - 1;
      const req = pending.splice(index, 1)[0]!;
      stats.requests++;
      answered.push(req.key);
      for (const result of resultsOf(req.key, answer(req.key, req.url))) {
        n++;
        o.before?.(n, result);
        yield result;
      }
    }
  };
  return { reader, requested, answered, keys: () => requested.map((r) => r.key) };
}

function resultsOf(key: string, a: ParentAnswer): BatchResult[] {
  const pages = Array.isArray(a) ? a : a.pages ?? [];
  const out: BatchResult[] = pages.map((value, i) => ({
    key,
    page: i < pages.length - 1 ? { value, nextLink: `https://graph.test/v1.0/${key}/page${i + 2}` } : { value },
  }));
  if (Array.isArray(a)) out.push({ key, done: true });
  else if ('notFound' in a) out.push({ key, notFound: true });
  else out.push({ key, error: a.error });
  return out;
}

// ---- seeding ---------------------------------------------------------------------------------

export function seedEntity(
  db: Db,
  entityType: string,
  id: string,
  data: Record<string, unknown> = {},
  o: { run?: number; deletedKind?: 'soft' | 'permanent' | 'unseen'; deletedAt?: string } = {},
): void {
  const run = o.run ?? 0;
  db.prepare(
    `INSERT INTO entities (entity_type, id, display_name, data, first_seen_run, last_seen_run, deleted_at, deleted_kind)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    entityType, id, typeof data.displayName === 'string' ? data.displayName : null, JSON.stringify(data), run, run,
    o.deletedKind ? o.deletedAt ?? isoOf(run) : null, o.deletedKind ?? null,
  );
}

export function seedLink(
  db: Db,
  relation: string,
  source: [string, string],
  target: [string, string],
  o: { run?: number; data?: Record<string, unknown>; scope?: string } = {},
): void {
  const run = o.run ?? 0;
  db.prepare(
    `INSERT INTO entity_relations (relation, source_type, source_id, target_type, target_id, scope, data, first_seen_run, last_seen_run, deleted_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
  ).run(relation, source[0], source[1], target[0], target[1], o.scope ?? '', o.data ? JSON.stringify(o.data) : null, run, run);
}

// ---- whole-row readers -----------------------------------------------------------------------

export interface EntityOut {
  entity_type: string;
  id: string;
  display_name: string | null;
  data: Record<string, unknown>;
  first_seen_run: number | null;
  last_seen_run: number | null;
  deleted_at: string | null;
  deleted_kind: string | null;
}

export function entityRows(db: Db, entityType: string): EntityOut[] {
  return (db.prepare('SELECT * FROM entities WHERE entity_type = ? ORDER BY id').all(entityType) as (Omit<EntityOut, 'data'> & { data: string })[]).map(
    (r) => ({ ...r, data: JSON.parse(r.data) as Record<string, unknown> }),
  );
}

export function entityRow(db: Db, entityType: string, id: string): EntityOut | undefined {
  return entityRows(db, entityType).find((r) => r.id === id);
}

export interface LinkOut extends LinkKeyColumns {
  data: Record<string, unknown> | null;
  first_seen_run: number | null;
  last_seen_run: number | null;
  deleted_at: string | null;
}

export function linkRows(db: Db, relation: string): LinkOut[] {
  return (
    db.prepare('SELECT * FROM entity_relations WHERE relation = ? ORDER BY source_type, source_id, target_type, target_id, scope').all(relation) as (Omit<
      LinkOut,
      'data'
    > & { data: string | null })[]
  ).map((r) => ({ ...r, data: r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>) }));
}

/** A link row as a test states it. */
export function link(
  relation: string,
  source: [string, string],
  target: [string, string],
  o: { data?: Record<string, unknown> | null; first?: number; last?: number; deletedAt?: string | null; scope?: string } = {},
): LinkOut {
  return {
    relation, source_type: source[0], source_id: source[1], target_type: target[0], target_id: target[1], scope: o.scope ?? '',
    data: o.data ?? null, first_seen_run: o.first ?? 1, last_seen_run: o.last ?? o.first ?? 1, deleted_at: o.deletedAt ?? null,
  };
}

/** Links as comparable facts, without the run numbers (a resumed run and a clean run differ only in those). */
export function linkFacts(db: Db, relation: string): string[] {
  return linkRows(db, relation).map(
    (r) => `${r.source_type}:${r.source_id}>${r.target_type}:${r.target_id}${r.scope ? `@${r.scope}` : ''} ${JSON.stringify(r.data)} ${r.deleted_at === null ? 'live' : 'deleted'}`,
  );
}

/** The changes a run recorded, null columns left out. */
export function changeRows(db: Db, runId?: number): Record<string, unknown>[] {
  const rows = (runId === undefined
    ? db.prepare('SELECT * FROM changes ORDER BY id').all()
    : db.prepare('SELECT * FROM changes WHERE run_id = ? ORDER BY id').all(runId)) as Record<string, unknown>[];
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      if (k === 'id' || v === null) continue;
      out[k] = k === 'properties' ? JSON.parse(v as string) : v;
    }
    return out;
  });
}

export function syncRow(db: Db, key: string): Record<string, unknown> | undefined {
  return db.prepare('SELECT * FROM sync_state WHERE collection = ?').get(key) as Record<string, unknown> | undefined;
}

export function syncKeys(db: Db): string[] {
  return db.prepare('SELECT collection FROM sync_state ORDER BY collection').pluck().all() as string[];
}

/** The sync_state row of a step with no round in progress, as a test states it. */
export function settled(key: string, query: string, o: { lastFullRun: number | null; updatedRun: number; watermark?: string | null; deltaLink?: string | null; unsettled?: number | null }) {
  return {
    collection: key, query, delta_link: o.deltaLink ?? null, delta_link_at: o.deltaLink ? isoOf(o.updatedRun) : null,
    last_full_at: o.lastFullRun === null ? null : isoOf(o.lastFullRun),
    round_mode: null, round_next_link: null, round_start_run: null, round_started_at: null, updated_at: isoOf(o.updatedRun),
    links_unsettled_since: o.unsettled ?? null, watermark: o.watermark ?? null,
  };
}

export function ledgerRows(db: Db, runId: number): Record<string, unknown>[] {
  return db.prepare('SELECT * FROM run_collections WHERE run_id = ? ORDER BY collection').all(runId) as Record<string, unknown>[];
}

/** A run_collections row as a test states it (counters default to 0). */
export function ledger(
  runId: number,
  collection: string,
  o: Partial<{
    mode: string; outcome: string; error: string | null; full_reason: string | null; full_read: string | null; pages: number; upserts: number; deletions: number;
    links_upserted: number; links_deleted: number; requests: number; throttled: number; retries: number; resyncs: number;
  }> = {},
): Record<string, unknown> {
  return {
    run_id: runId, collection, mode: 'full', outcome: 'success', started_at: isoOf(runId), ended_at: isoOf(runId),
    pages: 0, upserts: 0, deletions: 0, links_upserted: 0, links_deleted: 0, requests: 0, throttled: 0, retries: 0, resyncs: 0,
    error: null, full_reason: null, full_read: null, ...o,
  };
}
