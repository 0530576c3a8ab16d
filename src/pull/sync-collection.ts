import type { Connector, ConnectorContext, GraphObject } from './connector.js';
import { emptyStats, type TransportStats } from '../graph/index.js';
import { applyPage } from './apply-page.js';
import { graphErrorKind, isStaleLinkError } from './graph-error-kind.js';
import { planRound } from './plan-round.js';
import { InterruptedError } from '../errors/index.js';
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
  saveRoundProgress,
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

/** Reads the pages of a round from its first link, following nextLinks verbatim (src/graph/pages.ts). */
export type PageReader = (url: string, stats: RequestStats) => AsyncIterable<GraphPage>;

export interface CollectionProgress {
  collection: string;
  mode: CollectionMode;
  pages: number;
  objects: number;
  links: number;
  throttled: number;
  event: 'start' | 'page' | 'resync' | 'restart' | 'done' | 'failed';
  detail?: string;
}

export interface CollectionResult extends CollectionCounts {
  collection: string;
  mode: CollectionMode;
  resumed: boolean;
  outcome: 'success' | 'failed' | 'interrupted';
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
  /** How many times an expired skip token may restart the round (default 3). */
  maxRestarts?: number;
  now?: () => number;
  onProgress?: (p: CollectionProgress) => void;
  /** Shared by the collections of a run; default: commit every page on its own. */
  batch?: WriteBatch;
  /** When aborted, the collection stops after the page it is writing (its reason names the signal). */
  signal?: AbortSignal;
}

/**
 * One collection's round: full (everything, then tombstone what was not seen) or delta (changes
 * since the saved deltaLink). Each page is one transaction with the link to resume from, so a
 * crash at any point loses nothing; the new deltaLink and the tombstones commit with the last page.
 */
export async function syncCollection(o: SyncCollectionOptions): Promise<CollectionResult> {
  const { db, connector, runId } = o;
  const now = o.now ?? Date.now;
  const name = connector.name;
  const started = now();
  const query = connector.firstUrl(o.context);
  const state = getSyncState(db, name);
  const counts = emptyCounts();
  const batch = o.batch ?? new WriteBatch(db);

  const plan = planRound(state, { query, changeTracking: connector.changeTracking, full: o.full === true, runId });
  let { mode, link, roundStart } = plan;
  const { resumed } = plan;
  const resumedLink = resumed ? link : undefined;
  batch.write(() => {
    startRunCollection(db, runId, name, mode, now());
    if (!resumed) beginRound(db, name, mode, link, query, runId, now());
  });

  const progress = (event: CollectionProgress['event'], detail?: string) =>
    o.onProgress?.({
      collection: name, mode, event, detail, pages: counts.pages,
      objects: counts.upserts + counts.deletions, links: counts.links_upserted + counts.links_deleted, throttled: counts.throttled,
    });
  progress('start', resumed ? 'resuming an interrupted round' : undefined);

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

  let restarts = 0;
  try {
    for (;;) {
      let pagesThisAttempt = 0;
      try {
        for await (const page of o.readPages(link, stats)) {
          pagesThisAttempt++;
          const at = isoNow(now());
          batch.write(() => {
            const c = applyPage(db, connector, page.value, { runId, mode, at });
            const d: Partial<CollectionCounts> = { ...c, ...takeRequestCounts(), pages: 1 };
            if (page.nextLink) {
              saveRoundProgress(db, name, page.nextLink, now());
            } else {
              if (mode === 'full') {
                // Only a complete full round may say what no longer exists.
                d.deletions! += tombstoneUnseenEntities(db, connector.entityTypes, roundStart, at);
                d.links_deleted! += tombstoneUnseenRelations(db, connector.relationScopes, roundStart, at);
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
        let kind = graphErrorKind(error);
        // A link saved by an earlier run may have outlived its skip token in ways Graph reports
        // with other 4xx codes than Directory_ExpiredPageToken: never let such a link wedge the
        // collection; begin the round again instead.
        if (kind === 'fatal' && resumedLink === link && pagesThisAttempt === 0 && isStaleLinkError(error)) kind = 'restart';
        if (kind === 'resync' && mode === 'delta') {
          // The saved deltaLink expired or the service reset sync: everything again, then tombstone.
          mode = 'full';
          link = query;
          roundStart = runId;
          batch.write(() => {
            forgetSeenThisRun();
            dropDeltaLink(db, name, now());
            beginRound(db, name, mode, link, query, runId, now());
            setRunCollectionMode(db, runId, name, mode);
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
    const error = explainForCollection(caught, connector);
    const outcome = error instanceof InterruptedError ? 'interrupted' : 'failed';
    batch.write(() => {
      addRunCollectionCounts(db, runId, name, takeRequestCounts());
      finishRunCollection(db, runId, name, outcome, (error as Error).message, now());
    });
    batch.commit();
    progress('failed', (error as Error).message);
    return { collection: name, mode, resumed, outcome, durationMs: now() - started, error, ...counts, ...requestCounts() };
  }
  batch.write(() => finishRunCollection(db, runId, name, 'success', undefined, now()));
  batch.commit();
  progress('done');
  return { collection: name, mode, resumed, outcome: 'success', durationMs: now() - started, ...counts, ...requestCounts() };
}
