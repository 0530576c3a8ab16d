import type { EntraExtractError } from '../errors/index.js';
import type { Page, TransportStats } from './types.js';

/** One GET to run inside JSON `$batch` envelopes, with every page of its answer. */
export interface BatchRequest {
  /** The caller's name for it (e.g. the parent id); unique over one batchPages call. */
  key: string;
  /**
   * Relative to the version root, e.g. `/servicePrincipals/{id}/appRoleAssignedTo?$select=id`
   * (https://learn.microsoft.com/graph/json-batching: batch URLs are relative). An absolute URL under
   * `<graph root>/v1.0` is accepted and made relative.
   */
  url: string;
  /** Headers of this sub-request only (e.g. ConsistencyLevel), on top of BatchPagesOptions.headers. */
  headers?: Record<string, string>;
}

/**
 * What batchPages yields, as items complete. Per item: its pages in order, then `done`; or
 * `notFound` (404: the parent is gone, its links can be tombstoned); or `error` (failed for good, e.g. a
 * 403 GRAPH_REQUEST_FAILED with Graph's code, GRAPH_RETRIES_EXHAUSTED, GRAPH_INVALID_RESPONSE). An item
 * whose `notFound` or `error` comes after some pages was cut short: those pages are not all of it.
 */
export type BatchResult =
  | { key: string; page: Page }
  | { key: string; done: true }
  | { key: string; notFound: true; requestId?: string; graphCode?: string }
  | { key: string; error: EntraExtractError };

export interface BatchPagesOptions {
  /** Sub-requests per envelope, 1 to 20 (Graph's limit). Default 20. */
  batchSize?: number;
  /**
   * Envelopes in flight at once, exactly. Default: adapted to which side is slower, from
   * INITIAL_ENVELOPES_IN_FLIGHT (8) between MIN_ENVELOPES_IN_FLIGHT (2) and the transport's
   * concurrency (envelope-window.ts).
   */
  concurrency?: number;
  /** Items taken from the input and not finished yet, at most. Default batchSize × concurrency × 2. */
  maxPending?: number;
  /** Headers for every sub-request (e.g. `{ ConsistencyLevel: 'eventual' }`). */
  headers?: Record<string, string>;
  /** Counters for this call: envelopes in `requests`, sub-requests in `batchItems`, item retries and 429s too. */
  stats?: TransportStats;
  /**
   * Whether a throttled item (429, or 500/502/503 with Retry-After) closes the transport's shared
   * throttle window for its Retry-After, like a throttled plain request does. Default true: see
   * batch-pages.ts for why.
   */
  shareItemThrottling?: boolean;
}
