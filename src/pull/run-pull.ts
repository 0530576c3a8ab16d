import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { TokenSource } from '../auth/token-source.js';
import { createTokenSource } from '../auth/index.js';
import { createGraphTransport, pages, type RetryOptions, type TransportEvent } from '../graph/index.js';
import { acquireRunLock, bindTenant, finishRun, openDatabase, startRun, WriteBatch } from '../store/index.js';
import { packageRoot } from '../store/package-root.js';
import { UsageError } from '../errors/index.js';
import { CONNECTORS, COLLECTION_NAMES } from '../../connectors/index.js';
import type { Connector } from './connector.js';
import { grantedRoles } from './granted-roles.js';
import { syncCollection, type CollectionProgress, type CollectionResult, type GraphPage, type PageReader } from './sync-collection.js';

/**
 * Pages written within this long share one commit. Measured on the benchmark tenant (1.1M links):
 * a commit per page spends most of the pull rewriting B-tree pages into the WAL; 1 s batches cut
 * the full pull from 55 s to 31 s, and a crash re-reads at most a second of pages.
 */
export const DEFAULT_COMMIT_EVERY_MS = 1000;

export interface PullOptions {
  config: Readonly<Config>;
  /** Ignore saved delta state for this run. */
  full?: boolean;
  /** Collection names (CONTRACT.md section 3); default every collection this version pulls. */
  only?: readonly string[];
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  retry?: RetryOptions;
  /** Injected in tests; default an @azure/identity credential built from the config. */
  tokenSource?: TokenSource;
  /** Recorded in the run ledger. */
  command?: 'pull' | 'demo';
  onProgress?: (p: CollectionProgress) => void;
  onTransportEvent?: (e: TransportEvent) => void;
  /** Longest time page writes wait to be committed together (default 1000 ms; 0 commits every page). */
  commitEveryMs?: number;
  /** Abort to stop at the next page boundary, committing what was written (SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

export interface CollectionSummary {
  mode: 'full' | 'delta';
  resumed: boolean;
  outcome: 'success' | 'failed' | 'interrupted';
  upserts: number;
  deletions: number;
  linksUpserted: number;
  linksDeleted: number;
  pages: number;
  requests: number;
  throttled: number;
  retries: number;
  resyncs: number;
  durationMs: number;
  error?: string;
}

export interface PullSummary {
  runId: number;
  database: string;
  outcome: 'success' | 'partial' | 'failed' | 'interrupted';
  durationMs: number;
  requests: number;
  throttled: number;
  retries: number;
  collections: Record<string, CollectionSummary>;
  /** Peak resident memory of this process so far (what the benchmark reports). */
  peakRssMb: number;
  /** The first failure of each failed collection, for the CLI to explain. */
  errors: { collection: string; error: unknown }[];
}

/** Resolves --only names to connectors, in pull order; unknown or not-yet-available names are usage errors. */
export function selectConnectors(only?: readonly string[]): Connector[] {
  if (!only || only.length === 0) return [...CONNECTORS];
  const wanted = new Set(only);
  for (const name of wanted) {
    if (!(COLLECTION_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`Unknown collection "${name}"`, {
        suggestion: `Collections are: ${COLLECTION_NAMES.join(', ')}.`,
      });
    }
    if (!CONNECTORS.some((c) => c.name === name)) {
      throw new UsageError(`The collection "${name}" is not available in this version`, {
        suggestion: `This version pulls: ${CONNECTORS.map((c) => c.name).join(', ')}.`,
      });
    }
  }
  return CONNECTORS.filter((c) => wanted.has(c.name));
}

export function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * The scheduled run: one lock, one run ledger row, one token source, one transport shared by every
 * collection, collections pulled concurrently, each committing page by page. Returns what happened;
 * throws only when the run could not start (configuration, database, authentication).
 */
export async function runPull(o: PullOptions): Promise<PullSummary> {
  const connectors = selectConnectors(o.only);
  const started = Date.now();
  // Built first: an unreadable certificate is a configuration error that must not create or touch a database.
  const tokenSource = o.tokenSource ?? createTokenSource(o.config);
  const dbPath = o.config.dbPath;
  const lock = acquireRunLock(dbPath);
  try {
    const db = openDatabase(dbPath);
    try {
      bindTenant(db, o.config.tenantId, dbPath);
      const runId = startRun(db, o.command ?? 'pull', toolVersion());
      const transport = createGraphTransport({
        graphEndpoint: o.config.graphEndpoint,
        tokenSource,
        concurrency: o.concurrency,
        retry: o.retry,
        onEvent: o.onTransportEvent,
      });
      let roles: Set<string>;
      try {
        // Fail fast on credentials, before any collection starts.
        roles = grantedRoles(await tokenSource.getToken());
      } catch (error) {
        finishRun(db, runId, 'failed', transport.stats, (error as Error).message);
        throw error;
      }
      const readPages: PageReader = (url, stats) => pages(transport, url, { stats }) as AsyncIterable<GraphPage>;
      const batch = new WriteBatch(db, o.commitEveryMs ?? DEFAULT_COMMIT_EVERY_MS);
      let results: CollectionResult[];
      try {
        results = await Promise.all(
          connectors.map((connector) =>
            syncCollection({
              db, connector, runId, readPages, batch, signal: o.signal,
              context: { grantedRoles: roles }, full: o.full, onProgress: o.onProgress,
            }),
          ),
        );
      } finally {
        batch.commit();
      }
      const failed = results.filter((r) => r.outcome === 'failed');
      const outcome = o.signal?.aborted
        ? 'interrupted'
        : failed.length === 0 ? 'success' : failed.length === results.length ? 'failed' : 'partial';
      finishRun(db, runId, outcome, transport.stats, failed.map((f) => `${f.collection}: ${(f.error as Error).message}`).join('; ') || undefined);
      return {
        runId,
        database: dbPath,
        outcome,
        durationMs: Date.now() - started,
        requests: transport.stats.requests,
        throttled: transport.stats.throttled,
        retries: transport.stats.retries,
        collections: Object.fromEntries(results.map((r) => [r.collection, summarize(r)])),
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        errors: failed.map((f) => ({ collection: f.collection, error: f.error })),
      };
    } finally {
      db.close();
    }
  } finally {
    lock.release();
  }
}

function summarize(r: CollectionResult): CollectionSummary {
  return {
    mode: r.mode,
    resumed: r.resumed,
    outcome: r.outcome,
    upserts: r.upserts,
    deletions: r.deletions,
    linksUpserted: r.links_upserted,
    linksDeleted: r.links_deleted,
    pages: r.pages,
    requests: r.requests,
    throttled: r.throttled,
    retries: r.retries,
    resyncs: r.resyncs,
    durationMs: r.durationMs,
    ...(r.error ? { error: (r.error as Error).message } : {}),
  };
}
