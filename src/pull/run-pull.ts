import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { TokenSource } from '../auth/token-source.js';
import { createTokenSource } from '../auth/index.js';
import { batchPages, createGraphTransport, pages, type GraphTransportOptions, type PacingSnapshot, type RetryOptions, type TransportEvent } from '../graph/index.js';
import { acquireRunLock, bindTenant, failRunningCollections, finishRun, isKnownTenant, openDatabase, startRun, WriteBatch, type Db } from '../store/index.js';
import { packageRoot } from '../store/package-root.js';
import { GraphError, InterruptedError, SkippedError, UsageError } from '../errors/index.js';
import { CONNECTORS, COLLECTION_NAMES } from '../../connectors/index.js';
import type { Connector, ConnectorContext } from './connector.js';
import { tokenFacts } from './granted-roles.js';
import { settleUnseenLinks } from './settle-unseen-links.js';
import { recordNotRun, syncCollection, type BatchReader, type CollectionProgress, type CollectionResult, type GraphPage, type PageReader } from './sync-collection.js';

/**
 * Pages written within this long share one commit. Measured on the benchmark tenant (1.1M links):
 * a commit per page spends most of the pull rewriting B-tree pages into the WAL; 1 s batches cut
 * the full pull from 55 s to 31 s, and a crash re-reads at most a second of pages.
 */
export const DEFAULT_COMMIT_EVERY_MS = 1000;

/** A delta collection whose last complete full round is older than this many days reconciles with a full round. */
export const DEFAULT_FULL_EVERY_DAYS = 7;

/** The longest Retry-After a collection waits out (ms); a longer one fails the collection. */
export const DEFAULT_MAX_WAIT_MS = 10 * 60_000;

