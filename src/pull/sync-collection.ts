import type { Connector, ConnectorContext, GraphObject } from './connector.js';
import { emptyStats, type TransportStats } from '../graph/index.js';
import { applyPage } from './apply-page.js';
import { graphErrorKind, isLicenseRequired, isRefusedLink } from './graph-error-kind.js';
import { planRound } from './plan-round.js';
import { DatabaseError, GraphError, InterruptedError, SkippedError } from '../errors/index.js';
import { explainForCollection } from './explain-collection-error.js';

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

export interface GraphPage {
  value: GraphObject[];
  nextLink?: string;
  deltaLink?: string;
}

/**
 * Reads the pages of a round from its first link, following nextLinks verbatim (src/graph/pages.ts).
 * `kind` says what ends the round: a delta round only a page with a deltaLink, a list round a page
 * without a nextLink; anything that is not a page is an error, never an end.
 */
export type PageReader = (url: string, stats: RequestStats, kind: 'delta' | 'list') => AsyncIterable<GraphPage>;

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
  context: ConnectorContext;
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
 * One collection's round: full (everything, then tombstone what was not seen) or delta (changes
 * since the saved deltaLink). Each page is one transaction with the link to resume from, so a
 * crash at any point loses nothing; the new deltaLink and the tombstones commit with the last page.
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
  const pageKind = connector.changeTracking === 'delta' ? 'delta' : 'list';
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

  // A full round that begins again within this run must not count what the abandoned attempt saw,
  // or objects removed in between would escape the tombstone at the end of the new round.
  const forgetSeenThisRun = () => {
    unseeEntities(db, connector.entityTypes, runId);
    unseeRelations(db, connector.relationScopes, runId);
  };

  let ledgerOpen = false;
  try {
    const query = connector.firstUrl(o.context);
    const state = getSyncState(db, name);
    const plan = planRound(state, {
      query, changeTracking: connector.changeTracking, full: o.full === true, runId, fullEveryMs: o.fullEveryMs, now: now(),
    });
    mode = plan.mode;
    resumed = plan.resumed;
    fullReason = plan.fullReason;
    let { link, roundStart } = plan;
    const firstLink = link;
    // The collection has never completed a round: every row it writes is new.
    const fresh = !state?.last_full_at;
    batch.write(() => {
      startRunCollection(db, runId, name, mode, now());
      if (plan.fullReason) setRunCollectionFullReason(db, runId, name, plan.fullReason);
      if (!resumed) beginRound(db, name, mode, link, query, runId, now());
      if (fresh && mode === 'full') {
        for (const scope of connector.relationScopes) recordBaseline(db, { runId, at: isoNow(now()) }, scope);
      }
    });
    ledgerOpen = true;
    progress('start', resumed ? 'resuming an interrupted round' : plan.fullReason);

    let restarts = 0;
    for (;;) {
      let pagesThisAttempt = 0;
      try {
        for await (const page of o.readPages(link, stats, pageKind)) {
          pagesThisAttempt++;
          if (page.nextLink === undefined && pageKind === 'delta' && page.deltaLink === undefined) {
            // The transport already refuses such pages; the engine never ends a delta round without proof.
            throw new GraphError('GRAPH_INVALID_RESPONSE', `${name}: a delta page with neither @odata.nextLink nor @odata.deltaLink (${link})`, {
              request: `GET ${link}`,
            });
          }
          const at = isoNow(now());
          batch.write(() => {
            const c = applyPage(db, connector, page.value, { runId, mode, at, fresh });
            const d: Partial<CollectionCounts> = { ...c, ...takeRequestCounts(), pages: 1 };
            if (page.nextLink) {
              saveRoundProgress(db, name, page.nextLink, now());
            } else {
              if (mode === 'full') {
                // Only a complete full round may say what no longer exists.
                const stamp = { runId, at };
                d.deletions! += tombstoneUnseenEntities(db, connector.entityTypes, roundStart, stamp);
                if (o.deferLinkTombstones) markLinksUnsettled(db, name, roundStart);
                else d.links_deleted! += tombstoneUnseenRelations(db, connector.relationScopes, roundStart, stamp);
              }
              completeRound(db, name, connector.changeTracking === 'delta' ? page.deltaLink ?? null : null, mode, now());
            }
            addRunCollectionCounts(db, runId, name, d);
            for (const [k, v] of Object.entries(d)) counts[k as keyof CollectionCounts] += v ?? 0;
          });
          // The round's end (new deltaLink, tombstones) is made durable at once; pages in between
          // are committed a few times a second.
          if (page.nextLink) batch.maybeCommit();
          else batch.commit();
          if (page.nextLink) link = page.nextLink;
          if (page.nextLink && o.signal?.aborted) throw new InterruptedError(String(o.signal.reason ?? 'a signal'));
          progress('page');
        }
        break;
      } catch (error) {
        if (error instanceof DatabaseError || error instanceof InterruptedError) throw error;
        let kind = graphErrorKind(error);
        const firstRequest = pagesThisAttempt === 0 && link === firstLink;
        // A saved deltaLink Graph refuses on its first request (400 of any code, 404, 410, 422) must
        // never wedge the collection: begin again with a full round, and say so.
        if (mode === 'delta' && !resumed && firstRequest && isRefusedLink(error)) {
          if (kind !== 'resync') progress('warning', `the saved deltaLink was refused (${describeRefusal(error)}): running a full resync`);
          kind = 'resync';
        }
        // A link saved by an earlier run may have outlived its skip token in ways Graph reports
        // with other 4xx codes than Directory_ExpiredPageToken: begin the round again instead.
        if (kind === 'fatal' && resumed && firstRequest && isRefusedLink(error)) kind = 'restart';
        if (kind === 'resync' && mode === 'delta') {
          // The saved deltaLink expired or the service reset sync: everything again, then tombstone.
          mode = 'full';
          link = query;
          roundStart = runId;
          const reason = `resync: ${describeRefusal(error)}`;
          fullReason = reason;
          batch.write(() => {
            forgetSeenThisRun();
            dropDeltaLink(db, name, now());
            beginRound(db, name, mode, link, query, runId, now());
            setRunCollectionMode(db, runId, name, mode);
            setRunCollectionFullReason(db, runId, name, reason);
            addRunCollectionCounts(db, runId, name, { resyncs: 1, ...takeRequestCounts() });
          });
          counts.resyncs++;
          progress('resync', (error as Error).message);
          continue;
        }
        if ((kind === 'restart' || kind === 'resync') && restarts < (o.maxRestarts ?? 3)) {
          // A skip token expired mid-round: start this round over from its first link.
          restarts++;
          const again = getSyncState(db, name);
          link = mode === 'delta' && again?.delta_link ? again.delta_link : query;
          roundStart = runId;
          batch.write(() => {
            if (mode === 'full') forgetSeenThisRun();
            beginRound(db, name, mode, link, query, runId, now());
            addRunCollectionCounts(db, runId, name, takeRequestCounts());
          });
          progress('restart', (error as Error).message);
          continue;
        }
        throw error;
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
  batch.write(() => finishRunCollection(db, runId, name, 'success', undefined, now()));
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
