import { stepKey, type Connector, type ConnectorContext } from './connector.js';
import { emptyStats, type TransportStats } from '../graph/index.js';
import { makeRunner } from './runners/make-runner.js';
import type { BatchReader, PageReader, RoundStart, RunnerEnv } from './runners/runner.js';
import { graphErrorKind, isLicenseRequired, isRefusedLink } from './graph-error-kind.js';
import { planRound } from './plan-round.js';
import { DatabaseError, GraphError, InterruptedError, SkippedError } from '../errors/index.js';
import { explainForCollection } from './explain-collection-error.js';
import { ListingRefused } from './runners/listing-refused.js';

import {
  addRunCollectionCounts,
  beginRound,
  completeRound,
  dropDeltaLink,
  emptyCounts,
  finishRunCollection,
  getSyncState,
  isoNow,
  markLinksUnsettled,
  recordBaseline,
  saveRoundProgress,
  setRunCollectionFullRead,
  setRunCollectionFullReason,
  setRunCollectionMode,
  startRunCollection,
  tombstoneUnseenEntities,
  tombstoneUnseenRelations,
  unseeEntities,
  unseeRelations,
  type CollectionCounts,
  type CollectionMode,
  type Db,
  WriteBatch,
} from '../store/index.js';

/** Per-collection request counters, filled in by the transport. */
export type RequestStats = TransportStats;

export type { BatchReader, GraphPage, PageReader } from './runners/runner.js';

export interface CollectionProgress {
  collection: string;
  mode: CollectionMode;
  pages: number;
  objects: number;
  links: number;
  throttled: number;
  event: 'start' | 'page' | 'resync' | 'restart' | 'warning' | 'done' | 'failed' | 'skipped';
  detail?: string;
}

export interface CollectionResult extends CollectionCounts {
  collection: string;
  mode: CollectionMode;
  resumed: boolean;
  /** Why the round was full, when it was. */
  fullReason?: string;
  outcome: 'success' | 'failed' | 'interrupted' | 'skipped';
  durationMs: number;
  error?: unknown;
}

export interface SyncCollectionOptions {
  db: Db;
  connector: Connector;
  runId: number;
  readPages: PageReader;
  /** Sub-requests through JSON $batch (fan-out steps). */
  readBatch?: BatchReader;
  context: ConnectorContext;
  /** Per entity type, keys of `data` that enrich steps write: kept by full writes of the owner. */
  keep?: ReadonlyMap<string, readonly string[]>;
  /** Ignore the saved deltaLink and run a full round. */
  full?: boolean;
  /** A full round when the last complete one is older than this (ms); 0 or absent = never. */
  fullEveryMs?: number;
  /** How many times an expired skip token may restart the round (default 3). */
  maxRestarts?: number;
  now?: () => number;
  onProgress?: (p: CollectionProgress) => void;
  /** Shared by the collections of a run; default: commit every page on its own. */
  batch?: WriteBatch;
  /** When aborted, the collection stops after the page it is writing (its reason names the signal). */
  signal?: AbortSignal;
  /**
   * Leave the unseen links of a completed full round to settleUnseenLinks at the end of the run
   * (runPull does, so the outcome does not depend on which collection ends first). Default: mark
   * them deleted with the round's last page.
   */
  deferLinkTombstones?: boolean;
}

/**
 * One collection's run: its steps in order, each a round of its own (src/pull/runners: delta, list,
 * fan-out, derive, events, enrich). A round is full (everything, then tombstone what was not seen)
 * or incremental (changes since the saved deltaLink or watermark). Each unit (a page) is one
 * transaction with the state to resume from, so a crash at any point loses nothing; the new
 * deltaLink and the tombstones commit with the last unit.
 *
 * Whatever fails in here (set-up included) fails this collection alone, recorded in the ledger;
 * only a DatabaseError (the shared write batch broke) is thrown, because it ends every collection.
 */
