import type { BatchRequest, BatchResult, TransportStats } from '../../graph/index.js';
import type { CollectionMode, Db } from '../../store/index.js';
import type { ConnectorContext, GraphObject } from '../connector.js';
import type { ApplyContext, PageCounts } from '../apply-page.js';

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
export type PageReader = (url: string, stats: TransportStats, kind: 'delta' | 'list') => AsyncIterable<GraphPage>;

/** Runs sub-requests through JSON `$batch` (src/graph/batch-pages.ts) and yields their pages as items complete. */
export type BatchReader = (requests: AsyncIterable<BatchRequest>, stats: TransportStats) => AsyncIterable<BatchResult>;

/** Where a step's round begins. */
export type RoundStart =
  | { kind: 'fresh' }
  /** A round an earlier run (or attempt) left unfinished: the runner's own resume token. */
  | { kind: 'resume'; token: string }
  /** A delta round from the saved deltaLink. */
  | { kind: 'delta'; link: string };

/**
 * One unit of a step's round, written in one transaction with the state to resume from: a page of
 * Graph objects, a parent's sub-collection page, a chunk of derived links.
 */
export interface RoundUnit {
  /** Writes the unit (inside the caller's transaction). */
  apply(db: Db, ctx: ApplyContext): Partial<PageCounts>;
  /** Where the round goes on after this unit (for a crash); absent on the last unit. */
  resume?: string;
  /**
   * Set on the last unit: the round is complete (and, for delta, its new deltaLink; for a delta step's
   * full round, how it read Graph: 'listing', default 'delta chain').
   */
  end?: { deltaLink?: string; read?: string };
  /** Counts as a Graph page in the figures. */
  page?: boolean;
}

export interface RunnerEnv {
  db: Db;
  context: ConnectorContext;
  stats: TransportStats;
  readPages: PageReader;
  readBatch?: BatchReader;
  now: () => number;
}

/** A step's way of reading Graph (or the store): what its round's query is, and its units from a start. */
export interface Runner {
  /** Identifies what the saved state belongs to (a changed query starts a new full round). */
  query: string;
  /** How planRound treats the step. */
  tracking: 'delta' | 'list' | 'events';
  /**
   * What a round that has not written anything yet saves as its resume point: the first URL for
   * Graph listings, '' (start over) for runners whose token is a cursor or a window.
   */
  freshToken: string;
  units(start: RoundStart, mode: CollectionMode): AsyncIterable<RoundUnit>;
}