export interface PullOptions {
  config: Readonly<Config>;
  /** Ignore saved delta state for this run. */
  full?: boolean;
  /** Collection names (CONTRACT.md section 3); default every collection this version pulls. */
  only?: readonly string[];
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Budget pacing of the transport (default on, with Graph's documented budgets); false: none. */
  pacing?: GraphTransportOptions['pacing'];
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
  /** Reconcile with a full round when the last one is older than this many days (default 7; 0 = never). */
  fullEveryDays?: number;
  /** The longest Retry-After waited out (default 10 minutes); a longer one fails that collection. */
  maxWaitMs?: number;
  /** Things the operator should know that are not errors (a database re-bound to the tenant id). */
  onNotice?: (message: string) => void;
  /** Every collection this build pulls, in pull order (default: the connectors/ registry). */
  registry?: readonly Connector[];
  /** signIns: how far back the first window reaches, in days (default 7, at most 30). */
  signInsDays?: number;
  /** signIns: how far each later window reaches back over the watermark (ms, default 60 minutes). */
  signInsOverlapMs?: number;
}

export interface CollectionSummary {
  mode: 'full' | 'delta';
  resumed: boolean;
  /** Why the round was full, when it was. */
  fullReason?: string;
  outcome: 'success' | 'failed' | 'interrupted' | 'skipped';
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
  /** What the transport's pacing learned: the budgets it paced at and the concurrency it reached. */
  pacing?: PacingSnapshot;
  /** The first failure of each failed collection, for the CLI to explain. */
  errors: { collection: string; error: unknown }[];
  /** Notices of this run (also sent to onNotice). */
  notices: string[];
}

/**
 * Resolves --only names to connectors, in pull order; unknown or not-yet-available names are usage
 * errors. `registry` is every collection this build pulls (the connectors/ registry by default).
 */
export function selectConnectors(only?: readonly string[], registry: readonly Connector[] = CONNECTORS): Connector[] {
  assertDependencyOrder(registry);
  if (!only || only.length === 0) return [...registry];
  const wanted = new Set(only);
  for (const name of wanted) {
    if (!(COLLECTION_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`Unknown collection "${name}"`, {
        suggestion: `Collections are: ${COLLECTION_NAMES.join(', ')}.`,
      });
    }
    if (!registry.some((c) => c.name === name)) {
      throw new UsageError(`The collection "${name}" is not available in this version`, {
        suggestion: `This version pulls: ${registry.map((c) => c.name).join(', ')}.`,
      });
    }
  }
  return registry.filter((c) => wanted.has(c.name));
}

/**
 * A collection's dependencies come before it in pull order, so waiting on them can never deadlock;
 * events and enrich steps own no rows (they must never tombstone anything).
 */
function assertDependencyOrder(registry: readonly Connector[]): void {
  registry.forEach((c, i) => {
    for (const dep of c.dependsOn ?? []) {
      const at = registry.findIndex((d) => d.name === dep);
      if (at < 0 || at >= i) throw new Error(`connector ${c.name} depends on ${dep}, which is not an earlier connector`);
    }
    for (const s of c.steps) {
      if ((s.kind === 'events' || s.kind === 'enrich') && (s.entityTypes.length > 0 || s.relationScopes.length > 0)) {
        throw new Error(`connector ${c.name}: its ${s.kind} step ${s.name} cannot be the authority for entity types or link sets`);
      }
    }
  });
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
 * throws only when the run could not start (configuration, database, authentication) or the database
 * failed under it (then every collection stops at once and the run is recorded failed).
 */
export async function runPull(o: PullOptions): Promise<PullSummary> {
  const connectors = selectConnectors(o.only, o.registry);
  const started = Date.now();
  const notices: string[] = [];
  const notice = (message: string) => {
    notices.push(message);
    o.onNotice?.(message);
  };
  // Built first: an unreadable certificate is a configuration error that must not create or touch a database.
  const tokenSource = o.tokenSource ?? createTokenSource(o.config);
  const dbPath = o.config.dbPath;
  const lock = acquireRunLock(dbPath);
  try {
    const db = openDatabase(dbPath);
    try {
      // The token comes first: the database is bound to the tenant id it carries (tid), so a tenant
      // named by its domain or by its GUID is one database. A failed sign-in is still written to the
      // ledger of a database known to belong to the configured tenant.
      let token: string;
      try {
        token = await tokenSource.getToken();
      } catch (error) {
        if (isKnownTenant(db, o.config.tenantId)) {
          const runId = startRun(db, o.command ?? 'pull', toolVersion());
          finishRun(db, runId, 'failed', { requests: 0, throttled: 0, retries: 0 }, (error as Error).message);
        }
        throw error;
      }
      const facts = tokenFacts(token);
      const rebound = bindTenant(db, { tenantId: facts.tenantId ?? o.config.tenantId, configured: o.config.tenantId }, dbPath);
      if (rebound) notice(rebound);
      const runId = startRun(db, o.command ?? 'pull', toolVersion());
      try {
        const context: ConnectorContext = {
          grantedRoles: facts.roles, tenantId: facts.tenantId, runStartedAt: started,
          signInsDays: o.signInsDays, signInsOverlapMs: o.signInsOverlapMs,
        };
        return await pullCollections(o, db, runId, connectors, tokenSource, context, started, notices);
      } catch (error) {
        // Whatever ended the run, it is not left 'running' (unless the database cannot take even that).
        try {
          if (db.inTransaction) db.exec('ROLLBACK');
          db.transaction(() => {
            failRunningCollections(db, runId, (error as Error).message);
            finishRun(db, runId, 'failed', { requests: 0, throttled: 0, retries: 0 }, (error as Error).message);
          })();
        } catch {
          // the next run closes it as interrupted
        }
        throw error;
      }
    } finally {
      db.close();
    }
  } finally {
    lock.release();
  }
}

async function pullCollections(
  o: PullOptions,
  db: Db,
  runId: number,
  connectors: Connector[],
  tokenSource: TokenSource,
  context: ConnectorContext,
  started: number,
  notices: string[],
): Promise<PullSummary> {
  // One signal stops every collection: the operator's (SIGINT/SIGTERM), or a database failure.
  const stopAll = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stopAll.signal]) : stopAll.signal;
  const transport = createGraphTransport({
    graphEndpoint: o.config.graphEndpoint,
    tokenSource,
    concurrency: o.concurrency,
    ...(o.pacing !== undefined ? { pacing: o.pacing } : {}),
    retry: { maxWaitMs: o.maxWaitMs ?? DEFAULT_MAX_WAIT_MS, ...o.retry },
    onEvent: o.onTransportEvent,
    signal,
  });
  const readPages: PageReader = (url, stats, kind) => pages(transport, url, { stats, kind }) as AsyncIterable<GraphPage>;
  const readBatch: BatchReader = (requests, stats) => batchPages(transport, requests, { stats });
  const keep = enrichedKeys(o.registry ?? CONNECTORS);
  const batch = new WriteBatch(db, o.commitEveryMs ?? DEFAULT_COMMIT_EVERY_MS);
  const fullEveryMs = (o.fullEveryDays ?? DEFAULT_FULL_EVERY_DAYS) * 86_400_000;
  /** A collection whose dependency did not succeed: recorded as not run, with the dependency's outcome class. */
  const notRun = (connector: Connector, outcome: CollectionResult['outcome'], dep: string): CollectionResult => {
    const ctx = { db, connector, runId, batch, onProgress: o.onProgress };
    if (outcome === 'skipped') return recordNotRun(ctx, 'skipped', new SkippedError(`${connector.name}: not run, ${dep} was skipped`));
    if (outcome === 'interrupted') return recordNotRun(ctx, 'interrupted', new InterruptedError(String(signal.reason ?? 'a signal')));
    return recordNotRun(ctx, 'failed', new GraphError('COLLECTION_NOT_RUN', `${connector.name}: not run, because ${dep} (which it needs) failed`, {
      suggestion: `Fix ${dep} first (see its error); ${connector.name} is pulled again with it on the next run.`,
    }));
  };
  // Each collection starts at once, unless it depends on another pulled in this run: then it waits
  // for that one's round to end, and runs only if it succeeded.
  const running = new Map<string, Promise<CollectionResult>>();
  for (const connector of connectors) {
    const deps = (connector.dependsOn ?? []).flatMap((d) => (running.has(d) ? [running.get(d)!] : []));
    const run = (async (): Promise<CollectionResult> => {
      if (deps.length > 0) {
        const done = await Promise.allSettled(deps);
        const broke = done.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (broke) throw broke.reason; // the database failed: the run ends with that error
        const blocker = done.map((r) => (r as PromiseFulfilledResult<CollectionResult>).value).find((r) => r.outcome !== 'success');
        if (blocker) return notRun(connector, blocker.outcome, blocker.collection);
        if (signal.aborted) return notRun(connector, 'interrupted', connector.name);
      }
      return syncCollection({
        db, connector, runId, readPages, readBatch, keep, batch, signal, fullEveryMs, deferLinkTombstones: true,
        context, full: o.full, onProgress: o.onProgress,
      });
    })().catch((error: unknown) => {
      // Only a database failure escapes a collection: the pages every other collection holds in
      // the batch are gone with it, so none of them may go on.
      stopAll.abort('a database failure');
      throw error;
    });
    running.set(connector.name, run);
  }
  const settled = await Promise.allSettled(running.values());
  const fatal = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (fatal) throw fatal.reason;
  const results = settled.map((r) => (r as PromiseFulfilledResult<CollectionResult>).value);
  if (!o.signal?.aborted) {
    // Every collection has settled which objects are gone: now the links full rounds did not see.
    // An interrupted run leaves this to the next run that ends.
    const removed = batch.write(() => settleUnseenLinks(db, o.registry ?? CONNECTORS, { runId, at: new Date().toISOString() }));
    for (const r of results) r.links_deleted += removed[r.collection] ?? 0;
  }
  batch.commit();
  const failed = results.filter((r) => r.outcome === 'failed');
  const outcome = o.signal?.aborted
    ? 'interrupted'
    : failed.length === 0 ? 'success' : failed.length === results.length ? 'failed' : 'partial';
  finishRun(db, runId, outcome, transport.stats, failed.map((f) => `${f.collection}: ${(f.error as Error).message}`).join('; ') || undefined);
  return {
    runId,
    database: o.config.dbPath,
    outcome,
    durationMs: Date.now() - started,
    requests: transport.stats.requests,
    throttled: transport.stats.throttled,
    retries: transport.stats.retries,
    collections: Object.fromEntries(results.map((r) => [r.collection, summarize(r)])),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    pacing: transport.pacingSnapshot?.(),
    errors: failed.map((f) => ({ collection: f.collection, error: f.error })),
    notices,
  };
}

/**
 * Per entity type, the keys of `data` that enrich steps of any collection write (users'
 * signInActivity): the owner's full writes keep them, whether or not the enriching collection runs.
 */
function enrichedKeys(registry: readonly Connector[]): Map<string, string[]> {
  const keep = new Map<string, string[]>();
  for (const c of registry) {
    for (const s of c.steps) {
      if (s.kind !== 'enrich') continue;
      keep.set(s.entityType, [...(keep.get(s.entityType) ?? []), s.key]);
    }
  }
  return keep;
}

function summarize(r: CollectionResult): CollectionSummary {
  return {
    mode: r.mode,
    resumed: r.resumed,
    ...(r.fullReason ? { fullReason: r.fullReason } : {}),
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