export async function syncCollection(o: SyncCollectionOptions): Promise<CollectionResult> {
  const { db, connector, runId } = o;
  const now = o.now ?? Date.now;
  const name = connector.name;
  const started = now();
  const counts = emptyCounts();
  const batch = o.batch ?? new WriteBatch(db);
  let mode: CollectionMode = 'full';
  let resumed = false;
  let fullReason: string | undefined;

  const progress = (event: CollectionProgress['event'], detail?: string) =>
    o.onProgress?.({
      collection: name, mode, event, detail, pages: counts.pages,
      objects: counts.upserts + counts.deletions, links: counts.links_upserted + counts.links_deleted, throttled: counts.throttled,
    });

  const stats: RequestStats = emptyStats();
  const reported = { requests: 0, throttled: 0, retries: 0 };
  // Every request of the collection, abandoned attempts (resync, restart) included.
  const requestCounts = () => ({ requests: stats.requests, throttled: stats.throttled, retries: stats.retries });
  const takeRequestCounts = () => {
    const d = { requests: stats.requests - reported.requests, throttled: stats.throttled - reported.throttled, retries: stats.retries - reported.retries };
    Object.assign(reported, { requests: stats.requests, throttled: stats.throttled, retries: stats.retries });
    return d;
  };
  const env: RunnerEnv = { db, context: o.context, stats, readPages: o.readPages, readBatch: o.readBatch, now };

  let ledgerOpen = false;
  try {
    for (let index = 0; index < connector.steps.length; index++) {
      const step = connector.steps[index]!;
      const key = stepKey(connector, index);
      const runner = makeRunner(step, env, key);
      const query = runner.query;
      const state = getSyncState(db, key);
      const plan = planRound(state, {
        query, changeTracking: runner.tracking, full: o.full === true && runner.tracking !== 'events', runId, fullEveryMs: o.fullEveryMs, now: now(),
      });
      let stepMode = plan.mode;
      let { roundStart } = plan;
      let start: RoundStart = plan.resumed
        ? { kind: 'resume', token: plan.link }
        : plan.mode === 'delta' && runner.tracking === 'delta' ? { kind: 'delta', link: plan.link } : { kind: 'fresh' };
      const planned = start;
      // The step has never completed a round: every row it writes is new.
      const fresh = !state?.last_full_at && runner.tracking !== 'events';
      const forgetSeenThisRun = () => {
        unseeEntities(db, step.entityTypes, runId);
        unseeRelations(db, step.relationScopes, runId);
      };
      batch.write(() => {
        if (index === 0) {
          startRunCollection(db, runId, name, stepMode, now());
          if (plan.fullReason) setRunCollectionFullReason(db, runId, name, plan.fullReason);
        }
        if (!plan.resumed) beginRound(db, key, stepMode, start.kind === 'delta' ? start.link : runner.freshToken, query, runId, now());
        if (fresh && stepMode === 'full') {
          for (const scope of step.relationScopes) recordBaseline(db, { runId, at: isoNow(now()) }, scope);
        }
      });
      if (index === 0) {
        ledgerOpen = true;
        mode = stepMode;
        resumed = plan.resumed;
        fullReason = plan.fullReason;
        progress('start', resumed ? 'resuming an interrupted round' : plan.fullReason);
      } else if (plan.resumed) {
        resumed = true;
        progress('warning', `resuming the interrupted ${step.name} step`);
      }

      let restarts = 0;
      /** Why a full round fell back from the listing to the delta chain. */
      let chainBecause: string | undefined;
      for (;;) {
        let unitsThisAttempt = 0;
        try {
          for await (const unit of runner.units(start, stepMode)) {
            unitsThisAttempt++;
            const at = isoNow(now());
            batch.write(() => {
              const c = unit.apply(db, {
                runId, mode: stepMode, at, fresh, roundStart, singleValued: step.singleValued, keep: o.keep,
                owns: { entityTypes: step.entityTypes, relationScopes: step.relationScopes },
              });
              const d: Partial<CollectionCounts> = { upserts: 0, deletions: 0, links_upserted: 0, links_deleted: 0, ...c, ...takeRequestCounts(), pages: unit.page ? 1 : 0 };
              if (!unit.end) {
                if (unit.resume !== undefined) saveRoundProgress(db, key, unit.resume, now());
              } else {
                if (stepMode === 'full') {
                  // Only a complete full listing may say what no longer exists.
                  const stamp = { runId, at };
                  d.deletions! += tombstoneUnseenEntities(db, step.entityTypes, roundStart, stamp);
                  if (step.relationScopes.length > 0) {
                    if (o.deferLinkTombstones) markLinksUnsettled(db, key, roundStart);
                    else d.links_deleted! += tombstoneUnseenRelations(db, step.relationScopes, roundStart, stamp);
                  }
                }
                if (stepMode === 'full' && runner.tracking === 'delta' && index === 0) {
                  setRunCollectionFullRead(db, runId, name, unit.end.read ?? (chainBecause ? `delta chain (${chainBecause})` : 'delta chain'));
                }
                completeRound(db, key, runner.tracking === 'delta' ? unit.end.deltaLink ?? null : null, stepMode, now());
              }
              addRunCollectionCounts(db, runId, name, d);
              for (const [k, v] of Object.entries(d)) counts[k as keyof CollectionCounts] += v ?? 0;
            });
            // The round's end (new deltaLink, tombstones) is made durable at once; units in between
            // are committed a few times a second.
            if (unit.end) batch.commit();
            else batch.maybeCommit();
            if (!unit.end && o.signal?.aborted) throw new InterruptedError(String(o.signal.reason ?? 'a signal'));
            if (unit.page) progress('page');
          }
          break;
        } catch (error) {
          if (error instanceof DatabaseError || error instanceof InterruptedError) throw error;
          if (error instanceof ListingRefused && stepMode === 'full') {
            // What the listing saw is forgotten, and the round begins again on the delta chain,
            // whose first link is the step's query (saved, so a crash resumes the chain).
            chainBecause = error.reason;
            start = { kind: 'resume', token: query };
            roundStart = runId;
            batch.write(() => {
              forgetSeenThisRun();
              beginRound(db, key, stepMode, query, query, runId, now());
              addRunCollectionCounts(db, runId, name, takeRequestCounts());
            });
            progress('warning', `${error.message}: reading the full round through the delta chain`);
            continue;
          }
          let kind = graphErrorKind(error);
          const firstRequest = unitsThisAttempt === 0 && start === planned;
          // A saved deltaLink Graph refuses on its first request (400 of any code, 404, 410, 422) must
          // never wedge the collection: begin again with a full round, and say so.
          if (start.kind === 'delta' && firstRequest && isRefusedLink(error)) {
            if (kind !== 'resync') progress('warning', `the saved deltaLink was refused (${describeRefusal(error)}): running a full resync`);
            kind = 'resync';
          }
          // A link saved by an earlier run may have outlived its skip token in ways Graph reports
          // with other 4xx codes than Directory_ExpiredPageToken: begin the round again instead.
          if (kind === 'fatal' && start.kind === 'resume' && firstRequest && isRefusedLink(error)) kind = 'restart';
          if (kind === 'resync' && stepMode === 'delta' && runner.tracking === 'delta') {
            // The saved deltaLink expired or the service reset sync: everything again, then tombstone.
            stepMode = 'full';
            start = { kind: 'fresh' };
            roundStart = runId;
            const reason = `resync: ${describeRefusal(error)}`;
            if (index === 0) {
              mode = stepMode;
              fullReason = reason;
            }
            batch.write(() => {
              forgetSeenThisRun();
              dropDeltaLink(db, key, now());
              beginRound(db, key, stepMode, runner.freshToken, query, runId, now());
              if (index === 0) {
                setRunCollectionMode(db, runId, name, stepMode);
                setRunCollectionFullReason(db, runId, name, reason);
              }
              addRunCollectionCounts(db, runId, name, { resyncs: 1, ...takeRequestCounts() });
            });
            counts.resyncs++;
            progress('resync', (error as Error).message);
            continue;
          }
          if ((kind === 'restart' || kind === 'resync') && restarts < (o.maxRestarts ?? 3)) {
            // A skip token expired mid-round: start this round over from its first request.
            restarts++;
            const again = getSyncState(db, key);
            start = stepMode === 'delta' && runner.tracking === 'delta' && again?.delta_link ? { kind: 'delta', link: again.delta_link } : { kind: 'fresh' };
            roundStart = runId;
            batch.write(() => {
              if (stepMode === 'full') forgetSeenThisRun();
              beginRound(db, key, stepMode, start.kind === 'delta' ? start.link : runner.freshToken, query, runId, now());
              addRunCollectionCounts(db, runId, name, takeRequestCounts());
            });
            progress('restart', (error as Error).message);
            continue;
          }
          throw error;
        }
      }
    }
  } catch (caught) {
    if (caught instanceof DatabaseError) throw caught;
    const skipped = isLicenseRequired(caught);
    const error = skipped ? new SkippedError(`${name}: skipped, the tenant has no Microsoft Entra ID P1 or P2 license (Graph answered 403 Authentication_RequestFromNonPremiumTenantOrB2CTenant)`, caught) : explainForCollection(caught, connector);
    const outcome = skipped ? 'skipped' : error instanceof InterruptedError ? 'interrupted' : 'failed';
    batch.write(() => {
      if (!ledgerOpen) startRunCollection(db, runId, name, mode, now());
      addRunCollectionCounts(db, runId, name, takeRequestCounts());
      finishRunCollection(db, runId, name, outcome, (error as Error).message, now());
    });
    batch.commit();
    progress(skipped ? 'skipped' : 'failed', (error as Error).message);
    return { collection: name, mode, resumed, fullReason, outcome, durationMs: now() - started, error, ...counts, ...requestCounts() };
  }
  batch.write(() => {
    addRunCollectionCounts(db, runId, name, takeRequestCounts());
    finishRunCollection(db, runId, name, 'success', undefined, now());
  });
  batch.commit();
  progress('done');
  return { collection: name, mode, resumed, fullReason, outcome: 'success', durationMs: now() - started, ...counts, ...requestCounts() };
}

/** "400 Request_BadRequest", "410 Gone", … for messages. */
function describeRefusal(error: unknown): string {
  if (error instanceof GraphError) return [error.status, error.graphCode].filter((x) => x !== undefined && x !== '').join(' ') || error.code;
  return (error as Error)?.message ?? String(error);
}

/**
 * A collection that does not run because one it depends on did not succeed: recorded in the ledger
 * with the same outcome class (failed, skipped or interrupted), having made no request and written
 * nothing else.
 */
export function recordNotRun(
  o: Pick<SyncCollectionOptions, 'db' | 'connector' | 'runId' | 'batch' | 'onProgress' | 'now'>,
  outcome: 'failed' | 'skipped' | 'interrupted',
  error: Error,
): CollectionResult {
  const now = o.now ?? Date.now;
  const batch = o.batch ?? new WriteBatch(o.db);
  const name = o.connector.name;
  batch.write(() => {
    startRunCollection(o.db, o.runId, name, 'full', now());
    finishRunCollection(o.db, o.runId, name, outcome, error.message, now());
  });
  batch.commit();
  o.onProgress?.({ collection: name, mode: 'full', event: outcome === 'skipped' ? 'skipped' : 'failed', detail: error.message, pages: 0, objects: 0, links: 0, throttled: 0 });
  return { collection: name, mode: 'full', resumed: false, outcome, durationMs: 0, error, ...emptyCounts() };
}
